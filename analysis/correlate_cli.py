"""``quals-bench correlate TABLE --human COL --metrics COL [COL ...] [--control COL] --out OUT.json``.

TABLE is JSON (a list of objects), JSONL or CSV, one row per summary. OUT.json maps each metric
column to ``n``, ``pearson``/``spearman``/``kendall`` with p-values and bootstrap CIs, and holds
``williams``: for each ordered pair "A>B" the one-sided p-value that A correlates more with the
human score than B. Each metric's statistics use the rows where it and the human column have
numbers (its ``dropped`` counts the others); the Williams tests use the rows where every metric
has one (the top-level ``dropped`` counts the others).

``--control COLUMN`` (categorical, e.g. the system) adds, per metric, three correlations with
the column's effect removed by least squares on its one-hot groups, each with a ``_p`` value
(:func:`analysis.correlation.partial_correlation`): ``partial_pearson`` (Pearson r of the
residuals), ``partial_spearman`` (the textbook partial Spearman: Pearson r of the residuals of
the ranks) and ``residual_spearman`` (Spearman rho of the residuals of the raw values, as
FRANK's evaluation script computes it), and ``df``, the partial ones' degrees of freedom.
OUT.json is strict JSON: an undefined statistic is ``null``.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
from pathlib import Path

import numpy as np

from analysis.correlation import correlations, partial_correlation, williams
from lightning_modules.jsonl import write_json  # standard library only: no torch


def read_table(path: Path) -> list[dict]:
    """Rows of a JSON, JSONL or CSV table."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".csv":
        return list(csv.DictReader(text.splitlines()))
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)


def check_columns(rows: list[dict], path, columns: list[str]) -> None:
    """Raise ``ValueError`` naming the table and column if the table is empty or a column
    is in no row (a typo would otherwise give ``n: 0`` and null statistics)."""
    if not rows:
        raise ValueError(f"{path}: the table has no rows")
    present = set().union(*(r.keys() for r in rows if isinstance(r, dict)))
    missing = [c for c in columns if c not in present]
    if missing:
        raise ValueError(f"{path}: no column {', '.join(map(repr, missing))}; "
                         f"columns: {', '.join(sorted(present))}")


def _number(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def correlate(rows: list[dict], human: str, metrics: list[str], control: str | None,
              rng: np.random.Generator, n_resamples: int = 1000) -> dict:
    """The statistics described in the module docstring."""
    def usable(r, cols):
        return (all(_number(r.get(c)) is not None for c in cols)
                and (control is None or r.get(control) not in (None, "")))

    kept = [r for r in rows if usable(r, [human, *metrics])]
    columns = {c: np.array([_number(r[c]) for r in kept]) for c in [human, *metrics]}
    out = {"dropped": len(rows) - len(kept)}
    for m in metrics:
        own = [r for r in rows if usable(r, [human, m])]  # a metric's sentinels drop its rows only
        x, y = (np.array([_number(r[c]) for r in own]) for c in (m, human))
        out[m] = {**correlations(x, y, rng, n_resamples), "dropped": len(rows) - len(own)}
        if control and len(own) >= 3:
            out[m].update(partial_correlation(x, y, [r[control] for r in own]))
    out["williams"] = {}  # on the rows every metric scored
    for a, b in itertools.permutations(metrics, 2):
        if len(kept) < 4:
            out["williams"][f"{a}>{b}"] = float("nan")
            continue
        with np.errstate(invalid="ignore", divide="ignore"):  # a constant column: NaN, then null
            r = np.corrcoef(np.vstack([columns[human], columns[a], columns[b]]))
        out["williams"][f"{a}>{b}"] = williams(r[0, 1], r[0, 2], r[1, 2], len(kept))
    return out


def build_parser() -> argparse.ArgumentParser:
    """The ``quals-bench correlate`` parser."""
    from experiments.cli import HelpFormatter

    p = argparse.ArgumentParser(prog="quals-bench correlate", description=__doc__,
                                formatter_class=HelpFormatter)
    p.add_argument("table", type=Path, help="JSON, JSONL or CSV, one row per summary")
    p.add_argument("--human", required=True, help="the column of human scores")
    p.add_argument("--metrics", required=True, nargs="+", help="the metric columns")
    p.add_argument("--control", help="a categorical column whose effect is removed (partial "
                                     "correlations)")
    p.add_argument("--out", required=True, type=Path, help="JSON file to write")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap CIs")
    p.add_argument("--n-resamples", type=int, default=1000, help="bootstrap resamples")
    return p


def main(argv: list[str]) -> int:
    """Parse arguments, compute, write OUT.json."""
    p = build_parser()
    a = p.parse_args(argv)
    if not a.table.is_file():
        p.error(f"{a.table}: no such file")
    rows = read_table(a.table)
    try:
        check_columns(rows, a.table, [a.human, *a.metrics, *([a.control] if a.control else [])])
    except ValueError as err:
        p.error(str(err))
    result = correlate(rows, a.human, a.metrics, a.control, np.random.default_rng(a.seed),
                       a.n_resamples)
    write_json(a.out, result)
    print(f"wrote {a.out} ({result['dropped']} rows dropped)")
    return 0
