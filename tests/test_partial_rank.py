"""The two rank versions of a correlation controlled for a categorical column: the textbook
partial Spearman and the Spearman of the residuals (as FRANK's evaluation script computes it)."""

import numpy as np
import pytest
from scipy import stats

from analysis.correlation import partial_correlation

GROUPS = ["A", "A", "A", "B", "B", "B"]
METRIC = [1, 2, 3, 10, 20, 30]
HUMAN = [1, 3, 2, 4, 6, 5]


def test_hand_computed_table():
    """Group means: metric 2 and 20, human 2 and 5; df = 6 - 2 - (2 - 1) = 3.

    partial_pearson: residuals metric (-1, 0, 1, -10, 0, 10), human (-1, 1, 0, -1, 1, 0):
    r = 11 / sqrt(202 * 4) = 11 / sqrt(808).
    partial_spearman: ranks metric (1..6), human (1, 3, 2, 4, 6, 5); minus group means:
    (-1, 0, 1, -1, 0, 1) and (-1, 1, 0, -1, 1, 0): r = 2 / sqrt(4 * 4) = 1/2, t = 1 on 3 df.
    residual_spearman: ranks of the raw residuals, ties averaged, metric (2, 3.5, 5, 1, 3.5, 6),
    human (1.5, 5.5, 3.5, 1.5, 5.5, 3.5); minus 3.5: (-1.5, 0, 1.5, -2.5, 0, 2.5) and
    (-2, 2, 0, -2, 2, 0): rho = 8 / sqrt(17 * 16) = 2 / sqrt(17), t = rho sqrt(4 / (1 - rho^2))
    = 4 / sqrt(13) on 6 - 2 = 4 df (scipy's spearmanr, as in FRANK's script).
    """
    out = partial_correlation(METRIC, HUMAN, GROUPS)
    assert out["df"] == 3
    assert out["partial_pearson"] == pytest.approx(11 / np.sqrt(808), abs=1e-12)
    assert out["partial_spearman"] == pytest.approx(0.5, abs=1e-12)
    assert out["partial_spearman_p"] == pytest.approx(2 * stats.t.sf(1.0, 3), abs=1e-12)
    assert out["partial_spearman_p"] == pytest.approx(0.3910, abs=1e-4)  # t table, 3 df
    assert out["residual_spearman"] == pytest.approx(2 / np.sqrt(17), abs=1e-12)
    assert out["residual_spearman_p"] == pytest.approx(2 * stats.t.sf(4 / np.sqrt(13), 4),
                                                       abs=1e-12)


def _least_squares_residuals(values, groups):
    """Residuals of an independent fit: intercept plus one dummy per group but the first."""
    labels = np.unique(groups, return_inverse=True)[1]
    design = np.column_stack([np.ones(len(values))] +
                             [labels == g for g in range(1, labels.max() + 1)]).astype(float)
    coef, *_ = np.linalg.lstsq(design, values, rcond=None)
    return values - design @ coef


def monotone_table(seed: int, n: int = 45):
    """Three systems of different quality; the metric is monotone but not linear in the human
    score (exponential), the case where the two rank versions part ways."""
    rng = np.random.default_rng(seed)
    groups = np.repeat(["s0", "s1", "s2"], n // 3)
    human = rng.normal(size=n) + np.repeat([0.0, 0.5, 1.0], n // 3)
    metric = np.exp(2 * human + rng.normal(0, 0.5, n))
    return metric, human, groups


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_against_an_independent_least_squares_fit(seed):
    metric, human, groups = monotone_table(seed)
    out = partial_correlation(metric, human, groups)
    df = len(human) - 2 - 2
    ranked = [_least_squares_residuals(stats.rankdata(v), groups) for v in (metric, human)]
    r, _ = stats.pearsonr(*ranked)
    assert out["partial_spearman"] == pytest.approx(r, abs=1e-10)
    t = r * np.sqrt(df / (1 - r * r))
    assert out["partial_spearman_p"] == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-8)
    raw = [_least_squares_residuals(v, groups) for v in (metric, human)]
    rho, p = stats.spearmanr(*raw)
    assert out["residual_spearman"] == pytest.approx(rho, abs=1e-10)
    assert out["residual_spearman_p"] == pytest.approx(p, rel=1e-8)
    assert out["partial_pearson"] == pytest.approx(stats.pearsonr(*raw)[0], abs=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_two_rank_versions_differ_on_a_monotone_metric(seed):
    """Ranking first makes the exponential linear again; removing group means on the raw scale
    first does not, so the residual Spearman is well below the partial Spearman."""
    out = partial_correlation(*monotone_table(seed))
    assert out["partial_spearman"] > 0.9
    assert out["partial_spearman"] - out["residual_spearman"] > 0.1


def test_undefined_cases_are_nan():
    one_per_group = partial_correlation([1, 2, 3], [3, 1, 2], ["a", "b", "c"])  # df < 1
    constant_within = partial_correlation([1, 1, 5, 5], [1, 2, 3, 4], ["a", "a", "b", "b"])
    for out in (one_per_group, constant_within):
        for key in ("partial_pearson", "partial_spearman", "residual_spearman"):
            assert np.isnan(out[key]) and np.isnan(out[f"{key}_p"])
