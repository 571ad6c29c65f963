"""Records of a benchmark file and checks of one field at a time.

A record's *row* is its position in the file, from 1: the N-th record after a CSV's header, the
N-th line of a JSONL file, the N-th element of a JSON list or Parquet table. Every problem is a
:class:`~lightning_modules.data.readers.DataError` in one line::

    aggre_fact_final.csv: row 12: field 'label': expected 0 or 1, got '2'

Standard library only (Parquet through ``pyarrow`` when such a file is read).
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from lightning_modules.data.readers import DataError

CSV_FIELD_LIMIT = 2 ** 31 - 1
"""Longest CSV field read, in characters (documents are longer than ``csv``'s default)."""
BINARY = (0, 1)
"""The labels of a binary benchmark: 1 = consistent (supported, grounded), 0 = not."""


def fail(path, row: int, field: str, problem: str):
    """Raise the one-line :class:`DataError` naming ``path``, ``row`` and ``field``."""
    raise DataError(f"{path}: row {row}: field {field!r}: {problem}")


def records(path: str | Path) -> Iterator[tuple[int, dict]]:
    """Yield ``(row, record)`` of a ``.csv``, ``.json`` (a list), ``.jsonl`` or ``.parquet``
    file; a missing file, broken JSON or a record that is not an object raises."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    reader = {".csv": _csv, ".json": _json, ".parquet": _parquet}.get(path.suffix, _jsonl)
    for row, record in reader(path):
        if not isinstance(record, dict):
            fail(path, row, "<row>", f"expected an object, got {type(record).__name__}")
        yield row, record


def _csv(path: Path):
    csv.field_size_limit(CSV_FIELD_LIMIT)
    with path.open(encoding="utf-8", newline="") as f:
        for row, record in enumerate(csv.DictReader(f), start=1):
            yield row, {k: v for k, v in record.items() if k is not None}


def _jsonl(path: Path):
    with path.open(encoding="utf-8") as f:
        for row, line in enumerate(f, start=1):
            if line.strip():
                yield row, _parse(line, path, row)


def _json(path: Path):
    data = _parse(path.read_text(encoding="utf-8"), path, 1)
    if not isinstance(data, list):
        fail(path, 1, "<file>", f"expected a JSON list of records, got {type(data).__name__}")
    yield from enumerate(data, start=1)


def _parquet(path: Path):
    import pyarrow.parquet as pq

    yield from enumerate(pq.read_table(path).to_pylist(), start=1)


def _parse(text: str, path, row: int):
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        fail(path, row, "<row>", f"invalid JSON ({err.msg})")


def text(record: dict, field: str, path, row: int) -> str:
    """The string ``record[field]`` (empty allowed: a scorer gives it no score)."""
    if field not in record:
        fail(path, row, field, "missing")
    value = record[field]
    if not isinstance(value, str):
        fail(path, row, field, f"expected a string, got {type(value).__name__}")
    return value


def binary(record: dict, field: str, path, row: int) -> int:
    """The label ``record[field]`` as 0 or 1: a number, bool or numeric string equal to one."""
    if field not in record:
        fail(path, row, field, "missing")
    value = record[field]
    number = _float(value)
    if number not in BINARY:
        fail(path, row, field, f"expected 0 or 1, got {value!r}")
    return int(number)


def choice(record: dict, field: str, allowed, path, row: int) -> str:
    """``record[field]``, one of ``allowed`` (a cut, a split)."""
    if field not in record or record[field] in (None, ""):
        fail(path, row, field, "missing")
    if record[field] not in allowed:
        fail(path, row, field, f"expected one of {', '.join(allowed)}, got {record[field]!r}")
    return record[field]


def fraction(record: dict, field: str, path, row: int) -> float:
    """A human score in [0, 1] (FRANK's ``Factuality``)."""
    if field not in record:
        fail(path, row, field, "missing")
    number = _float(record[field])
    if number is None or not 0 <= number <= 1:
        fail(path, row, field, f"expected a number in [0, 1], got {record[field]!r}")
    return number


def score(record: dict, name: str, path, row: int) -> float | None:
    """The score of column ``<name>_score``: a float, or ``None`` where the cell is empty,
    null or NaN (the example is unscored); a column the record lacks raises."""
    field = f"{name}_score"
    if field not in record:
        fail(path, row, field, "missing (no such score column)")
    value = record[field]
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _float(value)
    if number is None and not _is_nan(value):
        fail(path, row, field, f"expected a number, got {value!r}")
    return number


def _float(value) -> float | None:
    """``value`` as a finite float, else ``None``."""
    if isinstance(value, (list, dict)) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _is_nan(value) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def scores(record: dict, names, path, row: int) -> dict[str, float | None]:
    """``{name: score}`` of each score column named (see :func:`score`)."""
    return {name: score(record, name, path, row) for name in names}


@dataclass
class Benchmark:
    """A benchmark's examples and how its statistics read them."""

    format: str
    kind: str
    """``threshold`` (balanced accuracy at a threshold, and AUROC), ``auroc`` (ROC AUC only)
    or ``correlation`` (with a human score)."""
    examples: list[dict]
    sources: list[str]
    mean_over_datasets: bool = False
    """Whether the benchmark reports each scorer's mean over its datasets."""
    control: str | None = None
    """A categorical field whose effect partial correlations remove (FRANK: ``system``)."""


def example(fmt: str, source, row: int, dataset: str, document: str, summary: str,
            scores: dict, groups=None, **extra) -> dict:
    """One example; ``groups`` defaults to its dataset alone."""
    digest = hashlib.sha1(f"{document}\0{summary}".encode()).hexdigest()[:12]
    return {"key": f"{fmt}:{Path(str(source)).name}:{row}:{digest}", "dataset": dataset,
            "groups": list(groups or [dataset]), "document": document, "summary": summary,
            "cut": None, "scores": scores, **extra}
