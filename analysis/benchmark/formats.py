"""One loader per benchmark format, each reading the released files from a local path.

Every loader returns a :class:`Benchmark`: its examples are dicts with ``key`` (stable across
runs: format, source file, row and a hash of the texts), ``dataset`` (the example's own
dataset), ``groups`` (every result it counts in, its dataset first), ``document``, ``summary``,
the gold ``label`` (1 = consistent) or ``human`` score, ``cut`` (``val``, ``test`` or ``None``),
``system`` (the summarizer, where the file names it) and ``scores`` (``{name: value}`` read
from ``<name>_score`` columns). A value that breaks a format raises the one-line
:class:`~lightning_modules.data.readers.DataError` of :mod:`analysis.benchmark.fields`.
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis.benchmark import fields as F
from analysis.benchmark.fields import Benchmark, example
from lightning_modules.data.readers import DataError

CUTS = ("val", "test")
AGGREFACT_FILES = ("aggre_fact_final.csv", "aggre_fact_sota.csv")
POOLED = {"cnndm": "AggreFact-CNN", "xsum": "AggreFact-XSum"}
"""AggreFact's per-origin results (all its datasets of that origin, one threshold)."""


def _files(path: Path, pattern: str) -> list[Path]:
    """``path`` itself if a file, else its files matching ``pattern`` (sorted); none raises."""
    found = [path] if path.is_file() else sorted(path.glob(pattern)) if path.is_dir() else []
    if not found:
        raise DataError(f"{path}: no {pattern} file{'s' if path.is_dir() else ' or folder'}")
    return found


def load_aggrefact(path, score_columns=()) -> Benchmark:
    """AggreFact (Tang et al., 2023): ``aggre_fact_final.csv`` or ``aggre_fact_sota.csv`` (a
    folder: the first of the two it holds). Each row counts in ``<dataset>-<origin>`` and in its
    origin's pooled result (``AggreFact-CNN``, ``AggreFact-XSum``)."""
    path = Path(path)
    if path.is_dir():
        held = [path / n for n in AGGREFACT_FILES if (path / n).is_file()]
        path = held[0] if held else _files(path, "*.csv")[0]
    out = []
    for row, r in F.records(path):
        dataset, origin = F.text(r, "dataset", path, row), F.text(r, "origin", path, row)
        groups = [f"{dataset}-{origin}", POOLED.get(origin, f"AggreFact-{origin}")]
        out.append(example("aggrefact", path, row, groups[0], F.text(r, "doc", path, row),
                           F.text(r, "summary", path, row), F.scores(r, score_columns, path, row),
                           groups, label=F.binary(r, "label", path, row),
                           cut=F.choice(r, "cut", CUTS, path, row), system=r.get("model_name")))
    return Benchmark("aggrefact", "threshold", out, [str(path)])


def load_summac(path, score_columns=()) -> Benchmark:
    """The SummaC benchmark: one JSONL per dataset (the file's stem), records with
    ``document``, ``claim``, ``label`` and ``cut`` (``val`` or ``test``)."""
    files, out = _files(Path(path), "*.jsonl"), []
    for file in files:
        for row, r in F.records(file):
            out.append(example("summac", file, row, file.stem, F.text(r, "document", file, row),
                               F.text(r, "claim", file, row), F.scores(r, score_columns, file, row),
                               label=F.binary(r, "label", file, row),
                               cut=F.choice(r, "cut", CUTS, file, row),
                               system=r.get("model_name")))
    return Benchmark("summac", "threshold", out, [str(f) for f in files], mean_over_datasets=True)


def load_true(path, score_columns=()) -> Benchmark:
    """TRUE (Honovich et al., 2022): one CSV per dataset (the file's stem) with ``grounding``,
    ``generated_text`` and ``label``; every row is scored (TRUE reports ROC AUC only)."""
    files, out = _files(Path(path), "*.csv"), []
    for file in files:
        for row, r in F.records(file):
            out.append(example("true", file, row, file.stem, F.text(r, "grounding", file, row),
                               F.text(r, "generated_text", file, row),
                               F.scores(r, score_columns, file, row),
                               label=F.binary(r, "label", file, row)))
    return Benchmark("true", "auroc", out, [str(f) for f in files], mean_over_datasets=True)


def load_qags(path, score_columns=()) -> Benchmark:
    """QAGS-C and QAGS-X (``mturk_{cnndm,xsum}.jsonl``, read by :func:`analysis.qags_data.
    read_qags`): the human score is the share of a summary's sentences most votes find
    consistent; the dataset is the file's stem."""
    from analysis.qags_data import read_qags

    files, out = _files(Path(path), "mturk_*.jsonl"), []
    for file in files:
        raws = [(row, _qags_checked(raw, file, row)) for row, raw in F.records(file)]
        try:
            rows = read_qags(file)
        except ValueError as err:  # "file:line: field ...": the line is the row
            raise DataError(LINE.sub(r"\1: row \2: ", str(err), count=1)) from None
        for r, (row, raw) in zip(rows, raws):
            out.append(example("qags", file, row, file.stem, r["document"], r["summary"],
                               F.scores(raw, score_columns, file, row), human=r["human"],
                               id=r["id"]))
    return Benchmark("qags", "correlation", out, [str(f) for f in files])


LINE = re.compile(r"^(.*):(\d+): ")


def _qags_checked(raw: dict, path, row: int) -> dict:
    """``raw`` once its sentences are objects with a ``sentence`` and a ``responses`` list."""
    sentences = raw.get("summary_sentences")
    if not isinstance(sentences, list) or not sentences:
        F.fail(path, row, "summary_sentences", "missing or empty")
    for s in sentences:
        if not isinstance(s, dict) or not isinstance(s.get("sentence"), str) \
                or not isinstance(s.get("responses"), list):
            F.fail(path, row, "summary_sentences", "expected objects with a sentence and a "
                                                   f"list of responses, got {str(s)[:80]!r}")
    return raw


def first_per_dataset(bench: Benchmark, limit: int | None) -> Benchmark:
    """``bench`` with the first ``limit`` examples of each dataset (all when ``None`` or 0)."""
    if not limit:
        return bench
    seen: dict[str, int] = {}
    kept = []
    for ex in bench.examples:
        seen[ex["dataset"]] = seen.get(ex["dataset"], 0) + 1
        if seen[ex["dataset"]] <= limit:
            kept.append(ex)
    bench.examples = kept
    return bench


def load(fmt: str, path, score_columns=(), **options) -> Benchmark:
    """The benchmark ``fmt`` (a key of :data:`LOADERS`) at ``path``; ``options`` go to the
    loaders that take them (LLM-AggreFact: ``dev_split``, ``test_split``; FRANK: ``split``)."""
    from analysis.benchmark.frank import load_frank
    from analysis.benchmark.llm_aggrefact import load_llm_aggrefact

    loaders = {"aggrefact": load_aggrefact, "llm-aggrefact": load_llm_aggrefact,
               "summac": load_summac, "true": load_true, "frank": load_frank, "qags": load_qags}
    if not Path(path).exists():
        raise DataError(f"{path}: no such file or folder")
    if fmt == "llm-aggrefact":
        return loaders[fmt](path, score_columns, options.get("dev_split"),
                            options.get("test_split") or "test")
    if fmt == "frank":
        return loaders[fmt](path, score_columns, options.get("split"))
    return loaders[fmt](path, score_columns)


FORMATS = ("aggrefact", "llm-aggrefact", "summac", "true", "frank", "qags")
"""The formats :func:`load` reads."""
