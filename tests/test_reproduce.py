"""``quals-bench reproduce --preset smoke``: every stage to results.json, then a re-run that
skips every stage."""

import json

from experiments.pipeline import main


def test_smoke_reproduce_and_rerun(tmp_path, capsys):
    out = tmp_path / "smoke"
    assert main(["--out", str(out), "--preset", "smoke", "--wandb", "disabled"]) == 0
    results = json.loads((out / "results.json").read_text())
    assert set(results["systems"]) == {"mle", "rouge_conseq", "quals_conseq"}
    for system in results["systems"].values():
        for key in ("rouge1", "rouge2", "rougeL", "factcc", "qags", "quals", "hallucination_rate"):
            assert key in system
    assert set(results["metric_auroc"]) == {"rougeL", "factcc", "qags", "quals"}
    assert (out / "results.md").read_text().startswith("| system |")
    assert "\\begin{tabular}" in (out / "results.tex").read_text()
    for system in ("mle", "rouge_conseq", "quals_conseq"):
        rows = (out / "eval" / system / "scores" / "test.jsonl").read_text().splitlines()
        assert len(rows) == 6 and "factcc" in json.loads(rows[0])
    capsys.readouterr()
    assert main(["--out", str(out), "--preset", "smoke", "--wandb", "disabled"]) == 0
    log = capsys.readouterr().out
    assert log.count("finished earlier, skipped") == 16 and ": running" not in log
