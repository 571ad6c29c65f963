"""LLM-AggreFact (Tang et al., 2024; ``lytang/LLM-AggreFact`` on the Hugging Face hub).

Records hold ``dataset``, ``doc``, ``claim`` and ``label`` (1 = supported). PATH is a CSV,
JSONL or Parquet file, a folder of Parquet files (the hub repository's ``data/dev-*.parquet``,
``data/test-*.parquet``: the split is the name before the first ``-``), or a ``datasets``
``save_to_disk`` folder (a ``DatasetDict``: its split names; a ``Dataset``: none). A record's
split is its ``split`` (or ``cut``) field, else its file's or ``DatasetDict``'s split.

Balanced accuracy is measured on the rows of the test split (``test``; every row when the rows
have no split). With a dev split named, each dataset's threshold is tuned on its rows of that
split; without one, the threshold is fixed.
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis.benchmark import fields as F
from analysis.benchmark.fields import Benchmark, example
from lightning_modules.data.readers import DataError

SHARD = re.compile(r"^(?P<split>[A-Za-z0-9_]+?)-\d+-of-\d+\.parquet$")
"""A hub Parquet shard's name: ``<split>-00000-of-00001.parquet``."""


def _shard_split(path: Path) -> str | None:
    match = SHARD.match(path.name)
    return match["split"] if match else None


def sources(path: Path) -> list[tuple[str, object, str | None]]:
    """``(name for messages, iterator of (row, record), split or None)`` per part of ``path``."""
    saved = any((path / name).is_file() for name in ("dataset_dict.json", "state.json"))
    if path.is_dir() and saved:
        import datasets

        data = datasets.load_from_disk(str(path))
        if isinstance(data, datasets.DatasetDict):
            return [(f"{path}[{name}]", enumerate(part, start=1), name)
                    for name, part in data.items()]
        return [(str(path), enumerate(data, start=1), None)]
    if path.is_dir():
        files = sorted(path.rglob("*.parquet")) or sorted(path.glob("*.csv")) + \
            sorted(path.glob("*.jsonl"))
        if not files:
            raise DataError(f"{path}: no save_to_disk dataset, Parquet, CSV or JSONL file")
        return [(str(f), F.records(f), _shard_split(f)) for f in files]
    return [(str(path), F.records(path), _shard_split(path))]


def _cut(split, dev_split: str | None, test_split: str, name: str, row: int) -> str | None:
    """``test``, ``val`` (the dev split) or ``None`` (a split not used)."""
    if split is None:
        if dev_split:
            F.fail(name, row, "split", "missing (--dev-split needs a split or cut field)")
        return "test"
    if str(split) == test_split:
        return "test"
    return "val" if dev_split and str(split) == dev_split else None


def load_llm_aggrefact(path, score_columns=(), dev_split: str | None = None,
                       test_split: str = "test") -> Benchmark:
    """The benchmark's rows of ``test_split`` (and of ``dev_split``, the val cut, if named)."""
    path, out, seen = Path(path), [], set()
    parts = sources(path)
    for name, rows, part_split in parts:
        for row, r in rows:
            split = r.get("split", r.get("cut", part_split))
            seen.add(split)
            cut = _cut(split, dev_split, test_split, name, row)
            if cut is None:
                continue
            dataset = F.text(r, "dataset", name, row)
            out.append(example("llm-aggrefact", name, row, dataset, F.text(r, "doc", name, row),
                               F.text(r, "claim", name, row), F.scores(r, score_columns, name, row),
                               label=F.binary(r, "label", name, row), cut=cut))
    if not any(ex["cut"] == "test" for ex in out):
        found = ", ".join(sorted(map(str, seen)))
        raise DataError(f"{path}: no row of the test split {test_split!r} (splits: {found})")
    return Benchmark("llm-aggrefact", "threshold", out, [n for n, _, _ in parts],
                     mean_over_datasets=True)
