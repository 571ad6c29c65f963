"""A system trained once per seed, read as one: means over seeds, their range, and per-example
scores averaged over seeds (for a paired test over documents that accounts for the seeds)."""

from __future__ import annotations

import math
from collections.abc import Iterable


def finite(value) -> bool:
    """Whether ``value`` is a finite int or float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def mean_over_runs(runs: list[dict]) -> dict:
    """Each key's mean over the runs' values that are finite numbers; a key no run has a finite
    value for keeps the first run's value (``None``, NaN, or a non-number)."""
    out = {}
    for key in dict.fromkeys(k for run in runs for k in run):
        values = [run[key] for run in runs if finite(run.get(key))]
        out[key] = sum(values) / len(values) if values else runs[0].get(key)
    return out


def range_over_runs(runs: list[dict]) -> dict[str, list[float]]:
    """``[min, max]`` over the runs of each key with a finite value in some run."""
    keys = dict.fromkeys(k for run in runs for k in run)
    return {key: [min(values), max(values)] for key in keys
            if (values := [run[key] for run in runs if finite(run.get(key))])}


def seed_averaged(records_by_run: Iterable[list[dict]]) -> list[dict]:
    """Per-example records averaged over runs, matched by ``id``, in the first run's order: a
    numeric column is the mean over runs when every run has a finite value, else ``None``;
    other columns are the first run's. Examples some run lacks are left out."""
    runs = [{r["id"]: r for r in records} for records in records_by_run]
    first = runs[0]
    out = []
    for example_id, row in first.items():
        rows = [run.get(example_id) for run in runs]
        if any(r is None for r in rows):
            continue
        out.append({key: _averaged(key, value, rows) for key, value in row.items()})
    return out


def _averaged(key: str, value, rows: list[dict]):
    if key == "id" or isinstance(value, bool) or not isinstance(value, (int, float, type(None))):
        return value
    values = [r.get(key) for r in rows]
    return sum(values) / len(values) if all(finite(v) for v in values) else None
