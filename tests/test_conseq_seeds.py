"""ConSeq over fine-tuning seeds: one run per seed on the same pairs, ``results.json`` keeps
every seed's means beside their mean and range, and per-example scores are averaged over seeds
for the paired test."""

import json
import math
import shutil

import pytest

from analysis.seed_runs import mean_over_runs, range_over_runs, seed_averaged
from experiments.pipeline.reproduce import main
from experiments.presets import load_config
from experiments.pipeline.graph import build_stages


def test_mean_and_range_over_runs_by_hand():
    runs = [{"a": 0.1, "b": None, "c": 1.0}, {"a": 0.4, "b": None, "c": float("nan")},
            {"a": 0.7, "c": 3.0}]
    assert mean_over_runs(runs)["a"] == pytest.approx(0.4)
    assert mean_over_runs(runs)["b"] is None                  # no finite value: the first's
    assert mean_over_runs(runs)["c"] == pytest.approx(2.0)    # NaN left out
    assert range_over_runs(runs) == {"a": [0.1, 0.7], "c": [1.0, 3.0]}


def test_per_example_scores_are_averaged_over_seeds_by_id():
    one = [{"id": "x", "q": 0.2, "h": 1, "s": "a"}, {"id": "y", "q": 0.6, "h": 0, "s": "b"}]
    two = [{"id": "y", "q": 0.0, "h": 1, "s": "c"}, {"id": "x", "q": None, "h": 0, "s": "d"},
           {"id": "z", "q": 1.0, "h": 1, "s": "e"}]
    assert seed_averaged([one, two]) == [{"id": "x", "q": None, "h": 0.5, "s": "a"},
                                         {"id": "y", "q": 0.3, "h": 0.5, "s": "b"}]


def test_seeds_make_one_conseq_run_and_test_per_seed(tmp_path):
    names = [s.name for s in build_stages(tmp_path, load_config(
        "smoke", sets=["conseq.seeds=[4, 5]"]), "disabled")]
    for system in ("rouge_conseq", "quals_conseq"):
        assert [n for n in names if n.startswith(system)] == [f"{system}_seed4",
                                                                f"{system}_seed5"]
        assert f"test_{system}_seed5" in names and f"test_{system}" not in names


def test_repeated_seeds_are_refused():
    from experiments.config_tree import ConfigError

    with pytest.raises(ConfigError, match="seeds"):
        load_config("smoke", sets=["conseq.seeds=[1, 1]"])


def test_a_run_over_seeds_reports_each_seed_and_their_mean(smoke, tmp_path, capsys):
    out = tmp_path / "seeds"
    shutil.copytree(smoke, out)
    assert main(["--out", str(out), "--preset", "smoke", "--wandb", "disabled",
                 "--set", "conseq.seeds=[0, 1]", "--set", "conseq.learning_rate=0.01"]) == 0
    results = json.loads((out / "results.json").read_text())
    rouge = results["systems"]["rouge_conseq"]
    assert set(rouge["seeds"]) == {"0", "1"}
    for key in ("rougeL", "qags", "hallucination_rate"):
        by_seed = [rouge["seeds"][s][key] for s in ("0", "1")]
        assert rouge[key] == pytest.approx(sum(by_seed) / 2)
        assert rouge["range"][key] == [min(by_seed), max(by_seed)]
    tests = results["significance_vs_mle"]["rouge_conseq"]["rougeL"]
    assert tests["seeds"] == 2 and 0 <= tests["seeds_significant"] <= 2
    assert "mle" in results["systems"] and "seeds" not in results["systems"]["mle"]
    table = (out / "results.md").read_text()
    assert "(min–max) of the seeds' means" in table
    assert not math.isnan(rouge["rougeL"])
    study = results["simulated_human_study"]
    assert set(study) == {"quals_conseq_seed0", "quals_conseq_seed1", "all runs"}
    assert study["all runs"]["items"] == sum(study[f"quals_conseq_seed{s}"]["items"] for s in (0, 1))
    assert all(s["better"] + s["equal"] + s["worse"] == s["items"] for s in study.values())
