"""The oracle audit: the oracle against summaries labelled by reading them.

    python -m experiments.diagnostics.oracle_audit sample RUN_DIR [RUN_DIR ...] --out SHEET.jsonl
    python -m experiments.diagnostics.oracle_audit agreement AUDIT.jsonl

``sample`` draws real model outputs from finished ``reproduce`` folders (the three systems'
test summaries and the MLE model's sampled candidates; a seeded draw), each with its document
and fact table and no oracle output, for a reader to label. A labelled item carries
``label = {"faithful", "intrinsic", "extrinsic"}`` (booleans; Maynez et al.'s definitions, and
``faithful`` only when the summary can be read and everything it asserts is supported).
``agreement`` compares the oracle's reading with the labels: the share of summaries where they
agree on faithful-or-not, on intrinsic, on extrinsic and on all three, with the disagreements
listed.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from lightning_modules.data.readers import read_objects
from lightning_modules.jsonl import dumps, write_jsonl

SOURCES = {"mle": 25, "quals_conseq": 20, "rouge_conseq": 10, "candidates": 25}
"""Summaries drawn per run folder from each source."""


def _outputs(run: Path, source: str) -> list[tuple[str, str]]:
    """(document id, summary) pairs of one source of a run folder."""
    if source == "candidates":
        return [(r["id"], c) for r in read_objects(run / "conseq" / "candidates.jsonl")
                for c in r["candidates"]]
    return [(r["id"], r["summary"]) for r in read_objects(run / "eval" / source / "scores" / "test.jsonl")]


def sample(runs: list[Path], seed: int = 0) -> list[dict]:
    """Draw the audit items of each run folder (see :data:`SOURCES`), without oracle output."""
    rng, items, seen = random.Random(seed), [], set()
    for run in runs:
        corpus = {s: {r["id"]: r for r in read_objects(run / "corpus" / f"{s}.jsonl")}
                  for s in ("train", "test")}
        for source, count in SOURCES.items():
            pool = [p for p in _outputs(run, source) if p not in seen]
            for doc_id, summary in rng.sample(pool, min(count, len(pool))):
                seen.add((doc_id, summary))
                row = corpus[doc_id.split("-")[0]][doc_id]
                items.append({"item": len(items), "source": f"{run.name}/{source}", "id": doc_id,
                              "document": row["document"], "facts": row["facts"],
                              "summary": summary})
    return items


def agreement(items: list[dict]) -> dict:
    """Agreement of the oracle with each item's ``label``, and the disagreements."""
    from lightning_modules.world.oracle import judge

    keys = ("faithful", "intrinsic", "extrinsic")
    agree = {k: 0 for k in keys}
    disagreements = []
    for item in items:
        j = judge(item["facts"], item["summary"])
        oracle = {"faithful": j.verdict == "faithful", "intrinsic": j.intrinsic,
                  "extrinsic": j.extrinsic}
        wrong = [k for k in keys if oracle[k] != item["label"][k]]
        for k in keys:
            agree[k] += k not in wrong
        if wrong:
            disagreements.append({"item": item["item"], "summary": item["summary"],
                                  "label": item["label"], "oracle": j.verdict, "on": wrong})
    n = len(items)
    return {"n": n, **{k: agree[k] / n for k in keys}, "all_labels": 1 - len(disagreements) / n,
            "disagreements": disagreements}


def main(argv: list[str] | None = None) -> int:
    """``sample`` writes a sheet to label; ``agreement`` prints the oracle's agreement."""
    from experiments.cli import HelpFormatter

    p = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample", help="draw real model outputs to label",
                       formatter_class=HelpFormatter)
    s.add_argument("runs", nargs="+", type=Path, help="finished reproduce folders")
    s.add_argument("--out", required=True, help="JSONL sheet to write")
    s.add_argument("--seed", type=int, default=0, help="seed of the draw")
    g = sub.add_parser("agreement", help="the oracle's agreement with the labels",
                       formatter_class=HelpFormatter)
    g.add_argument("audit", type=Path, help="labelled JSONL (tests/data/oracle_audit.jsonl)")
    a = p.parse_args(argv)
    if a.command == "sample":
        write_jsonl(a.out, sample(a.runs, a.seed))
    else:
        print(dumps(agreement(read_objects(a.audit)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
