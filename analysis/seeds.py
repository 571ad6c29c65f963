"""``quals-bench seeds RUN [RUN ...]``: a figure's spread over training seeds.

Each RUN is a ``reproduce`` output of one world, made with another ``--set training.seed=S
--set candidates.seed=S``. For each headline figure (the reading probe, the metrics' AUROCs,
the MLE's error profile, the QUALS-ConSeq result) the table gives every run's value, the mean,
the range and, where the figure has a target, how many runs meet it. The paired bootstrap
inside one run covers the test documents, not the training run; this table covers the runs.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from pathlib import Path

from lightning_modules.jsonl import write_json  # standard library only: no torch

FIGURES = (
    # (label, path in results.json, True where higher is better)
    ("reader: epochs trained", "reader.epochs", False),
    ("reader: validation entity accuracy", "reader.val_entity_accuracy", True),
    ("QA probe exact match", "reading_probe.qa.exact_match", True),
    ("QA probe, same-type distractor", "reading_probe.qa.exact_match_distractor", True),
    ("QUALS corruption AUROC", "metric_auroc.quals", True),
    ("QUALS, entity swaps", "metric_auroc_by_corruption.quals.entity_swap", True),
    ("QUALS, role swaps", "metric_auroc_by_corruption.quals.role_swap", True),
    ("QUALS on system outputs", "metric_auroc_system_outputs.quals", True),
    ("QAGS corruption AUROC", "metric_auroc.qags", True),
    ("FactCC corruption AUROC", "metric_auroc.factcc", True),
    ("MLE intrinsic", "systems.mle.intrinsic", False),
    ("MLE hallucinated", "systems.mle.hallucination_rate", False),
    ("QUALS-ConSeq hallucinated", "systems.quals_conseq.hallucination_rate", False),
    ("QUALS-ConSeq hallucinated, minus MLE", "delta:quals_conseq:hallucination_rate", False),
    ("  significant (1: paired bootstrap p < 0.05)",
     "significance_vs_mle.quals_conseq.hallucinated.significant", True),
    ("QUALS-ConSeq unsupported facts, minus MLE", "delta:quals_conseq:hallucinated_fact_rate",
     False),
    ("QUALS-ConSeq unsupported facts, change over MLE", "ratio:quals_conseq:hallucinated_fact_rate",
     False),
    ("QUALS-ConSeq minus ROUGE-ConSeq, unsupported facts",
     "gap:quals_conseq:rouge_conseq:hallucinated_fact_rate", False),
    ("QUALS-ConSeq extrinsic, minus MLE", "delta:quals_conseq:extrinsic", False),
    ("  significant (1: paired bootstrap p < 0.05)",
     "significance_vs_mle.quals_conseq.extrinsic.significant", True),
    ("QUALS-ConSeq FactCC, minus MLE", "delta:quals_conseq:factcc", True),
    ("QUALS-ConSeq ROUGE-L, minus MLE", "delta:quals_conseq:rougeL", True),
    ("QUALS-ConSeq QAGS, minus MLE", "delta:quals_conseq:qags", True),
    ("  significant (1: paired bootstrap p < 0.05)",
     "significance_vs_mle.quals_conseq.qags.significant", True),
    ("ROUGE-ConSeq hallucinated, minus MLE", "delta:rouge_conseq:hallucination_rate", False),
    ("ROUGE-ConSeq QAGS, minus MLE", "delta:rouge_conseq:qags", True),
)
"""The headline figures of a run, in the table's order."""

TARGETS = {
    "reading_probe.qa.exact_match": 0.90,
    "reading_probe.qa.exact_match_distractor": 0.85,
    "metric_auroc.quals": 0.85,
    "metric_auroc_by_corruption.quals.entity_swap": 0.75,
    "metric_auroc_by_corruption.quals.role_swap": 0.75,
    "metric_auroc_system_outputs.quals": 0.75,
    "metric_auroc.qags": 0.70,
    "metric_auroc.factcc": 0.70,
    "systems.mle.intrinsic": 0.35,
    "ratio:quals_conseq:hallucinated_fact_rate": -1 / 3,
    "gap:quals_conseq:rouge_conseq:hallucinated_fact_rate": 0.0,
    "delta:quals_conseq:rougeL": -0.01,
}
"""The default preset's targets, by path in ``results.json``: the level a run of
``experiments/configs/presets/default.yaml`` should reach for its models to count as reading
their documents (at least the target where higher is better, at most it where lower is).
``docs/reproducibility.md`` gives the runs that met them."""


def lookup(results: dict, path: str):
    """The number at a dotted ``path`` of a run's results (a flag: 1 or 0), or a comparison of
    two systems' ``systems`` values: ``delta:SYSTEM:KEY`` (the system's minus the MLE's),
    ``ratio:SYSTEM:KEY`` (the system's over the MLE's, minus 1) and ``gap:A:B:KEY`` (A's minus
    B's); None where the run has none."""
    if path.split(":")[0] in ("delta", "ratio", "gap"):
        return compare(results.get("systems", {}), *path.split(":"))
    value = results
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return float(value) if isinstance(value, (int, float)) else None


def compare(systems: dict, kind: str, *names_and_key: str):
    """One comparison of :func:`lookup` between ``systems``' values of a key."""
    *names, key = names_and_key
    a, b = (systems.get(name, {}).get(key) for name in (names + ["mle"])[:2])
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return None
    if kind == "ratio":
        return a / b - 1 if b else None
    return a - b


def spread(values: list) -> dict:
    """Mean, min and max of the values that are not None (all None where none is set)."""
    present = [v for v in values if v is not None]
    if not present:
        return {"mean": None, "min": None, "max": None}
    return {"mean": statistics.fmean(present), "min": min(present), "max": max(present)}


def meets(value, target: float, higher: bool) -> bool:
    """Whether ``value`` reaches ``target`` (at least it, or at most it where lower is better)."""
    return value >= target if higher else value <= target


def seed_table(runs: dict[str, dict]) -> list[dict]:
    """One row per figure: its values by run, their spread, and the runs meeting its target."""
    rows = []
    for label, path, higher in FIGURES:
        target = TARGETS.get(path)
        values = [lookup(results, path) for results in runs.values()]
        row = {"figure": label, "path": path, "target": target,
               "higher_is_better": higher, "values": dict(zip(runs, values)), **spread(values)}
        present = [v for v in values if v is not None]
        row["meeting_target"] = (None if target is None
                                 else sum(meets(v, target, higher) for v in present))
        row["runs_with_value"] = len(present)
        rows.append(row)
    return rows


def _cell(value) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.3f}"


def markdown(rows: list[dict], names: list[str]) -> list[str]:
    """The table as Markdown lines."""
    head = ["figure", *names, "mean", "range", "target", "runs meeting it"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        target = ("" if r["target"] is None
                  else f"{'>=' if r['higher_is_better'] else '<='} {r['target']:.2f}")
        met = "" if r["meeting_target"] is None else f"{r['meeting_target']}/{r['runs_with_value']}"
        cells = [r["figure"], *(_cell(r["values"][n]) for n in names), _cell(r["mean"]),
                 f"{_cell(r['min'])} to {_cell(r['max'])}", target, met]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def reader_figures(run: Path) -> dict:
    """The shared reader's epochs (from its last epoch's checkpoint name, ``epoch=N-...``) and
    final validation entity accuracy (from its stage marker); empty where the run has none."""
    figures = {}
    epochs = [int(m.group(1)) + 1 for c in (run / "runs" / "reader" / "checkpoints").glob("*.ckpt")
              if (m := re.match(r"epoch=(\d+)-", c.name))]
    if epochs:
        figures["epochs"] = max(epochs)
    marker = run / ".stages" / "reader.json"
    if marker.exists():
        metrics = json.loads(marker.read_text()).get("result", {}).get("metrics", {})
        figures["val_entity_accuracy"] = metrics.get("val/entity_accuracy")
    return figures


def load_runs(paths: list[Path]) -> dict[str, dict]:
    """Folder name -> ``results.json`` of each run, with ``reader`` (:func:`reader_figures`)
    added; an error names a folder without results, or two runs of different worlds."""
    runs = {}
    for path in paths:
        results = path / "results.json"
        if not results.exists():
            raise FileNotFoundError(f"{results}: no results (is {path} a finished reproduce run?)")
        name = path.name if path.name not in runs else str(path)
        runs[name] = {**json.loads(results.read_text()), "reader": reader_figures(path)}
    worlds = {r.get("world") for r in runs.values()}
    if len(worlds) > 1:
        raise ValueError(f"runs of different worlds ({sorted(map(str, worlds))}): give one world's")
    return runs


def build_parser() -> argparse.ArgumentParser:
    """The ``quals-bench seeds`` parser."""
    from experiments.cli import HelpFormatter

    p = argparse.ArgumentParser(prog="quals-bench seeds", description=__doc__,
                                formatter_class=HelpFormatter)
    p.add_argument("runs", nargs="+", type=Path, help="reproduce outputs of one world")
    p.add_argument("--json", type=Path, help="also write the rows here")
    return p


def main(argv: list[str]) -> int:
    """Print the table; write it as strict JSON with ``--json``."""
    a = build_parser().parse_args(argv)
    runs = load_runs(a.runs)
    rows = seed_table(runs)
    print("\n".join(markdown(rows, list(runs))))
    if a.json:
        write_json(a.json, {"runs": [str(r) for r in a.runs], "rows": rows})
    return 0
