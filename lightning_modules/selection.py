"""ConSeq's choice of positives (S+) and negatives (S-) from a table of scored summaries.

Per document: the lowest-scoring candidate is its negative candidate. S- = negatives of the
documents in the bottom ``quantile`` by that score; S+ = references of the documents in the top
``quantile`` by reference score (or, with ``positive_source="best_candidate"``, the highest-
scoring candidate, ranked the same way: the ROUGE ranker needs this, since every reference has
ROUGE 1 against itself). ``mode="intersection"`` (the paper) keeps documents in both sets as
(positive, negative) pairs; ``"union"`` keeps documents in either, the missing side ``None``.
Summaries with the sentinel score (``None``) are left out of both sets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SelectionConfig:
    """S+/S- settings (paper: 0.3, intersection, references as positives)."""

    quantile: float = 0.3
    mode: str = "intersection"
    positive_source: str = "reference"
    columns: tuple[str, ...] | None = None
    """The ranker's definition: the score columns whose mean ranks the summaries (the ROUGE
    ranker: ``("rouge1", "rouge2", "rougeL")``); ``None``: each summary's main ``score``."""

    def __post_init__(self):
        if self.columns is not None:
            object.__setattr__(self, "columns", tuple(self.columns))
            if not self.columns:
                raise ValueError("columns must name at least one score column, or be None")
        if not 0.0 < self.quantile <= 1.0:
            raise ValueError("quantile must be in (0, 1]")
        if self.mode not in ("intersection", "union"):
            raise ValueError("mode must be 'intersection' or 'union'")
        if self.positive_source not in ("reference", "best_candidate"):
            raise ValueError("positive_source must be 'reference' or 'best_candidate'")


def ranking_score(entry: dict, columns: tuple[str, ...] | None) -> float | None:
    """The score a ranker sorts ``entry`` (a scored line: ``score``, ``scores``) by: its main
    ``score``, or the mean of ``columns``; ``None`` (the sentinel) if any of them is ``None``."""
    if columns is None:
        return entry["score"]
    values = [(entry.get("scores") or {}).get(c) for c in columns]
    if any(v is None for v in values):
        return None
    return sum(values) / len(values)


def _extreme(candidates: list[dict], lowest: bool):
    scored = [c for c in candidates if c["score"] is not None]
    if not scored:
        return None
    return (min if lowest else max)(scored, key=lambda c: c["score"])


def _top(values: dict, quantile: float, highest: bool) -> set:
    """Keys whose value is in the top (or bottom) ``quantile`` of ``values``."""
    if not values:
        return set()
    scores = np.array(list(values.values()), dtype=float)
    if highest:
        cut = np.quantile(scores, 1.0 - quantile)
        return {k for k, v in values.items() if v >= cut}
    cut = np.quantile(scores, quantile)
    return {k for k, v in values.items() if v <= cut}


def select_pairs(table: list[dict], cfg: SelectionConfig = SelectionConfig()) -> list[dict]:
    """Return training rows ``{id, document, positive, negative}`` (see the module docstring).

    ``table`` rows: ``{"id", "document", "reference", "reference_score",
    "candidates": [{"summary", "score"}, ...]}``.
    """
    negatives, positives = {}, {}
    for row in table:
        worst = _extreme(row["candidates"], lowest=True)
        if worst is not None:
            negatives[row["id"]] = worst
        if cfg.positive_source == "reference":
            if row["reference_score"] is not None:
                positives[row["id"]] = {"summary": row["reference"], "score": row["reference_score"]}
        else:
            best = _extreme(row["candidates"], lowest=False)
            if best is not None:
                positives[row["id"]] = best
    s_minus = _top({k: v["score"] for k, v in negatives.items()}, cfg.quantile, highest=False)
    s_plus = _top({k: v["score"] for k, v in positives.items()}, cfg.quantile, highest=True)
    keep = s_plus & s_minus if cfg.mode == "intersection" else s_plus | s_minus
    return [{"id": row["id"], "document": row["document"],
             "positive": positives[row["id"]]["summary"] if row["id"] in s_plus else None,
             "negative": negatives[row["id"]]["summary"] if row["id"] in s_minus else None}
            for row in table if row["id"] in keep]
