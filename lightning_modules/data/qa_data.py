"""Question-answer data for the QA models: QAGen (QUALS), and QG and QA (QAGS).

Tasks (``task`` of :class:`QAGenDataModule`), source -> target:
- ``qagen``: passage -> ``question <qa_sep> answer`` (QUALS's one model);
- ``qg``: ``answer <qa_sep> passage`` -> question (QAGS's answer-conditional question generator);
- ``qa``: ``question <qa_sep> passage`` -> answer (QAGS's question answerer, generative).

Sources (``source`` of :class:`QAGenDataModule`):
- ``synthetic``: the corpus's ``qa_document`` pairs (passage = document) and ``qa_summary``
  pairs (passage = reference), as QAGen sees both kinds of passage when scoring;
- ``squad``: SQuAD-format JSON (``{split}.json``: data / paragraphs / context, qas / question,
  answers / text);
- ``newsqa``: NewsQA-style CSV (``{split}.csv``: ``story_text``, ``question`` and either
  ``answer`` or ``answer_char_ranges`` as ``start:end`` spans, ``|``-separated, first valid used).
Bad rows raise :class:`DataError` naming file, line or index, and field (or are skipped and
counted with ``on_bad_row="skip"``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Iterator

import torch

from lightning_modules.data.datamodule import SummarizationDataModule
from lightning_modules.data.readers import DataError, RowReader, first_rows
from lightning_modules.text import QA_SEP, QG_FORMAT, qa_source, qg_source

QA_SOURCES = ("synthetic", "squad", "newsqa")
QA_TASKS = ("qagen", "qg", "qa")


def synthetic_qa(path: Path, reader: RowReader, passages=("document", "summary")) -> Iterator[dict]:
    """Yield QA rows from a synthetic corpus split."""
    for row in reader.read_jsonl_raw(path):
        for kind in passages:
            for k, qa in enumerate(row.get(f"qa_{kind}", [])):
                yield {"id": f"{row.get('id')}-{kind}-{k}", "document": row[kind],
                       "question": qa["question"], "answer": qa["answer"]}


def squad_qa(path: Path, reader: RowReader) -> Iterator[dict]:
    """Yield QA rows (first answer of each question) from a SQuAD-format JSON file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError) as err:
        raise DataError(f"{path}: field 'data': not SQuAD JSON ({err})") from err
    for a, article in enumerate(data):
        for p, para in enumerate(article.get("paragraphs", [])):
            for q, qa in enumerate(para.get("qas", [])):
                where = f"{path}:data[{a}].paragraphs[{p}].qas[{q}]"
                answers = qa.get("answers") or []
                row = {"id": qa.get("id", where), "document": para.get("context"),
                       "question": qa.get("question"),
                       "answer": answers[0].get("text") if answers else None}
                if reader.check_qa(row, where):
                    yield row


def newsqa_qa(path: Path, reader: RowReader) -> Iterator[dict]:
    """Yield QA rows from a NewsQA-style CSV file."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f)
        for index, raw in enumerate(rows):
            story = raw.get("story_text")
            answer = raw.get("answer") or _span(story, raw.get("answer_char_ranges"))
            row = {"id": str(index), "document": story, "question": raw.get("question"),
                   "answer": answer}
            if reader.check_qa(row, f"{path}:{rows.line_num}"):
                yield row


def _span(story, ranges) -> str | None:
    for part in (ranges or "").replace(",", "|").split("|"):
        if ":" in part and story:
            start, end = part.split(":")
            if start.isdigit() and end.isdigit():
                return story[int(start):int(end)].strip()
    return None


class QAGenDataModule(SummarizationDataModule):
    """QA rows for QAGen, QG or QA; see the module docstring for ``source`` and ``task``.

    Args:
        task: ``qagen`` (default), ``qg`` or ``qa``.
        qg_format: the QG input's template (:func:`~lightning_modules.text.qg_source`); QAGS
            must score with the one QG was trained with (``QagsConfig.qg_format``).
        passages: for ``synthetic``, which passages to use (``document``, ``summary``).
        **kwargs: see :class:`SummarizationDataModule` (``data_dir``, ``tokenizer``...).
    """

    def __init__(self, source: str = "synthetic", passages: tuple[str, ...] = ("document", "summary"),
                 task: str = "qagen", qg_format: str = QG_FORMAT, **kwargs):
        if source not in QA_SOURCES:
            raise ValueError(f"source must be one of {QA_SOURCES}, not {source!r}")
        if task not in QA_TASKS:
            raise ValueError(f"task must be one of {QA_TASKS}, not {task!r}")
        super().__init__(source="jsonl", **kwargs)
        self.qa_source, self.passages, self.task = source, tuple(passages), task
        self.qg_format = qg_format

    def read_split(self, split: str) -> list[dict]:
        """Return the QA rows of one split."""
        root = Path(self.hparams.data_dir)
        if self.qa_source == "synthetic":
            rows = synthetic_qa(root / f"{split}.jsonl", self.reader, self.passages)
        elif self.qa_source == "squad":
            rows = squad_qa(root / f"{split}.json", self.reader)
        else:
            rows = newsqa_qa(root / f"{split}.csv", self.reader)
        return first_rows(rows, self.hparams.limit)

    def collate(self, rows: list[dict]) -> dict:
        """Tokenize a batch for the task; labels are padded with -100 (see the module docstring)."""
        tok, hp = self.tokenizer, self.hparams
        source = tok([self.source_text(r) for r in rows], max_length=hp.max_source_length,
                     truncation=True, padding=True, return_tensors="pt")
        targets = [self.target_ids(r)[: hp.max_target_length] for r in rows]
        labels = torch.full((len(rows), max(map(len, targets))), -100, dtype=torch.long)
        for i, ids in enumerate(targets):
            labels[i, : len(ids)] = torch.tensor(ids)
        return {"input_ids": source["input_ids"], "attention_mask": source["attention_mask"],
                "labels": labels, "rows": rows}


    def source_text(self, row: dict) -> str:
        """The model input of one QA row."""
        if self.task == "qg":
            return qg_source(row["answer"], row["document"], self.qg_format)
        if self.task == "qa":
            return qa_source(row["question"], row["document"])
        return row["document"]

    def target_ids(self, row: dict) -> list[int]:
        """The target token ids of one QA row (``<s> ... </s>``)."""
        tok = self.tokenizer
        if self.task == "qagen":
            return qa_target_ids(tok, row["question"], row["answer"])
        text = row["question"] if self.task == "qg" else row["answer"]
        return [tok.bos_token_id, *tok(text, add_special_tokens=False)["input_ids"],
                tok.eos_token_id]


def qa_target_ids(tok, question: str, answer: str) -> list[int]:
    """Return ``<s> question <qa_sep> answer </s>`` token ids (the separator is one token)."""
    sep = tok.convert_tokens_to_ids(QA_SEP)
    q = tok(question, add_special_tokens=False)["input_ids"]
    a = tok(" " + answer, add_special_tokens=False)["input_ids"]
    return [tok.bos_token_id, *q, sep, *a, tok.eos_token_id]
