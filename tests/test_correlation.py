"""Meta-evaluation statistics: scipy parity, residual check, Williams formula, accuracy."""

import math

import numpy as np
import pytest
from scipy import stats

from analysis.correlation import (balanced_accuracy, correlations, partial_correlation,
                                  williams, williams_t)


def test_strongly_correlated_data():
    rng = np.random.default_rng(0)
    human = rng.normal(size=100)
    metric = human + rng.normal(0, 0.2, 100)
    out = correlations(metric, human, np.random.default_rng(1), n_resamples=300)
    assert out["n"] == 100
    assert out["pearson"] == pytest.approx(stats.pearsonr(metric, human)[0])
    assert out["kendall"] == pytest.approx(stats.kendalltau(metric, human)[0])
    assert out["spearman"] > 0.9 and out["spearman_p"] < 1e-10
    low, high = out["pearson_ci"]
    assert low < out["pearson"] < high and low > 0.8


def test_partial_correlation_equals_correlation_of_within_group_deviations():
    """Regressing on a categorical variable's indicators = subtracting group means."""
    rng = np.random.default_rng(2)
    groups = rng.integers(0, 3, 90)
    human = rng.normal(size=90) + groups
    metric = 0.5 * human + rng.normal(size=90) + 2 * groups
    dev = lambda v: v - np.array([v[groups == g].mean() for g in groups])
    expected = np.corrcoef(dev(metric), dev(human))[0, 1]
    out = partial_correlation(metric, human, groups)
    assert out["partial_pearson"] == pytest.approx(expected)
    assert out["df"] == 90 - 2 - 2


def test_williams_formula_hand_computed_and_properties():
    r12, r13, r23, n = 0.6, 0.4, 0.5, 50
    k = 1 - 0.36 - 0.16 - 0.25 + 2 * 0.6 * 0.4 * 0.5
    t = 0.2 * math.sqrt(49 * 1.5) / math.sqrt(2 * k * 49 / 47 + (1.0 ** 2 / 4) * 0.5 ** 3)
    assert williams(r12, r13, r23, n) == pytest.approx(stats.t.sf(t, 47))
    assert williams(0.5, 0.5, 0.3, 40) == pytest.approx(0.5)
    assert williams(0.7, 0.3, 0.2, 100) < williams(0.6, 0.4, 0.2, 100) < 0.5


def test_williams_matches_steigers_worked_example():
    """Steiger (1980), Psychological Bulletin 87:245-251, Table 1, Case A: n = 103 subjects,
    r(M1, V1) = .40, r(F1, V1) = .50, r(M1, F1) = .10 gives Williams' T2 = -.89 on 100 df.
    The p-values are those of R's psych::r.test(n=103, r12=.4, r13=.5, r23=.1), psych 2.2.9
    (two-tailed 0.3749185175; twotailed=FALSE 0.1874592587), a second implementation."""
    assert round(williams_t(0.4, 0.5, 0.1, 103), 2) == -0.89
    assert williams_t(0.4, 0.5, 0.1, 103) == pytest.approx(-0.8912799048, abs=1e-9)
    assert williams(0.5, 0.4, 0.1, 103) == pytest.approx(0.1874592587, abs=1e-9)
    p = williams(0.4, 0.5, 0.1, 103)
    assert 2 * min(p, 1 - p) == pytest.approx(0.3749185175, abs=1e-9)


def test_balanced_accuracy():
    assert balanced_accuracy([1, 1, 1, 0], [1, 1, 1, 1]) == 0.75
    assert balanced_accuracy([1, 0, 0, 0], [1, 0, 0, 1]) == pytest.approx((0.5 + 1.0) / 2)


def test_partial_correlation_against_a_direct_least_squares_fit():
    """Residuals from np.linalg.lstsq on [intercept, dummies of all groups but the first]."""
    rng = np.random.default_rng(5)
    groups = np.array(["mle", "rouge", "quals"])[rng.integers(0, 3, 120)]
    human = rng.normal(size=120) + (groups == "quals")
    metric = 0.4 * human + rng.normal(size=120) - 2 * (groups == "rouge")
    design = np.column_stack([np.ones(120), groups == "quals", groups == "rouge"]).astype(float)
    resid = lambda v: v - design @ np.linalg.lstsq(design, v, rcond=None)[0]  # noqa: E731
    expected = np.corrcoef(resid(metric), resid(human))[0, 1]
    assert partial_correlation(metric, human, groups)["partial_pearson"] == pytest.approx(expected)


def test_williams_is_calibrated_when_both_metrics_correlate_equally():
    """Under the null (equal population correlations with the human score, correlated metrics),
    the one-sided p-value is uniform: about 5% of 2,000 simulated studies fall below 0.05."""
    rng = np.random.default_rng(7)
    cov = np.array([[1.0, 0.5, 0.5], [0.5, 1.0, 0.6], [0.5, 0.6, 1.0]])  # human, metric A, metric B
    p_values = []
    for _ in range(2000):
        h, a, b = rng.multivariate_normal(np.zeros(3), cov, size=60).T
        r = np.corrcoef([h, a, b])
        p_values.append(williams(r[0, 1], r[0, 2], r[1, 2], 60))
    rate = np.mean(np.array(p_values) < 0.05)
    assert 0.035 < rate < 0.065
    # and it has power when metric A truly correlates more (0.7 vs 0.4)
    cov = np.array([[1.0, 0.7, 0.4], [0.7, 1.0, 0.5], [0.4, 0.5, 1.0]])
    hits = 0
    for _ in range(300):
        h, a, b = rng.multivariate_normal(np.zeros(3), cov, size=60).T
        r = np.corrcoef([h, a, b])
        hits += williams(r[0, 1], r[0, 2], r[1, 2], 60) < 0.05
    assert hits / 300 > 0.8
