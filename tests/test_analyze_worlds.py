"""``quals-bench analyze DIR_XSUM DIR_CNNDM``: worlds as column groups, significance against
each world's own MLE, one report per world. Torch-free, on hand-made run folders."""

import json

import pytest

from analysis.analyze import main as analyze
from analysis.worlds import world_runs

SYSTEMS = ("mle", "rouge_conseq", "quals_conseq")


def fake_run(root, world, shift):
    """A reproduce output: results.json naming the world; per-example scores where only
    quals_conseq differs from the MLE, by ``shift`` on ``hallucinated``."""
    root.mkdir(parents=True)
    (root / "results.json").write_text(json.dumps({"world": world}))
    for k, name in enumerate(SYSTEMS):
        rows = [{"id": f"test-{i:03d}", "rouge1": 0.5 + 0.001 * (i % 7), "rougeL": 0.4,
                 "hallucinated": float((i % 10) < (8 - (shift * 10 if name == "quals_conseq" else 0)))}
                for i in range(120)]
        path = root / "eval" / name / "scores" / "test.jsonl"
        path.parent.mkdir(parents=True)
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return root


def test_two_worlds_give_one_table_with_column_groups(tmp_path):
    xsum = fake_run(tmp_path / "a", "xsum", shift=0.5)
    cnndm = fake_run(tmp_path / "b", "cnndm", shift=0.0)
    assert analyze([str(xsum), str(cnndm), "--out", str(tmp_path / "report")]) == 0
    md = (tmp_path / "report" / "results_worlds.md").read_text().splitlines()
    assert md[0].startswith("| system | xsum R-1 |") and "cnndm Halluc." in md[0]
    rows = {line.split(" | ")[0].strip("| "): line.split(" | ")[1:] for line in md[2:5]}
    assert list(rows)[0] == "mle" and set(rows) == set(SYSTEMS)
    head = [h.strip() for h in md[0].strip("|").split("|")][1:]
    halluc_x, halluc_c = head.index("xsum Halluc."), head.index("cnndm Halluc.")
    # 0.8 -> 0.3 hallucinated in xsum is significant; no change in cnndm is not
    assert rows["quals_conseq"][halluc_x].startswith("0.300*")
    assert rows["quals_conseq"][halluc_c].startswith("0.800 ")
    assert rows["mle"][halluc_x].startswith("0.800 ")
    tex = (tmp_path / "report" / "results_worlds.tex").read_text()
    assert r"\multicolumn{10}{c}{xsum}" in tex and r"\multicolumn{10}{c}{cnndm}" in tex
    for world in ("xsum", "cnndm"):
        assert (tmp_path / "report" / world / "report.md").exists()
        assert (tmp_path / "report" / world / "figures" / "metrics_by_system.png").exists()
    assert "xsum/figures/metrics_by_system.png" in (tmp_path / "report" / "report.md").read_text()


def test_one_run_per_world(tmp_path):
    a, b = fake_run(tmp_path / "a", "xsum", 0.0), fake_run(tmp_path / "b", "xsum", 0.0)
    with pytest.raises(ValueError, match="world 'xsum' is also"):
        world_runs([a, b])
