"""Metric validity on the synthetic corpus: does each metric separate faithful summaries from
corrupted ones? AUROC against the corpus's labels, overall and per corruption type.

    python -m experiments.studies.metric_validity --corpus DIR --qagen QAGEN.ckpt --factcc FACTCC.ckpt \\
        --qg QG.ckpt --qa QA.ckpt [--docs 40] [--quals-beams 60] [--split validation] \\
        [--config RUN/config.yaml] [--qg-format '{answer} <qa_sep> {passage}'] \\
        [--wrong-documents] [--out OUT]

For each of the first ``--docs`` documents of ``--split`` (default ``test``; choose a metric's
settings or recipe on ``validation``) it scores the faithful summary (label 0) and
every corrupted version (label 1) with each metric given (ROUGE-L against the reference; FactCC,
QAGS, QUALS against the document) and reports the AUROC of ``-score`` (a lower score should mean
less consistent). Sentinel scores are counted and left out.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from analysis.discrimination import auroc
from lightning_modules.data.readers import RowReader
from lightning_modules.jsonl import write_json


def items(corpus: Path, docs: int, split: str = "test", wrong_documents: bool = False
          ) -> list[dict]:
    """(document, reference, summary, type, label) rows of the first ``docs`` documents of
    ``split``: faithful summaries and corruptions. ``wrong_documents``: each document's
    summaries are paired with the next document instead (the last with the first), a control:
    a metric that reads the document falls to chance there, one that judges the summary alone
    keeps its AUROC."""
    rows = [r for _, r in zip(range(docs), RowReader().read_jsonl_raw(corpus / f"{split}.jsonl"))]
    shift = 1 if wrong_documents and len(rows) > 1 else 0
    out = []
    for i, r in enumerate(rows):
        base = {"document": rows[(i + shift) % len(rows)]["document"], "reference": r["summary"]}
        out.append({**base, "summary": r["faithful_summary"], "type": "faithful", "label": 0})
        out += [{**base, "summary": c["summary"], "type": c["type"], "label": 1}
                for c in r["corruptions"]]
    return out


def validity_table(rows: list[dict], scores: list) -> dict:
    """AUROC of -score, overall and per corruption type, with counts and sentinels."""
    kept = [(r, s) for r, s in zip(rows, scores) if s is not None]
    table = {"overall": auroc([-s for _, s in kept], [r["label"] for r, _ in kept])}
    by_type = defaultdict(list)
    for r, s in kept:
        by_type[r["type"]].append(s)
    faithful = by_type.pop("faithful", [])
    for kind, values in sorted(by_type.items()):
        table[kind] = auroc([-s for s in faithful + values], [0] * len(faithful) + [1] * len(values))
    return {"auroc": table, "n": len(rows), "sentinel": len(rows) - len(kept)}


def metric_validity(scorers: dict, rows: list[dict]) -> dict:
    """Score ``rows`` with each scorer (name -> (scorer, column)); return name -> table.

    Each row gets the scores too (``row[name]``), for per-example files and figures.
    """
    out = {}
    for name, (scorer, column) in scorers.items():
        start = time.perf_counter()
        result = scorer.score([r["document"] for r in rows], [r["summary"] for r in rows],
                              [r["reference"] for r in rows])
        for row, value in zip(rows, result.scores[column]):
            row[name] = value
        out[name] = {**validity_table(rows, result.scores[column]),
                     "seconds": time.perf_counter() - start}
    return out


def markdown(tables: dict) -> str:
    """One Markdown table: corruption types as rows, metrics as columns."""
    names = list(tables)
    kinds = list(next(iter(tables.values()))["auroc"]) if tables else []
    lines = ["| corruption | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for kind in kinds:
        lines.append(f"| {kind} | " + " | ".join(f"{tables[n]['auroc'].get(kind, float('nan')):.3f}"
                                                 for n in names) + " |")
    return "\n".join(lines)


def load_scorers(qagen: str | None = None, factcc: str | None = None, qg: str | None = None,
                 qa: str | None = None, quals: dict | None = None, qags: dict | None = None) -> dict:
    """Name -> (scorer, score column): ROUGE-L always, each other metric whose checkpoints are
    given; ``quals``/``qags`` are settings for ``QualsConfig``/``QagsConfig``."""
    from lightning_modules.metrics.registry import build_scorer, metric_config, missing_checkpoints

    checkpoints = {"qagen": qagen, "factcc": factcc, "qg": qg, "qa": qa}
    settings = {"quals": quals, "qags": qags}
    scorers = {"rougeL": (build_scorer("rouge", checkpoints), "rougeL")}
    for metric in ("factcc", "qags", "quals"):
        if not missing_checkpoints(metric, checkpoints):
            config = metric_config(metric, settings.get(metric))
            scorers[metric] = (build_scorer(metric, checkpoints, config), metric)
    return scorers


def build_scorers(a) -> dict:
    """The scorers named on the command line: QUALS and QAGS settings from ``--config`` (a run's
    ``config.yaml``, read and checked as a preset is) where given, else QUALS with
    ``--quals-beams`` beams and groups and QAGS's defaults; ``--qg-format`` last (``meta-eval``
    passes its own arguments, without these two)."""
    quals = {"num_beams": a.quals_beams, "num_beam_groups": a.quals_beams}
    qags = {}
    if getattr(a, "config", None):
        from experiments.config_tree import plain
        from experiments.presets import load_config

        run = load_config(a.config, world=None)
        quals, qags = plain(run.quals), plain(run.qags)
    if getattr(a, "qg_format", None):
        qags = {**qags, "qg_format": a.qg_format}
    return load_scorers(a.qagen, a.factcc, a.qg, a.qa, quals=quals, qags=qags or None)


def main() -> None:
    """Score, print and optionally save the validity tables."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--corpus", required=True, help="corpus folder")
    p.add_argument("--qagen", help="QAGen checkpoint (QUALS)")
    p.add_argument("--factcc", help="FactCC checkpoint")
    p.add_argument("--qg", help="question generation checkpoint (QAGS)")
    p.add_argument("--qa", help="question answering checkpoint (QAGS)")
    p.add_argument("--docs", type=int, default=40, help="documents (default 40)")
    p.add_argument("--quals-beams", type=int, default=60,
                   help="QUALS beams, one per group (default 60)")
    p.add_argument("--split", default="test", help="corpus split (validation to choose settings)")
    p.add_argument("--config", help="a run's config.yaml, for its quals and qags settings")
    p.add_argument("--qg-format", help="QAGS's QG input template (default: QG_FORMAT)")
    p.add_argument("--wrong-documents", action="store_true",
                   help="control: score each summary against another document")
    p.add_argument("--out", help="folder for the per-summary scores and AUROCs")
    a = p.parse_args()
    rows = items(Path(a.corpus), a.docs, a.split, a.wrong_documents)
    tables = metric_validity(build_scorers(a), rows)
    print(markdown(tables))
    if a.out:
        write_json(a.out, tables)


if __name__ == "__main__":
    main()
