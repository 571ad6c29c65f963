"""torchmetrics wrappers: any scorer's results as a ``Metric`` whose states sync across
processes (DDP).

Each process ``update``s a :class:`ScorerMetric` with the results of its shard of a split and
their places in the split. Its states are per-example score columns (float64, ``cat``-reduced),
those places (``cat``) and sentinel counts (``sum``); ``compute()`` syncs them when a process
group is initialised (torchmetrics does that), puts the examples back in split order and applies
the scorer's reduction (:func:`~lightning_modules.metrics.base.scorer_reduction`: column means,
or the scorer's own, e.g. the oracle's ratios of sums). So every process gets the means of the
whole split, the same floats as ``ScoreResult.mean()`` of one process scoring all of it.
"""

from __future__ import annotations

import math
from typing import Sequence

import torch
from torchmetrics import Metric
from torchmetrics.utilities import dim_zero_cat

from lightning_modules.metrics.base import ScoreResult, scorer_reduction


class ScorerMetric(Metric):
    """A scorer's means over every process's examples, and its sentinel counts.

    ``update(result, positions=None)`` keeps a scored batch (a ``ScoreResult`` of the scorer);
    ``compute()`` returns ``{name: mean}`` as the scorer's reduction gives them over all
    processes' examples, in split order, plus ``<column>_sentinel`` counts (Python ints) unless
    the scorer sets ``sentinels = False``. A sentinel (``None``) is kept as NaN.
    """

    full_state_update = False
    higher_is_better = None  # it depends on the column (the oracle's are lower-is-better)

    def __init__(self, scorer, **kwargs):
        super().__init__(**kwargs)
        self.scorer, self.columns = scorer, None
        self.add_state("positions", default=[], dist_reduce_fx="cat")
        self.add_state("values", default=[], dist_reduce_fx="cat")
        self.add_state("sentinels", default=torch.tensor(0), dist_reduce_fx="sum")

    def update(self, result: ScoreResult, positions: Sequence[int] | None = None) -> None:
        """Keep the columns of ``result``; ``positions`` are its examples' places in the split
        (default: after those kept so far); a negative one marks padding, which is dropped."""
        columns = tuple(result.scores)
        if self.columns not in (None, columns):
            raise ValueError(f"columns {columns} after {self.columns}")
        self.columns = columns
        n = len(result.scores[columns[0]]) if columns else 0
        if positions is None:
            start = sum(len(p) for p in self.positions)
            positions = range(start, start + n)
        places = torch.tensor(list(positions), dtype=torch.long, device=self.device)
        table = _table(result.scores, columns, n).to(self.device)[places >= 0]
        self.positions.append(places[places >= 0])
        self.values.append(table)
        self.sentinels = self.sentinels + table.isnan().sum(0)

    def compute(self) -> dict[str, float | int | None]:
        """The scorer's means over every process's examples, then the sentinel counts."""
        if self.columns is None:
            return {}
        order = dim_zero_cat(self.positions).argsort()
        table = dim_zero_cat(self.values)[order].T.tolist()
        columns = {name: [None if math.isnan(v) else v for v in column]
                   for name, column in zip(self.columns, table)}
        means = scorer_reduction(self.scorer)(columns)
        if getattr(self.scorer, "sentinels", True):
            counts = self.sentinels.expand(len(self.columns)).tolist()
            means.update({f"{name}_sentinel": int(c) for name, c in zip(self.columns, counts)})
        return means


def _table(scores: dict, columns: tuple[str, ...], n: int) -> torch.Tensor:
    """The columns as an (examples, columns) float64 tensor, sentinels (``None``) as NaN."""
    values = [[math.nan if v is None else float(v) for v in scores[c]] for c in columns]
    return torch.tensor(values, dtype=torch.float64).reshape(len(columns), n).T
