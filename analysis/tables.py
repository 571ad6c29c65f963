"""The paper's results table: systems by metrics, mean with a bootstrap CI, and a marker where a
system differs significantly from the baseline (paired bootstrap, Holm-Bonferroni across every
comparison of the table). Markdown and LaTeX."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from scipy import stats

from analysis.runs import aligned
from analysis.significance import holm, paired_bootstrap

LOWER_IS_BETTER = {"hallucinated", "hallucination_rate", "intrinsic", "extrinsic",
                   "unverifiable", "not_faithful", "hallucinated_facts"}
LABELS = {"rouge1": "R-1", "rouge2": "R-2", "rougeL": "R-L", "factcc": "FactCC",
          "qags": "QAGS", "quals": "QUALS", "hallucinated": "Halluc.", "intrinsic": "Intr.",
          "extrinsic": "Extr.", "unverifiable": "Unver.", "facts": "Facts",
          "hallucinated_facts": "Bad facts"}


@dataclass
class Cell:
    """One system's value of one metric."""

    mean: float
    ci_low: float
    ci_high: float
    n: int
    p_value: float = float("nan")     # vs the baseline (Holm-adjusted); NaN for the baseline
    significant: bool = False


def mean_ci(values, rng: np.random.Generator, confidence: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean (scipy.stats.bootstrap)."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2 or np.all(values == values[0]):
        return float(values.mean()), float(values.mean())
    res = stats.bootstrap((values,), np.mean, n_resamples=1000, confidence_level=confidence,
                          method="percentile", rng=rng)
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def cell_rng(seed: int, *names) -> np.random.Generator:
    """A generator of its own for one table cell: seeded by ``seed`` and the cell's names."""
    return np.random.default_rng([seed, *(zlib.crc32(str(n).encode()) for n in names)])


def results_table(systems: dict[str, list[dict]], metrics, baseline: str, seed: int = 0,
                  alpha: float = 0.05) -> dict[str, dict[str, Cell]]:
    """Return system -> metric -> :class:`Cell` over examples every system scored. Each cell
    draws from its own generator (:func:`cell_rng`), so adding or changing a system moves no
    other system's interval."""
    table = {name: {} for name in systems}
    tests = []
    for metric in metrics:
        ids, values = aligned(systems, metric)
        for name, vals in values.items():
            if not vals:
                table[name][metric] = Cell(float("nan"), float("nan"), float("nan"), 0)
                continue
            low, high = mean_ci(vals, cell_rng(seed, name, metric))
            table[name][metric] = Cell(float(np.mean(vals)), low, high, len(vals))
            if name != baseline and len(vals) >= 2:
                test = paired_bootstrap(values[baseline], vals, cell_rng(seed, name, metric, 1))
                tests.append((name, metric, test.p_value))
    if tests:
        adjusted = holm([p for _, _, p in tests])
        for (name, metric, _), p in zip(tests, adjusted):
            table[name][metric].p_value = float(p)
            table[name][metric].significant = bool(p < alpha)
    return table


def markdown(table: dict[str, dict[str, Cell]], metrics, ranges: dict | None = None) -> str:
    """Markdown: mean [CI] per cell, ``*`` = significantly different from the baseline;
    ``ranges`` (system -> metric -> (min, max) over training seeds) adds ``(min–max)``."""
    ranges = ranges or {}
    head = "| system | " + " | ".join(LABELS.get(m, m) for m in metrics) + " |"
    lines = [head, "|---" * (len(metrics) + 1) + "|"]
    for name, row in table.items():
        cells = [f"{c.mean:.3f}{'*' if c.significant else ''} [{c.ci_low:.3f}, {c.ci_high:.3f}]"
                 + _range(ranges.get(name, {}).get(m)) for m, c in ((m, row[m]) for m in metrics)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    n = max((c.n for row in table.values() for c in row.values()), default=0)
    seeds = (" A system trained over several seeds shows the mean over seeds of its per-example "
             "scores, tested against the baseline as such, and (min–max) of the seeds' means."
             if ranges else "")
    lines.append(f"\nMean over up to {n} test examples with a 95% bootstrap CI; * = differs "
                 "from the baseline, paired bootstrap p < 0.05 after Holm-Bonferroni." + seeds)
    return "\n".join(lines)


def _range(bounds) -> str:
    return "" if bounds is None else f" ({bounds[0]:.3f}–{bounds[1]:.3f})"


def latex(table: dict[str, dict[str, Cell]], metrics) -> str:
    """A LaTeX ``tabular`` (booktabs): means, CI as a subscript, dagger for significance."""
    cols = "l" + "c" * len(metrics)
    lines = [rf"\begin{{tabular}}{{{cols}}}", r"\toprule",
             "System & " + " & ".join(LABELS.get(m, m).replace("%", r"\%") for m in metrics)
             + r" \\", r"\midrule"]
    for name, row in table.items():
        dagger = r"$^\dagger$"
        cells = [f"{c.mean:.3f}{dagger if c.significant else ''}"
                 + r"\scriptsize{$\pm$" + f"{(c.ci_high - c.ci_low) / 2:.3f}" + "}"
                 for c in (row[m] for m in metrics)]
        lines.append(name.replace("_", r"\_") + " & " + " & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines)
