"""Read run directories: the per-example score files the evaluation callback writes."""

from __future__ import annotations

import json
import math
from pathlib import Path

METRIC_COLUMNS = ("rouge1", "rouge2", "rougeL", "factcc", "qags", "quals", "hallucinated")


def load_scores(run_dir: str | Path, stage: str = "test") -> list[dict]:
    """Return the records of ``<run_dir>/scores/<stage>.jsonl`` (one per example)."""
    path = Path(run_dir) / "scores" / f"{stage}.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no per-example scores (run the test stage first)")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def aligned(systems: dict[str, list[dict]], metric: str) -> tuple[list[str], dict[str, list[float]]]:
    """Return (ids, system -> values) over the examples every system scored (no sentinel, no NaN),
    paired by example id, in the first system's order."""
    by_id = {name: {r["id"]: r.get(metric) for r in records} for name, records in systems.items()}
    first = next(iter(systems.values()))
    ids = [r["id"] for r in first
           if all(_ok(by_id[name].get(r["id"])) for name in systems)]
    return ids, {name: [float(by_id[name][i]) for i in ids] for name in systems}


def _ok(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))
