"""Threshold tuning, balanced accuracy, AUROC, their credits and bootstrap intervals, on data
made here with every expected value worked out by hand."""

import math

import numpy as np
import pytest

from analysis.benchmark import stats as S

# The val and test cuts of the hand-worked example (label 1 = consistent).
VAL = ([0.1, 0.35, 0.4, 0.8], [0, 0, 1, 1])
TEST = ([0.2, 0.5, 0.38, 0.3, 0.9], [0, 1, 0, 1, 1])


def test_candidates_are_the_lowest_score_the_midpoints_and_just_above_the_highest():
    got = S.threshold_candidates([0.4, 0.1, 0.8, 0.35, 0.4])
    assert got[:4] == pytest.approx([0.1, 0.225, 0.375, 0.6])
    assert got[4] > 0.8 and got[4] == np.nextafter(0.8, 1)


def test_threshold_separating_val_perfectly():
    # thresholds 0.1, 0.225, 0.375, 0.6, >0.8 give balanced accuracy .5, .75, 1, .75, .5
    assert S.tune_threshold(*VAL) == pytest.approx(0.375)


def test_ties_go_to_the_smallest_threshold():
    # 0.2: .5; 0.3: (1 + 1/2)/2 = .75; 0.5: .5; 0.7: (1/2 + 1)/2 = .75; above: .5
    assert S.tune_threshold([0.2, 0.4, 0.6, 0.8], [0, 1, 0, 1]) == pytest.approx(0.3)
    assert S.tune_threshold([0.5, 0.5, 0.5], [1, 0, 1]) == 0.5  # every candidate: .5


def test_one_class_only():
    assert S.tune_threshold([0.3, 0.5], [1, 1]) == 0.3           # all consistent
    assert S.tune_threshold([0.3, 0.5], [0, 0]) == np.nextafter(0.5, 1)  # none consistent
    assert math.isnan(S.tune_threshold([], []))


def test_balanced_accuracy_and_auroc_by_hand():
    # predicted (>= 0.375): 0 1 1 0 1 -> recall of 1: 2/3, of 0: 1/2
    assert S.balanced_accuracy(*TEST, 0.375) == pytest.approx(7 / 12)
    # pairs won by the positives 0.5, 0.3, 0.9 over 0.2, 0.38: 2 + 1 + 2 of 6
    assert S.auroc(*TEST) == pytest.approx(5 / 6)
    assert S.balanced_accuracy(*TEST, 0.0) == pytest.approx(0.5)  # all predicted consistent
    assert math.isnan(S.balanced_accuracy([], [], 0.5))
    assert math.isnan(S.balanced_accuracy(*TEST, float("nan")))


def test_credits_average_to_the_statistic():
    credits = S.balanced_accuracy_credits(*TEST, 0.375)
    # right answers weigh N / (K n_c): class 1: 5/6, class 0: 5/4
    assert credits == pytest.approx([5 / 4, 5 / 6, 0, 0, 5 / 6])
    assert credits.mean() == pytest.approx(7 / 12)
    placements = S.auroc_credits(*TEST)
    # a negative: share of positives above it, times N / (2 n_neg) = 5/4; a positive: share
    # of negatives below it, times N / (2 n_pos) = 5/6 (in the order of TEST)
    assert placements == pytest.approx([1 * 5 / 4, 1 * 5 / 6, 2 / 3 * 5 / 4, 1 / 2 * 5 / 6,
                                        1 * 5 / 6])
    assert placements.mean() == pytest.approx(5 / 6)


def test_row_statistics_match_the_plain_ones():
    rows = np.array([[0.5, 0.3, 0.9, 0.2, 0.38]])  # positives first
    assert S.auroc_rows(rows, 3) == pytest.approx([5 / 6])
    assert S.balanced_accuracy_rows(0.375)(rows, 3) == pytest.approx([7 / 12])
    assert np.isnan(S.auroc_rows(rows, 0)).all()


def test_stratified_interval_is_seeded_and_holds_the_estimate():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=200) + np.repeat([0.0, 1.0], 100)
    labels = np.repeat([0, 1], 100)
    first = S.stratified_ci(S.auroc_rows, scores, labels, np.random.default_rng(3), 300)
    again = S.stratified_ci(S.auroc_rows, scores, labels, np.random.default_rng(3), 300)
    assert first == again and first[0] < S.auroc(scores, labels) < first[1]
    # perfectly separated classes stay separated in every resample
    assert S.stratified_ci(S.auroc_rows, [0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1],
                           np.random.default_rng(0), 50) == [1.0, 1.0]
    assert all(math.isnan(v) for v in S.stratified_ci(S.auroc_rows, [0.1, 0.2], [1, 1],
                                                      np.random.default_rng(0), 50))


def test_comparison_of_credits():
    a = S.balanced_accuracy_credits(*TEST, 0.375)
    same = S.compare(a, a, np.random.default_rng(0), 200)
    assert same["difference"] == 0 and same["p_value"] == 1.0 and same["n"] == 5
    b = S.balanced_accuracy_credits(*TEST, 0.25)  # predicts 0.3 right too: recall 1 and 1/2
    got = S.compare(a, b, np.random.default_rng(0), 200)
    assert got["difference"] == pytest.approx(3 / 4 - 7 / 12)
    assert got["ci"][0] <= got["difference"] <= got["ci"][1]
