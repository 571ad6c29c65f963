"""``quals-bench reproduce --preset smoke`` end to end, a re-run that skips every stage, the
analysis report on its output, and a smoke sweep over it."""

import json

import pytest
import yaml

from analysis.runs import load_scores
from experiments.pipeline.reproduce import main

SYSTEMS = ("mle", "rouge_conseq", "quals_conseq")



def test_results_json_tables_and_per_example_files(smoke):
    results = json.loads((smoke / "results.json").read_text())
    assert set(results["systems"]) == set(SYSTEMS)
    for system in results["systems"].values():
        for key in ("rouge1", "rouge2", "rougeL", "factcc", "qags", "quals", "hallucination_rate",
                    "intrinsic", "extrinsic", "unverifiable", "hallucinated_fact_rate",
                    "facts_per_summary"):
            assert key in system
        assert system["hallucination_rate"] <= system["intrinsic"] + system["extrinsic"]
        assert max(system["intrinsic"], system["extrinsic"]) <= system["hallucination_rate"]
        assert set(system["ci"]) >= {"hallucinated", "intrinsic", "extrinsic", "unverifiable"}
    assert set(results["metric_auroc_system_outputs"]) == {"rougeL", "factcc", "qags", "quals"}
    assert set(results["metric_auroc"]) == {"rougeL", "factcc", "qags", "quals"}
    outputs = results["metric_auroc_test_outputs"]
    assert outputs["summaries"] == sum(
        len(load_scores(smoke / "eval" / s)) for s in results["systems"])
    control = results["metric_auroc_wrong_documents"]
    assert set(control) == {"rougeL", "factcc", "qags", "quals"}
    assert set(control["quals"]) == set(results["metric_auroc_by_corruption"]["quals"])
    # ROUGE-L is against the reference, which the control keeps: the same AUROC
    assert control["rougeL"] == results["metric_auroc_by_corruption"]["rougeL"]
    assert set(results["significance_vs_mle"]) == {"rouge_conseq", "quals_conseq"}
    assert (smoke / "results.md").read_text().startswith("| system |")
    assert "\\begin{tabular}" in (smoke / "results.tex").read_text()
    for system in SYSTEMS:
        rows = (smoke / "eval" / system / "scores" / "test.jsonl").read_text().splitlines()
        assert len(rows) == 6 and "factcc" in json.loads(rows[0])


def test_the_run_records_its_resolved_config_preset_and_world(smoke):
    from experiments.presets import load_config

    results = json.loads((smoke / "results.json").read_text())
    assert (results["preset"], results["world"]) == ("smoke", "xsum")
    assert (smoke / "config.yaml").read_text().startswith("# quals-bench reproduce --preset smoke")
    assert load_config(str(smoke / "config.yaml"), world=None) == load_config("smoke")


def test_reading_probe_on_the_smoke_run(smoke):
    """Every document question of the first 4 test documents is asked of both models."""
    probe = json.loads((smoke / "results.json").read_text())["reading_probe"]
    corpus = [json.loads(line) for line in (smoke / "corpus" / "test.jsonl").open()][:4]
    n = sum(len(r["qa_document"]) for r in corpus)
    for model in ("qa", "qagen"):
        table = probe[model]
        assert table["n"] == n == probe["questions"]
        assert sum(g["n"] for g in table["by_role"].values()) == n
        assert 0 <= table["exact_match"] <= table["f1"] <= 1
        assert 0 < table["n_distractor"] < n  # both kinds of question occur
    answers = [json.loads(line) for line in (smoke / "reading_probe" / "answers.jsonl").open()]
    assert len(answers) == n and {"question", "answer", "role", "qa", "qagen"} <= set(answers[0])


def test_rerun_skips_every_stage(smoke, capsys):
    capsys.readouterr()
    assert main(["--out", str(smoke), "--preset", "smoke"]) == 0  # W&B mode changes nothing
    log = capsys.readouterr().out
    assert log.count("finished earlier, skipped") == 19 and ": running" not in log  # reader included


def test_analyze_writes_a_report_with_figures(smoke, tmp_path):
    from analysis.analyze import main as analyze

    from analysis.wandb_offline import logged_keys

    assert analyze([str(smoke), "--out", str(tmp_path / "report"), "--wandb", "offline"]) == 0
    assert logged_keys(tmp_path / "report")["figures/metrics_by_system/_type"] == "image-file"
    report = (tmp_path / "report" / "report.md").read_text()
    assert "## Results" in report and "metrics_by_system.png" in report
    assert "## Reading probe" in report and "| qagen |" in report
    assert "## Metrics on the models' own outputs" in report and "| quals |" in report
    for line in report.splitlines():
        if line.startswith("!["):
            assert (tmp_path / "report" / line.split("(")[1].rstrip(")")).exists()


def test_smoke_sweep_over_the_quantile(smoke, tmp_path):
    from analysis.analyze import main as analyze
    from experiments.studies.sweep import main as sweep

    spec = {"name": "quantile", "base": str(smoke), "out": str(tmp_path / "sweep"),
            "preset": "smoke", "grid": {"selection.quantile": [0.5, 1.0]}}
    (tmp_path / "q.yaml").write_text(yaml.safe_dump(spec))
    assert sweep([str(tmp_path / "q.yaml"), "--wandb", "disabled"]) == 0
    result = json.loads((tmp_path / "sweep" / "sweep.json").read_text())
    assert [r["settings"]["selection.quantile"] for r in result["runs"]] == [0.5, 1.0]
    assert all("rougeL" in r["metrics"] for r in result["runs"])
    assert analyze([str(tmp_path / "sweep"), "--out", str(tmp_path / "report")]) == 0


def test_a_sweep_run_two_stages_at_once_resumes_one_stage_at_a_time(smoke, tmp_path, capsys):
    """``sweep --jobs 2`` writes the markers of a sequential sweep: re-run with ``--jobs 1`` it
    trains nothing again and writes the same ``sweep.json``."""
    from experiments.studies.sweep import main as sweep

    spec = {"name": "quantile", "base": str(smoke), "out": str(tmp_path / "sweep"),
            "preset": "smoke", "grid": {"selection.quantile": [0.5]}}
    (tmp_path / "q.yaml").write_text(yaml.safe_dump(spec))
    two_seeds = ["--set", "conseq.seeds=[0, 1]"]   # two branches that can run side by side
    assert sweep([str(tmp_path / "q.yaml"), "--wandb", "disabled", "--jobs", "2", *two_seeds]) == 0
    first = (tmp_path / "sweep" / "sweep.json").read_text()
    assert "running (" in capsys.readouterr().out        # stages ran in worker processes
    assert sweep([str(tmp_path / "q.yaml"), "--wandb", "disabled", "--jobs", "1", *two_seeds]) == 0
    logged = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[")]
    assert logged and all(line.endswith("finished earlier, skipped") for line in logged)
    assert (tmp_path / "sweep" / "sweep.json").read_text() == first


@pytest.mark.parametrize("value", ["0", "x"])
def test_sweep_refuses_a_bad_job_count_in_one_line(tmp_path, value):
    from experiments.studies.sweep import main as sweep

    with pytest.raises(SystemExit, match=f"^error: --jobs must be 'auto' or at least 1, not {value}$"):
        sweep([str(tmp_path / "q.yaml"), "--jobs", value])


def test_qa_beams_point_changes_the_ranker_not_the_test_metric(tmp_path):
    """A `quals_beams` grid point scores the candidates with its own beams, while its test
    evaluation keeps the base preset's QUALS, so points and the MLE line share one ruler."""
    from experiments.presets import load_config
    from experiments.studies.sweep import point_config, point_stages

    preset = load_config("default")
    stages = {s.name: s.settings for s in point_stages(
        tmp_path, tmp_path / "quals_beams=60", point_config(preset, {"quals_beams": 60}, "test"),
        "qa_beams", "disabled", preset)}
    assert stages["scores"]["quals"]["num_beams"] == 60
    assert stages["scores"]["quals"]["num_beam_groups"] == 60
    assert stages["selection"]["scored"] == stages["scores"]["out_dir"]
    assert stages["test_seed0"]["quals"]["num_beams"] == preset.quals.num_beams == 10


def test_a_point_trains_and_evaluates_once_per_conseq_seed_on_its_split(tmp_path):
    """A point with the base preset's QUALS reads the base run's scores (no scoring stage), and
    trains one QUALS-ConSeq per ConSeq seed, each evaluated on the sweep's split."""
    from experiments.presets import load_config
    from experiments.studies.sweep import point_config, point_stages

    preset = load_config("default")
    point = point_config(preset, {"conseq.negative_loss": "span"}, "test")
    stages = {s.name: s for s in point_stages(tmp_path, tmp_path / "span", point, "terms",
                                              "disabled", preset, "validation")}
    seeds = preset.conseq.seeds
    assert "scores" not in stages
    assert stages["selection"].settings["scored"] == str(tmp_path / "conseq" / "scores")
    assert set(stages) == {"selection", *(f"quals_conseq_seed{s}" for s in seeds),
                           *(f"validation_seed{s}" for s in seeds)}
    for s in seeds:
        training = stages[f"quals_conseq_seed{s}"].settings["overrides"]
        assert training["seed_everything"] == s and training["model.init_args.negative_loss"] == "span"
        evaluation = stages[f"validation_seed{s}"]
        assert evaluation.settings["split"] == "validation"
        assert evaluation.inputs(list(stages)) == [f"quals_conseq_seed{s}"]


def test_a_sweep_setting_is_checked_like_set(tmp_path):
    from experiments.presets import load_config
    from experiments.studies.sweep import point_config

    preset = load_config("default")
    assert point_config(preset, {"selection.mode": "intersection"}, "q.yaml: grid").selection.mode \
        == "intersection"
    with pytest.raises(SystemExit, match="q.yaml: grid: quantile: unknown key"):
        point_config(preset, {"quantile": 0.3}, "q.yaml: grid")
    with pytest.raises(SystemExit, match=r"q.yaml: grid: selection.quantile: must be in \(0, 1\]"):
        point_config(preset, {"selection.quantile": 1.5}, "q.yaml: grid")
