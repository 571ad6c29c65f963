"""``quals-bench score``: score a JSONL file with a metric, resumably.

    quals-bench score --metric quals --model QAGEN.ckpt --input IN.jsonl --output OUT.jsonl

Each input line holds ``document`` and ``summary`` (and ``reference`` where a metric needs
one); each output line is the input line plus ``score`` and ``explanation``, in input order.

Resumable: finished chunks are appended to a cache (``OUT.jsonl.cache`` by default), one line
per example keyed by the SHA-256 of (metric settings, model, document, summary, reference). A
re-run scores only what the cache lacks; a line cut short by a kill is ignored. The output is
written to a temporary file and renamed at the end, so a killed run leaves no half-written
output. Bad rows (missing field, non-string, broken JSON) raise an error naming line and field,
or with ``--on-bad-row sentinel`` get ``score: null`` and the problem in ``explanation``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from pathlib import Path

FIELDS = ("document", "summary")


class InputError(ValueError):
    """An input line cannot be scored; the message names file, line and field."""


def read_rows(path: Path, on_bad_row: str) -> list[tuple[dict, str | None]]:
    """Return (row, problem or None) per line; raise :class:`InputError` unless sentinel mode."""
    out = []
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            problem, row = None, {}
            try:
                row = json.loads(raw.decode("utf-8"))
                if not isinstance(row, dict):
                    raise ValueError("not a JSON object")
                for name in FIELDS:
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


def load_cache(path: Path) -> dict[str, dict]:
    """Read finished results; a last line cut short by a kill is ignored."""
    cache = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
                cache[entry["key"]] = entry
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
    return cache


def append_cache(path: Path, entries: list[dict]) -> None:
    """Append finished results and force them to disk."""
    with open(path, "a", encoding="utf-8") as f:
        if f.tell() and not path.read_bytes().endswith(b"\n"):
            f.write("\n")  # a previous kill left a partial line: start a fresh one
        for entry in entries:
            f.write(json.dumps(entry) + "\n")
        f.flush()
        os.fsync(f.fileno())


def score_file(scorer, settings: dict, inp: Path, out: Path, cache_path: Path | None = None,
               chunk: int = 16, on_bad_row: str = "raise", log=print) -> dict:
    """Score ``inp`` into ``out`` through the cache; return counts."""
    cache_path = cache_path or out.with_name(out.name + ".cache")
    rows = read_rows(inp, on_bad_row)
    cache = load_cache(cache_path)
    keys = [example_key(settings, row) for row, _ in rows]
    todo = [i for i, (key, (_, problem)) in enumerate(zip(keys, rows))
            if problem is None and key not in cache]
    for start in range(0, len(todo), chunk):
        batch = todo[start:start + chunk]
        got = scorer.score([rows[i][0]["document"] for i in batch],
                           [rows[i][0]["summary"] for i in batch],
                           [rows[i][0].get("reference", "") for i in batch])
        column = got.scores[scorer.name] if scorer.name in got.scores else next(iter(got.scores.values()))
        entries = [{"key": keys[i], "score": column[k], "explanation": got.explanations[k]}
                   for k, i in enumerate(batch)]
        append_cache(cache_path, entries)
        cache.update({e["key"]: e for e in entries})
        log(f"scored {min(start + chunk, len(todo))}/{len(todo)}")
    write_output(out, rows, keys, cache)
    sentinels = sum(1 for (row, p), k in zip(rows, keys) if p or cache[k]["score"] is None)
    return {"rows": len(rows), "computed": len(todo), "from_cache": len(rows) - len(todo),
            "sentinel": sentinels}


def write_output(out: Path, rows, keys, cache) -> None:
    """Write the output lines in input order, atomically."""
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for (row, problem), key in zip(rows, keys):
            if problem:
                result = {"score": None, "explanation": {"status": f"bad input: {problem}"}}
            else:
                result = {"score": cache[key]["score"], "explanation": cache[key]["explanation"]}
            f.write(json.dumps({**row, **result}) + "\n")
    os.replace(tmp, out)


def build_scorer(metric: str, model: str | None, a) -> tuple[object, dict]:
    """Return (scorer, settings that enter the cache key)."""
    if metric == "quals":
        from lightning_modules.metrics.quals import QualsConfig, QualsScorer, config_dict

        import yaml

        fields = yaml.safe_load(a.config.read_text()) if a.config else {}
        cfg = QualsConfig(**fields)
        stat = Path(model).stat()
        fingerprint = {"model": str(Path(model).resolve()), "size": stat.st_size, "mtime": stat.st_mtime}
        return QualsScorer.from_checkpoint(model, cfg), {"metric": metric, **config_dict(cfg), **fingerprint}
    if metric == "rouge":
        from lightning_modules.metrics.rouge import RougeScorer

        return RougeScorer(), {"metric": metric}
    raise SystemExit(f"unknown metric {metric!r} (available: quals, rouge)")


def main(argv: list[str]) -> int:
    """Parse arguments and score the file."""
    p = argparse.ArgumentParser(prog="quals-bench score", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--metric", required=True, choices=["quals", "rouge"])
    p.add_argument("--model", help="QAGen checkpoint (.ckpt) for quals")
    p.add_argument("--input", required=True, type=Path)
    p.add_argument("--output", required=True, type=Path)
    p.add_argument("--cache", type=Path, help="cache file (default: OUTPUT.cache)")
    p.add_argument("--config", type=Path, help="QUALS settings YAML (experiments/configs/quals.yaml)")
    p.add_argument("--chunk", type=int, default=16, help="examples per cached chunk")
    p.add_argument("--on-bad-row", default="raise", choices=["raise", "sentinel"])
    a = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if a.metric == "quals" and not a.model:
        p.error("--model is required for quals")
    scorer, settings = build_scorer(a.metric, a.model, a)
    try:
        counts = score_file(scorer, settings, a.input, a.output, a.cache,
                            chunk=a.chunk, on_bad_row=a.on_bad_row)
    except InputError as err:
        print(f"error: {err}")
        return 2
    print(json.dumps(counts))
    return 0
