"""The scorer Metric wrapper: accumulation, sentinels, and the sync of its states."""

import torch

from lightning_modules.metrics.base import ScoreResult
from lightning_modules.metrics.torchmetrics_wrappers import ScorerMetric


class LengthScorer:
    name = "length"

    def score(self, documents, summaries, references=None):
        return ScoreResult({"length": [float(len(s)) if s else None for s in summaries]})


def test_mean_over_batches_skips_sentinels():
    metric = ScorerMetric(LengthScorer())
    metric.update(["d", "d"], ["ab", ""])
    metric.update(["d"], ["abcd"])
    assert metric.compute().item() == 3.0
    assert metric.sentinels.item() == 1


def test_states_reduce_by_cat_and_sum_as_ddp_would():
    """Merging two processes' states (what DDP sync does) gives the global mean."""
    a, b = ScorerMetric(LengthScorer()), ScorerMetric(LengthScorer())
    a.update(["d"], ["a"])
    b.update(["d", "d"], ["abcde", ""])
    assert a._reductions["values"].__name__ in ("dim_zero_cat", "_dim_zero_cat")
    a.merge_state(b)
    assert a.compute().item() == 3.0 and a.sentinels.item() == 1
