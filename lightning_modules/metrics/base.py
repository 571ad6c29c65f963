"""The scorer interface every metric of the workbench implements, and the input check every
scorer runs first (:func:`check_inputs`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence


@dataclass
class ScoreResult:
    """Per-example scores (higher = better unless the scorer says otherwise) and explanations.

    ``scores`` may hold several named columns (ROUGE gives rouge1/rouge2/rougeL);
    ``explanations`` holds one JSON-serialisable dict per example.
    """

    scores: dict[str, list[float]]
    explanations: list[dict] = field(default_factory=list)
    aggregates: dict[str, float | None] | None = None
    """The scorer's own summary figures, where a column mean is not one (the oracle's share of
    unsupported facts is a ratio of sums); ``mean`` returns them instead of column means."""

    def mean(self) -> dict[str, float | None]:
        """Return the scorer's ``aggregates`` where it gives them; else the mean of each score
        column over the examples that have a value, in float64, ``None`` for a column where no
        example has one (all sentinels)."""
        if self.aggregates is not None:
            return dict(self.aggregates)
        out = {}
        for name, values in self.scores.items():
            kept = [float(v) for v in values if v is not None]
            out[name] = sum(kept) / len(kept) if kept else None
        return out


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
    """``score(documents, summaries, references=None) -> ScoreResult``."""

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
