"""The human study round trip (export, fill, import, statistics) and the agreement statistics
against hand-computed values."""

import csv
import json

import numpy as np
import pytest

from analysis.human import (ATTRIBUTES, export_sheet, fleiss_kappa, import_sheets,
                            krippendorff_alpha_nominal, study_statistics)
from analysis.human_cli import write_study
from experiments.cli import main as cli_main


def test_fleiss_kappa_worked_example():
    # Fleiss (1971) as worked in Wikipedia's "Fleiss' kappa" article: 10 items, 14 raters, 5
    # categories; kappa = 0.210.
    table = np.array([[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
                      [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
                      [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]])
    assert fleiss_kappa(table) == pytest.approx(0.210, abs=5e-4)


def test_krippendorff_alpha_by_hand():
    # two coders, four units: a a / a b / b b / b b. Coincidences: o_aa=2, o_ab=o_ba=1, o_bb=4;
    # n_a=3, n_b=5, n=8; D_o = 2/8, D_e = 2*3*5/(8*7); alpha = 1 - D_o/D_e = 1 - 0.25/0.5357
    alpha = krippendorff_alpha_nominal([["a", "a"], ["a", "b"], ["b", "b"], ["b", "b"]])
    assert alpha == pytest.approx(1 - 0.25 / (30 / 56), abs=1e-9)
    assert krippendorff_alpha_nominal([["a", "a"], ["b", "b"]]) == pytest.approx(1.0)


def test_krippendorff_alpha_worked_example_with_missing_values():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers,
    # 12 units, values 1-5, missing cells (None); nominal alpha = 0.743 (unit 12 has one value
    # and is not pairable).
    observers = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
                 [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
                 [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
                 [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]
    units = [[v for v in unit if v is not None] for unit in zip(*observers)]
    assert krippendorff_alpha_nominal(units) == pytest.approx(0.743, abs=5e-4)


def fill(sheet, out, answer):
    with open(sheet, newline="") as f:
        rows = list(csv.DictReader(f))
    with open(out, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, **{a: answer(row, a) for a in ATTRIBUTES}})


def test_round_trip_export_fill_import_statistics(tmp_path):
    items = [{"id": f"d{i}", "document": f"doc {i}", "a": f"mle summary {i}",
              "b": f"conseq summary {i}"} for i in range(30)]
    export_sheet(items, "mle", "quals_conseq", tmp_path / "sheet.csv", tmp_path / "key.json",
                 np.random.default_rng(0))
    text = (tmp_path / "sheet.csv").read_text()
    assert "quals_conseq" not in text and "mle," not in text  # blind: no system names
    # annotators who always prefer ConSeq's summary on consistency, call the rest a tie
    prefer_b = lambda row, a: ("1" if row["summary_1"].startswith("conseq") else "2") \
        if a == "factual_consistency" else "tie"  # noqa: E731
    for name in ("ann1", "ann2", "ann3"):
        fill(tmp_path / "sheet.csv", tmp_path / f"{name}.csv", prefer_b)
    judgments = import_sheets([tmp_path / f"{n}.csv" for n in ("ann1", "ann2", "ann3")],
                              tmp_path / "key.json")
    result = study_statistics(judgments)
    fc = result["factual_consistency"]
    assert (fc["better"], fc["equal"], fc["worse"]) == (90, 0, 0)
    assert fc["sign_test_p"] < 1e-20 and fc["items"] == 30
    assert result["informativeness"]["equal"] == 90
    assert result["informativeness"]["sign_test_p"] == 1.0


def test_bad_cell_names_file_line_and_field(tmp_path):
    items = [{"id": "d0", "document": "doc", "a": "x", "b": "y"}]
    export_sheet(items, "mle", "b", tmp_path / "s.csv", tmp_path / "k.json", np.random.default_rng(1))
    fill(tmp_path / "s.csv", tmp_path / "bad.csv", lambda row, a: "maybe")
    with pytest.raises(ValueError, match=r"bad.csv:2: field 'factual_consistency': 'maybe'"):
        import_sheets([tmp_path / "bad.csv"], tmp_path / "k.json")


def write_run(run, summaries, documents=None):
    (run / "scores").mkdir(parents=True)
    rows = [{"id": f"test-{i}", "document": (documents or {}).get(i, f"document {i}"),
             "summary": s} for i, s in enumerate(summaries)]
    (run / "scores" / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_human_sheet_command_to_analyze_report(tmp_path):
    """Two run dirs -> `quals-bench human-sheet` -> annotators fill copies -> `analyze` reports
    the study; identical summaries are left out and counted; the key is never overwritten."""
    write_run(tmp_path / "mle", [f"mle says {i}" for i in range(12)] + ["same"])
    write_run(tmp_path / "quals_conseq", [f"conseq says {i}" for i in range(12)] + ["same"])
    study = tmp_path / "study"
    assert cli_main(["human-sheet", str(tmp_path / "mle"), str(tmp_path / "quals_conseq"),
                     "--out", str(study), "--n", "10", "--seed", "3"]) == 0
    key = json.loads((study / "key.json").read_text())
    assert (key["system_a"], key["system_b"], key["identical_left_out"]) == ("mle", "quals_conseq", 1)
    assert len(key["items"]) == 10 and len({v["id"] for v in key["items"].values()}) == 10
    prefer_b = lambda row, a: "1" if row["summary_1"].startswith("conseq") else "2"  # noqa: E731
    for name in ("ann1", "ann2"):
        fill(study / "sheet.csv", study / f"{name}.csv", prefer_b)
    assert cli_main(["analyze", str(study), "--out", str(tmp_path / "report")]) == 0
    report = (tmp_path / "report" / "report.md").read_text()
    assert "| factual_consistency | 20 | 0 | 0 |" in report
    assert "1 examples whose two summaries are identical were left out" in report
    assert (tmp_path / "report" / "figures" / "human_study.png").exists()
    with pytest.raises(FileExistsError, match="key.json exists"):
        write_study(tmp_path / "mle", tmp_path / "quals_conseq", study, None, 0)


def test_human_sheet_rejects_runs_on_different_test_sets(tmp_path):
    write_run(tmp_path / "a", ["x"])
    write_run(tmp_path / "b", ["y"], documents={0: "another document"})
    with pytest.raises(ValueError, match=r"b/scores/test.jsonl: field 'document' of id 'test-0'"):
        write_study(tmp_path / "a", tmp_path / "b", tmp_path / "study", None, 0)
    assert not (tmp_path / "study").exists()
