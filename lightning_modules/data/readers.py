"""Readers for summarization data: JSONL, CSV and Hugging Face datasets.

Each reader yields ``{"id", "document", "summary", **extras}`` rows. A bad row (missing field,
empty or non-string text, undecodable bytes, broken JSON) raises :class:`DataError` naming
file, line and field, or, with ``on_bad_row="skip"``, is skipped and counted in the reader's
``skipped`` counter; it is never dropped silently.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

# Field names of the datasets the paper uses, as published on the Hugging Face hub.
HF_FIELDS = {
    "xsum": ("document", "summary"),
    "EdinburghNLP/xsum": ("document", "summary"),
    "cnn_dailymail": ("article", "highlights"),
    "abisee/cnn_dailymail": ("article", "highlights"),
}
HF_CONFIGS = {"cnn_dailymail": "3.0.0", "abisee/cnn_dailymail": "3.0.0"}


class DataError(ValueError):
    """A row of an input file cannot be used; the message names file, line and field."""


@dataclass
class RowReader:
    """Validate rows and map their fields to ``document`` and ``summary``."""

    document_field: str = "document"
    summary_field: str = "summary"
    on_bad_row: str = "raise"
    keep_fields: tuple[str, ...] = ("id", "facts", "event_type", "reference_hallucinated")
    skipped: Counter = field(default_factory=Counter)

    def __post_init__(self):
        if self.on_bad_row not in ("raise", "skip"):
            raise ValueError(f"on_bad_row must be 'raise' or 'skip', not {self.on_bad_row!r}")

    def bad(self, where: str, field_name: str, problem: str) -> None:
        """Raise, or count the bad row under ``problem`` when skipping."""
        if self.on_bad_row == "raise":
            raise DataError(f"{where}: field {field_name!r}: {problem}")
        self.skipped[problem] += 1

    def convert(self, row, where: str, index: int) -> dict | None:
        """Return the row as ``{"id", "document", "summary", ...}``, or None if skipped."""
        if not isinstance(row, dict):
            self.bad(where, "<row>", f"expected an object, got {type(row).__name__}")
            return None
        out = {"id": str(row.get("id", index))}
        for name, key in (("document", self.document_field), ("summary", self.summary_field)):
            value = row.get(key)
            problem = ("missing" if key not in row else
                       f"expected a string, got {type(value).__name__}" if not isinstance(value, str)
                       else "empty text" if not value.strip() else None)
            if problem:
                self.bad(where, key, problem)
                return None
            out[name] = value
        out.update({k: row[k] for k in self.keep_fields if k in row and k != "id"})
        return out

    def check_qa(self, row: dict, where: str) -> bool:
        """Whether a QA row has non-empty string passage, question and answer (else bad())."""
        for name in ("document", "question", "answer"):
            value = row.get(name)
            if not isinstance(value, str) or not value.strip():
                self.bad(where, name, "missing" if value is None else "empty or not a string")
                return False
        return True

    def _objects(self, path: Path) -> Iterator[tuple[int, object]]:
        """Yield (line number, parsed JSON) per non-blank line; bad lines go to ``bad``."""
        for number, line in self._lines(path):
            if line is None or not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as err:
                self.bad(f"{path}:{number}", "<line>", f"invalid JSON ({err.msg})")

    def read_jsonl_raw(self, path: str | Path) -> Iterator[dict]:
        """Yield each line's JSON object as is (decoding and JSON errors still reported)."""
        for _, obj in self._objects(Path(path)):
            yield obj

    def _lines(self, path: Path) -> Iterator[tuple[int, str | None]]:
        with path.open("rb") as f:
            for number, raw in enumerate(f, start=1):
                try:
                    yield number, raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    self.bad(f"{path}:{number}", "<line>", f"undecodable bytes ({err.reason})")
                    yield number, None

    def read_jsonl(self, path: str | Path) -> Iterator[dict]:
        """Yield the valid rows of a JSON Lines file."""
        path = Path(path)
        for number, row in self._objects(path):
            converted = self.convert(row, f"{path}:{number}", number - 1)
            if converted is not None:
                yield converted

    def read_csv(self, path: str | Path) -> Iterator[dict]:
        """Yield the valid rows of a CSV file with a header line (line numbers count it)."""
        path = Path(path)
        decoded = [line for _, line in self._lines(path)]
        reader = csv.DictReader(io.StringIO("".join(l for l in decoded if l is not None)))
        for index, row in enumerate(reader):
            row = {k: v for k, v in row.items() if k is not None}
            converted = self.convert(row, f"{path}:{reader.line_num}", index)
            if converted is not None:
                yield converted

    def read_file(self, path: str | Path) -> Iterator[dict]:
        """The valid rows of a ``.csv`` file, or else of a JSON Lines file, read lazily; a missing
        file is a :class:`DataError` naming it, raised here, before any row."""
        path = Path(path)
        if not path.is_file():
            raise DataError(f"{path}: no such file")
        return self.read_csv(path) if path.suffix == ".csv" else self.read_jsonl(path)

    def read_hf(self, dataset, where: str) -> Iterator[dict]:
        """Yield the valid rows of a Hugging Face ``Dataset`` (``where`` names it in errors)."""
        for index, row in enumerate(dataset):
            converted = self.convert(row, f"{where}[{index}]", index)
            if converted is not None:
                yield converted


def first_rows(rows, limit: int | None) -> list[dict]:
    """The first ``limit`` rows of an iterable, read lazily (all of them when ``limit`` is
    ``None`` or 0)."""
    return [r for _, r in zip(range(limit) if limit else iter(int, 1), rows)]


def read_objects(path: str | Path) -> list[dict]:
    """Every line's JSON object of a JSONL file the workbench wrote (a broken line raises
    :class:`DataError` naming file:line)."""
    return list(RowReader().read_jsonl_raw(path))


def load_hf_split(name_or_path: str, split: str, config: str | None = None):
    """Load one split of a Hugging Face dataset from a local ``save_to_disk`` folder or the hub.

    A folder written by ``DatasetDict.save_to_disk`` is read with ``load_from_disk``; any other
    name goes to ``datasets.load_dataset`` (which needs the hub or its local cache).
    """
    import datasets

    path = Path(name_or_path)
    if path.is_dir() and (path / "dataset_dict.json").exists():
        return datasets.load_from_disk(str(path))[split]
    config = config or HF_CONFIGS.get(name_or_path)
    return datasets.load_dataset(name_or_path, config, split=split)
