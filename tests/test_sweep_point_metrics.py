"""A sweep point's metrics: CIs and the paired test against the base run's MLE."""

import json

import pytest

from experiments.studies.sweep import point_metrics


def write_scores(folder, rows):
    (folder / "scores").mkdir(parents=True)
    (folder / "scores" / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_point_is_compared_with_the_base_mle_on_shared_examples(tmp_path):
    mle = [{"id": f"e{i}", "extrinsic": float(i % 2)} for i in range(10)]       # mean 0.5
    point = [{"id": f"e{i}", "extrinsic": 0.0} for i in range(9)]              # e9 unscored
    write_scores(tmp_path / "base" / "eval" / "mle", mle)
    write_scores(tmp_path / "point" / "eval", point)
    found = point_metrics(tmp_path / "point", {"extrinsic": 0.0}, ("extrinsic",),
                          tmp_path / "base")
    versus = found["vs_mle"]["extrinsic"]
    # over e0..e8 the MLE has 4 ones (e1, e3, e5, e7): difference -4/9
    assert versus["difference"] == pytest.approx(-4 / 9)
    assert versus["ci"][1] < 0 and versus["p_value"] < 0.05
    assert found["extrinsic_ci"] == [0.0, 0.0]


def test_hallucinated_is_compared_under_the_means_name(tmp_path):
    write_scores(tmp_path / "base" / "eval" / "mle", [{"id": "a", "hallucinated": 1.0},
                                                      {"id": "b", "hallucinated": 1.0}])
    write_scores(tmp_path / "point" / "eval", [{"id": "a", "hallucinated": 0.0},
                                               {"id": "b", "hallucinated": 1.0}])
    found = point_metrics(tmp_path / "point", {}, ("hallucinated",), tmp_path / "base")
    assert set(found["vs_mle"]) == {"hallucination_rate"} and "hallucination_rate_ci" in found
    assert found["vs_mle"]["hallucination_rate"]["difference"] == pytest.approx(-0.5)


def test_point_without_a_base_mle_has_no_comparison(tmp_path):
    write_scores(tmp_path / "point" / "eval", [{"id": "a", "quals": -0.1}, {"id": "b", "quals": -0.3}])
    found = point_metrics(tmp_path / "point", {}, ("quals",), tmp_path / "nowhere")
    assert "vs_mle" not in found and found["quals_ci"][0] <= -0.2 <= found["quals_ci"][1]
