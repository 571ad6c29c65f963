"""Diagnostic: ConSeq with the synthetic corpus's oracle as the ranker (an upper bound for QUALS).

    python -m experiments.diagnostics.oracle_ranker --run runs/default [--preset default]

The settings are the run's own (``<run>/config.yaml``), or those of ``--preset``/``--world``/
``--set`` when given.

On a finished ``reproduce`` output it scores every candidate and reference with the oracle
(share of the summary's role facts the document supports, plus 1 if the summary is faithful),
selects S+/S- with the preset's settings, fine-tunes the MLE model exactly as QUALS-ConSeq is,
and evaluates it with every metric. If this upper bound does not lower the hallucination rate
either, the candidates or the recipe are the limit, not the ranker.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from experiments.pipeline.stages import Stage, run_stages


def oracle_score(facts: dict, summary: str) -> float:
    """Supported share of the summary's role facts, plus 1 when the oracle finds it faithful."""
    from lightning_modules.world.oracle import judge

    j = judge(facts, summary)
    roles = [c for c in j.claims if c.role not in (None, "event")]
    share = sum(c.status == "supported" for c in roles) / len(roles) if roles else 0.0
    return share + float(j.verdict == "faithful")


def oracle_pairs_stage(s: dict) -> dict:
    """Write the oracle-ranked pairs; return set sizes and the oracle rates of S+ and S-."""
    from lightning_modules.jsonl import write_jsonl
    from lightning_modules.selection import SelectionConfig, select_pairs

    facts = {}
    with open(Path(s["corpus"]) / "train.jsonl") as f:
        for line in f:
            row = json.loads(line)
            facts[row["id"]] = row["facts"]
    table = []
    for line in Path(s["candidates"]).read_text().splitlines():
        r = json.loads(line)
        table.append({"id": r["id"], "document": r["document"], "reference": r["reference"],
                      "reference_score": oracle_score(facts[r["id"]], r["reference"]),
                      "candidates": [{"summary": c, "score": oracle_score(facts[r["id"]], c)}
                                     for c in r["candidates"]]})
    pairs = select_pairs(table, SelectionConfig(**s["selection"]))
    write_jsonl(Path(s["pairs"]), pairs)
    return {"rows": len(pairs), "positives": sum(p["positive"] is not None for p in pairs),
            "negatives": sum(p["negative"] is not None for p in pairs)}


def main() -> None:
    """Run the three stages and print the comparison with MLE and QUALS-ConSeq."""
    from experiments.pipeline import evaluate as ev
    from experiments import presets
    from experiments.pipeline import training_stages as ts
    from experiments.config_tree import plain
    from experiments.pipeline.settings import checkpoint, conseq_settings, evaluation_settings

    from experiments.cli import HelpFormatter

    p = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    p.add_argument("--run", required=True, type=Path, help="a finished reproduce output")
    presets.add_arguments(p, preset=None)
    p.add_argument("--wandb", default="offline", choices=("offline", "online", "disabled"),
                   help="W&B mode of the ConSeq and test runs")
    a = p.parse_args()
    if a.preset is None:
        a.preset = str(a.run / "config.yaml") if (a.run / "config.yaml").exists() else "default"
    run, preset, out = a.run, presets.from_arguments(a), a.run / "diagnostics" / "oracle_ranker"
    base = {"corpus": str(run / "corpus"), "tokenizer": str(run / "tokenizer"), "wandb": a.wandb}
    pairs = str(out / "pairs.jsonl")
    stages = [
        Stage("oracle_pairs", oracle_pairs_stage, {**base, "candidates": str(run / "conseq" / "candidates.jsonl"),
                                                   "pairs": pairs,
                                                   "selection": plain(preset.selection)}),
        Stage("oracle_conseq", ts.conseq_stage, {
            **base, "name": "oracle_conseq", "run_dir": str(out / "model"),
            "init_checkpoint": checkpoint(run, "mle"), "pairs": pairs, **conseq_settings(preset)}),
        Stage("test", ev.evaluate_stage, {
            **base, **evaluation_settings(run, preset, "oracle_conseq",
                                          str(out / "model" / "checkpoints" / "last.ckpt"),
                                          str(out / "eval"))}),
    ]
    results = run_stages(stages, out)
    reference = json.loads((run / "results.json").read_text())["systems"]
    for name, m in [("mle", reference["mle"]), ("quals_conseq", reference["quals_conseq"]),
                    ("oracle_conseq", results["test"])]:
        print(f"{name:14} hallucination {m['hallucination_rate']:.3f}  rougeL {m['rougeL']:.3f}  "
              f"quals {m['quals']:.3f}  fact precision {m['fact_precision']:.3f}")
    print("selection:", results["oracle_pairs"])


if __name__ == "__main__":
    main()
