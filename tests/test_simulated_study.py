"""The simulated human study: the oracle's verdict on each pair by hand, the sign test, the
draw of items, and the figure."""

import pytest
from scipy import stats

from analysis.simulated_study import (draw, oracle_preferences, simulated_statistics,
                                      simulated_study)


def records(counts):
    return [{"id": f"d{i}", "hallucinated_facts": c} for i, c in enumerate(counts)]


def test_fewer_unsupported_facts_wins_and_equal_ties():
    mle, conseq = records([3, 1, 2, 0, None]), records([1, 1, 4, 0, 0])
    assert oracle_preferences(mle, conseq, n=10) == {"d0": 1, "d1": 0, "d2": -1, "d3": 0}


def test_counts_and_the_sign_test_by_hand():
    result = simulated_statistics({"a": 1, "b": 1, "c": 1, "d": 0, "e": -1})
    assert (result["better"], result["equal"], result["worse"], result["items"]) == (3, 1, 1, 5)
    assert result["sign_test_p"] == pytest.approx(stats.binomtest(3, 4, 0.5).pvalue)
    assert result["sign_test_p"] == pytest.approx(0.625)       # 2 * (1 + 4) / 16


def test_the_draw_takes_n_items_seeded_and_the_figure_says_simulated(tmp_path):
    mle, conseq = records(range(300)), records([0] * 300)
    first, again = oracle_preferences(mle, conseq, 100, 7), oracle_preferences(mle, conseq, 100, 7)
    assert len(first) == 100 and first == again
    assert oracle_preferences(mle, conseq, 100, 8) != first
    study = simulated_study(mle, conseq, 100, 7)
    assert study["better"] + study["equal"] == 100 and study["worse"] == 0
    png = draw({"seed 0": study}, "mle", "quals_conseq", tmp_path / "study")
    assert png.exists() and png.stat().st_size > 1000
