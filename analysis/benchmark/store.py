"""``DIR/scores.jsonl``: each example's score per scorer, kept across runs into one DIR.

One line per example: ``key`` (see :func:`analysis.benchmark.formats.example`), ``format``,
``dataset``, ``cut``, the gold ``label`` or ``human`` score, ``system`` where known, and
``scores`` (``{scorer: value}``; ``null``: the scorer gave that example no score). A later run
merges by key: scores read or computed now are added to (or replace) the stored ones, scores of
other scorers stay, and lines of examples not in this run are kept as they were.
"""

from __future__ import annotations

from pathlib import Path

from lightning_modules.data.readers import read_objects
from lightning_modules.jsonl import write_jsonl

FIELDS = ("key", "format", "dataset", "cut", "label", "human", "system")
"""The fields of an example written beside its scores (the texts stay in the benchmark)."""


def read_store(path: str | Path) -> dict[str, dict]:
    """``key -> line`` of a ``scores.jsonl`` (empty when there is none)."""
    path = Path(path)
    return {line["key"]: line for line in read_objects(path)} if path.is_file() else {}


def restore(examples: list[dict], store: dict[str, dict]) -> None:
    """Give each example the scores stored for its key, under the ones it already has (the
    score columns of its file win), in place."""
    for ex in examples:
        stored = store.get(ex["key"], {}).get("scores", {})
        ex["scores"] = {**stored, **ex["scores"]}


def line(example: dict, fmt: str) -> dict:
    """The stored line of ``example``."""
    out = {name: example[name] for name in FIELDS if example.get(name) is not None}
    return {**out, "format": fmt, "scores": dict(example["scores"])}


def write_store(path: str | Path, examples: list[dict], fmt: str, store: dict[str, dict]) -> Path:
    """Write the examples' lines, then the stored lines of other keys, atomically."""
    mine = [line(ex, fmt) for ex in examples]
    keys = {ex["key"] for ex in examples}
    return write_jsonl(path, mine + [v for k, v in store.items() if k not in keys])
