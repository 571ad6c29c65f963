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
    """Residuals of ``values`` after least squares on an intercept and one-hot ``groups``.

    That fit is each group's mean, subtracted here in closed form, so residuals that are equal
    in exact arithmetic are equal floats and tie when ranked (a solver's rounding can split them).
    """
    values = np.asarray(values, dtype=float)
    labels = np.unique(np.asarray(groups), return_inverse=True)[1]
    means = np.bincount(labels, weights=values) / np.bincount(labels)
    return values - means[labels]


def _t_test_p(r: float, df: int) -> float:
    """Two-sided p-value of a correlation ``r`` under Student's t with ``df`` degrees of freedom."""
    t = r * np.sqrt(df / max(1e-300, 1 - r * r))
    return float(2 * stats.t.sf(abs(t), df))


def _constant(residuals: np.ndarray, values) -> bool:
    """Whether ``residuals`` are zero up to rounding (the groups explain ``values`` fully)."""
    scale = max(1.0, float(np.max(np.abs(np.asarray(values, dtype=float)))))
    return bool(np.max(np.abs(residuals)) <= 1e-12 * scale)


def partial_correlation(metric, human, groups) -> dict:
    """Correlations of ``metric`` with ``human`` once a categorical control ``groups`` is removed.

    Removing means least squares on the groups' indicators (one-hot, which spans the intercept):

    - ``partial_pearson``: Pearson r of the residuals of the raw values;
    - ``partial_spearman``: the textbook partial Spearman, Pearson r of the residuals of the
      ranks (average ranks for ties, both columns ranked over all rows);
    - ``residual_spearman``: Spearman rho of the residuals of the raw values, as the evaluation
      script of FRANK (Pagnoni et al., 2021, ``human_metric_correlation``) computes it and its
      tables report.

    Each has a two-sided ``_p``: the two partial ones from t with ``df = n - 2 - (k - 1)`` for
    ``k`` groups; ``residual_spearman_p`` is ``scipy.stats.spearmanr``'s on the residuals
    (``n - 2`` degrees of freedom), as in that script. Undefined values (``df < 1``, or a column
    the groups explain fully) are NaN.
    """
    groups = np.asarray(groups)
    k = len(np.unique(groups))
    df = len(groups) - 2 - (k - 1)
    raw = [residualize(v, groups) for v in (metric, human)]
    ranked = [residualize(stats.rankdata(v), groups) for v in (metric, human)]
    out = {"df": df}
    if df < 1 or any(_constant(r, v) for r, v in zip(raw, (metric, human))):
        for name in ("partial_pearson", "partial_spearman", "residual_spearman"):
            out.update({name: float("nan"), f"{name}_p": float("nan")})
        return out
    for name, (rx, ry) in (("partial_pearson", raw), ("partial_spearman", ranked)):
        r = float(np.corrcoef(rx, ry)[0, 1])
        out.update({name: r, f"{name}_p": _t_test_p(r, df)})
    rho, p = stats.spearmanr(*raw)
    out.update({"residual_spearman": float(rho), "residual_spearman_p": float(p)})
    return out


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
