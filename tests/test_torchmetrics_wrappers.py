"""The scorer Metric wrapper: accumulation, sentinels, and the sync of its states (two processes'
states merged as DDP sync merges them), for column means and the oracle's ratios of sums."""

import pytest

from lightning_modules.callbacks.evaluation import shard
from lightning_modules.metrics.base import ScoreResult
from lightning_modules.metrics.oracle import COLUMNS, OracleScorer
from lightning_modules.metrics.torchmetrics_wrappers import ScorerMetric
from lightning_modules.world.generator import CorpusConfig, generate_split


class LengthScorer:
    name = "length"

    def score(self, documents, summaries, references=None):
        return ScoreResult({"length": [float(len(s)) if s else None for s in summaries]})


def sharded(scorer, results_by_rank, positions_by_rank):
    """One metric per simulated process, merged into the first (what DDP sync does)."""
    metrics = [ScorerMetric(scorer) for _ in results_by_rank]
    for metric, result, positions in zip(metrics, results_by_rank, positions_by_rank):
        metric.update(result, positions)
    for other in metrics[1:]:
        metrics[0].merge_state(other)
    return metrics[0].compute()


def test_mean_over_batches_skips_sentinels():
    scorer, metric = LengthScorer(), ScorerMetric(LengthScorer())
    metric.update(scorer.score(["d", "d"], ["ab", ""]))
    metric.update(scorer.score(["d"], ["abcd"]))
    assert metric.compute() == {"length": 3.0, "length_sentinel": 1}


def test_states_reduce_by_cat_and_sum_as_ddp_would():
    """Merging two processes' states (what DDP sync does) gives the global mean."""
    scorer = LengthScorer()
    a = ScorerMetric(scorer)
    assert a._reductions["values"].__name__ in ("dim_zero_cat", "_dim_zero_cat")
    assert a._reductions["sentinels"].__name__ in ("dim_zero_sum", "_dim_zero_sum")
    means = sharded(scorer, [scorer.score(["d"], ["a"]), scorer.score(["d", "d"], ["abcde", ""])],
                    [[0], [1, 2]])
    assert means == {"length": 3.0, "length_sentinel": 1}


def test_padding_is_dropped():
    scorer = LengthScorer()
    means = sharded(scorer, [scorer.score(["d"], ["abc"]), scorer.score(["d"], ["abc"])],
                    [[0], [-1]])
    assert means == {"length": 3.0, "length_sentinel": 0}


def test_sharded_column_means_are_the_one_process_floats():
    """Interleaved shards are put back in split order, so even the float sums are the same."""
    values = [0.1 * i + 1e-9 * i * i for i in range(11)]

    class Values:
        name = "v"

        def score(self, documents, summaries, references=None):
            return ScoreResult({"v": [values[int(s)] for s in summaries]})

    scorer = Values()
    whole = scorer.score([""] * 11, [str(i) for i in range(11)]).mean()
    shards = [shard(11, rank, 3) for rank in (2, 0, 1)]
    means = sharded(scorer, [scorer.score([""] * len(p), [str(i) for i in p]) for p in shards],
                    shards)
    assert means["v"] == whole["v"]


def oracle_result(facts, unsupported):
    """An oracle result by hand: one summary per entry, hallucinated if a fact is unsupported."""
    columns = {c: [0.0] * len(facts) for c in COLUMNS}
    columns["facts"], columns["hallucinated_facts"] = list(facts), list(unsupported)
    columns["hallucinated"] = columns["extrinsic"] = [float(u > 0) for u in unsupported]
    columns["not_faithful"] = [float(u > 0) for u in unsupported]
    columns["initial_supported"] = [1.0] * len(facts)
    return ScoreResult(columns, reduction=OracleScorer.reduction)


def test_oracle_ratio_of_sums_over_shards_of_unequal_fact_counts():
    """Rank 0 holds a summary with 1 fact, unsupported; rank 1 two with 4 (none) and 5 (one
    unsupported): 2 of 10 facts, not the mean of the shards' rates (1 and 1/9) nor of the
    summaries' (1, 0, 1/5)."""
    means = sharded(OracleScorer(), [oracle_result([1], [1]), oracle_result([4, 5], [0, 1])],
                    [[0], [1, 2]])
    assert means["hallucinated_fact_rate"] == pytest.approx(2 / 10, abs=1e-15)
    assert means["fact_precision"] == pytest.approx(8 / 10, abs=1e-15)
    assert means["facts_per_summary"] == pytest.approx(10 / 3, abs=1e-15)
    assert means["hallucination_rate"] == pytest.approx(2 / 3, abs=1e-15)
    assert means["faithful"] == pytest.approx(1 / 3, abs=1e-15)
    assert means["initial_supported"] == 1.0
    assert not any(k.endswith("_sentinel") for k in means)  # the oracle has none


def test_sharded_oracle_equals_one_process_on_generated_summaries():
    rows = list(generate_split("test", CorpusConfig(num_docs=400, seed=9)))[:25]
    scorer = OracleScorer()
    scorer.bind(rows)
    whole = scorer.score([r["document"] for r in rows], [r["summary"] for r in rows])
    shards = [shard(len(rows), rank, 2) for rank in (0, 1)]
    parts = [scorer.score([rows[i]["document"] for i in p], [rows[i]["summary"] for i in p])
             for p in shards]
    assert sum(parts[0].scores["facts"]) != sum(parts[1].scores["facts"])
    assert sharded(scorer, parts, shards) == whole.mean()
