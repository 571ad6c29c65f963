"""The reading probe: can the evaluators' models read the document they are given?

For each document question of the first ``docs`` test documents (``qa_document``: one question
per stated role, the answer a span of the document) it asks
- **qa**: QAGS's question answerer, run as QAGS runs it (``question <qa_sep> document`` with
  the QAGS settings' beams and length), and
- **qagen**: QUALS's QAGen, given the document and forced to write the question and the
  separator; its greedy continuation up to ``</s>`` is its answer;
and reports SQuAD exact match and token F1 against the true answer, overall, by role, by entity
type, and split by whether the document names another entity of the answer's type (another
role's value or a distractor: the "wrong boxer" the model must not pick) or not.

    python -m experiments.studies.reading_probe --corpus DIR --qa QA.ckpt --qagen QAGEN.ckpt [--docs 200]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import torch

from lightning_modules.jsonl import dumps, write_json, write_jsonl
from lightning_modules.metrics.qags_core import normalize_answer, token_f1
from lightning_modules.text import QA_SEP
from lightning_modules.world import inventory
from lightning_modules.world.events import EVENT_TYPES


def questions(corpus: Path, docs: int) -> list[dict]:
    """One row per document question: id, document, question, answer, role, type, distractor."""
    from lightning_modules.data.readers import RowReader

    out = []
    rows = RowReader().read_jsonl_raw(Path(corpus) / "test.jsonl")  # lazy: only ``docs`` read
    for _, row in zip(range(docs), rows):
        out += [_question_row(row, qa) for qa in row["qa_document"]]
    return out


def _question_row(row: dict, qa: dict) -> dict:
    facts = row["facts"]
    kinds = EVENT_TYPES[facts["event_type"]].kinds
    values = {**facts["distractors"], **facts["roles"]}
    role = next(r for r, v in facts["roles"].items() if v == qa["answer"])
    etype = inventory.entity_type(kinds[role])
    rivals = [name for name, v in values.items() if name != role and v != qa["answer"]
              and inventory.entity_type(kinds[name]) == etype]
    return {"id": row["id"], "document": row["document"], "question": qa["question"],
            "answer": qa["answer"], "role": role, "type": etype, "distractor": bool(rivals)}


@torch.no_grad()
def qagen_answers(model, tok, rows: list[dict], batch_size: int = 64,
                  max_new_tokens: int = 16, max_source_length: int = 512) -> list[str]:
    """QAGen's answer to each row's question: the decoder is forced through
    ``<s> question <qa_sep>`` and continues greedily for at most ``max_new_tokens`` (documents
    cut at ``max_source_length`` tokens, as QUALS cuts its passages). Rows are batched by
    prefix length, so no decoder padding is needed."""
    sep = tok.convert_tokens_to_ids(QA_SEP)
    start = model.config.decoder_start_token_id
    prefixes = [[start, tok.bos_token_id, *tok(r["question"], add_special_tokens=False)["input_ids"],
                 sep] for r in rows]
    by_length = defaultdict(list)
    for i, prefix in enumerate(prefixes):
        by_length[len(prefix)].append(i)
    answers = [""] * len(rows)
    for group in by_length.values():
        for chunk in (group[k:k + batch_size] for k in range(0, len(group), batch_size)):
            enc = tok([rows[i]["document"] for i in chunk], truncation=True, padding=True,
                      max_length=max_source_length, return_tensors="pt").to(model.device)
            prefix = torch.tensor([prefixes[i] for i in chunk], device=model.device)
            out = model.generate(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                                 decoder_input_ids=prefix, max_new_tokens=max_new_tokens,
                                 num_beams=1, do_sample=False)
            for i, ids in zip(chunk, out[:, prefix.size(1):].tolist()):
                answers[i] = tok.decode(ids, skip_special_tokens=True).strip()
    return answers


def qa_answers(qa_checkpoint: str, rows: list[dict], qags: dict | None = None) -> list[str]:
    """QAGS's answerer (:func:`~lightning_modules.metrics.qags.generative_answerer`, as
    ``QagsScorer`` builds it) on each row's question."""
    from lightning_modules.metrics.qags import QagsConfig, generative_answerer
    from lightning_modules.models.loading import load_seq2seq

    answerer = generative_answerer(*load_seq2seq(qa_checkpoint), QagsConfig(**(qags or {})))
    return answerer.answer([r["question"] for r in rows], [r["document"] for r in rows])


def probe_table(rows: list[dict], answers: list[str]) -> dict:
    """Exact match and F1 overall, by role, by type, and with / without a same-type rival."""
    em = [float(normalize_answer(a) == normalize_answer(r["answer"])) for r, a in zip(rows, answers)]
    f1 = [token_f1(a, r["answer"]) for r, a in zip(rows, answers)]
    in_doc = [float(bool(a) and normalize_answer(a) in normalize_answer(r["document"]))
              for r, a in zip(rows, answers)]

    def summary(index: list[int]) -> dict:
        n = len(index)
        return {"exact_match": sum(em[i] for i in index) / n if n else None,
                "f1": sum(f1[i] for i in index) / n if n else None, "n": n}

    everything = list(range(len(rows)))
    with_rival = [i for i in everything if rows[i]["distractor"]]
    without = [i for i in everything if not rows[i]["distractor"]]
    table = summary(everything)
    table.update({"exact_match_distractor": summary(with_rival)["exact_match"],
                  "exact_match_no_distractor": summary(without)["exact_match"],
                  "n_distractor": len(with_rival),
                  "answer_in_document": sum(in_doc) / len(rows) if rows else None})
    for key in ("role", "type"):
        groups = defaultdict(list)
        for i in everything:
            groups[rows[i][key]].append(i)
        table[f"by_{key}"] = {name: {**summary(index), "exact_match_distractor": summary(
            [i for i in index if rows[i]["distractor"]])["exact_match"]}
            for name, index in sorted(groups.items())}
    return table


def reading_probe(corpus: Path, docs: int, qa: str | None = None, qagen: str | None = None,
                  qags: dict | None = None, answers: Path | None = None) -> dict:
    """The probe's tables for the QA model and QAGen (each where its checkpoint is given);
    with ``answers``, every question with both models' answers goes to that JSONL file."""
    from lightning_modules.models.loading import load_seq2seq

    rows = questions(corpus, docs)
    out = {"questions": len(rows), "documents": docs}
    if qa:
        for row, answer in zip(rows, qa_answers(qa, rows, qags)):
            row["qa"] = answer
        out["qa"] = probe_table(rows, [r["qa"] for r in rows])
    if qagen:
        model, tok = load_seq2seq(qagen)
        for row, answer in zip(rows, qagen_answers(model, tok, rows)):
            row["qagen"] = answer
        out["qagen"] = probe_table(rows, [r["qagen"] for r in rows])
    if answers:
        write_jsonl(answers, ({k: v for k, v in r.items() if k != "document"} for r in rows))
    return out


def probe_stage(s: dict) -> dict:
    """Pipeline stage: the probe on the run's QA model and QAGen; every question and both
    answers go to ``<out>/answers.jsonl``."""
    return reading_probe(Path(s["corpus"]), s["docs"], s["qa"], s["qagen"], s["qags"],
                         Path(s["out"]) / "answers.jsonl")


def main(argv: list[str] | None = None) -> int:
    """Print the probe's JSON (and write it with ``--out``)."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--corpus", required=True, help="corpus folder")
    p.add_argument("--qa", help="question answering checkpoint")
    p.add_argument("--qagen", help="QAGen checkpoint")
    p.add_argument("--docs", type=int, default=200, help="documents (default 200)")
    p.add_argument("--out", help="write the tables as JSON here")
    p.add_argument("--answers", type=Path, help="write every question and answer here (JSONL)")
    a = p.parse_args(argv)
    table = reading_probe(Path(a.corpus), a.docs, a.qa, a.qagen, answers=a.answers)
    print(dumps(table, indent=2))
    if a.out:
        write_json(a.out, table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
