"""A user's summarization data, every split at once, from any of the forms ``--data`` takes.

* a folder of ``{train,validation,test}.jsonl`` (or ``.csv``, with a header line) files;
* a folder written by ``datasets.DatasetDict.save_to_disk`` (it holds ``dataset_dict.json``);
* a Hugging Face dataset name (``xsum``, ``abisee/cnn_dailymail``), read with
  ``datasets.load_dataset``: from the hub, or offline (``HF_HUB_OFFLINE=1``) from its local cache.

Rows come out as :class:`~lightning_modules.data.readers.RowReader` makes them:
``{"id", "document", "summary", **kept fields}``. The document and summary field names are
settings (the known hub datasets default to their own, ``readers.HF_FIELDS``). Bad data is a
one-line :class:`~lightning_modules.data.readers.DataError` naming the folder or file, the line
and the field: a folder that does not exist, a missing split, a row without a document, an
empty summary. Whether the rows carry fact tables (``facts``, which the oracle needs) is
reported by :meth:`Splits.report`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from lightning_modules.data.readers import (HF_FIELDS, DataError, RowReader, first_rows,
                                             load_hf_split)

SPLITS = ("train", "validation", "test")
FILE_FORMATS = ("jsonl", "csv")


def local_only(name: str) -> bool:
    """Whether ``name`` can only mean a local path, never a hub name: it starts with ``/``,
    ``.`` or ``~``, or has more than one ``/`` (a hub name is ``name`` or ``owner/name``)."""
    return str(name).startswith(("/", ".", "~")) or str(name).count("/") > 1


def data_source(data: str) -> str:
    """``jsonl`` or ``csv`` (a folder of split files) or ``hf`` (a ``save_to_disk`` folder or a
    dataset name); a folder that does not exist, or holds neither, is a :class:`DataError`."""
    path = Path(data).expanduser()
    if path.is_dir():
        if (path / "dataset_dict.json").is_file():
            return "hf"
        for fmt in FILE_FORMATS:
            if any((path / f"{split}.{fmt}").is_file() for split in SPLITS):
                return fmt
        raise DataError(f"{data}: no train/validation/test .jsonl or .csv files, and no "
                        "dataset_dict.json (a datasets save_to_disk folder)")
    if path.exists():
        raise DataError(f"{data}: a file; --data takes a folder or a dataset name")
    if local_only(data):
        raise DataError(f"{data}: no such folder")
    return "hf"


def default_fields(source: str, data: str) -> tuple[str, str]:
    """The (document, summary) field names of ``data``: a known hub dataset's own, else
    ``document`` and ``summary``."""
    return HF_FIELDS.get(data, ("document", "summary")) if source == "hf" else ("document", "summary")


def _hf_split(data: str, split: str, config: str | None):
    """One split of a ``save_to_disk`` folder or hub dataset; a missing split, or a dataset the
    loader cannot reach (offline and not cached), is a one-line :class:`DataError`."""
    try:
        return load_hf_split(data, split, config)
    except KeyError:
        raise DataError(f"{data}: missing split {split!r}") from None
    except (OSError, ValueError) as err:
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        local = "" if Path(data).expanduser().exists() else "no such folder, and "
        raise DataError(f"{data}: split {split!r}: {local}datasets.load_dataset failed: "
                        f"{first}") from None


def split_rows(source: str, data: str, split: str, reader: RowReader,
               hf_config: str | None = None) -> Iterator[dict]:
    """The rows of one split of ``data`` (``source`` from :func:`data_source`; ``synthetic``
    is a corpus folder of JSONL files). A missing split file raises here, before any row."""
    if source == "hf":
        return reader.read_hf(_hf_split(data, split, hf_config), f"{data}:{split}")
    fmt = "csv" if source == "csv" else "jsonl"
    path = Path(data).expanduser() / f"{split}.{fmt}"
    if not path.is_file():
        raise DataError(f"{path}: missing split {split!r} (expected "
                        f"{', '.join(f'{s}.{fmt}' for s in SPLITS)} in {data})")
    return reader.read_file(path)


@dataclass
class Splits:
    """The rows of each split of a user's data, and where they came from."""

    data: str
    source: str
    rows: dict[str, list[dict]]
    skipped: dict[str, int]
    """Bad rows skipped (``on_bad_row="skip"``), by problem."""

    def facts(self) -> dict[str, int]:
        """How many rows of each split carry a fact table (``facts``)."""
        return {split: sum("facts" in r for r in rows) for split, rows in self.rows.items()}

    @property
    def has_facts(self) -> bool:
        """Whether every row of every split has a fact table (the oracle can judge them all)."""
        return all(n == len(self.rows[split]) for split, n in self.facts().items())

    def report(self) -> dict:
        """``{data, source, rows: {split: n}, facts: {split: n}, has_facts, skipped}``."""
        return {"data": self.data, "source": self.source,
                "rows": {split: len(rows) for split, rows in self.rows.items()},
                "facts": self.facts(), "has_facts": self.has_facts, "skipped": self.skipped}


def load_splits(data: str, document_field: str | None = None, summary_field: str | None = None,
                splits: tuple[str, ...] = SPLITS, limit: int | None = None,
                on_bad_row: str = "raise", hf_config: str | None = None) -> Splits:
    """Read ``splits`` of ``data`` (a folder or dataset name, see the module docstring), at most
    ``limit`` rows each (``None``: all); a split without a valid row is a :class:`DataError`."""
    source = data_source(data)
    doc_f, sum_f = default_fields(source, data)
    reader = RowReader(document_field or doc_f, summary_field or sum_f, on_bad_row)
    rows = {}
    for split in splits:
        rows[split] = first_rows(split_rows(source, data, split, reader, hf_config), limit)
        if not rows[split]:
            raise DataError(f"{data}: split {split!r} has no usable rows")
    return Splits(data, source, rows, dict(reader.skipped))
