"""Meta-evaluation statistics: metric scores against human judgments (numpy/scipy only)."""

from __future__ import annotations

import numpy as np
from scipy import stats

METHODS = {"pearson": stats.pearsonr, "spearman": stats.spearmanr, "kendall": stats.kendalltau}


def correlations(metric, human, rng: np.random.Generator, n_resamples: int = 1000,
                 confidence: float = 0.95) -> dict:
    """Pearson, Spearman and Kendall r with p-values and percentile bootstrap CIs (pairs resampled)."""
    x, y = np.asarray(metric, dtype=float), np.asarray(human, dtype=float)
    out = {"n": int(len(x))}
    if len(x) < 3 or np.all(x == x[0]) or np.all(y == y[0]):  # undefined: NaN, not an error
        for name in METHODS:
            out.update({name: float("nan"), f"{name}_p": float("nan"),
                        f"{name}_ci": [float("nan"), float("nan")]})
        return out
    for name, fn in METHODS.items():
        r, p = fn(x, y)
        ci = stats.bootstrap((x, y), lambda a, b: fn(a, b)[0], paired=True, vectorized=False,
                             n_resamples=n_resamples, confidence_level=confidence,
                             method="percentile", rng=rng).confidence_interval
        out.update({name: float(r), f"{name}_p": float(p),
                    f"{name}_ci": [float(ci.low), float(ci.high)]})
    return out


def residualize(values, groups) -> np.ndarray:
    """Residuals of ``values`` after least squares on an intercept and one-hot ``groups``."""
    labels = np.unique(np.asarray(groups), return_inverse=True)[1]
    design = np.eye(labels.max() + 1)[labels]  # one column per group spans the intercept
    coef, *_ = np.linalg.lstsq(design, np.asarray(values, dtype=float), rcond=None)
    return np.asarray(values, dtype=float) - design @ coef


def partial_correlation(metric, human, groups) -> dict:
    """Pearson r of the residuals after regressing both on the groups' indicators.

    The p-value uses ``n - 2 - (k - 1)`` degrees of freedom for ``k`` groups.
    """
    rx, ry = residualize(metric, groups), residualize(human, groups)
    r = float(np.corrcoef(rx, ry)[0, 1])
    k = len(np.unique(np.asarray(groups)))
    df = len(rx) - 2 - (k - 1)
    t = r * np.sqrt(df / max(1e-300, 1 - r * r))
    return {"partial_pearson": r, "partial_pearson_p": float(2 * stats.t.sf(abs(t), df)), "df": df}


def williams_t(r12: float, r13: float, r23: float, n: int) -> float:
    """Williams' (1959) t for ``r12 - r13``, two correlations that share variable 1.

    Steiger's (1980) equation 7 (his T2, the test he recommends): ``r23`` is the correlation of
    the two non-shared variables; t has ``n - 3`` degrees of freedom.
    """
    k = 1 - r12 ** 2 - r13 ** 2 - r23 ** 2 + 2 * r12 * r13 * r23
    denominator = np.sqrt(2 * k * (n - 1) / (n - 3) + ((r12 + r13) ** 2 / 4) * (1 - r23) ** 3)
    return float((r12 - r13) * np.sqrt((n - 1) * (1 + r23)) / denominator)


def williams(r12: float, r13: float, r23: float, n: int) -> float:
    """One-sided p-value that metric 2 correlates more with the human score than metric 3.

    Williams' test as used by Graham and Baldwin (2014): ``r12``/``r13`` are the two metrics'
    correlations with the human score (variable 1), ``r23`` the metrics' correlation with each
    other. The two-sided p-value is ``2 * min(p, 1 - p)``.
    """
    return float(stats.t.sf(williams_t(r12, r13, r23, n), n - 3))


def balanced_accuracy(predicted, labels) -> float:
    """Mean of the recall of each class (binary or multi-class labels)."""
    predicted, labels = np.asarray(predicted), np.asarray(labels)
    return float(np.mean([np.mean(predicted[labels == c] == c) for c in np.unique(labels)]))
