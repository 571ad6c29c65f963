"""Report sections of ``quals-bench analyze`` for sweeps, meta-evaluation and human studies."""

from __future__ import annotations

import json
from pathlib import Path

from analysis import figures


def sweep_section(run: Path, out: Path) -> list[str]:
    """Figure (c): each swept setting against each metric of the sweep's runs (``sweep.json``:
    ``{"name", "split", "runs": [{"settings": {...}, "metrics": {...}, "range": {...}}]}``);
    a point trained over ConSeq seeds shows its mean over seeds and, in brackets, their range."""
    path = run / "sweep.json"
    if not path.exists():
        return []
    sweep = json.loads(path.read_text())
    metrics = sweep.get("plot_metrics", ["quals", "hallucination_rate", "rougeL"])
    settings = sorted({k for r in sweep["runs"] for k in r["settings"]})
    split = sweep.get("split", "test")
    seeds = max((len(r.get("seeds", {})) for r in sweep["runs"]), default=0)
    lines = [f"## Ablation: {sweep['name']}", "",
             f"{split.capitalize()} documents"
             + (f"; each cell is the mean over {seeds} ConSeq seeds, in brackets their range."
                if seeds > 1 else "."), "",
             "| " + " | ".join(settings + metrics) + " |", "|---" * (len(settings) + len(metrics)) + "|"]
    stars = _significant_cells(sweep["runs"], metrics)
    for i, r in enumerate(sweep["runs"]):
        values = [str(r["settings"].get(k)) for k in settings]
        values += [_cell(r, m, (i, m) in stars) for m in metrics]
        lines.append("| " + " | ".join(values) + " |")
    lines.append("")
    if any("vs_mle" in r["metrics"] for r in sweep["runs"]):
        lines += ["`*` = differs from the base run's MLE, paired bootstrap p < 0.05 after "
                  "Holm-Bonferroni across the table.", ""]
    numeric = [k for k in settings if all(isinstance(r["settings"].get(k, 0), (int, float))
                                          for r in sweep["runs"])]
    for setting in numeric:  # curves for numeric settings; categorical ones are in the table
        for metric in metrics:
            points = [(float(r["settings"][setting]), r["metrics"].get(metric),
                       *r["metrics"].get(f"{metric}_ci", [r["metrics"].get(metric)] * 2))
                      for r in sweep["runs"] if setting in r["settings"]
                      and figures.is_finite(r["metrics"].get(metric))]
            if len(points) < 2:
                continue
            base = sweep.get("baseline", {}).get(metric)
            fig = figures.ablation_curves({"QUALS-ConSeq (95% CI)": points},
                                          figures.SETTINGS.get(setting, setting.replace("_", " ")),
                                          f"{figures.UNITS.get(metric, metric)}, {split}-set mean",
                                          out / "figures" / f"sweep_{sweep['name']}_{setting}_{metric}",
                                          baseline=("MLE", base) if base is not None else None)
            lines += [f"![{metric} vs {setting}]({fig.relative_to(out)})", ""]
    return lines


def _cell(run: dict, metric: str, star: bool) -> str:
    """A sweep table cell: the mean, ``*`` when significant, and the range over seeds."""
    value = run["metrics"].get(metric)
    if not figures.is_finite(value):
        return "n/a"
    span = run.get("range", {}).get(metric)
    return f"{value:.3f}{'*' if star else ''}" + (f" [{span[0]:.3f}, {span[1]:.3f}]" if span else "")


def _significant_cells(runs: list[dict], metrics: list[str]) -> set[tuple[int, str]]:
    """(run index, metric) cells whose paired test against the MLE (``metrics.vs_mle``) has
    p < 0.05 after Holm-Bonferroni over every cell tested."""
    from analysis.significance import holm

    cells = [(i, m, r["metrics"]["vs_mle"][m]["p_value"])
             for i, r in enumerate(runs) for m in metrics if m in r["metrics"].get("vs_mle", {})]
    if not cells:
        return set()
    adjusted = holm([p for _, _, p in cells])
    return {(i, m) for (i, m, _), p in zip(cells, adjusted) if p < 0.05}


def meta_eval_section(run: Path, out: Path) -> list[str]:
    """Figure (e): metric vs human score per QAGS file, with Pearson r in the legend."""
    path = run / "correlations.json"
    if not path.exists():
        return []
    report = json.loads(path.read_text())
    lines = ["## Meta-evaluation (QAGS-C/X)", "", "| file | metric | n | Pearson | Spearman | Kendall |",
             "|---|---|---|---|---|---|"]
    figs = []
    for stem, result in report.items():
        rows = [json.loads(l) for l in (run / f"{stem}.jsonl").read_text().splitlines()]
        for metric, stats in result.items():
            if metric in ("dropped", "williams"):
                continue
            lines.append(f"| {stem} | {metric} | {stats['n']} | {stats['pearson']:+.3f} | "
                         f"{stats['spearman']:+.3f} | {stats['kendall']:+.3f} |")
            kept = [r for r in rows if figures.is_finite(r.get(metric))]
            figs.append(figures.scatter_human([r[metric] for r in kept], [r["human"] for r in kept],
                                              metric, stats["pearson"],
                                              out / "figures" / f"human_{stem}_{metric}",
                                              title=stem.replace("mturk_", "QAGS-")))
    return lines + [""] + [f"![scatter]({f.relative_to(out)})" for f in figs] + [""]


def human_section(run: Path, out: Path) -> list[str]:
    """Figure (f) and the statistics of a human study folder (``key.json`` + filled sheets)."""
    from analysis.human import import_sheets, study_statistics

    key = run / "key.json"
    sheets = sorted(p for p in run.glob("*.csv") if p.name != "sheet.csv")
    if not key.exists() or not sheets:
        return []
    stats = study_statistics(import_sheets(sheets, key))
    names = json.loads(key.read_text())
    fig = figures.human_study(stats, names["system_a"], names["system_b"], out / "figures" / "human_study")
    lines = ["## Human study", "", "| attribute | better | equal | worse | sign test p | Fleiss kappa | Krippendorff alpha |",
             "|---|---|---|---|---|---|---|"]
    for attribute, s in stats.items():
        lines.append(f"| {attribute} | {s['better']} | {s['equal']} | {s['worse']} | "
                     f"{s['sign_test_p']:.3g} | {s['fleiss_kappa']} | {s['krippendorff_alpha']} |")
    if names.get("identical_left_out"):
        lines += ["", f"{names['identical_left_out']} examples whose two summaries are identical "
                      "were left out of the sheet."]
    return lines + ["", f"![human study]({fig.relative_to(out)})", ""]
