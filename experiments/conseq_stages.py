"""Pipeline stages between the MLE model and ConSeq training: candidates, their scores, and
the S+/S- pairs of each ranker (QUALS, ROUGE)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from experiments.candidates import CandidateConfig, generate_candidates
from lightning_modules.data.readers import read_objects
from lightning_modules.jsonl import write_jsonl
from lightning_modules.selection import SelectionConfig, ranking_score, select_pairs


# The pipeline's predict loops run on one device: Lightning's DDP launcher re-runs the whole
# command in each extra process, and a multi-stage command would then run its later stages
# (training included) once per process. DDP is for the standalone `quals-bench score`.
DEVICES = 1


def candidates_stage(s: dict) -> dict:
    """Sample candidates for the first ``docs`` training documents with the MLE model."""
    from lightning_modules.models.mle import MLEModule

    rows = read_objects(Path(s["corpus"]) / "train.jsonl")[: s["docs"]]
    ckpt = Path(s["checkpoint"])
    module = MLEModule.load_from_checkpoint(ckpt, map_location="cpu")
    model_id = f"{ckpt.resolve()}:{ckpt.stat().st_mtime_ns}"
    counts = generate_candidates(module, rows, CandidateConfig(**s["candidates"]),
                                 Path(s["out"]), model_id, devices=DEVICES)
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
    cfg = metric_config("quals", s["quals"])
    quiet = lambda *_: None  # noqa: E731
    counts = {"quals": score_file(build_scorer("quals", {"qagen": s["qagen"]}, cfg),
                                  {"metric": "quals", **asdict(cfg), "qagen": s["qagen"]},
                                  out / "to_score.jsonl", out / "quals.jsonl", log=quiet,
                                  devices=DEVICES),
              "rouge": score_file(build_scorer("rouge", {}), {"metric": "rouge"},
                                  out / "to_score.jsonl", out / "rouge.jsonl", log=quiet,
                                  devices=DEVICES)}
    return counts


def score_tables(candidates: Path, scored: Path,
                 configs: dict[str, SelectionConfig]) -> dict[str, list[dict]]:
    """Per ranker (``configs``' keys, each scored in ``<scored>/<ranker>.jsonl``), the selection
    table (see ``select_pairs``) of each document, ranked by the config's ``columns``."""
    docs = {r["id"]: r for r in read_objects(candidates)}
    index = [(r["id"], slot, summary) for r in docs.values() for slot, summary in slots(r)]
    tables = {}
    for ranker, cfg in configs.items():
        values = [ranking_score(line, cfg.columns)
                  for line in read_objects(scored / f"{ranker}.jsonl")]
        table = {i: {"id": i, "document": d["document"], "reference": d["reference"],
                     "reference_score": None, "candidates": []} for i, d in docs.items()}
        for (doc_id, slot, summary), value in zip(index, values):
            if slot < 0:
                table[doc_id]["reference_score"] = value
            else:
                table[doc_id]["candidates"].append({"summary": summary, "score": value})
        tables[ranker] = list(table.values())
    return tables


def selection_stage(s: dict) -> dict:
    """Write ``<out>/<ranker>/pairs.jsonl`` for each ranker; return set sizes."""
    configs = {ranker: SelectionConfig(**cfg) for ranker, cfg in s["selection"].items()}
    tables = score_tables(Path(s["candidates"]), Path(s["scored"]), configs)
    result = {}
    for ranker, table in tables.items():
        pairs = select_pairs(table, configs[ranker])
        write_jsonl(Path(s["out_dir"]) / ranker / "pairs.jsonl", pairs)
        write_jsonl(Path(s["out_dir"]) / ranker / "table.jsonl", table)
        result[ranker] = {"documents": len(table), "rows": len(pairs),
                          "positives": sum(p["positive"] is not None for p in pairs),
                          "negatives": sum(p["negative"] is not None for p in pairs),
                          "pairs_path": str(Path(s["out_dir"]) / ranker / "pairs.jsonl")}
    return result
