"""The quals-bench command: lazy dispatch and the smoke reproduction."""

import json
import subprocess
import sys

from experiments.pipeline import main as reproduce


def test_help_imports_no_heavy_module():
    code = ("import sys; from experiments.cli import main; main(['--help']); "
            "heavy = [m for m in ('torch', 'transformers', 'pytorch_lightning') if m in sys.modules]; "
            "sys.exit(1 if heavy else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "reproduce" in result.stdout and "corpus" in result.stdout


def test_corpus_command_writes_splits(tmp_path):
    result = subprocess.run([sys.executable, "-m", "experiments.cli", "corpus", "--num-docs", "30",
                             "--seed", "1", "--out", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert sum(1 for _ in open(tmp_path / "train.jsonl")) == 26


def test_smoke_reproduce_runs_and_resumes(tmp_path, capsys):
    assert reproduce(["--out", str(tmp_path), "--preset", "smoke", "--wandb", "offline"]) == 0
    results = json.loads((tmp_path / "results.json").read_text())
    mle = results["systems"]["mle"]
    for key in ("rouge1", "rouge2", "rougeL", "hallucination_rate"):
        assert 0.0 <= mle[key] <= 1.0
    assert results["reference"]["configured_hallucination_prob"] == 0.25
    first = capsys.readouterr().out
    assert "[5/5] quals: done" in first
    assert mle["quals_n"] == 4 and mle["quals_no_pair"] <= 4
    marker = (tmp_path / ".stages" / "quals.json").stat().st_mtime
    assert reproduce(["--out", str(tmp_path), "--preset", "smoke"]) == 0
    second = capsys.readouterr().out
    assert second.count("finished earlier, skipped") == 5
    assert (tmp_path / ".stages" / "quals.json").stat().st_mtime == marker
