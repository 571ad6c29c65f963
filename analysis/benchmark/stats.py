"""Statistics of the binary benchmarks (numpy/scipy only): a threshold tuned on the val cut,
balanced accuracy and AUROC on the test cut, their bootstrap intervals, and per-example credits
for paired comparisons between scorers.

Labels are 1 (consistent) or 0; a summary is predicted consistent when its score is at least
the threshold (``score >= threshold``). Every random procedure takes an ``np.random.Generator``.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.stats import rankdata

from analysis.correlation import balanced_accuracy as _balanced_accuracy
from analysis.discrimination import auroc
from analysis.significance import paired_bootstrap

__all__ = ["auroc", "auroc_credits", "auroc_rows", "balanced_accuracy", "balanced_accuracy_credits",
           "balanced_accuracy_rows", "compare", "stratified_ci", "threshold_candidates",
           "tune_threshold"]


def _arrays(scores, labels) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(scores, dtype=float), np.asarray(labels).astype(int)


def threshold_candidates(scores) -> np.ndarray:
    """The thresholds tried, ascending: the smallest score (every example consistent), the
    midpoint between each two consecutive distinct scores, and the float just above the largest
    score (every example inconsistent). Any other threshold splits the scores as one of these."""
    values = np.unique(np.asarray(scores, dtype=float))
    if not len(values):
        return values
    midpoints = values[:-1] + (values[1:] - values[:-1]) / 2
    return np.concatenate([values[:1], midpoints, [np.nextafter(values[-1], np.inf)]])


def tune_threshold(scores, labels) -> float:
    """The threshold maximizing balanced accuracy on ``(scores, labels)`` (the val cut), among
    :func:`threshold_candidates`; ties go to the smallest such threshold. NaN without examples.

    Balanced accuracy is compared exactly, as the integer ``tp * n_neg + tn * n_pos``
    (``2 * n_pos * n_neg`` times it); with one class only, its recall.
    """
    scores, labels = _arrays(scores, labels)
    candidates = threshold_candidates(scores)
    if not len(candidates):
        return float("nan")
    positives, negatives = np.sort(scores[labels == 1]), np.sort(scores[labels == 0])
    tp = len(positives) - np.searchsorted(positives, candidates, side="left")
    tn = np.searchsorted(negatives, candidates, side="left")
    n_pos, n_neg = len(positives), len(negatives)
    if n_pos and n_neg:
        objective = tp * n_neg + tn * n_pos
    else:
        objective = tp if n_pos else tn
    return float(candidates[int(np.argmax(objective))])


def balanced_accuracy(scores, labels, threshold: float) -> float:
    """Mean recall of the two classes (of the one present) predicting ``score >= threshold``;
    NaN without examples or threshold."""
    scores, labels = _arrays(scores, labels)
    if not len(scores) or not np.isfinite(threshold):
        return float("nan")
    return _balanced_accuracy((scores >= threshold).astype(int), labels)


def balanced_accuracy_rows(threshold: float) -> Callable:
    """A row statistic for :func:`stratified_ci`: each row's balanced accuracy at
    ``threshold``."""
    def statistic(rows: np.ndarray, n_pos: int) -> np.ndarray:
        predicted = rows >= threshold
        recalls = [predicted[:, :n_pos].mean(1)] if n_pos else []
        if rows.shape[1] > n_pos:
            recalls.append((~predicted[:, n_pos:]).mean(1))
        return np.mean(recalls, axis=0)
    return statistic


def auroc_rows(rows: np.ndarray, n_pos: int) -> np.ndarray:
    """A row statistic for :func:`stratified_ci`: each row's AUROC (ties count 1/2)."""
    n_neg = rows.shape[1] - n_pos
    if not n_pos or not n_neg:
        return np.full(len(rows), np.nan)
    ranks = rankdata(rows, axis=1)
    return (ranks[:, :n_pos].sum(1) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def stratified_ci(statistic: Callable, scores, labels, rng: np.random.Generator,
                  n_resamples: int = 1000, confidence: float = 0.95, chunk: int = 100) -> list:
    """Percentile bootstrap interval of ``statistic``: each resample draws the positives from
    the positives and the negatives from the negatives, with replacement (class sizes fixed).

    ``statistic(rows, n_pos)`` gets ``chunk`` resamples as rows, positives in the first
    ``n_pos`` columns, and returns one value per row. ``[NaN, NaN]`` under 2 examples.
    """
    scores, labels = _arrays(scores, labels)
    classes = [scores[labels == 1], scores[labels == 0]]
    if len(scores) < 2:
        return [float("nan"), float("nan")]
    values = []
    for start in range(0, n_resamples, chunk):
        k = min(chunk, n_resamples - start)
        rows = np.hstack([c[rng.integers(0, max(1, len(c)), (k, len(c)))] for c in classes])
        values.append(statistic(rows, len(classes[0])))
    values = np.concatenate(values)
    values = values[np.isfinite(values)]
    if not len(values):
        return [float("nan"), float("nan")]
    alpha = 100 * (1 - confidence) / 2
    return [float(np.percentile(values, alpha)), float(np.percentile(values, 100 - alpha))]


def balanced_accuracy_credits(scores, labels, threshold: float) -> np.ndarray:
    """Per-example shares whose mean is the balanced accuracy at ``threshold``: a correct
    example of class ``c`` gets ``N / (K * n_c)`` (``K`` classes present), a wrong one 0."""
    scores, labels = _arrays(scores, labels)
    correct = (scores >= threshold).astype(int) == labels
    sizes = {c: int(np.sum(labels == c)) for c in np.unique(labels)}
    weights = np.array([len(labels) / (len(sizes) * sizes[c]) for c in labels])
    return correct * weights


def auroc_credits(scores, labels) -> np.ndarray:
    """Per-example shares whose mean is the AUROC: DeLong's placement values, each example's
    share of the pairs it wins against the other class (ties 1/2), scaled by ``N / (2 n_c)``."""
    scores, labels = _arrays(scores, labels)
    pos, neg = np.sort(scores[labels == 1]), np.sort(scores[labels == 0])
    n = len(scores)
    if not len(pos) or not len(neg):
        return np.full(n, np.nan)
    below = np.searchsorted(neg, scores, "left") + np.searchsorted(neg, scores, "right")
    above = 2 * len(pos) - np.searchsorted(pos, scores, "left") \
        - np.searchsorted(pos, scores, "right")
    return np.where(labels == 1, below / (2 * len(neg)) * n / (2 * len(pos)),
                    above / (2 * len(pos)) * n / (2 * len(neg)))


def compare(credits_a, credits_b, rng: np.random.Generator, n_resamples: int = 1000,
            confidence: float = 0.95) -> dict:
    """Scorer B minus scorer A on the same examples, from their per-example credits:
    :func:`analysis.significance.paired_bootstrap` (pairs resampled together; percentile CI;
    two-sided p). ``difference`` is exact; NaN under 2 examples."""
    if len(credits_a) < 2:
        nan = float("nan")
        return {"difference": nan, "ci": [nan, nan], "p_value": nan, "n": len(credits_a)}
    test = paired_bootstrap(credits_a, credits_b, rng, n_resamples, confidence)
    return {"difference": test.difference, "ci": [test.ci_low, test.ci_high],
            "p_value": test.p_value, "n": len(credits_a)}
