"""A sweep point's metrics: means over ConSeq seeds, CIs of the seed-averaged scores, and the
paired test against the base run's MLE."""

import json

import pytest

from experiments.studies.sweep import point_metrics


def write_scores(folder, rows, split="test"):
    (folder / "scores").mkdir(parents=True)
    (folder / "scores" / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_point_is_compared_with_the_base_mle_on_shared_examples(tmp_path):
    mle = [{"id": f"e{i}", "extrinsic": float(i % 2)} for i in range(10)]       # mean 0.5
    point = [{"id": f"e{i}", "extrinsic": 0.0} for i in range(9)]              # e9 unscored
    write_scores(tmp_path / "mle", mle)
    write_scores(tmp_path / "point" / "eval", point)
    found = point_metrics([tmp_path / "point" / "eval"], [{"extrinsic": 0.0}], ("extrinsic",),
                          tmp_path / "mle")
    versus = found["vs_mle"]["extrinsic"]
    # over e0..e8 the MLE has 4 ones (e1, e3, e5, e7): difference -4/9
    assert versus["difference"] == pytest.approx(-4 / 9)
    assert versus["ci"][1] < 0 and versus["p_value"] < 0.05
    assert found["extrinsic_ci"] == [0.0, 0.0]


def test_hallucinated_is_compared_under_the_means_name(tmp_path):
    write_scores(tmp_path / "mle", [{"id": "a", "hallucinated": 1.0},
                                    {"id": "b", "hallucinated": 1.0}])
    write_scores(tmp_path / "eval", [{"id": "a", "hallucinated": 0.0},
                                     {"id": "b", "hallucinated": 1.0}])
    found = point_metrics([tmp_path / "eval"], [], ("hallucinated",), tmp_path / "mle")
    assert set(found["vs_mle"]) == {"hallucination_rate"} and "hallucination_rate_ci" in found
    assert found["vs_mle"]["hallucination_rate"]["difference"] == pytest.approx(-0.5)


def test_point_without_a_base_mle_has_no_comparison(tmp_path):
    write_scores(tmp_path / "eval", [{"id": "a", "quals": -0.1}, {"id": "b", "quals": -0.3}])
    found = point_metrics([tmp_path / "eval"], [], ("quals",), tmp_path / "nowhere")
    assert "vs_mle" not in found and found["quals_ci"][0] <= -0.2 <= found["quals_ci"][1]


def test_seeds_are_averaged_per_document_before_the_paired_test(tmp_path):
    """Two seeds: the means are the mean of the seeds' means, and the paired test reads each
    document's mean over seeds (seed 0 fixes a and b, seed 1 only a: 1 - 0.5 on b, 0 on c)."""
    write_scores(tmp_path / "mle", [{"id": d, "hallucinated": 1.0} for d in "abc"], "validation")
    write_scores(tmp_path / "s0", [{"id": "a", "hallucinated": 0.0}, {"id": "b", "hallucinated": 0.0},
                                   {"id": "c", "hallucinated": 1.0}], "validation")
    write_scores(tmp_path / "s1", [{"id": "a", "hallucinated": 0.0}, {"id": "b", "hallucinated": 1.0},
                                   {"id": "c", "hallucinated": 1.0}], "validation")
    found = point_metrics([tmp_path / "s0", tmp_path / "s1"],
                          [{"hallucination_rate": 1 / 3, "rougeL": 0.5},
                           {"hallucination_rate": 2 / 3, "rougeL": 0.7}],
                          ("hallucinated",), tmp_path / "mle", "validation")
    assert found["hallucination_rate"] == pytest.approx(0.5)
    assert found["rougeL"] == pytest.approx(0.6)
    # per document: a 0, b 0.5, c 1 against the MLE's 1, 1, 1
    assert found["vs_mle"]["hallucination_rate"]["difference"] == pytest.approx((0 + 0.5 + 1) / 3 - 1)


def test_the_mle_on_another_split_is_not_read_as_this_one(tmp_path):
    write_scores(tmp_path / "mle", [{"id": "a", "quals": 0.0}, {"id": "b", "quals": 0.0}], "test")
    write_scores(tmp_path / "eval", [{"id": "a", "quals": -0.1}, {"id": "b", "quals": -0.3}],
                 "validation")
    found = point_metrics([tmp_path / "eval"], [], ("quals",), tmp_path / "mle", "validation")
    assert "vs_mle" not in found
