"""Readers and the data module: local HF-format data, JSONL/CSV, and bad rows."""

import json

import pytest

from lightning_modules.data.datamodule import SummarizationDataModule
from lightning_modules.data.readers import DataError, RowReader


def write_lines(path, lines: list[bytes]):
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


GOOD = json.dumps({"document": "A long text.", "summary": "Short."}).encode()


@pytest.mark.parametrize("line, field, problem", [
    (json.dumps({"document": "x"}).encode(), "summary", "missing"),
    (json.dumps({"document": "  ", "summary": "s"}).encode(), "document", "empty text"),
    (json.dumps({"document": 3, "summary": "s"}).encode(), "document", "expected a string"),
    (b'{"document": "caf\xe9", "summary": "s"}', "<line>", "undecodable bytes"),
    (b'{"document": ', "<line>", "invalid JSON"),
])
def test_bad_jsonl_row_names_file_line_and_field(tmp_path, line, field, problem):
    path = write_lines(tmp_path / "train.jsonl", [GOOD, GOOD, line])
    with pytest.raises(DataError) as err:
        list(RowReader().read_jsonl(path))
    message = str(err.value)
    assert f"{path}:3" in message and repr(field) in message and problem in message


def test_skip_mode_counts_bad_rows(tmp_path):
    lines = [GOOD, json.dumps({"document": "x"}).encode(), b"\xff\xfe", GOOD]
    reader = RowReader(on_bad_row="skip")
    rows = list(reader.read_jsonl(write_lines(tmp_path / "t.jsonl", lines)))
    assert len(rows) == 2
    assert sum(reader.skipped.values()) == 2
    assert reader.skipped["missing"] == 1


def test_csv_with_custom_fields_and_bad_row(tmp_path):
    path = tmp_path / "test.csv"
    path.write_text('article,highlights\n"Text one.","Sum one."\n"Text two.",""\n')
    reader = RowReader("article", "highlights")
    with pytest.raises(DataError, match=r"test\.csv:3: field 'highlights': empty text"):
        list(reader.read_csv(path))
    reader = RowReader("article", "highlights", on_bad_row="skip")
    assert [r["summary"] for r in reader.read_csv(path)] == ["Sum one."]


def test_hf_dataset_saved_to_disk(tmp_path, tokenizer_dir):
    """Real HF loading code on a cnn_dailymail-shaped dataset saved locally."""
    import datasets

    rows = {"article": [f"Article number {i}. It has text." for i in range(6)],
            "highlights": [f"Summary {i}." for i in range(6)], "id": [str(i) for i in range(6)]}
    ds = datasets.Dataset.from_dict(rows)
    datasets.DatasetDict({"train": ds, "validation": ds.select(range(2)),
                          "test": ds.select(range(3))}).save_to_disk(tmp_path / "cnn")
    dm = SummarizationDataModule(source="hf", data_dir=str(tmp_path / "cnn"),
                                 tokenizer=str(tokenizer_dir), document_field="article",
                                 summary_field="highlights", batch_size=4)
    dm.setup("fit")
    assert len(dm.splits["train"]) == 6 and len(dm.splits["validation"]) == 2
    assert dm.splits["train"][2]["document"] == "Article number 2. It has text."
    batch = next(iter(dm.train_dataloader()))
    assert batch["input_ids"].shape[0] == 4
    # padding in labels is ignored by the loss
    assert (batch["labels"] == -100).any() or batch["labels"].shape[1] == max(
        len(dm.tokenizer(r["summary"])["input_ids"]) for r in batch["rows"])


def test_hf_dataset_bad_row_names_index_and_field(tmp_path, tokenizer_dir):
    import datasets

    ds = datasets.Dataset.from_dict({"document": ["ok", ""], "summary": ["a", "b"]})
    datasets.DatasetDict({"test": ds}).save_to_disk(tmp_path / "xs")
    dm = SummarizationDataModule(source="hf", data_dir=str(tmp_path / "xs"),
                                 tokenizer=str(tokenizer_dir))
    with pytest.raises(DataError, match=r"xs:test\[1\]: field 'document': empty text"):
        dm.setup("test")


def test_synthetic_source_keeps_facts_and_tokenizes(corpus_dir, tokenizer_dir):
    dm = SummarizationDataModule(data_dir=str(corpus_dir), tokenizer=str(tokenizer_dir),
                                 batch_size=8, shuffle=False)
    dm.setup("fit")
    batch = next(iter(dm.train_dataloader()))
    first = batch["rows"][0]
    assert "facts" in first and first["id"] == "train-000000"
    n = len(dm.tokenizer(first["summary"])["input_ids"])
    assert batch["labels"][0, :n].tolist() == dm.tokenizer(first["summary"])["input_ids"]
    assert (batch["labels"][0, n:] == -100).all()


def test_unknown_source_is_rejected():
    with pytest.raises(ValueError, match="source must be one of"):
        SummarizationDataModule(source="parquet")
