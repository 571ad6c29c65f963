"""``quals-bench score``: score a JSONL file with a metric, resumably.

    quals-bench score --metric quals --model QAGEN.ckpt --input IN.jsonl --out OUT.jsonl
    quals-bench score --metric factcc --model FACTCC.ckpt ...
    quals-bench score --metric qags --qg QG.ckpt --qa QA.ckpt ...
    quals-bench score --metric rouge ...        (lines need a ``reference`` field)
    quals-bench score --metric oracle --config ORACLE.yaml ...   (``corpus: DIR``, the synthetic
                                                 corpus whose fact tables the documents have)

Each input line holds ``document`` and ``summary`` (and ``reference`` for ROUGE); each output
line is the input line plus ``score`` (the metric's main column: rougeL for ROUGE, 1.0 for a
summary the oracle does not find faithful, else 0.0), ``scores``
(every column: rouge1/rouge2/rougeL) and ``explanation``, in input order. ``--config`` takes a
settings YAML for quals (``QualsConfig``) or qags (``QagsConfig``).

Scaling: scoring runs in Lightning's predict loop (``--devices``, ``--num-nodes``; DDP across
GPUs and nodes); a prediction writer appends each finished batch to the cache shard of its
rank, and rank 0 writes the output from all shards.

Resumable: finished chunks are appended to a cache (``OUT.jsonl.cache`` by default), one line
per example keyed by the SHA-256 of (metric settings, model, document, summary, reference). A
re-run scores only what the cache lacks; a line cut short by a kill is ignored. The output is
written to a temporary file and renamed at the end, so a killed run leaves no half-written
output. Bad rows (missing field, non-string, broken JSON) raise an error naming line and field,
or with ``--on-bad-row sentinel`` get ``score: null`` and the problem in ``explanation``. Output
and cache are strict JSON: a score the metric could not compute (NaN) is written as ``null``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from pathlib import Path

import pytorch_lightning as pl
import torch

from experiments.pipeline.cached_predict import load_cache, run_cached
from lightning_modules.jsonl import write_jsonl
from lightning_modules.metrics.base import scorer_models
from lightning_modules.models.loading import fingerprint, model_problem

FIELDS = ("document", "summary")


class InputError(ValueError):
    """An input line cannot be scored; the message names file, line and field."""


NEEDS = {"quals": ("model",), "factcc": ("model",), "qags": ("qg", "qa"), "rouge": (),
         "oracle": (), "nli": ("model",)}
MAIN_COLUMN = {"rouge": "rougeL", "oracle": "not_faithful"}


def read_rows(path: Path, on_bad_row: str, fields=FIELDS) -> list[tuple[dict, str | None]]:
    """Return (row, problem or None) per line; raise :class:`InputError` unless sentinel mode."""
    out = []
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            problem, row = None, {}
            try:
                row = json.loads(raw.decode("utf-8"))
                if not isinstance(row, dict):
                    raise ValueError("not a JSON object")
                for name in fields:
                    if name not in row:
                        problem = f"field {name!r}: missing"
                    elif not isinstance(row[name], str):
                        problem = f"field {name!r}: expected a string, got {type(row[name]).__name__}"
                    if problem:
                        break
            except (UnicodeDecodeError, ValueError) as err:
                problem = f"field '<line>': {err}"
            if problem and on_bad_row == "raise":
                raise InputError(f"{path}:{number}: {problem}")
            out.append((row if isinstance(row, dict) else {}, problem))
    return out


def example_key(settings: dict, row: dict) -> str:
    """Content hash of an example under given scorer settings."""
    blob = json.dumps([settings, row.get("document"), row.get("summary"), row.get("reference")],
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


class ScoringModule(pl.LightningModule):
    """Runs a scorer in Lightning's predict loop; its model (if any) follows the device."""

    def __init__(self, scorer):
        super().__init__()
        self.scorer = scorer
        self.models = torch.nn.ModuleList([m for m in scorer_models(scorer)
                                           if isinstance(m, torch.nn.Module)])

    def predict_step(self, batch: list[dict], batch_idx: int) -> list[dict]:
        """Score a batch of examples; return cache entries."""
        got = self.scorer.score([x["document"] for x in batch], [x["summary"] for x in batch],
                                [x.get("reference", "") for x in batch])
        main = MAIN_COLUMN.get(self.scorer.name, self.scorer.name)
        return [{"key": x["key"], "score": got.scores[main][k],
                 "scores": {name: column[k] for name, column in got.scores.items()},
                 "explanation": got.explanations[k]} for k, x in enumerate(batch)]


def score_file(scorer, settings: dict, inp: Path, out: Path, cache_path: Path | None = None,
               chunk: int = 16, on_bad_row: str = "raise", log=print, devices="auto",
               num_nodes: int = 1) -> dict:
    """Score ``inp`` into ``out`` through the cache; return counts."""
    cache_path = cache_path or out.with_name(out.name + ".cache")
    rows = read_rows(inp, on_bad_row, FIELDS + (("reference",) if scorer.name == "rouge" else ()))
    keys = [example_key(settings, row) for row, _ in rows]
    cache = load_cache(cache_path)
    todo = [{**rows[i][0], "key": keys[i]} for i, (_, problem) in enumerate(rows)
            if problem is None and keys[i] not in cache]
    todo = list({x["key"]: x for x in todo}.values())  # identical examples are scored once
    if todo:
        if not run_cached(ScoringModule(scorer), todo, cache_path, chunk, devices, num_nodes,
                          progress=log is print):
            return {}
    cache = load_cache(cache_path)
    write_output(out, rows, keys, cache)
    sentinels = sum(1 for (row, p), k in zip(rows, keys) if p or cache[k]["score"] is None)
    fresh = {x["key"] for x in todo}
    computed = sum(1 for key, (_, problem) in zip(keys, rows) if problem is None and key in fresh)
    return {"rows": len(rows), "computed": computed, "from_cache": sum(p is None for _, p in rows) - computed,
            "sentinel": sentinels}


def write_output(out: Path, rows, keys, cache) -> None:
    """Write the output lines in input order, atomically."""
    def line(row, problem, key):
        if problem:
            return {**row, "score": None, "explanation": {"status": f"bad input: {problem}"}}
        entry = cache[key]
        return {**row, "score": entry["score"], "scores": entry.get("scores", {}),
                "explanation": entry["explanation"]}

    write_jsonl(out, (line(row, problem, key) for (row, problem), key in zip(rows, keys)))


def _settings(a) -> dict:
    import yaml

    return (yaml.safe_load(a.config.read_text()) or {}) if a.config else {}


def build_scorer(metric: str, a) -> tuple[object, dict]:
    """Return (scorer, settings that enter the cache key), through the one scorer registry."""
    from dataclasses import asdict

    from lightning_modules.metrics.registry import build_scorer as build, metric_config

    checkpoints = {"qagen": a.model, "factcc": a.model, "nli": a.model, "qg": a.qg, "qa": a.qa}
    config = metric_config(metric, _settings(a) or None)
    settings = {"metric": metric, **(asdict(config) if config is not None else {})}
    if metric in ("quals", "factcc", "nli"):
        settings.update(fingerprint(a.model))
    elif metric == "qags":
        settings.update(qg=fingerprint(a.qg), qa=fingerprint(a.qa))
    return build(metric, checkpoints, config), settings


def build_parser() -> argparse.ArgumentParser:
    """The ``quals-bench score`` parser (no model is loaded)."""
    from experiments.cli import HelpFormatter

    p = argparse.ArgumentParser(prog="quals-bench score", description=__doc__,
                                formatter_class=HelpFormatter)
    p.add_argument("--metric", required=True, choices=list(NEEDS), help="the metric to score with")
    p.add_argument("--model", help="QAGen checkpoint for quals; FactCC checkpoint for factcc; NLI classifier (folder or hub name) for nli")
    p.add_argument("--qg", help="question generation checkpoint for qags")
    p.add_argument("--qa", help="question answering checkpoint for qags")
    p.add_argument("--input", required=True, type=Path,
                   help="JSONL, one line per summary: document, summary (and reference for rouge)")
    p.add_argument("--out", "--output", dest="out", required=True, type=Path,
                   help="JSONL to write: each input line plus score, scores and explanation")
    p.add_argument("--cache", type=Path, help="cache file (default: OUT.cache)")
    p.add_argument("--config", type=Path, help="settings YAML for quals or qags "
                                                   "(experiments/configs/quals.yaml), or for "
                                                   "oracle (corpus: a folder with fact tables)")
    p.add_argument("--chunk", type=int, default=16, help="examples per cached chunk")
    p.add_argument("--devices", default="auto", help="devices per node (Lightning)")
    p.add_argument("--num-nodes", type=int, default=1, help="nodes (Lightning)")
    p.add_argument("--on-bad-row", default="raise", choices=["raise", "sentinel"],
                   help="stop at a bad input line, or score it null and go on")
    return p


def main(argv: list[str]) -> int:
    """Parse arguments and score the file."""
    p = build_parser()
    a = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    missing = [f"--{n}" for n in NEEDS[a.metric] if not getattr(a, n)]
    if missing:
        p.error(f"{', '.join(missing)} required for {a.metric}")
    if not a.input.is_file():
        p.error(f"--input {a.input}: no such file")
    for name in NEEDS[a.metric]:
        problem = model_problem(getattr(a, name))
        if problem:
            p.error(f"--{name} {getattr(a, name)}: {problem}")
    scorer, settings = build_scorer(a.metric, a)
    try:
        counts = score_file(scorer, settings, a.input, a.out, a.cache,
                            chunk=a.chunk, on_bad_row=a.on_bad_row,
                            devices=a.devices, num_nodes=a.num_nodes)
    except InputError as err:
        print(f"error: {err}")
        return 2
    if counts:  # ranks other than 0 return no counts
        print(json.dumps(counts))
    return 0
