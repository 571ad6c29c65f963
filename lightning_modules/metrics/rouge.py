"""ROUGE-1/2/L F1 against references, through the ``rouge-score`` package (Porter stemming on)."""

from __future__ import annotations

from typing import Sequence

from rouge_score import rouge_scorer

from lightning_modules.metrics.base import ScoreResult

ROUGE_KEYS = ("rouge1", "rouge2", "rougeL")


class RougeScorer:
    """ROUGE F1 in [0, 1] of each summary against its reference (the document is not used)."""

    name = "rouge"

    def __init__(self, keys: Sequence[str] = ROUGE_KEYS, use_stemmer: bool = True):
        self.keys = tuple(keys)
        self._scorer = rouge_scorer.RougeScorer(list(self.keys), use_stemmer=use_stemmer)

    def score(self, documents, summaries, references=None) -> ScoreResult:
        """Return F1 per key per example; ``references`` is required."""
        if references is None:
            raise ValueError("ROUGE needs references")
        columns = {k: [] for k in self.keys}
        for summary, reference in zip(summaries, references, strict=True):
            result = self._scorer.score(reference, summary)
            for k in self.keys:
                columns[k].append(result[k].fmeasure)
        return ScoreResult(columns, [{} for _ in summaries])
