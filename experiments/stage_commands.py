"""ConSeq stage by stage: ``quals-bench candidates`` and ``quals-bench select``, the pipeline's
candidate and selection stages (``conseq_stages``) for a user's own data and models.

    quals-bench candidates --model MLE.ckpt --data DATA --out conseq/candidates.jsonl
    quals-bench score --metric quals --model QAGEN --input conseq/candidates.to_score.jsonl \\
        --out conseq/scores/quals.jsonl
    quals-bench score --metric rouge --input conseq/candidates.to_score.jsonl \\
        --out conseq/scores/rouge.jsonl
    quals-bench select --candidates conseq/candidates.jsonl --scores conseq/scores --out conseq

``candidates`` reads the documents of a split file (``--input``) or of ``--split`` (default
train) of ``--data`` (see ``lightning_modules.data.splits``), samples ``--num-candidates``
summaries per document (top-k sampling; paper: 6, top-k 50, length 10-60) and writes, beside its output, the scoring input
``<out stem>.to_score.jsonl``: one line per reference and candidate. It resumes through a
content-hash cache (``OUT.cache``): a re-run samples only the documents the cache lacks.
``select`` writes ``<out>/<ranker>/pairs.jsonl`` (the ConSeq data module's ``pairs``) and
``table.jsonl`` for each ranker. Bad input is a one-line error naming file, line and field.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

SAMPLING = {"num_candidates": "summaries sampled per document",
            "top_k": "top-k sampling's k",
            "max_length": "longest candidate, in tokens",
            "min_length": "shortest candidate, in tokens",
            "seed": "sampling seed, added to a hash of each chunk's first document and the settings",
            "batch_size": "documents per batch"}
"""The ``CandidateConfig`` fields ``candidates`` takes as options (``--num-candidates`` ...),
with their help."""


def build_candidates_parser() -> argparse.ArgumentParser:
    """The ``quals-bench candidates`` parser (nothing is loaded)."""
    from experiments.pipeline.candidates import CandidateConfig
    from experiments.cli import HelpFormatter

    p = argparse.ArgumentParser(prog="quals-bench candidates", description=__doc__,
                                formatter_class=HelpFormatter)
    p.add_argument("--model", required=True,
                   help="summarizer: a workbench .ckpt, a Hugging Face folder or hub name")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--input", type=Path,
                        help="a split file: JSON Lines, or CSV with a header line")
    source.add_argument("--data", help="or a split (--split) of a folder of JSONL/CSV splits, a "
                                       "save_to_disk folder or a Hugging Face dataset name")
    p.add_argument("--split", default="train", help="the split of --data")
    p.add_argument("--out", required=True, type=Path, help="candidates JSONL to write")
    p.add_argument("--document-field", help="default: document (a known hub dataset's own)")
    p.add_argument("--summary-field", help="the reference's field; default: summary")
    p.add_argument("--limit", type=int, help="only the first LIMIT documents")
    for name, text in SAMPLING.items():
        p.add_argument(f"--{name.replace('_', '-')}", type=int,
                       default=getattr(CandidateConfig, name), help=text)
    p.add_argument("--devices", default="auto", help="devices per node (Lightning)")
    return p


def to_score_path(out: Path) -> Path:
    """The scoring input ``candidates`` writes beside its output ``out``."""
    return out.with_name(f"{out.stem}.to_score.jsonl")


def _read(a) -> list[dict]:
    """The rows of ``--input``, or of ``--split`` of ``--data``."""
    from lightning_modules.data.readers import RowReader, first_rows
    from lightning_modules.data.splits import load_splits

    if a.data:
        splits = load_splits(a.data, a.document_field, a.summary_field, (a.split,), a.limit)
        return splits.rows[a.split]
    reader = RowReader(a.document_field or "document", a.summary_field or "summary")
    return first_rows(reader.read_file(a.input), a.limit)


def _documents(p, a) -> list[dict]:
    """The input's rows (a bad row or a repeated id ends the command with one line)."""
    from lightning_modules.data.readers import DataError

    try:
        rows = _read(a)
    except DataError as err:
        p.error(str(err))
    where = a.input or f"{a.data}:{a.split}"
    seen = set()
    for row in rows:
        if row["id"] in seen:
            p.error(f"{where}: id {row['id']!r} is on more than one row")
        seen.add(row["id"])
    if not rows:
        p.error(f"{where}: no rows")
    return rows


def candidates(argv: list[str]) -> int:
    """``quals-bench candidates``: sample candidates of every input document (see the module
    docstring); print the counts (``computed``, ``from_cache``) and the paths written."""
    from experiments.pipeline.candidates import CandidateConfig

    p = build_candidates_parser()
    a = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from lightning_modules.models.loading import fingerprint, model_problem

    problem = model_problem(a.model)
    if problem:
        p.error(f"--model {a.model}: {problem}")
    rows = _documents(p, a)
    cfg = CandidateConfig(**{name: getattr(a, name) for name in SAMPLING})
    counts = _generate(a, rows, cfg, json.dumps(fingerprint(a.model), sort_keys=True))
    if counts:  # ranks other than 0 return no counts
        print(json.dumps(counts))
    return 0


def _generate(a, rows: list[dict], cfg, model_id: str) -> dict:
    """Sample the candidates into ``a.out`` and write its scoring input; return counts and
    paths (empty on ranks other than 0)."""
    from experiments.pipeline.candidates import generate_candidates
    from experiments.pipeline.conseq_stages import scoring_input
    from lightning_modules.models.loading import load_summarizer

    counts = generate_candidates(load_summarizer(a.model), rows, cfg, a.out, model_id,
                                 devices=a.devices)
    if counts:
        scoring_input(a.out, to_score_path(a.out))
        counts.update(candidates=str(a.out), to_score=str(to_score_path(a.out)))
    return counts


def build_select_parser() -> argparse.ArgumentParser:
    """The ``quals-bench select`` parser (nothing is loaded)."""
    from experiments.cli import HelpFormatter
    from lightning_modules.selection import SelectionConfig

    p = argparse.ArgumentParser(prog="quals-bench select", description=__doc__,
                                formatter_class=HelpFormatter)
    p.add_argument("--candidates", required=True, type=Path, help="from quals-bench candidates")
    p.add_argument("--scores", required=True, type=Path,
                   help="folder of RANKER.jsonl: the scoring input scored by quals-bench score")
    p.add_argument("--out", required=True, type=Path, help="writes RANKER/pairs.jsonl here")
    p.add_argument("--ranker", nargs="+", choices=("quals", "rouge"), default=["quals", "rouge"],
                   help="rankers to select with (rouge: the mean of ROUGE-1/2/L)")
    p.add_argument("--quantile", type=float, default=SelectionConfig.quantile,
                   help="share of documents in S+ and in S- (the paper's 0.3)")
    p.add_argument("--mode", choices=("intersection", "union"), default=SelectionConfig.mode,
                   help="keep documents in both sets (the paper's) or in either")
    return p


def select(argv: list[str]) -> int:
    """``quals-bench select``: S+/S- pairs of each ranker from scored candidates (see the
    module docstring); print each ranker's set sizes and pairs file."""
    from experiments.pipeline.conseq_stages import selection_stage
    from experiments.pipeline.settings import selection_settings
    from lightning_modules.data.readers import DataError
    from lightning_modules.selection import SelectionConfig

    p = build_select_parser()
    a = p.parse_args(argv)
    try:
        selection = SelectionConfig(quantile=a.quantile, mode=a.mode)
    except ValueError as err:
        p.error(f"--quantile {a.quantile}: {err}")
    rankers = selection_settings(selection)
    try:
        result = selection_stage({"candidates": a.candidates, "scored": a.scores,
                                  "out_dir": a.out,
                                  "selection": {r: rankers[r] for r in a.ranker}})
    except DataError as err:
        p.error(str(err))
    print(json.dumps(result))
    return 0
