"""The paper's table shape over worlds: ``quals-bench analyze DIR_XSUM DIR_CNNDM --out REPORT``.

Each world (a ``reproduce`` output) is a column group, the three systems are rows; every cell
is a test-set mean with its 95% bootstrap CI and a marker where the system differs from the
MLE of the same world (paired bootstrap, Holm-Bonferroni within the world's table). Markdown
and LaTeX.
"""

from __future__ import annotations

import json
from pathlib import Path

from analysis import tables

WORLD_METRICS = ("rouge1", "rouge2", "rougeL", "factcc", "qags", "quals", "hallucinated",
                 "intrinsic", "extrinsic", "hallucinated_facts")


def world_name(run: Path) -> str:
    """The world of a ``reproduce`` output (``results.json``'s ``world``), else its folder name."""
    results = run / "results.json"
    if results.exists():
        world = json.loads(results.read_text()).get("world")
        if isinstance(world, str) and world:
            return world
    return run.name


def world_runs(runs: list[Path]) -> dict[str, Path]:
    """World -> run for the ``reproduce`` outputs among ``runs``; two runs of one world raise."""
    worlds: dict[str, Path] = {}
    for run in runs:
        if (run / "eval").is_dir() and (run / "results.json").exists():
            name = world_name(run)
            if name in worlds:
                raise ValueError(f"{run}: world {name!r} is also {worlds[name]}; give one run "
                                 "per world")
            worlds[name] = run
    return worlds


def world_tables(systems_by_world: dict[str, dict[str, list[dict]]],
                 metrics=WORLD_METRICS) -> dict[str, dict]:
    """World -> the results table of :func:`analysis.tables.results_table` against its MLE."""
    return {world: tables.results_table(systems, metrics, baseline=next(iter(systems)))
            for world, systems in systems_by_world.items()}


def _systems(by_world: dict[str, dict]) -> list[str]:
    names: list[str] = []
    for table in by_world.values():
        names += [name for name in table if name not in names]
    return names


def _cell(table: dict, name: str, metric: str, fmt, missing: str = "-") -> str:
    cell = table.get(name, {}).get(metric)
    return missing if cell is None or cell.n == 0 else fmt(cell)


def markdown(by_world: dict[str, dict], metrics=WORLD_METRICS) -> str:
    """One Markdown table: a column per (world, metric), ``*`` = differs from that world's MLE."""
    head = [f"{world} {tables.LABELS.get(m, m)}" for world in by_world for m in metrics]
    lines = ["| system | " + " | ".join(head) + " |", "|---" * (len(head) + 1) + "|"]
    fmt = lambda c: f"{c.mean:.3f}{'*' if c.significant else ''} [{c.ci_low:.3f}, {c.ci_high:.3f}]"  # noqa: E731
    for name in _systems(by_world):
        cells = [_cell(table, name, m, fmt) for table in by_world.values() for m in metrics]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("\nMean over the test examples with a 95% bootstrap CI; * = differs from the "
                 "MLE of the same world, paired bootstrap p < 0.05 after Holm-Bonferroni.")
    return "\n".join(lines)


def latex(by_world: dict[str, dict], metrics=WORLD_METRICS) -> str:
    """A booktabs ``tabular`` with a column group per world; dagger = differs from its MLE."""
    groups = " & ".join(rf"\multicolumn{{{len(metrics)}}}{{c}}{{{w}}}" for w in by_world)
    rules = " ".join(rf"\cmidrule(lr){{{2 + i * len(metrics)}-{1 + (i + 1) * len(metrics)}}}"
                     for i in range(len(by_world)))
    labels = " & ".join(tables.LABELS.get(m, m) for _ in by_world for m in metrics)
    lines = [rf"\begin{{tabular}}{{l{'c' * len(metrics) * len(by_world)}}}", r"\toprule",
             rf" & {groups} \\", rules, rf"System & {labels} \\", r"\midrule"]
    fmt = lambda c: f"{c.mean:.3f}" + (r"$^\dagger$" if c.significant else "")  # noqa: E731
    for name in _systems(by_world):
        cells = [_cell(table, name, m, fmt, "--") for table in by_world.values() for m in metrics]
        lines.append(name.replace("_", r"\_") + " & " + " & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines)
