"""``quals-bench analyze RUN_DIR [RUN_DIR ...] --out REPORT_DIR``: tables, figures, report.

Each RUN_DIR is recognised by what it holds:
- a ``reproduce`` output (``results.json``, ``eval/<system>/scores/test.jsonl``): the results
  table (Markdown, LaTeX) with significance against the first system, figure (b) metric bars,
  (a) per-token probabilities of QUALS's most telling QA pairs, (d) QUALS of S+ and S-, and
  each metric on faithful vs corrupted summaries and on faithful vs hallucinated outputs of the
  models (the candidate pool), and the reading probe;
- a run directory with ``scores/test.jsonl`` (one system, named after the folder);
- a sweep (``sweep.json``): (c) ablation curves;
- a meta-evaluation (``correlations.json`` beside ``mturk_*.jsonl``): (e) scatter plots;
- a human study (``key.json`` and filled ``*.csv`` sheets): its statistics and (f).
Writes ``REPORT_DIR/report.md`` embedding every figure (PNG; PDFs beside them). Given
``reproduce`` outputs of two or more worlds (``--world xsum`` and ``--world cnndm``) and
nothing else, it writes each world's report under ``REPORT_DIR/<world>/`` and the paper's
table shape (worlds as column groups: ``results_worlds.md``/``.tex``) in ``report.md``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from analysis import figures, tables
from analysis.runs import load_scores

METRICS = ("rouge1", "rouge2", "rougeL", "factcc", "qags", "quals", "hallucinated",
           "intrinsic", "extrinsic", "unverifiable")


def collect_systems(run_dirs: list[Path]) -> dict[str, list[dict]]:
    """System name -> per-example records, from reproduce outputs and plain run dirs."""
    systems = {}
    for run in run_dirs:
        if (run / "eval").is_dir():
            for sub in sorted((run / "eval").iterdir()):
                if (sub / "scores" / "test.jsonl").exists():
                    systems[sub.name] = load_scores(sub)
        elif (run / "scores" / "test.jsonl").exists():
            systems[run.name] = load_scores(run)
    if "mle" in systems:  # the baseline first
        systems = {"mle": systems.pop("mle"), **systems}
    return systems


def system_section(systems: dict, out: Path) -> list[str]:
    """Results table and figures (b) and (a)."""
    metrics = [m for m in METRICS if any(m in r for recs in systems.values() for r in recs)]
    baseline = next(iter(systems))
    table = tables.results_table(systems, metrics, baseline)
    (out / "results.md").write_text(tables.markdown(table, metrics) + "\n")
    (out / "results.tex").write_text(tables.latex(table, metrics) + "\n")
    cells = {s: {m: vars(c) for m, c in row.items()} for s, row in table.items()}
    bars = figures.metric_bars(cells, metrics, out / "figures" / "metrics_by_system", tables.LABELS)
    lines = ["## Results", "", tables.markdown(table, metrics), "",
             f"![metrics by system]({bars.relative_to(out)})", ""]
    pairs = [p for r in systems[baseline] for p in r.get("quals_pairs") or [] if p.get("tokens")]
    pairs.sort(key=lambda p: p["ll_document"] - p["ll_summary"])
    for k, pair in enumerate(pairs[:2]):
        path = figures.token_probabilities(pair, out / "figures" / f"quals_tokens_{k}")
        lines += [f"![QUALS per-token probabilities]({path.relative_to(out)})", ""]
    return lines


def selection_section(run: Path, out: Path) -> list[str]:
    """Figure (d): QUALS of the selected S+ references and S- candidates, and of all."""
    table_path, pairs_path = run / "conseq" / "quals" / "table.jsonl", run / "conseq" / "quals" / "pairs.jsonl"
    if not table_path.exists():
        return []
    rows = [json.loads(l) for l in table_path.read_text().splitlines()]
    pairs = {p["id"]: p for p in map(json.loads, pairs_path.read_text().splitlines())}
    refs = [r["reference_score"] for r in rows if r["reference_score"] is not None]
    worst = [min(c["score"] for c in r["candidates"] if c["score"] is not None) for r in rows
             if any(c["score"] is not None for c in r["candidates"])]
    s_plus = [r["reference_score"] for r in rows if pairs.get(r["id"], {}).get("positive")]
    s_minus = [min(c["score"] for c in r["candidates"] if c["summary"] == pairs[r["id"]]["negative"]
                   and c["score"] is not None) for r in rows if pairs.get(r["id"], {}).get("negative")]
    path = figures.distributions({"positives": {"all references": refs, "S+ (selected)": s_plus},
                                  "negatives": {"worst candidate per document": worst,
                                                "S- (selected)": s_minus}},
                                 "QUALS (nats per token)", out / "figures" / "quals_selection")
    return ["## ConSeq selection (QUALS ranker)", "", f"![QUALS of S+ and S-]({path.relative_to(out)})", ""]


def validity_section(run: Path, out: Path) -> list[str]:
    """Figure (d), second part: each metric on faithful vs corrupted test summaries."""
    path = run / "validity" / "scores.jsonl"
    if not path.exists():
        return []
    rows = [json.loads(l) for l in path.read_text().splitlines()]
    lines = ["## Metrics on faithful vs corrupted summaries", ""]
    for metric in ("quals", "qags", "factcc", "rougeL"):
        kept = [r for r in rows if figures.is_finite(r.get(metric))]
        if not kept:
            continue
        groups = {"faithful": [r[metric] for r in kept if r["label"] == 0],
                  "corrupted": [r[metric] for r in kept if r["label"] == 1]}
        fig = figures.distributions(groups, figures.UNITS.get(metric, metric),
                                    out / "figures" / f"validity_{metric}", share=True)
        lines += [f"![{metric}: faithful vs corrupted]({fig.relative_to(out)})", ""]
    return lines


def report(runs: list[Path], out: Path) -> list[str]:
    """Write the figures and tables of ``runs`` under ``out``; return the report's lines."""
    from analysis.extra_sections import human_section, meta_eval_section, sweep_section
    from analysis.reading_sections import probe_section, system_validity_section

    out.mkdir(parents=True, exist_ok=True)
    lines = ["# Analysis report", "", "Runs: " + ", ".join(str(r) for r in runs), ""]
    systems = collect_systems(runs)
    if systems:
        lines += system_section(systems, out)
    for run in runs:
        lines += selection_section(run, out) + validity_section(run, out)
        lines += system_validity_section(run, out) + probe_section(run)
        lines += sweep_section(run, out) + meta_eval_section(run, out) + human_section(run, out)
    (out / "report.md").write_text("\n".join(lines) + "\n")
    return lines


def worlds_report(worlds: dict[str, Path], out: Path) -> list[str]:
    """One report per world under ``out/<world>/``, and the table over worlds (the paper's
    shape) in ``out/report.md``, ``out/results_worlds.{md,tex}``; return the report's lines."""
    from analysis import worlds as w

    by_world = {}
    for world, run in worlds.items():
        report([run], out / world)
        by_world[world] = collect_systems([run])
    tables_by_world = w.world_tables(by_world)
    (out / "results_worlds.md").write_text(w.markdown(tables_by_world) + "\n")
    (out / "results_worlds.tex").write_text(w.latex(tables_by_world) + "\n")
    lines = ["# Analysis report: worlds", "",
             "Runs: " + ", ".join(f"{k} = {v}" for k, v in worlds.items()), "",
             "## Results by world", "", w.markdown(tables_by_world), ""]
    for world in worlds:
        bars = Path(world) / "figures" / "metrics_by_system.png"
        lines += [f"### {world}", "", f"Full report: [{world}/report.md]({world}/report.md)", "",
                  f"![{world}: metrics by system]({bars})", ""]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    return lines


def build_parser() -> argparse.ArgumentParser:
    """The ``quals-bench analyze`` parser."""
    from experiments.cli import HelpFormatter

    p = argparse.ArgumentParser(prog="quals-bench analyze", description=__doc__,
                                formatter_class=HelpFormatter)
    p.add_argument("runs", nargs="+", type=Path,
                   help="reproduce outputs, run dirs, sweeps, meta-eval or human-study folders")
    p.add_argument("--out", required=True, type=Path, help="report folder (report.md, figures/)")
    p.add_argument("--wandb", choices=("offline", "online"), help="also log the figures to W&B")
    return p


def main(argv: list[str]) -> int:
    """Write the report; print its path."""
    from analysis.worlds import world_runs

    p = build_parser()
    a = p.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    worlds = world_runs(a.runs)
    if len(worlds) >= 2 and len(worlds) == len(a.runs):
        worlds_report(worlds, a.out)
    else:
        report(a.runs, a.out)
    if a.wandb:
        import wandb

        run = wandb.init(project="quals-bench", name="analysis", dir=str(a.out), mode=a.wandb)
        figures.log_to_wandb(sorted(a.out.glob("**/figures/*.png")), run)
        run.finish()
    print(f"wrote {a.out / 'report.md'}")
    return 0
