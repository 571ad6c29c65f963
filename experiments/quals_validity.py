"""Does QUALS separate faithful from corrupted summaries? AUROC against the corpus labels.

    python -m experiments.quals_validity --qagen QAGEN.ckpt --corpus DIR [--docs 100]
        [--num-beams 60] [--out validity.json]

For each of the first ``--docs`` test documents it scores the faithful summary (label 0) and
every corrupted version (label 1) with QUALS, and prints AUROC of ``-QUALS`` (lower QUALS =
less consistent) overall and per corruption type. Summaries with the no-pair sentinel are
counted and left out.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from analysis.discrimination import auroc
from lightning_modules.data.readers import RowReader
from lightning_modules.metrics.quals import QualsConfig, QualsScorer


def items(corpus: Path, docs: int) -> list[dict]:
    """(document, summary, type, label) rows: faithful summaries and their corruptions."""
    rows = RowReader().read_jsonl_raw(corpus / "test.jsonl")
    out = []
    for _, r in zip(range(docs), rows):
        out.append({"document": r["document"], "summary": r["faithful_summary"], "type": "faithful", "label": 0})
        out += [{"document": r["document"], "summary": c["summary"], "type": c["type"], "label": 1}
                for c in r["corruptions"]]
    return out


def validity_table(rows: list[dict], scores: list) -> dict:
    """AUROC of -QUALS, overall and per corruption type, with counts and sentinels."""
    kept = [(r, s) for r, s in zip(rows, scores) if s is not None]
    table = {"overall": auroc([-s for _, s in kept], [r["label"] for r, _ in kept])}
    by_type = defaultdict(list)
    for r, s in kept:
        by_type[r["type"]].append(s)
    faithful = by_type.pop("faithful", [])
    for kind, values in sorted(by_type.items()):
        table[kind] = auroc([-s for s in faithful + values], [0] * len(faithful) + [1] * len(values))
    return {"auroc": table, "n": len(rows), "sentinel": len(rows) - len(kept)}


def main() -> None:
    """Score, print and optionally save the validity table."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--qagen", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--docs", type=int, default=100)
    p.add_argument("--num-beams", type=int, default=60)
    p.add_argument("--out")
    a = p.parse_args()
    cfg = QualsConfig(num_beams=a.num_beams, num_beam_groups=a.num_beams)
    scorer = QualsScorer.from_checkpoint(a.qagen, cfg)
    rows = items(Path(a.corpus), a.docs)
    start = time.perf_counter()
    result = scorer.score([r["document"] for r in rows], [r["summary"] for r in rows])
    table = validity_table(rows, result.scores["quals"])
    table["seconds"] = time.perf_counter() - start
    print(json.dumps(table, indent=2))
    if a.out:
        Path(a.out).write_text(json.dumps(table, indent=2))


if __name__ == "__main__":
    main()
