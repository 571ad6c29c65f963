"""S+/S- selection on a hand-made score table."""

import pytest

from lightning_modules.selection import SelectionConfig, select_pairs


def row(i, ref_score, cand_scores):
    return {"id": f"d{i}", "document": f"doc {i}", "reference": f"ref {i}",
            "reference_score": ref_score,
            "candidates": [{"summary": f"c{i}.{k}", "score": s} for k, s in enumerate(cand_scores)]}


# documents 0..9: reference scores rise with i, worst candidates fall with i
TABLE = [row(i, ref_score=i / 10, cand_scores=[1.0 - i / 10, 2.0, None]) for i in range(10)]


def test_intersection_pairs_best_references_with_worst_candidates():
    pairs = select_pairs(TABLE, SelectionConfig(quantile=0.3))
    # bottom 30% of worst candidates: i = 7, 8, 9 (scores .3 .2 .1); top 30% of references:
    # i = 7, 8, 9 (quantile cut 0.63: .7 .8 .9)
    assert [p["id"] for p in pairs] == ["d7", "d8", "d9"]
    assert pairs[0] == {"id": "d7", "document": "doc 7", "positive": "ref 7", "negative": "c7.0"}


def test_disjoint_sets_give_no_intersection_and_a_union_with_one_side_each():
    table = [row(i, ref_score=-i, cand_scores=[1.0 - i / 10]) for i in range(10)]
    assert select_pairs(table, SelectionConfig(quantile=0.2)) == []
    union = select_pairs(table, SelectionConfig(quantile=0.2, mode="union"))
    by_id = {p["id"]: p for p in union}
    assert set(by_id) == {"d0", "d1", "d8", "d9"}
    assert by_id["d0"]["negative"] is None and by_id["d0"]["positive"] == "ref 0"
    assert by_id["d9"]["positive"] is None and by_id["d9"]["negative"] == "c9.0"


def test_sentinels_are_left_out():
    table = [row(0, None, [None, None]), row(1, 0.5, [0.1]), row(2, 0.9, [0.0])]
    pairs = select_pairs(table, SelectionConfig(quantile=1.0, mode="union"))
    assert [p["id"] for p in pairs] == ["d1", "d2"]


def test_best_candidate_positives_for_the_rouge_ranker():
    table = [row(i, ref_score=1.0, cand_scores=[i / 10, 0.5 + i / 20]) for i in range(4)]
    pairs = select_pairs(table, SelectionConfig(quantile=0.5, mode="union",
                                                positive_source="best_candidate"))
    by_id = {p["id"]: p for p in pairs}
    assert by_id["d3"]["positive"] == "c3.1" and by_id["d0"]["negative"] == "c0.0"


def test_bad_settings():
    with pytest.raises(ValueError):
        SelectionConfig(quantile=0)
    with pytest.raises(ValueError):
        SelectionConfig(mode="both")


def test_ranking_score_is_the_main_score_or_the_mean_of_the_configured_columns():
    from lightning_modules.selection import ranking_score

    line = {"score": 0.6, "scores": {"rouge1": 0.9, "rouge2": 0.3, "rougeL": 0.6}}
    assert ranking_score(line, None) == 0.6
    assert ranking_score(line, ("rouge1", "rouge2", "rougeL")) == pytest.approx(0.6)
    assert ranking_score(line, ("rouge1", "rouge2")) == pytest.approx(0.6)
    assert ranking_score(line, ("rouge2",)) == 0.3
    assert ranking_score({"score": None, "scores": {}}, ("rouge1",)) is None
    assert ranking_score({"score": 0.1, "scores": {"rouge1": None}}, ("rouge1",)) is None


def test_columns_come_from_yaml_lists_and_must_name_something():
    assert SelectionConfig(columns=["rouge1", "rougeL"]).columns == ("rouge1", "rougeL")
    with pytest.raises(ValueError, match="columns"):
        SelectionConfig(columns=[])


def test_the_pipeline_defines_the_rouge_ranker_once():
    from experiments.pipeline.settings import ROUGE_RANKER, selection_settings
    from experiments.presets import load_config

    settings = selection_settings(load_config("default").selection)
    assert SelectionConfig(**settings["rouge"]).columns == ROUGE_RANKER
    assert SelectionConfig(**settings["quals"]).columns is None
