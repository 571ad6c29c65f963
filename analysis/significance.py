"""Paired significance tests between two systems on a per-example metric (numpy/scipy only).

Every random procedure takes an explicit ``np.random.Generator`` (or seed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass
class PairedTest:
    """Result of comparing system B with system A on the same examples."""

    mean_a: float
    mean_b: float
    difference: float          # mean_b - mean_a
    p_value: float
    ci_low: float = float("nan")   # confidence interval of the difference (bootstrap only)
    ci_high: float = float("nan")


def _paired(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or len(a) < 2:
        raise ValueError("a and b must be 1-D arrays of the same length (at least 2)")
    return a, b


def _mean_diff(x, y, axis=-1):
    return np.mean(y, axis=axis) - np.mean(x, axis=axis)


def paired_bootstrap(a, b, rng: np.random.Generator, n_resamples: int = 1000,
                     confidence: float = 0.95) -> PairedTest:
    """Paired bootstrap (Koehn, 2004) of mean(b) - mean(a).

    Examples are resampled with replacement, keeping pairs together (``scipy.stats.bootstrap``
    with ``paired=True``); the CI is the percentile interval, and the two-sided p-value is twice
    the share of resampled differences on the far side of zero (capped at 1).
    """
    a, b = _paired(a, b)
    res = stats.bootstrap((a, b), _mean_diff, paired=True, vectorized=True,
                          n_resamples=n_resamples, confidence_level=confidence,
                          method="percentile", rng=rng)
    dist = res.bootstrap_distribution
    diff = float(_mean_diff(a, b))
    if np.all(a == b):
        p = 1.0
    else:
        p = float(min(1.0, 2 * min(np.mean(dist <= 0), np.mean(dist >= 0))))
    return PairedTest(float(a.mean()), float(b.mean()), diff, p,
                      float(res.confidence_interval.low), float(res.confidence_interval.high))


def permutation(a, b, rng: np.random.Generator, n_resamples: int = 10000) -> PairedTest:
    """Paired approximate randomisation: swap each pair's two values at random
    (``scipy.stats.permutation_test`` with ``permutation_type="samples"``); two-sided."""
    a, b = _paired(a, b)
    res = stats.permutation_test((a, b), _mean_diff, permutation_type="samples",
                                 vectorized=True, n_resamples=n_resamples, rng=rng)
    return PairedTest(float(a.mean()), float(b.mean()), float(_mean_diff(a, b)), float(res.pvalue))


def wilcoxon(a, b) -> PairedTest:
    """Wilcoxon signed-rank test (``scipy.stats.wilcoxon``); identical systems give p = 1."""
    a, b = _paired(a, b)
    diff = float(_mean_diff(a, b))
    if np.all(a == b):
        return PairedTest(float(a.mean()), float(b.mean()), diff, 1.0)
    return PairedTest(float(a.mean()), float(b.mean()), diff, float(stats.wilcoxon(b, a).pvalue))


def holm(p_values) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values, in the input order (monotone, capped at 1)."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p)
    scaled = p[order] * (len(p) - np.arange(len(p)))
    adjusted = np.minimum(1.0, np.maximum.accumulate(scaled))
    out = np.empty_like(adjusted)
    out[order] = adjusted
    return out
