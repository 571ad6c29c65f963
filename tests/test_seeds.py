"""``quals-bench seeds``: headline figures over runs made with other seeds."""

import json

import pytest

from analysis.seeds import load_runs, lookup, main, seed_table


def _results(qa, intrinsic, mle_qags, conseq_qags, significant, world="xsum"):
    return {"world": world, "reading_probe": {"qa": {"exact_match": qa}},
            "systems": {"mle": {"intrinsic": intrinsic, "qags": mle_qags},
                        "quals_conseq": {"qags": conseq_qags}},
            "significance_vs_mle": {"quals_conseq": {"qags": {"significant": significant}}}}


def _write(tmp_path, name, results):
    run = tmp_path / name
    run.mkdir()
    (run / "results.json").write_text(json.dumps(results))
    return run


def _row(rows, path):
    return next(r for r in rows if r["path"] == path)


def test_spread_targets_deltas_and_flags_by_hand(tmp_path):
    runs = load_runs([_write(tmp_path, "s0", _results(0.95, 0.10, 0.80, 0.85, True)),
                      _write(tmp_path, "s1", _results(0.85, 0.40, 0.80, 0.79, False))])
    rows = seed_table(runs)
    qa = _row(rows, "reading_probe.qa.exact_match")
    assert qa["values"] == {"s0": 0.95, "s1": 0.85}
    assert qa["mean"] == pytest.approx(0.90) and (qa["min"], qa["max"]) == (0.85, 0.95)
    assert qa["meeting_target"] == 1  # >= 0.90
    intrinsic = _row(rows, "systems.mle.intrinsic")
    assert intrinsic["meeting_target"] == 1  # <= 0.35: 0.10 meets it, 0.40 does not
    delta = _row(rows, "delta:quals_conseq:qags")
    assert delta["values"]["s0"] == pytest.approx(0.05)
    assert delta["values"]["s1"] == pytest.approx(-0.01)
    flag = _row(rows, "significance_vs_mle.quals_conseq.qags.significant")
    assert flag["mean"] == 0.5
    missing = _row(rows, "metric_auroc.quals")  # neither run has it
    assert missing["mean"] is None and missing["runs_with_value"] == 0
    assert missing["meeting_target"] == 0


def test_lookup_gives_none_for_what_a_run_lacks():
    assert lookup({"a": {"b": "text"}}, "a.b") is None
    assert lookup({"a": 1}, "a.b") is None
    assert lookup({"systems": {"mle": {"qags": 0.5}}}, "delta:quals_conseq:qags") is None


def test_the_conseq_targets_compare_systems_by_hand():
    """Unsupported facts 0.15 -> 0.09 is a change of -40% (meets <= -1/3); 0.09 against
    ROUGE-ConSeq's 0.12 is -0.03 (meets <= 0); ROUGE-L 0.600 -> 0.585 is -0.015 (misses >= -0.01)."""
    systems = {"mle": {"hallucinated_fact_rate": 0.15, "rougeL": 0.600},
               "quals_conseq": {"hallucinated_fact_rate": 0.09, "rougeL": 0.585},
               "rouge_conseq": {"hallucinated_fact_rate": 0.12}}
    rows = seed_table({"s0": {"systems": systems}})
    ratio = _row(rows, "ratio:quals_conseq:hallucinated_fact_rate")
    assert ratio["values"]["s0"] == pytest.approx(-0.4) and ratio["meeting_target"] == 1
    gap = _row(rows, "gap:quals_conseq:rouge_conseq:hallucinated_fact_rate")
    assert gap["values"]["s0"] == pytest.approx(-0.03) and gap["meeting_target"] == 1
    cost = _row(rows, "delta:quals_conseq:rougeL")
    assert cost["values"]["s0"] == pytest.approx(-0.015) and cost["meeting_target"] == 0
    assert lookup({"systems": {"mle": {"x": 0.0}, "a": {"x": 0.1}}}, "ratio:a:x") is None


def test_runs_of_two_worlds_or_without_results_are_refused(tmp_path):
    a = _write(tmp_path, "a", _results(0.9, 0.1, 0.8, 0.8, True))
    b = _write(tmp_path, "b", _results(0.9, 0.1, 0.8, 0.8, True, world="cnndm"))
    with pytest.raises(ValueError, match="different worlds"):
        load_runs([a, b])
    with pytest.raises(FileNotFoundError, match="no results"):
        load_runs([a, tmp_path / "missing"])


def test_json_output_is_strict(tmp_path, capsys):
    a = _write(tmp_path, "a", _results(0.9, 0.1, 0.8, 0.8, True))
    out = tmp_path / "seeds.json"
    assert main([str(a), "--json", str(out)]) == 0
    text = out.read_text()
    rows = json.loads(text)["rows"]
    assert "NaN" not in text and _row(rows, "reading_probe.qa.exact_match")["values"] == {"a": 0.9}
    assert _row(rows, "reader.epochs")["values"] == {"a": None}
    assert "| QA probe exact match | 0.900 |" in capsys.readouterr().out


def test_reader_epochs_and_accuracy_come_from_the_run_folder(tmp_path):
    run = _write(tmp_path, "s0", _results(0.9, 0.1, 0.8, 0.8, True))
    checkpoints = run / "runs" / "reader" / "checkpoints"
    checkpoints.mkdir(parents=True)
    for name in ("epoch=4-step=1690.ckpt", "epoch=2-step=1014.ckpt", "last.ckpt"):
        (checkpoints / name).write_bytes(b"")
    (run / ".stages").mkdir()
    (run / ".stages" / "reader.json").write_text(
        json.dumps({"result": {"metrics": {"val/entity_accuracy": 0.991}}}))
    rows = seed_table(load_runs([run]))
    assert _row(rows, "reader.epochs")["values"] == {"s0": 5.0}
    assert _row(rows, "reader.val_entity_accuracy")["values"] == {"s0": 0.991}
