"""Bad inputs a new user tries get a one-line error naming the file, checkpoint or column."""

import json

import pytest

from analysis.correlate_cli import main as correlate
from experiments.score import main as score


def _error(capsys, command, argv) -> str:
    with pytest.raises(SystemExit) as exit_info:
        command(argv)
    assert exit_info.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert "Traceback" not in "\n".join(lines)
    return lines[-1]


def test_score_names_a_missing_input_and_checkpoint(tmp_path, capsys):
    out = str(tmp_path / "out.jsonl")
    line = _error(capsys, score, ["--metric", "rouge", "--input", "nope.jsonl", "--output", out])
    assert "--input nope.jsonl: no such file" in line
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"document": "d", "summary": "s"}) + "\n")
    line = _error(capsys, score, ["--metric", "quals", "--model", "/nope.ckpt",
                                  "--input", str(rows), "--output", out])
    assert "--model /nope.ckpt: no such checkpoint file" in line
    line = _error(capsys, score, ["--metric", "qags", "--qg", str(tmp_path / "no_qg"),
                                  "--qa", "/nope/qa", "--input", str(rows), "--output", out])
    assert "no_qg: no such file or folder" in line


def test_correlate_names_a_missing_column_and_an_empty_table(tmp_path, capsys):
    table = tmp_path / "t.jsonl"
    table.write_text("".join(json.dumps({"human": h, "quals": q}) + "\n"
                             for h, q in [(1, 0.2), (0, 0.1), (1, 0.3)]))
    out = str(tmp_path / "c.json")
    line = _error(capsys, correlate, [str(table), "--human", "human", "--metrics", "qulas",
                                      "--out", out])
    assert f"{table}: no column 'qulas'" in line and "columns: human, quals" in line
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    line = _error(capsys, correlate, [str(empty), "--human", "human", "--metrics", "quals",
                                      "--out", out])
    assert "the table has no rows" in line
    assert not (tmp_path / "c.json").exists()
