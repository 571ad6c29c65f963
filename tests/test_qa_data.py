"""QAGen data: SQuAD JSON, NewsQA CSV and the synthetic corpus, targets and bad rows."""

import json

import pytest

from lightning_modules.data.qa_data import QAGenDataModule, qa_target_ids
from lightning_modules.data.readers import DataError
from lightning_modules.text import QA_SEP

SQUAD = {"data": [{"paragraphs": [{"context": "Kelton won the cup in May.", "qas": [
    {"id": "q1", "question": "Who won the cup?", "answers": [{"text": "Kelton", "answer_start": 0}]},
    {"id": "q2", "question": "When?", "answers": [{"text": "May", "answer_start": 22}]}]}]}]}


def module(tmp_path, tokenizer_dir, source, **kw):
    return QAGenDataModule(source=source, data_dir=str(tmp_path), tokenizer=str(tokenizer_dir),
                           batch_size=2, shuffle=False, **kw)


def test_squad_rows_and_targets(tmp_path, tokenizer_dir):
    (tmp_path / "train.json").write_text(json.dumps(SQUAD))
    dm = module(tmp_path, tokenizer_dir, "squad")
    rows = dm.read_split("train")
    assert [(r["question"], r["answer"]) for r in rows] == [("Who won the cup?", "Kelton"), ("When?", "May")]
    batch = dm.collate(rows)
    tok = dm.tokenizer
    first = [t for t in batch["labels"][0].tolist() if t != -100]
    assert first == qa_target_ids(tok, "Who won the cup?", "Kelton")
    assert first.count(tok.convert_tokens_to_ids(QA_SEP)) == 1
    assert tok.decode(first, skip_special_tokens=False).startswith("<s> Who won the cup?<qa_sep>")


def test_squad_bad_row_names_path_and_field(tmp_path, tokenizer_dir):
    bad = json.loads(json.dumps(SQUAD))
    bad["data"][0]["paragraphs"][0]["qas"][1]["answers"] = []
    (tmp_path / "train.json").write_text(json.dumps(bad))
    with pytest.raises(DataError, match=r"qas\[1\]: field 'answer': missing"):
        module(tmp_path, tokenizer_dir, "squad").read_split("train")
    dm = module(tmp_path, tokenizer_dir, "squad", on_bad_row="skip")
    assert len(dm.read_split("train")) == 1 and dm.skipped_report() == {"missing": 1}


def test_newsqa_csv_with_character_ranges(tmp_path, tokenizer_dir):
    (tmp_path / "train.csv").write_text(
        'story_text,question,answer_char_ranges\n'
        '"Police arrested Omar Keane in Redfield.",Who was arrested?,16:26\n'
        '"A story.",Where?,None\n')
    dm = module(tmp_path, tokenizer_dir, "newsqa")
    with pytest.raises(DataError, match=r"train\.csv:3: field 'answer'"):
        dm.read_split("train")
    dm = module(tmp_path, tokenizer_dir, "newsqa", on_bad_row="skip")
    assert [r["answer"] for r in dm.read_split("train")] == ["Omar Keane"]


def test_synthetic_uses_document_and_summary_passages(corpus_dir, tokenizer_dir):
    dm = QAGenDataModule(data_dir=str(corpus_dir), tokenizer=str(tokenizer_dir))
    rows = dm.read_split("validation")
    record = json.loads(open(corpus_dir / "validation.jsonl").readline())
    kinds = {r["id"].split("-")[2] for r in rows}
    assert kinds == {"document", "summary"}
    doc_rows = [r for r in rows if r["id"].startswith(record["id"] + "-document")]
    assert [(r["question"], r["answer"]) for r in doc_rows] == \
        [(q["question"], q["answer"]) for q in record["qa_document"]]
    assert all(r["answer"] in r["document"] for r in rows)


@pytest.mark.parametrize("task", ["qg", "qa"])
def test_qg_and_qa_tasks_format_sources_and_targets(tmp_path, tokenizer_dir, task):
    (tmp_path / "train.json").write_text(json.dumps(SQUAD))
    dm = module(tmp_path, tokenizer_dir, "squad", task=task)
    rows = dm.read_split("train")
    batch = dm.collate(rows[:1])
    tok = dm.tokenizer
    source = tok.decode([t for t in batch["input_ids"][0].tolist() if t != tok.pad_token_id],
                        skip_special_tokens=False)
    target = tok.decode([t for t in batch["labels"][0].tolist() if t != -100], skip_special_tokens=True)
    if task == "qg":   # answer <qa_sep> passage with the answer marked -> question
        assert source.startswith("<s> Kelton <qa_sep> [ Kelton ] won the cup")
        assert target == " Who won the cup?"  # the prefix space, stripped by every caller
    else:              # question <qa_sep> passage -> answer
        assert source.startswith("<s> Who won the cup? <qa_sep> Kelton won") and target == " Kelton"
        # the answer has the ids it has in the passage, so it can be copied
        answer = [t for t in batch["labels"][0].tolist() if t != -100][1:-1]
        passage = batch["input_ids"][0].tolist()
        assert any(passage[i:i + len(answer)] == answer for i in range(len(passage)))
    with pytest.raises(ValueError, match="task must be one of"):
        module(tmp_path, tokenizer_dir, "squad", task="summarize")


def test_highlight_marks_the_first_occurrence_only_where_the_answer_stands():
    from lightning_modules.text import QG_PLAIN_FORMAT, highlight, qg_source

    assert highlight("A met B. A left.", "A") == "[ A ] met B. A left."
    assert highlight("A met B on 3 May.", "3 May") == "A met B on [ 3 May ]."
    assert highlight("A met B.", "C") == "A met B."  # not in the passage: unchanged
    assert highlight("A met B.", "") == "A met B."
    assert qg_source("B", "A met B.") == "B <qa_sep> A met [ B ]."
    assert qg_source("B", "A met B.", QG_PLAIN_FORMAT) == "B <qa_sep> A met B."
