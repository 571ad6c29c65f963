"""QAGS-C/X: majority votes per sentence, mean per summary; meta-eval writes scores beside them."""

import json
from pathlib import Path

import pytest

from analysis.qags_data import read_qags

QAGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "qags"


def vote(*answers):
    return [{"worker_id": i, "response": a} for i, a in enumerate(answers)]


def test_majority_and_mean_by_hand(tmp_path):
    row = {"article": "A.", "summary_sentences": [
        {"sentence": "One.", "responses": vote("yes", "yes", "no")},
        {"sentence": "Two.", "responses": vote("no", "no", "yes")},
        {"sentence": "Three.", "responses": vote("yes", "yes", "yes")}]}
    (tmp_path / "mturk_x.jsonl").write_text(json.dumps(row) + "\n")
    (got,) = read_qags(tmp_path / "mturk_x.jsonl")
    assert got["labels"] == [1, 0, 1] and got["human"] == pytest.approx(2 / 3)
    assert got["summary"] == "One. Two. Three."
    row["summary_sentences"][1]["responses"] = vote("no", "maybe", "yes")
    (tmp_path / "mturk_x.jsonl").write_text(json.dumps(row) + "\n")
    with pytest.raises(ValueError, match=r"mturk_x.jsonl:1: field 'responses'"):
        read_qags(tmp_path / "mturk_x.jsonl")


def test_real_files():
    if not QAGS.exists():
        pytest.skip("../shared/data/qags is not present")
    cnndm, xsum = read_qags(QAGS / "mturk_cnndm.jsonl"), read_qags(QAGS / "mturk_xsum.jsonl")
    assert (len(cnndm), len(xsum)) == (235, 239)
    assert all(0 <= r["human"] <= 1 for r in cnndm + xsum)
    assert 0 < sum(r["human"] == 1 for r in xsum) < len(xsum)  # XSUM has inconsistent summaries


def test_meta_eval_writes_scores_beside_human_scores(tmp_path, tokenizer_dir):
    if not QAGS.exists():
        pytest.skip("../shared/data/qags is not present")
    from experiments.studies.meta_eval import main
    from lightning_modules.models.factcc import FactCCModule
    from lightning_modules.models.qagen import QAGenModule
    from tests.test_evaluation_callback import save_untrained

    qagen = save_untrained(QAGenModule(tokenizer=str(tokenizer_dir)), tmp_path / "q.ckpt")
    factcc = save_untrained(FactCCModule(tokenizer=str(tokenizer_dir)), tmp_path / "f.ckpt")
    out = tmp_path / "meta"
    assert main(["--data", str(QAGS), "--qagen", qagen, "--factcc", factcc, "--limit", "5",
                 "--quals-beams", "2", "--out", str(out)]) == 0
    rows = [json.loads(l) for l in (out / "mturk_xsum.jsonl").read_text().splitlines()]
    assert len(rows) == 5 and {"id", "human", "rougeL", "factcc", "quals"} <= set(rows[0])
    expected = [r["human"] for r in read_qags(QAGS / "mturk_xsum.jsonl")[:5]]
    assert [r["human"] for r in rows] == expected
    report = json.loads((out / "correlations.json").read_text())
    assert set(report) == {"mturk_cnndm", "mturk_xsum"} and "rougeL" in report["mturk_xsum"]
