"""The quals-bench command: lazy dispatch and a subcommand run as a process."""

import subprocess
import sys


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


def test_corpus_command_without_distractors(tmp_path):
    import json

    result = subprocess.run([sys.executable, "-m", "experiments.cli", "corpus", "--num-docs", "30",
                             "--distractor-prob", "0", "--min-distractors", "0",
                             "--out", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in open(tmp_path / "train.jsonl")]
    assert rows and all(r["facts"]["distractors"] == {} for r in rows)
