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


def test_candidates_names_a_missing_input_model_and_field(tmp_path, capsys):
    from experiments.stage_commands import candidates

    rows = tmp_path / "train.jsonl"
    rows.write_text(json.dumps({"document": "d", "summary": "s"}) + "\n"
                    + json.dumps({"id": "2", "summary": "s"}) + "\n")
    out = ["--out", str(tmp_path / "c.jsonl")]
    line = _error(capsys, candidates, ["--model", str(tmp_path / "mle.ckpt"),
                                       "--input", str(rows), *out])
    assert line.endswith(f"--model {tmp_path}/mle.ckpt: no such checkpoint file")
    (tmp_path / "bart").mkdir()
    (tmp_path / "bart" / "config.json").write_text("{}")
    model = ["--model", str(tmp_path / "bart")]
    line = _error(capsys, candidates, [*model, "--input", str(tmp_path / "nope.jsonl"), *out])
    assert line.endswith(f"{tmp_path}/nope.jsonl: no such file")
    line = _error(capsys, candidates, [*model, "--input", str(rows), *out])
    assert line.endswith(f"{rows}:2: field 'document': missing")
    assert not (tmp_path / "c.jsonl").exists()


def test_select_names_a_missing_file_line_and_column(tmp_path, capsys):
    from experiments.stage_commands import select
    from tests.test_real_data import scored_folder

    root = scored_folder(tmp_path / "conseq")
    cands, scores = root / "candidates.jsonl", root / "scores"
    argv = lambda c, s: ["--candidates", str(c), "--scores", str(s),  # noqa: E731
                         "--out", str(tmp_path / "out")]
    line = _error(capsys, select, argv(tmp_path / "nope.jsonl", scores))
    assert line.endswith(f"{tmp_path}/nope.jsonl: no such file")
    line = _error(capsys, select, argv(cands, tmp_path))
    assert line.endswith(f"{tmp_path}/quals.jsonl: no such file (score the candidates' "
                         "scoring input into it)")
    rouge = [json.loads(l) for l in open(scores / "rouge.jsonl")]
    del rouge[4]["scores"]["rouge2"]
    (scores / "rouge.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rouge))
    line = _error(capsys, select, argv(cands, scores))
    assert line.endswith(f"{scores}/rouge.jsonl:5: field 'scores.rouge2': missing")
    (scores / "rouge.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rouge[:-1]))
    line = _error(capsys, select, argv(cands, scores))
    assert line.endswith(f"{scores}/rouge.jsonl: 8 lines, but the candidates have 9 summaries "
                         "(one line per reference and candidate)")
    lines = cands.read_text().splitlines()
    cands.write_text(lines[0] + "\n" + json.dumps({"id": "B", "document": "D."}) + "\n")
    line = _error(capsys, select, argv(cands, scores))
    assert line.endswith(f"{cands}:2: field 'reference': missing")
    assert not (tmp_path / "out").exists()


def test_tiny_hf_names_a_missing_data_folder(tmp_path, capsys):
    from experiments.tiny_hf import main as tiny_hf

    line = _error(capsys, tiny_hf, ["--out", str(tmp_path / "m"), "--data", str(tmp_path / "no")])
    assert line.endswith(f"{tmp_path}/no: no such folder")
    assert not (tmp_path / "m").exists()
