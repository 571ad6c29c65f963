"""Significance tests: against scipy/hand computations and on clear-cut cases."""

import numpy as np
import pytest
from scipy import stats

from analysis.significance import holm, paired_bootstrap, permutation, wilcoxon


def systems(shift, n=200, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.normal(0.5, 0.1, n)
    return a, a + shift + rng.normal(0, 0.02, n)


def test_clearly_different_systems_are_significant():
    a, b = systems(0.05)
    for test in (paired_bootstrap(a, b, np.random.default_rng(1)),
                 permutation(a, b, np.random.default_rng(1), n_resamples=2000), wilcoxon(a, b)):
        assert test.difference == pytest.approx(np.mean(b) - np.mean(a))
        assert test.p_value < 0.01
    boot = paired_bootstrap(a, b, np.random.default_rng(1))
    assert boot.ci_low < boot.difference < boot.ci_high and boot.ci_low > 0


def test_identical_systems_give_p_near_one():
    a, _ = systems(0.0)
    assert paired_bootstrap(a, a.copy(), np.random.default_rng(2)).p_value == 1.0
    assert permutation(a, a.copy(), np.random.default_rng(2), n_resamples=500).p_value > 0.99
    assert wilcoxon(a, a.copy()).p_value == 1.0


def test_noise_only_difference_is_not_significant():
    rng = np.random.default_rng(3)
    a = rng.normal(0, 1, 300)
    b = a + rng.normal(0, 0.1, 300)
    b = b - b.mean() + a.mean()  # equal means
    assert permutation(a, b, np.random.default_rng(4), n_resamples=2000).p_value > 0.5


def test_wilcoxon_equals_scipy_and_seeded_tests_repeat():
    a, b = systems(0.01, n=50, seed=5)
    assert wilcoxon(a, b).p_value == stats.wilcoxon(b, a).pvalue
    first = paired_bootstrap(a, b, np.random.default_rng(7))
    again = paired_bootstrap(a, b, np.random.default_rng(7))
    assert (first.ci_low, first.ci_high, first.p_value) == (again.ci_low, again.ci_high, again.p_value)


def test_permutation_is_exact_on_a_small_case_enumerated_by_hand():
    """Each pair's two values swap or not: 2^4 sign patterns of the differences, all enumerated
    by scipy (n_resamples >= 16). Differences (1, 2, 3, 4), mean 2.5: only all-plus and all-minus
    reach |mean| >= 2.5, p = 2/16. Differences (-1, 2, 3, 4), mean 2.0: those two and the two
    patterns that flip the 1 alone (|sum| = 8), p = 4/16."""
    a = np.zeros(4)
    assert permutation(a, np.array([1.0, 2, 3, 4]), np.random.default_rng(0)).p_value == 2 / 16
    assert permutation(a, np.array([-1.0, 2, 3, 4]), np.random.default_rng(0)).p_value == 4 / 16


def test_holm_hand_computed():
    # sorted: 0.01 x3 = 0.03; 0.03 x2 = 0.06; 0.04 x1 = 0.04 -> running max 0.06
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])


def test_bad_shapes_are_rejected():
    with pytest.raises(ValueError):
        wilcoxon([1, 2, 3], [1, 2])
