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


def test_version_and_grouped_help(capsys):
    from experiments.cli import COMMANDS, GROUPS, main, version

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"quals-bench {version()}"
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    heads = [out.index(f"\n{group}:\n") for group in GROUPS if any(n in COMMANDS for n in GROUPS[group])]
    assert heads == sorted(heads)  # the groups in order, each a heading of its own
    assert all(f"  {name} " in out for name in COMMANDS)


def test_score_writes_to_out_and_takes_output_as_an_alias():
    from experiments.score import build_parser

    for flag in ("--out", "--output"):
        a = build_parser().parse_args(["--metric", "rouge", "--input", "in.jsonl", flag, "o.jsonl"])
        assert str(a.out) == "o.jsonl"
