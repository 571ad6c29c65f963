"""``quals-bench human-sheet RUN_A RUN_B --out STUDY [--n N] [--seed S]``.

Builds the blind sheet of the human study from two systems' per-example files
(``<run>/scores/<stage>.jsonl``, written by the evaluation callback): the examples both systems
summarised, paired by ``id``, ``N`` of them drawn with the seed. Writes ``STUDY/sheet.csv`` for
the annotators and ``STUDY/key.json`` (which system is ``summary_1``); hand each annotator a
copy of the sheet, put the filled copies (one CSV per annotator, any name) back in ``STUDY``
beside the key, and run ``quals-bench analyze STUDY --out REPORT``. Items whose two summaries
are identical are left out of the sheet (a forced tie tells nothing) and counted in the key.
An existing key is never overwritten: filled sheets refer to it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from analysis.human import export_sheet
from analysis.runs import load_scores


def study_items(run_a: Path, run_b: Path, stage: str = "test") -> tuple[list[dict], int]:
    """Return (items ``{id, document, a, b}`` for the examples both runs have, identical pairs)."""
    a_records, b_records = load_scores(run_a, stage), load_scores(run_b, stage)
    by_id = {r["id"]: r for r in b_records}
    items, identical = [], 0
    for line, record in enumerate(a_records, 1):
        for field in ("id", "document", "summary"):
            if field not in record:
                raise ValueError(f"{run_a}/scores/{stage}.jsonl:{line}: field {field!r} missing")
        other = by_id.get(record["id"])
        if other is None:
            continue
        if other.get("document") != record["document"]:
            raise ValueError(f"{run_b}/scores/{stage}.jsonl: field 'document' of id "
                             f"{record['id']!r} differs from {run_a}'s: not the same test set")
        if other["summary"].strip() == record["summary"].strip():
            identical += 1
            continue
        items.append({"id": record["id"], "document": record["document"],
                      "a": record["summary"], "b": other["summary"]})
    return items, identical


def write_study(run_a: Path, run_b: Path, out: Path, n: int | None, seed: int,
                names: tuple[str, str] | None = None, stage: str = "test") -> dict:
    """Sample the items and write ``sheet.csv`` and ``key.json`` under ``out``; return a summary."""
    out = Path(out)
    if (out / "key.json").exists():
        raise FileExistsError(f"{out / 'key.json'} exists: filled sheets refer to it; "
                              "choose another --out")
    system_a, system_b = names or (Path(run_a).name, Path(run_b).name)
    if system_a == system_b:
        raise ValueError(f"both systems are named {system_a!r}: pass --names A B")
    items, identical = study_items(Path(run_a), Path(run_b), stage)
    if not items:
        raise ValueError(f"{run_a} and {run_b} share no example with different summaries")
    rng = np.random.default_rng(seed)
    if n is not None and n < len(items):
        items = [items[i] for i in sorted(rng.choice(len(items), n, replace=False))]
    out.mkdir(parents=True, exist_ok=True)
    tmp_sheet, tmp_key = out / ".sheet.csv.tmp", out / ".key.json.tmp"
    try:
        export_sheet(items, system_a, system_b, tmp_sheet, tmp_key, rng,
                     extra={"seed": seed, "stage": stage, "runs": [str(run_a), str(run_b)],
                            "identical_left_out": identical})
        os.replace(tmp_sheet, out / "sheet.csv")  # the sheet first: a key always has its sheet
        os.replace(tmp_key, out / "key.json")
    finally:
        tmp_sheet.unlink(missing_ok=True)
        tmp_key.unlink(missing_ok=True)
    return {"items": len(items), "identical_left_out": identical, "system_a": system_a,
            "system_b": system_b}


def build_parser() -> argparse.ArgumentParser:
    """The ``quals-bench human-sheet`` parser."""
    from experiments.cli import HelpFormatter

    parser = argparse.ArgumentParser(prog="quals-bench human-sheet", description=__doc__,
                                     formatter_class=HelpFormatter)
    parser.add_argument("run_a", type=Path, help="run dir of the baseline (system A)")
    parser.add_argument("run_b", type=Path, help="run dir of the system compared with it (B)")
    parser.add_argument("--out", type=Path, required=True, help="study folder to create")
    parser.add_argument("--n", type=int, default=None, help="items to draw (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the draw and the order")
    parser.add_argument("--names", nargs=2, metavar=("A", "B"),
                        help="system names (default: the run folders' names)")
    parser.add_argument("--stage", default="test", help="per-example file: scores/STAGE.jsonl")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (see the module docstring)."""
    a = build_parser().parse_args(argv)
    summary = write_study(a.run_a, a.run_b, a.out, a.n, a.seed, a.names, a.stage)
    print(f"wrote {a.out / 'sheet.csv'} ({summary['items']} items, "
          f"{summary['identical_left_out']} identical pairs left out) and {a.out / 'key.json'}")
    return 0
