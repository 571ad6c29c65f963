"""What the QUALS benchmarks share: the ``--threads`` and ``--json`` options, the first test
documents of a corpus folder, and writing the figures (strict JSON, atomically)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import torch

from lightning_modules.data.readers import RowReader
from lightning_modules.jsonl import write_json


def add_output_options(p: argparse.ArgumentParser) -> None:
    """Add ``--threads`` (torch threads, 0: leave as is) and ``--json`` (figures file)."""
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: leave as is)")
    p.add_argument("--json", help="write the figures here")


def apply_threads(a: argparse.Namespace) -> None:
    """Set torch's thread count from ``--threads`` where it is given."""
    if a.threads:
        torch.set_num_threads(a.threads)


def test_documents(corpus: str | Path, n: int) -> tuple[list[str], list[str]]:
    """The first ``n`` test documents of a corpus folder and their reference summaries."""
    rows = [r for _, r in zip(range(n), RowReader().read_jsonl_raw(Path(corpus) / "test.jsonl"))]
    return [r["document"] for r in rows], [r["summary"] for r in rows]


def write_figures(a: argparse.Namespace, result: dict) -> None:
    """Write ``result`` to ``--json`` where it is given."""
    if a.json:
        write_json(a.json, result)


def load_note(before: tuple, cores: int | None = None) -> str | None:
    """A one-line warning when the machine's one-minute load average before the measurement
    (``os.getloadavg()``) reached its core count, so other jobs held the cores; else None.
    Ratios between scorers move with the load: a busy machine slows a Python-heavy search more
    than a batched one."""
    cores = cores or os.cpu_count() or 1
    if before[0] < cores:
        return None
    return (f"note: load average {before[0]:.1f} on {cores} cores before the run: other jobs "
            "held the cores, so these rates and their ratio are not a quiet machine's")
