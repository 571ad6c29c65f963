"""The reading probe: question rows from the corpus, and its table on hand-made answers."""

import pytest

from experiments.studies.reading_probe import _question_row, probe_table

ROW = {
    "id": "test-000001", "document": "Norborough Town beat Rosley Albion. Walby Town watched.",
    "facts": {"event_type": "sports_result",
              "roles": {"winner": "Norborough Town", "loser": "Rosley Albion", "score": "3-1"},
              "distractors": {"d_org": "Walby Town"}},
}


def test_question_rows_know_role_type_and_same_type_rivals():
    row = _question_row(ROW, {"question": "Who beat Rosley Albion?", "answer": "Norborough Town"})
    assert (row["role"], row["type"], row["distractor"]) == ("winner", "org", True)
    row = _question_row(ROW, {"question": "What was the score?", "answer": "3-1"})
    assert (row["role"], row["type"], row["distractor"]) == ("score", "number", False)


def test_probe_table_by_hand():
    rows = [
        {"answer": "Norborough Town", "role": "winner", "type": "org", "distractor": True,
         "document": ROW["document"]},
        {"answer": "Rosley Albion", "role": "loser", "type": "org", "distractor": True,
         "document": ROW["document"]},
        {"answer": "3-1", "role": "score", "type": "number", "distractor": False,
         "document": ROW["document"]},
    ]
    # right; the distractor (no token shared); right after normalisation
    table = probe_table(rows, ["norborough town", "Walby Town", "3-1."])
    assert table["exact_match"] == pytest.approx(2 / 3)
    assert table["f1"] == pytest.approx((1 + 0 + 1) / 3)
    assert table["exact_match_distractor"] == 0.5 and table["exact_match_no_distractor"] == 1.0
    assert table["n_distractor"] == 2
    assert table["by_role"]["loser"]["exact_match"] == 0.0
    assert table["by_type"]["org"] == {"exact_match": 0.5, "f1": 0.5, "n": 2,
                                       "exact_match_distractor": 0.5}
    # the score is not written in this document; the two names are
    assert table["answer_in_document"] == pytest.approx(2 / 3)
