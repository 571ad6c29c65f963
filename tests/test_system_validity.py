"""Metric validity on system outputs: AUROCs and Spearman by hand on a small pool."""

import pytest

from experiments.studies.system_validity import validity


def _row(score, verdict, hallucinated, invented, bad):
    return {"m": score, "verdict": verdict, "hallucinated": hallucinated, "invented": invented,
            "hallucinated_facts": bad}


def test_validity_by_hand():
    rows = [_row(0.9, "faithful", False, False, 0), _row(0.2, "faithful", False, False, 0),
            _row(0.5, "intrinsic", True, False, 1), _row(0.1, "extrinsic", True, True, 2),
            _row(0.0, "unverifiable", False, False, 0), _row(None, "faithful", False, False, 0)]
    out = validity(rows, "m")
    # hallucinated {0.5, 0.1} vs faithful {0.9, 0.2}, lower score = hallucinated:
    # pairs (0.5 < 0.9) yes, (0.5 < 0.2) no, (0.1 < 0.9) yes, (0.1 < 0.2) yes -> 3/4
    assert out["auroc"] == pytest.approx(0.75)
    # invented {0.1} vs the other four scored {0.9, 0.2, 0.5, 0.0}: 0.1 lower than 3 of 4
    assert out["auroc_invented"] == pytest.approx(0.75)
    assert (out["n"], out["n_faithful"], out["n_hallucinated"]) == (5, 2, 2)
    assert out["n_unverifiable"] == 1 and out["sentinel"] == 1
    # Spearman of (0.9, 0.2, 0.5, 0.1, 0.0) with (0, 0, 1, 2, 0)
    from scipy.stats import spearmanr
    expected = spearmanr([0.9, 0.2, 0.5, 0.1, 0.0], [0, 0, 1, 2, 0]).statistic
    assert out["spearman_hallucinated_facts"] == pytest.approx(expected)


def test_one_class_gives_null_not_nan():
    rows = [_row(0.9, "faithful", False, False, 0), _row(0.2, "faithful", False, False, 0)]
    assert validity(rows, "m")["auroc"] is None


def test_selection_diagnosis_judges_what_conseq_trains_on(tmp_path):
    import json

    from experiments.studies.system_validity import selection_diagnosis, train_facts

    facts = {"event_type": "sports_result",
             "roles": {"winner": "Norborough Town", "loser": "Rosley Albion", "score": "3-1"},
             "distractors": {"d_org": "Walby Town"}}
    good, bad = "Norborough Town beat Rosley Albion 3-1.", "Walby Town beat Rosley Albion 3-1."
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "train.jsonl").write_text(json.dumps(
        {"id": "train-0", "document": "d", "summary": good, "facts": facts}) + "\n")
    (tmp_path / "candidates.jsonl").write_text(json.dumps(
        {"id": "train-0", "document": "d", "reference": good,
         "candidates": [bad, bad, good, bad]}) + "\n")
    (tmp_path / "quals").mkdir()
    (tmp_path / "quals" / "pairs.jsonl").write_text(json.dumps(
        {"id": "train-0", "positive": good, "negative": bad}) + "\n")
    out = selection_diagnosis(tmp_path, tmp_path / "candidates.jsonl",
                              train_facts(tmp_path / "corpus"))
    assert out["pool"] == {"candidates": 0.75, "references": 0.0}
    assert out["quals"] == {"positive": 0.0, "negative": 1.0} and "rouge" not in out
