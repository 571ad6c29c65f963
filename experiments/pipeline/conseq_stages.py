"""Pipeline stages between the MLE model and ConSeq training: candidates, their scores, and
the S+/S- pairs of each ranker (QUALS, ROUGE)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from experiments.pipeline.candidates import CandidateConfig, generate_candidates
from lightning_modules.data.readers import DataError, read_objects
from lightning_modules.jsonl import write_jsonl
from lightning_modules.selection import SelectionConfig, ranking_score, select_pairs


# The pipeline's predict loops run on one device: Lightning's DDP launcher re-runs the whole
# command in each extra process, and a multi-stage command would then run its later stages
# (training included) once per process. DDP is for the standalone `quals-bench score`.
DEVICES = 1


def candidates_stage(s: dict) -> dict:
    """Sample candidates for the first ``docs`` training documents with the MLE model."""
    from lightning_modules.models.loading import load_with_tokenizer
    from lightning_modules.models.mle import MLEModule

    rows = read_objects(Path(s["corpus"]) / "train.jsonl")[: s["docs"]]
    ckpt = Path(s["checkpoint"])
    module = load_with_tokenizer(MLEModule, ckpt, s.get("tokenizer"))
    from experiments.memory import stage_autocast
    from lightning_modules.oom import explain_oom

    model_id = f"{ckpt.resolve()}:{ckpt.stat().st_mtime_ns}"
    cfg = CandidateConfig(**s["candidates"])
    with stage_autocast(s), explain_oom("candidates.batch_size", cfg.batch_size,
                                        "candidate sampling", hint="lower candidates.max_length"):
        counts = generate_candidates(module, rows, cfg, Path(s["out"]), model_id, devices=DEVICES)
    return {**counts, "path": s["out"]}


def slots(row: dict) -> list[tuple[int, str]]:
    """The summaries of one candidates row in scoring order: (slot, summary), slot -1 for the
    reference. Scoring writes them in this order and selection reads the scores back by it."""
    return [(-1, row["reference"]), *enumerate(row["candidates"])]


def scoring_input(candidates: Path, out: Path) -> None:
    """Write one scoring row per reference and candidate, in :func:`slots` order."""
    write_jsonl(out, ({"document": r["document"], "summary": summary, "reference": r["reference"]}
                      for r in read_objects(candidates) for _, summary in slots(r)))


def scoring_stage(s: dict) -> dict:
    """Score references and candidates with QUALS and ROUGE (each resumable through its cache)."""
    from experiments.score import score_file
    from lightning_modules.metrics.registry import build_scorer, metric_config

    out = Path(s["out_dir"])
    scoring_input(Path(s["candidates"]), out / "to_score.jsonl")
    from experiments.memory import stage_autocast
    from lightning_modules.oom import explain_oom

    cfg = metric_config("quals", s["quals"])
    quiet = lambda *_: None  # noqa: E731
    with stage_autocast(s), explain_oom("quals.batch_size", cfg.batch_size, "QUALS scoring",
                                        hint="lower quals.max_source_length"):
        quals = score_file(build_scorer("quals", {"qagen": s["qagen"]}, cfg),
                           {"metric": "quals", **asdict(cfg), "qagen": s["qagen"]},
                           out / "to_score.jsonl", out / "quals.jsonl", log=quiet,
                           devices=DEVICES)
    counts = {"quals": quals,
              "rouge": score_file(build_scorer("rouge", {}), {"metric": "rouge"},
                                  out / "to_score.jsonl", out / "rouge.jsonl", log=quiet,
                                  devices=DEVICES)}
    return counts


CANDIDATE_FIELDS = {"id": str, "document": str, "reference": str, "candidates": list}
"""The fields of a candidates line (``generate_candidates`` writes them) and their types."""


def read_candidates(path: Path) -> dict[str, dict]:
    """The candidates lines of ``path`` by id, in file order; a missing file, field or
    candidate, or an id on two lines, is a one-line :class:`DataError` naming file and line."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    docs = {}
    for number, row in enumerate(read_objects(path), start=1):
        for name, kind in CANDIDATE_FIELDS.items():
            if not isinstance(row.get(name), kind):
                problem = "missing" if name not in row else f"expected {kind.__name__}"
                raise DataError(f"{path}:{number}: field {name!r}: {problem}")
        if not row["candidates"] or not all(isinstance(c, str) for c in row["candidates"]):
            raise DataError(f"{path}:{number}: field 'candidates': expected a non-empty list "
                            "of strings")
        if row["id"] in docs:
            raise DataError(f"{path}:{number}: field 'id': {row['id']!r} is on an earlier line")
        docs[row["id"]] = row
    return docs


def ranking_scores(path: Path, summaries: list[str], columns: tuple[str, ...] | None) -> list:
    """The ranking score (``ranking_score``) of each line of the scored file ``path``, which
    must hold ``summaries`` in this order; a missing file, another line count, another summary
    or a missing score column is a one-line :class:`DataError` naming file, line and field."""
    if not path.is_file():
        raise DataError(f"{path}: no such file (score the candidates' scoring input into it)")
    lines = read_objects(path)
    if len(lines) != len(summaries):
        raise DataError(f"{path}: {len(lines)} lines, but the candidates have {len(summaries)} "
                        "summaries (one line per reference and candidate)")
    for number, (line, summary) in enumerate(zip(lines, summaries), start=1):
        if line.get("summary") != summary:
            raise DataError(f"{path}:{number}: field 'summary': not the candidates' summary of "
                            "this line (scored from another candidates file?)")
        found = {f"scores.{c}" for c in line.get("scores") or {}} | set(line)
        for name in [f"scores.{c}" for c in columns] if columns else ["score"]:
            if name not in found:
                raise DataError(f"{path}:{number}: field {name!r}: missing")
    return [ranking_score(line, columns) for line in lines]


def score_tables(candidates: Path, scored: Path,
                 configs: dict[str, SelectionConfig]) -> dict[str, list[dict]]:
    """Per ranker (``configs``' keys, each scored in ``<scored>/<ranker>.jsonl``), the selection
    table (see ``select_pairs``) of each document, ranked by the config's ``columns``."""
    docs = read_candidates(candidates)
    index = [(r["id"], slot, summary) for r in docs.values() for slot, summary in slots(r)]
    tables = {}
    for ranker, cfg in configs.items():
        values = ranking_scores(scored / f"{ranker}.jsonl", [s for _, _, s in index], cfg.columns)
        table = {i: {"id": i, "document": d["document"], "reference": d["reference"],
                     "reference_score": None, "candidates": []} for i, d in docs.items()}
        for (doc_id, slot, summary), value in zip(index, values):
            if slot < 0:
                table[doc_id]["reference_score"] = value
            else:
                table[doc_id]["candidates"].append({"summary": summary, "score": value})
        tables[ranker] = list(table.values())
    return tables


def quals_explanations(path: Path) -> dict[str, dict]:
    """QUALS's explanation (its kept pairs) of each summary in the scored file ``path``, by
    summary text; empty where the file is absent."""
    if not path.is_file():
        return {}
    return {line["summary"]: line.get("explanation") for line in read_objects(path)}


def with_negative_spans(row: dict, explanations: dict[str, dict]) -> dict:
    """``row`` with ``negative_spans``: the ``[start, end, ll_document - ll_summary]`` of each
    answer QUALS found in its negative (``lightning_modules.flagged_spans``), for the ``span``
    S- term."""
    from lightning_modules.flagged_spans import answer_spans

    if row.get("negative") is None:
        return row
    return {**row, "negative_spans": answer_spans(explanations.get(row["negative"]),
                                                  row["negative"])}


def selection_stage(s: dict) -> dict:
    """Write ``<out>/<ranker>/pairs.jsonl`` for each ranker; return set sizes."""
    configs = {ranker: SelectionConfig(**cfg) for ranker, cfg in s["selection"].items()}
    tables = score_tables(Path(s["candidates"]), Path(s["scored"]), configs)
    result = {}
    explanations = quals_explanations(Path(s["scored"]) / "quals.jsonl")
    for ranker, table in tables.items():
        pairs = [with_negative_spans(p, explanations) for p in select_pairs(table, configs[ranker])]
        write_jsonl(Path(s["out_dir"]) / ranker / "pairs.jsonl", pairs)
        write_jsonl(Path(s["out_dir"]) / ranker / "table.jsonl", table)
        result[ranker] = {"documents": len(table), "rows": len(pairs),
                          "positives": sum(p["positive"] is not None for p in pairs),
                          "negatives": sum(p["negative"] is not None for p in pairs),
                          "pairs_path": str(Path(s["out_dir"]) / ranker / "pairs.jsonl")}
    return result
