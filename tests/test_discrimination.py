"""AUROC against a brute-force pair count and scikit-style hand cases."""

import itertools

import numpy as np
import pytest

from analysis.discrimination import auroc


def brute(scores, labels):
    pos = [s for s, l in zip(scores, labels) if l]
    neg = [s for s, l in zip(scores, labels) if not l]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


def test_hand_cases():
    assert auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)
    assert auroc([1, 2, 3], [0, 1, 1]) == 1.0
    assert auroc([1, 1, 1], [0, 1, 0]) == 0.5
    assert np.isnan(auroc([1, 2], [1, 1]))


def test_matches_brute_force_with_ties():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 5, 60)
    labels = rng.integers(0, 2, 60)
    assert auroc(scores, labels) == pytest.approx(brute(scores, labels))


def test_output_auroc_against_the_oracle_label_with_sentinels_counted():
    from analysis.discrimination import output_auroc

    records = [{"m": 0.9, "not_faithful": False}, {"m": 0.2, "not_faithful": True},
               {"m": 0.5, "not_faithful": True}, {"m": 0.4, "not_faithful": False},
               {"m": None, "not_faithful": True}, {"m": 0.1}]  # a sentinel; an unlabelled row
    out = output_auroc(records, ["m"])
    # faithful {0.9, 0.4} against unfaithful {0.2, 0.5}: 3 of 4 pairs ordered
    assert out["m"] == pytest.approx(0.75)
    assert (out["summaries"], out["unfaithful"], out["unscored"]) == (5, 3, {"m": 1})
    assert output_auroc(records[:1], ["m"])["m"] is None  # one class only: null, never NaN
