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
