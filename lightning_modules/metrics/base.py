"""The scorer interface every metric of the workbench implements, the input check every scorer
runs first (:func:`check_inputs`), and how per-example columns become means (a scorer's
reduction: :func:`column_means` unless it defines its own). The same reduction serves
``ScoreResult.mean`` and the DDP-synced ``ScorerMetric``, so both give one figure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional, Protocol, Sequence


Columns = Mapping[str, Sequence[Optional[float]]]
"""Per-example score columns by name; ``None`` is a sentinel (no score for that example)."""

Reduction = Callable[[Columns], "dict[str, float | None]"]
"""Turns per-example columns into a scorer's means (:func:`column_means` by default)."""


def column_means(columns: Columns) -> dict[str, float | None]:
    """The mean of each column over the examples that have a value, in float64; ``None`` for a
    column where no example has one (all sentinels)."""
    out = {}
    for name, values in columns.items():
        kept = [float(v) for v in values if v is not None]
        out[name] = sum(kept) / len(kept) if kept else None
    return out


@dataclass
class ScoreResult:
    """Per-example scores (higher = better unless the scorer says otherwise) and explanations.

    ``scores`` may hold several named columns (ROUGE gives rouge1/rouge2/rougeL);
    ``explanations`` holds one JSON-serialisable dict per example.
    """

    scores: dict[str, list[float]]
    explanations: list[dict] = field(default_factory=list)
    reduction: Reduction | None = None
    """The scorer's own means from its columns, where a column mean is not one (the oracle's
    share of unsupported facts is a ratio of sums); ``None``: :func:`column_means`."""

    def mean(self) -> dict[str, float | None]:
        """Return the scorer's means of these examples: its ``reduction`` of ``scores``, by
        default :func:`column_means`."""
        return (self.reduction or column_means)(self.scores)


def check_inputs(documents, summaries) -> None:
    """Raise ``ValueError`` if the counts differ, ``TypeError`` naming the example index and
    field of any non-string input."""
    if len(documents) != len(summaries):
        raise ValueError(f"{len(documents)} documents but {len(summaries)} summaries")
    for i, (d, s) in enumerate(zip(documents, summaries)):
        for name, value in (("document", d), ("summary", s)):
            if not isinstance(value, str):
                raise TypeError(f"example {i}: field {name!r}: expected a string, "
                                f"got {type(value).__name__}")


class Scorer(Protocol):
    """``score(documents, summaries, references=None) -> ScoreResult``.

    A scorer whose means are not column means also has ``reduction`` (a :data:`Reduction`),
    the one it gives its results; :func:`scorer_reduction` reads it.
    """

    name: str

    def score(self, documents: Sequence[str], summaries: Sequence[str],
              references: Sequence[str] | None = None) -> ScoreResult:
        """Score each summary against its document (and reference, where the metric needs it)."""
        ...


def scorer_models(scorer) -> list:
    """The torch models a scorer runs: its ``models`` list, else its ``model``, else none."""
    models = getattr(scorer, "models", None)
    if models is None:
        models = [getattr(scorer, "model", None)]
    return [m for m in models if m is not None]


def scorer_reduction(scorer) -> Reduction:
    """How ``scorer``'s columns become its means: its ``reduction``, else :func:`column_means`."""
    return getattr(scorer, "reduction", None) or column_means
