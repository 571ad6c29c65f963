"""FRANK (Pagnoni et al., 2021; github.com/artidoro/frank): a folder with the released
``benchmark_data.json`` (``hash``, ``model_name``, ``article``, ``summary``, ``reference``, ...)
and ``human_annotations.json`` (``hash``, ``model_name``, ``Factuality``, ``dataset``,
``split``, ...), joined on (``hash``, ``model_name``) as FRANK's ``evaluate.py`` joins them.

The human score is ``Factuality`` (the share of a summary's sentences without an error); the
summarizer (``model_name``) is the control of the partial correlations. Results: ``all`` and one
per ``dataset`` (``cnndm``, ``bbc``). Score columns are read from ``benchmark_data.json``.
"""

from __future__ import annotations

from pathlib import Path

from analysis.benchmark import fields as F
from analysis.benchmark.fields import Benchmark, example
from lightning_modules.data.readers import DataError

FILES = ("benchmark_data.json", "human_annotations.json")


def _ident(record: dict, field: str, path, row: int) -> str:
    """An identifier field (a string, or an integer as some ids are) as a string."""
    value = record.get(field)
    if value is None:
        F.fail(path, row, field, "missing")
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        F.fail(path, row, field, f"expected a string, got {type(value).__name__}")
    return str(value)


def _index(path: Path) -> dict[tuple[str, str], tuple[int, dict]]:
    """``(hash, model_name) -> (row, record)`` of ``benchmark_data.json``; a pair twice raises."""
    index = {}
    for row, r in F.records(path):
        pair = (_ident(r, "hash", path, row), _ident(r, "model_name", path, row))
        if pair in index:
            F.fail(path, row, "hash", f"hash and model_name {pair} also on row {index[pair][0]}")
        index[pair] = (row, r)
    return index


def load_frank(path, score_columns=(), split: str | None = None) -> Benchmark:
    """Every annotated summary (only those of ``split``, ``valid`` or ``test``, if given)."""
    folder = Path(path)
    bench_file, human_file = (folder / name for name in FILES)
    for file in (bench_file, human_file):
        if not file.is_file():
            raise DataError(f"{file}: no such file (FRANK needs {' and '.join(FILES)})")
    index, out = _index(bench_file), []
    for row, h in F.records(human_file):
        if split is not None and F.text(h, "split", human_file, row) != split:
            continue
        pair = (_ident(h, "hash", human_file, row), _ident(h, "model_name", human_file, row))
        if pair not in index:
            F.fail(human_file, row, "hash",
                   f"no record of {FILES[0]} has hash and model_name {pair}")
        b_row, b = index[pair]
        dataset = h.get("dataset")
        groups = ["all"] + ([str(dataset)] if dataset else [])
        out.append(example("frank", human_file, row, groups[-1],
                           F.text(b, "article", bench_file, b_row),
                           F.text(b, "summary", bench_file, b_row),
                           F.scores(b, score_columns, bench_file, b_row), groups,
                           human=F.fraction(h, "Factuality", human_file, row), system=pair[1]))
    if not out:
        raise DataError(f"{human_file}: no annotated summary of split {split!r}")
    return Benchmark("frank", "correlation", out, [str(bench_file), str(human_file)],
                     control="system")
