"""``quals-bench meta-eval``: score the human-annotated QAGS-C and QAGS-X summaries with every
metric and write per-summary scores beside the human scores, ready for ``quals-bench correlate``.

    quals-bench meta-eval --data ../shared/data/qags --qagen QAGEN.ckpt --factcc FACTCC.ckpt \\
        --qg QG.ckpt --qa QA.ckpt --out DIR [--limit N] [--quals-beams 60]

Writes ``DIR/<file stem>.jsonl`` (``id``, ``human``, one column per metric) and
``DIR/correlations.json`` (per file: each metric's Pearson/Spearman/Kendall with the human score
and Williams p-values; ``null`` where a statistic is undefined, e.g. for a constant column).
There are no reference summaries in these files, so ROUGE-L is computed against the article (a
lexical-overlap baseline). Models trained on the synthetic corpus are not expected to transfer
to real news: read the numbers as a check of the machinery.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def score_rows(rows: list[dict], scorers: dict) -> None:
    """Add a column per metric (name -> (scorer, column)) to each row, in place."""
    documents, summaries = [r["document"] for r in rows], [r["summary"] for r in rows]
    for name, (scorer, column) in scorers.items():
        result = scorer.score(documents, summaries, documents)
        for row, value in zip(rows, result.scores[column]):
            row[name] = value


def build_parser() -> argparse.ArgumentParser:
    """The ``quals-bench meta-eval`` parser (nothing is loaded)."""
    from experiments.cli import HelpFormatter

    p = argparse.ArgumentParser(prog="quals-bench meta-eval", description=__doc__,
                                formatter_class=HelpFormatter)
    p.add_argument("--data", default="../shared/data/qags",
                   help="folder with the QAGS release's mturk_*.jsonl files")
    p.add_argument("--qagen", help="QAGen checkpoint (QUALS); without it QUALS is left out")
    p.add_argument("--factcc", help="FactCC checkpoint; without it FactCC is left out")
    p.add_argument("--qg", help="QAGS's question generator; QAGS needs --qg and --qa")
    p.add_argument("--qa", help="QAGS's question answerer")
    p.add_argument("--quals-beams", type=int, default=60, help="QUALS's beams (and beam groups)")
    p.add_argument("--limit", type=int, help="only the first LIMIT summaries of each file")
    p.add_argument("--out", required=True, help="folder for the tables and correlations.json")
    return p


def main(argv: list[str]) -> int:
    """Score both files, write the tables and the correlations, print a summary."""
    import numpy as np

    from analysis.correlate_cli import correlate
    from analysis.qags_data import read_qags
    from experiments.studies.metric_validity import build_scorers
    from lightning_modules.jsonl import write_json, write_jsonl

    p = build_parser()
    a = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    scorers = build_scorers(a)
    out, report = Path(a.out), {}
    for path in sorted(Path(a.data).glob("mturk_*.jsonl")):
        rows = read_qags(path)[: a.limit]
        score_rows(rows, scorers)
        table = [{k: r[k] for k in ("id", "human", *scorers)} for r in rows]
        write_jsonl(out / f"{path.stem}.jsonl", table)
        report[path.stem] = correlate(table, "human", list(scorers), None,
                                      np.random.default_rng(0))
        for name in scorers:
            m = report[path.stem][name]
            print(f"{path.stem:12} {name:7} n={m['n']:3d} (dropped {report[path.stem]['dropped']}) pearson={m['pearson']:+.3f} "
                  f"spearman={m['spearman']:+.3f} kendall={m['kendall']:+.3f}")
    write_json(out / "correlations.json", report)
    return 0
