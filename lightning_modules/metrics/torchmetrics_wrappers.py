"""torchmetrics wrappers: any scorer as a ``Metric`` whose states sync across processes (DDP)."""

from __future__ import annotations

import torch
from torchmetrics import Metric


class ScorerMetric(Metric):
    """Mean of one score column of a scorer, gathered over processes; sentinels are counted.

    ``update(documents, summaries, references=None)`` scores a batch; ``compute()`` returns
    the mean over all processes' non-sentinel values (NaN if none); ``sentinels`` holds how
    many examples got the scorer's sentinel (``None``).
    """

    full_state_update = False
    higher_is_better = True

    def __init__(self, scorer, column: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.scorer, self.column = scorer, column or scorer.name
        self.add_state("values", default=[], dist_reduce_fx="cat")
        self.add_state("sentinels", default=torch.tensor(0), dist_reduce_fx="sum")

    def update(self, documents, summaries, references=None) -> None:
        """Score a batch and keep its values."""
        result = self.scorer.score(documents, summaries, references)
        column = result.scores[self.column]
        kept = [v for v in column if v is not None]
        self.sentinels += len(column) - len(kept)
        self.values.append(torch.tensor(kept, dtype=torch.float64, device=self.device))

    def compute(self) -> torch.Tensor:
        """Mean over non-sentinel values of every process."""
        values = self.values
        if isinstance(values, list):
            values = torch.cat(values) if values else torch.zeros(0, dtype=torch.float64)
        return values.mean() if values.numel() else torch.tensor(float("nan"))
