"""The benchmark loaders on hand-made files of each released format, and their one-line errors
naming file, row and field."""

import csv
import json

import pytest

from analysis.benchmark.formats import load
from lightning_modules.data.readers import DataError

AGGREFACT = ("dataset", "origin", "id", "doc", "summary", "model_name", "label", "cut")


def write_csv(path, rows, header=None):
    """``rows`` (dicts) as a CSV file with ``header`` (default: the first row's keys)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header or list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path, rows):
    """``rows`` as a JSONL file."""
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def aggrefact_row(label=1, cut="val", score="0.5", **extra):
    """A row of AggreFact's CSV with one score column, ``M_score``."""
    return {"dataset": "FRANK", "origin": "cnndm", "id": "a1", "doc": "The doc.",
            "summary": "A summary.", "model_name": "BART", "label": label, "cut": cut,
            "M_score": score, **extra}


def test_aggrefact_csv_or_its_folder(tmp_path):
    write_csv(tmp_path / "aggre_fact_sota.csv", [aggrefact_row(label=0)])
    write_csv(tmp_path / "aggre_fact_final.csv", [aggrefact_row(), aggrefact_row(
        cut="test", score="", origin="xsum", dataset="XSumFaith")])
    bench = load("aggrefact", tmp_path, ["M"])  # the folder: the final file first
    assert bench.kind == "threshold" and bench.sources == [str(tmp_path / "aggre_fact_final.csv")]
    first, second = bench.examples
    assert first["groups"] == ["FRANK-cnndm", "AggreFact-CNN"] and first["label"] == 1
    assert first["scores"] == {"M": 0.5} and first["cut"] == "val" and first["system"] == "BART"
    assert second["groups"] == ["XSumFaith-xsum", "AggreFact-XSum"]
    assert second["scores"] == {"M": None}  # an empty cell: unscored
    assert load("aggrefact", tmp_path / "aggre_fact_sota.csv", ["M"]).examples[0]["label"] == 0


@pytest.mark.parametrize("change, row, field, problem", [
    ({"label": "2"}, 2, "label", "expected 0 or 1, got '2'"),
    ({"cut": ""}, 2, "cut", "missing"),
    ({"cut": "train"}, 2, "cut", "expected one of val, test, got 'train'"),
    ({"M_score": "high"}, 2, "M_score", "expected a number, got 'high'"),
])
def test_aggrefact_errors_name_file_row_and_field(tmp_path, change, row, field, problem):
    path = write_csv(tmp_path / "aggre_fact_final.csv", [aggrefact_row(), aggrefact_row(**change)])
    with pytest.raises(DataError) as err:
        load("aggrefact", path, ["M"])
    assert str(err.value) == f"{path}: row {row}: field {field!r}: {problem}"
    assert "\n" not in str(err.value)


def test_aggrefact_missing_column_and_score_column(tmp_path):
    path = write_csv(tmp_path / "a.csv", [{k: v for k, v in aggrefact_row().items()
                                          if k != "summary"}])
    with pytest.raises(DataError, match=r"a.csv: row 1: field 'summary': missing$"):
        load("aggrefact", path, ["M"])
    path = write_csv(tmp_path / "b.csv", [aggrefact_row()])
    with pytest.raises(DataError, match=r"b.csv: row 1: field 'Other_score': missing"):
        load("aggrefact", path, ["Other"])


def test_summac_folder_of_jsonl(tmp_path):
    write_jsonl(tmp_path / "xsumfaith.jsonl", [
        {"document": "D.", "claim": "C.", "label": 1, "cut": "val", "M_score": 0.2},
        {"document": "D.", "claim": "E.", "label": 0, "cut": "test", "M_score": None}])
    write_jsonl(tmp_path / "polytope.jsonl", [
        {"document": "D.", "claim": "C.", "label": True, "cut": "test", "M_score": 1}])
    bench = load("summac", tmp_path, ["M"])
    assert [ex["dataset"] for ex in bench.examples] == ["polytope", "xsumfaith", "xsumfaith"]
    assert [ex["label"] for ex in bench.examples] == [1, 1, 0]
    assert [ex["scores"]["M"] for ex in bench.examples] == [1.0, 0.2, None]
    assert bench.mean_over_datasets


def test_summac_errors(tmp_path):
    path = write_jsonl(tmp_path / "factcc.jsonl", [
        {"document": "D.", "claim": "C.", "label": 1, "cut": "val"},
        {"document": "D.", "claim": "C.", "label": "CORRECT", "cut": "val"}])
    with pytest.raises(DataError, match=r"factcc.jsonl: row 2: field 'label': expected 0 or 1, "
                                        r"got 'CORRECT'$"):
        load("summac", tmp_path)
    write_jsonl(path, [{"document": "D.", "claim": "C.", "label": 1}])
    with pytest.raises(DataError, match=r"factcc.jsonl: row 1: field 'cut': missing$"):
        load("summac", tmp_path)
    path.write_text('{"document": "D.", "claim": "C.", "label": 1, "cut": "val"}\n{broken\n')
    with pytest.raises(DataError, match=r"factcc.jsonl: row 2: field '<row>': invalid JSON"):
        load("summac", tmp_path)


def test_true_csvs_as_pandas_writes_them(tmp_path):
    # TRUE's download script writes pandas' index as a first, unnamed column
    (tmp_path / "qags_xsum_download.csv").write_text(
        ",grounding,generated_text,label,M_score\n0,\"A doc,\nwith a newline.\",S.,1,0.9\n"
        "1,Doc.,T.,0,0.1\n")
    bench = load("true", tmp_path, ["M"])
    assert bench.kind == "auroc" and [ex["dataset"] for ex in bench.examples] == \
        ["qags_xsum_download"] * 2
    assert bench.examples[0]["document"] == "A doc,\nwith a newline." and \
        bench.examples[1]["label"] == 0
    (tmp_path / "qags_xsum_download.csv").write_text(",grounding,label\n0,Doc.,1\n")
    with pytest.raises(DataError, match=r"row 1: field 'generated_text': missing$"):
        load("true", tmp_path)


def llm_rows():
    """LLM-AggreFact rows of two datasets, with a split column."""
    return [{"dataset": "AggreFact-CNN", "doc": "D.", "claim": "C.", "label": 1, "split": "dev",
             "M_score": 0.3},
            {"dataset": "AggreFact-CNN", "doc": "D.", "claim": "E.", "label": 0, "split": "test",
             "M_score": 0.6},
            {"dataset": "RAGTruth", "doc": "D.", "claim": "F.", "label": 1, "split": "test",
             "M_score": 0.7}]


def test_llm_aggrefact_splits_from_a_column(tmp_path):
    path = write_csv(tmp_path / "llm.csv", llm_rows())
    fixed = load("llm-aggrefact", path, ["M"])
    assert [ex["cut"] for ex in fixed.examples] == ["test", "test"]  # dev rows not used
    tuned = load("llm-aggrefact", path, ["M"], dev_split="dev")
    assert [ex["cut"] for ex in tuned.examples] == ["val", "test", "test"]
    plain = write_jsonl(tmp_path / "plain.jsonl", [{k: v for k, v in r.items() if k != "split"}
                                                   for r in llm_rows()])
    assert [ex["cut"] for ex in load("llm-aggrefact", plain).examples] == ["test"] * 3
    with pytest.raises(DataError, match=r"plain.jsonl: row 1: field 'split': missing"):
        load("llm-aggrefact", plain, dev_split="dev")
    with pytest.raises(DataError, match=r"no row of the test split 'eval' \(splits: dev, test\)"):
        load("llm-aggrefact", path, test_split="eval")


def test_llm_aggrefact_save_to_disk_and_parquet_shards(tmp_path):
    import datasets
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{k: v for k, v in r.items() if k != "split"} for r in llm_rows()]
    parts = {"dev": rows[:1], "test": rows[1:]}
    datasets.DatasetDict({k: datasets.Dataset.from_list(v) for k, v in parts.items()}) \
        .save_to_disk(str(tmp_path / "disk"))
    (tmp_path / "hub" / "data").mkdir(parents=True)
    for split, part in parts.items():
        pq.write_table(pa.Table.from_pylist(part),
                       tmp_path / "hub" / "data" / f"{split}-00000-of-00001.parquet")
    for folder in ("disk", "hub"):
        bench = load("llm-aggrefact", tmp_path / folder, ["M"], dev_split="dev")
        assert [(ex["dataset"], ex["cut"], ex["scores"]["M"]) for ex in bench.examples] == [
            ("AggreFact-CNN", "val", 0.3), ("AggreFact-CNN", "test", 0.6),
            ("RAGTruth", "test", 0.7)], folder


def frank_files(folder, annotations=None, bench=None):
    """FRANK's two files in ``folder`` (two summaries by default); return the folder."""
    folder.mkdir(exist_ok=True)
    bench = bench or [{"hash": "h1", "model_name": "bart", "article": "A.", "summary": "S.",
                       "reference": "R.", "split": "test", "M_score": 0.4},
                      {"hash": 7, "model_name": "pgn", "article": "B.", "summary": "T.",
                       "reference": "R.", "split": "valid", "M_score": 0.9}]
    annotations = annotations or [
        {"hash": 7, "model_name": "pgn", "dataset": "bbc", "Factuality": 0.5, "split": "valid"},
        {"hash": "h1", "model_name": "bart", "dataset": "cnndm", "Factuality": 1.0,
         "split": "test"}]
    (folder / "benchmark_data.json").write_text(json.dumps(bench))
    (folder / "human_annotations.json").write_text(json.dumps(annotations))
    return folder


def test_frank_joins_annotations_to_summaries(tmp_path):
    bench = load("frank", frank_files(tmp_path / "frank"), ["M"])
    assert bench.kind == "correlation" and bench.control == "system"
    first, second = bench.examples
    assert (first["human"], first["system"], first["summary"], first["scores"]) == \
        (0.5, "pgn", "T.", {"M": 0.9})
    assert first["groups"] == ["all", "bbc"] and second["groups"] == ["all", "cnndm"]
    assert [ex["summary"] for ex in load("frank", tmp_path / "frank", split="test").examples] \
        == ["S."]


def test_frank_errors(tmp_path):
    folder = frank_files(tmp_path / "f", annotations=[
        {"hash": "h1", "model_name": "bus", "Factuality": 1.0}])
    with pytest.raises(DataError, match=r"human_annotations.json: row 1: field 'hash': no record "
                                        r"of benchmark_data.json has hash and model_name"):
        load("frank", folder)
    frank_files(folder, annotations=[{"hash": "h1", "model_name": "bart", "Factuality": 1.5}])
    with pytest.raises(DataError, match=r"row 1: field 'Factuality': expected a number in "
                                        r"\[0, 1\], got 1.5"):
        load("frank", folder)
    (folder / "benchmark_data.json").unlink()
    with pytest.raises(DataError, match=r"benchmark_data.json: no such file"):
        load("frank", folder)


def qags_line(votes, **extra):
    """A QAGS line: one summary sentence per vote triple of ``votes``."""
    return {"article": "The article.", "summary_sentences": [
        {"sentence": f"Sentence {i}.", "responses": [{"worker_id": k, "response": v}
                                                     for k, v in enumerate(trio)]}
        for i, trio in enumerate(votes)], **extra}


def test_qags_reads_votes_and_score_keys(tmp_path):
    write_jsonl(tmp_path / "mturk_xsum.jsonl", [
        qags_line([("yes", "yes", "no"), ("no", "no", "yes")], M_score=0.25),
        qags_line([("yes", "yes", "yes")], M_score=None)])
    bench = load("qags", tmp_path, ["M"])
    assert [ex["human"] for ex in bench.examples] == [0.5, 1.0]
    assert [ex["scores"]["M"] for ex in bench.examples] == [0.25, None]
    assert bench.examples[0]["summary"] == "Sentence 0. Sentence 1."
    write_jsonl(tmp_path / "mturk_xsum.jsonl", [qags_line([("yes", "maybe", "no")])])
    with pytest.raises(DataError, match=r"mturk_xsum.jsonl: row 1: field 'responses': expected "
                                        r"yes/no votes"):
        load("qags", tmp_path)
    write_jsonl(tmp_path / "mturk_xsum.jsonl", [{"article": "A.", "summary_sentences": [
        {"sentence": "S."}]}])
    with pytest.raises(DataError, match=r"mturk_xsum.jsonl: row 1: field 'summary_sentences': "):
        load("qags", tmp_path)


def test_a_path_that_is_not_there(tmp_path):
    with pytest.raises(DataError, match=r"nowhere: no such file or folder"):
        load("true", tmp_path / "nowhere")
    with pytest.raises(DataError, match=r"no \*.csv files"):
        load("true", tmp_path)
