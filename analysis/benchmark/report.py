"""A benchmark report as ``benchmark.md``, a printed table and ``benchmark.png``: scorers by
datasets, each figure with its bootstrap CI where it has one (matplotlib Agg, Okabe-Ito)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from analysis.figures import OKABE_ITO  # noqa: E402

TITLES = {"aggrefact": "AggreFact", "llm-aggrefact": "LLM-AggreFact", "summac": "SummaC",
          "true": "TRUE", "frank": "FRANK", "qags": "QAGS"}
LABELS = {"balanced_accuracy": "Balanced accuracy", "auroc": "AUROC", "pearson": "Pearson r",
          "spearman": "Spearman rho", "partial_pearson": "Partial Pearson r (system removed)",
          "partial_spearman": "Partial Spearman rho (system removed)"}
WHERE = {"threshold": "on the test cut", "auroc": "on every row",
         "correlation": "with the human score"}


def statistics(report: dict) -> tuple[str, ...]:
    """The statistics a report shows, its headline first."""
    if report["kind"] == "threshold":
        return ("balanced_accuracy", "auroc")
    if report["kind"] == "auroc":
        return ("auroc",)
    if any("partial_pearson" in r.get(s, {}) for r in report["results"].values()
           for s in report["scorers"]):
        return ("partial_pearson", "partial_spearman", "pearson", "spearman")
    return ("pearson", "spearman")


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def cell(figures: dict | None, statistic: str, ci: bool = True) -> str:
    """``0.712 [0.680, 0.744]``; ``-`` for a figure that is undefined or absent."""
    value = (figures or {}).get(statistic)
    if not _finite(value):
        return "-"
    bounds = (figures or {}).get(f"{statistic}_ci")
    if ci and bounds and all(_finite(b) for b in bounds):
        return f"{value:.3f} [{bounds[0]:.3f}, {bounds[1]:.3f}]"
    return f"{value:.3f}"


def table(report: dict, statistic: str, ci: bool = True) -> tuple[list[str], list[list[str]]]:
    """Header and rows (one per scorer) of ``statistic`` by dataset, with the mean column."""
    groups = list(report["results"])
    header = ["scorer", *groups, *(["mean"] if "mean" in report else [])]
    rows = []
    for s in report["scorers"]:
        row = [s, *(cell(report["results"][g].get(s), statistic, ci) for g in groups)]
        if "mean" in report:
            row.append(cell(report["mean"].get(s), statistic, False))
        rows.append(row)
    return header, rows


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def text_table(report: dict) -> str:
    """The headline statistic, scorers by datasets, in aligned plain-text columns."""
    statistic = statistics(report)[0]
    header, rows = table(report, statistic, ci=False)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [f"{TITLES[report['format']]}: {LABELS[statistic]} {WHERE[report['kind']]}"]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in [header, *rows]]
    return "\n".join(lines)


def _counts(report: dict) -> str:
    """Scorers by datasets: the threshold with ``n_val/n_test``, or the examples scored."""
    def counted(figures: dict) -> str:
        if report["kind"] == "threshold":
            return _threshold_cell(figures)
        return str(figures.get("n", "-"))

    rows = [[s, *(counted(report["results"][g].get(s, {})) for g in report["results"])]
            for s in report["scorers"]]
    return markdown_table(["scorer", *report["results"]], rows)


def _threshold_cell(figures: dict) -> str:
    t = figures.get("threshold")
    shown = f"{t:.4g}" if _finite(t) else "-"
    return f"{shown} ({figures.get('n_val', 0)}/{figures.get('n_test', 0)})"


def _comparison_lines(report: dict) -> list[str]:
    rows = []
    for group, found in report["comparisons"].items():
        for name, by_stat in found.items():
            if name in ("williams", "partial_williams"):
                rows += [[group, f"Williams{' (partial)' if name != 'williams' else ''}", pair,
                          "", _p(by_stat[pair])] for pair in _favoured(by_stat)]
            elif isinstance(by_stat, dict):
                rows += [[group, LABELS[stat], name, _difference(c), _p(c["p_value"])]
                         for stat, c in by_stat.items()]
    if not rows:
        return []
    return ["## Comparisons between scorers", "",
            markdown_table(["dataset", "test", "scorers", "difference [95% CI]", "p"], rows), ""]


def _favoured(tests: dict) -> list[str]:
    """Of each pair's two one-sided Williams tests ``A>B`` and ``B>A``, the one with the smaller
    p-value (the direction the data favour; the first listed on a tie or NaN)."""
    shown = []
    for pair, p in tests.items():
        a, b = pair.split(">", 1)
        reverse = tests.get(f"{b}>{a}")
        if f"{b}>{a}" in shown or (_finite(reverse) and _finite(p) and reverse < p):
            continue
        shown.append(pair)
    return shown


def _difference(c: dict) -> str:
    if not _finite(c["difference"]):
        return "-"
    low, high = c["ci"]
    return f"{c['difference']:+.3f} [{low:+.3f}, {high:+.3f}]" if _finite(low) else \
        f"{c['difference']:+.3f}"


def _p(p) -> str:
    return f"{p:.3g}" if _finite(p) else "-"


def markdown(report: dict) -> str:
    """The whole report in Markdown: a table per statistic, counts, and comparisons."""
    s = report["settings"]
    lines = [f"# {TITLES[report['format']]}", "",
             f"Files: {', '.join(f'`{p}`' for p in report['sources'])}. "
             + (f"Threshold: {s['threshold']}. " if "threshold" in s else "")
             + f"Bootstrap: {s['n_resamples']} resamples, seed "
             f"{s['seed']}, {100 * s['confidence']:.0f}% intervals.", ""]
    for statistic in statistics(report):
        lines += [f"## {LABELS[statistic]} {WHERE[report['kind']]}", "",
                  markdown_table(*table(report, statistic)), ""]
    counted = ("Threshold (n val / n test)" if report["kind"] == "threshold"
               else "Examples scored")
    lines += [f"## {counted}", "", _counts(report), ""]
    return "\n".join(lines + _comparison_lines(report))


def figure(report: dict, path: str | Path) -> Path:
    """Bars per dataset and scorer, one panel per statistic, CIs as error bars; save PNG."""
    names, groups = report["scorers"], list(report["results"])
    shown = statistics(report)[:2]
    panel = max(4.5, 1.0 + 0.3 * len(groups) * max(1, len(names)))  # inches
    fig, axes = plt.subplots(1, len(shown), figsize=(panel * len(shown), 3.8), squeeze=False)
    width = 0.8 / max(1, len(names))
    for ax, statistic in zip(axes.flat, shown):
        for k, name in enumerate(names):
            figures = [report["results"][g].get(name, {}) for g in groups]
            values = np.array([f.get(statistic) if _finite(f.get(statistic)) else np.nan
                               for f in figures], dtype=float)
            err = _errors(figures, statistic, values)
            ax.bar(np.arange(len(groups)) + (k - (len(names) - 1) / 2) * width, values, width,
                   yerr=err, capsize=2, label=name, color=OKABE_ITO[k % len(OKABE_ITO)])
        ax.set_xticks(range(len(groups)), groups, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel(LABELS[statistic], fontsize=8)
        ax.legend(fontsize=7)
    fig.suptitle(f"{TITLES[report['format']]}: {WHERE[report['kind']]}", fontsize=9)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def _errors(figures: list[dict], statistic: str, values: np.ndarray) -> np.ndarray:
    """Lower and upper error bar lengths from each figure's CI (0 where it has none)."""
    bounds = np.array([f.get(f"{statistic}_ci") or [np.nan, np.nan] for f in figures],
                      dtype=float).reshape(len(figures), 2)
    low, high = values - bounds[:, 0], bounds[:, 1] - values
    return np.nan_to_num(np.vstack([low, high]).clip(min=0))
