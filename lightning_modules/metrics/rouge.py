"""ROUGE-1/2/L (and ROUGE-Lsum) F1 through torchmetrics, equal to the ``rouge-score`` package.

torchmetrics' ``ROUGEScore`` tokenizes and stems (NLTK's Porter stemmer, tokens longer than 3
characters) as ``rouge-score`` does, the package summarization papers report. One thing differs:
for ROUGE-Lsum torchmetrics splits sentences with NLTK's ``sent_tokenize``, which tries to
download ``punkt`` data; :class:`RougeMetric` splits on newlines instead, as ``rouge-score`` does.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Sequence

import torchmetrics.functional.text.rouge as tm_rouge
from torchmetrics.text.rouge import ROUGEScore

from lightning_modules.metrics.base import ScoreResult

ROUGE_KEYS = ("rouge1", "rouge2", "rougeL")


def newline_sentences(text: str) -> list[str]:
    """Split ``text`` into non-empty lines: ``rouge-score``'s sentences for ROUGE-Lsum."""
    return [line for line in text.split("\n") if line]


@contextmanager
def _lsum_by_newlines():
    original = tm_rouge._split_sentence
    tm_rouge._split_sentence = newline_sentences
    try:
        yield
    finally:
        tm_rouge._split_sentence = original


class RougeMetric(ROUGEScore):
    """torchmetrics ``ROUGEScore`` with ``rouge-score``'s newline sentence split for Lsum.

    Args:
        rouge_keys: any of ``rouge1``...``rouge9``, ``rougeL``, ``rougeLsum``.
        use_stemmer: Porter stemming of tokens longer than 3 characters (on by default, as
            summarization papers report ROUGE).
    """

    def __init__(self, rouge_keys: Sequence[str] = ROUGE_KEYS, use_stemmer: bool = True, **kwargs):
        super().__init__(use_stemmer=use_stemmer, rouge_keys=tuple(rouge_keys),
                         accumulate="best", **kwargs)

    def update(self, preds, target) -> None:
        """Add (summary, reference) pairs; Lsum sentences are the newline-separated lines."""
        with _lsum_by_newlines():
            super().update(preds, target)

    def per_example(self, key: str, part: str = "fmeasure") -> list[float]:
        """Per-example values of ``key`` (for example ``rougeL``) accumulated on this process."""
        return [float(v) for v in getattr(self, f"{key}_{part}")]


class RougeScorer:
    """ROUGE F1 in [0, 1] of each summary against its reference (the document is not used)."""

    name = "rouge"
    sentinels = False  # every summary gets a score

    def __init__(self, keys: Sequence[str] = ROUGE_KEYS, use_stemmer: bool = True):
        self.keys, self.use_stemmer = tuple(keys), use_stemmer

    def score(self, documents, summaries, references=None) -> ScoreResult:
        """Return F1 per key per example; ``references`` is required."""
        if references is None:
            raise ValueError("ROUGE needs references")
        if len(summaries) != len(references):
            raise ValueError(f"{len(summaries)} summaries but {len(references)} references")
        metric = RougeMetric(self.keys, self.use_stemmer)
        if summaries:
            metric.update(list(summaries), list(references))
        columns = {k: metric.per_example(k) if summaries else [] for k in self.keys}
        return ScoreResult(columns, [{} for _ in summaries])
