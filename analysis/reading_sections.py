"""Report sections on whether the metrics and models read: each metric on the models' own
outputs (faithful vs hallucinated candidates and references, ``system_validity``) and the
reading probe of the QA model and QAGen (``results.json``)."""

from __future__ import annotations

import json
from pathlib import Path

from analysis import figures

METRICS = ("quals", "qags", "factcc", "rougeL")


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def system_validity_section(run: Path, out: Path) -> list[str]:
    """AUROC table and, per metric, its distribution on faithful vs hallucinated outputs."""
    path, results = run / "system_validity" / "scores.jsonl", run / "results.json"
    if not path.exists() or not results.exists():
        return []
    validity = json.loads(results.read_text()).get("metric_validity_system_outputs", {})
    lines = ["## Metrics on the models' own outputs (candidate pool)", "",
             "| metric | AUROC faithful vs hallucinated | AUROC invented name | Spearman with "
             "unsupported facts | n (faithful / hallucinated / unverifiable) |", "|---" * 5 + "|"]
    for metric, v in validity.get("metrics", {}).items():
        lines.append(f"| {metric} | {_fmt(v['auroc'])} | {_fmt(v['auroc_invented'])} | "
                     f"{_fmt(v.get('spearman_hallucinated_facts'))} | {v['n']} ({v['n_faithful']}"
                     f" / {v['n_hallucinated']} / {v['n_unverifiable']}) |")
    lines.append("")
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for metric in METRICS:
        kept = [r for r in rows if figures.is_finite(r.get(metric)) and r["verdict"] != "unverifiable"]
        if not kept:
            continue
        groups = {"faithful": [r[metric] for r in kept if not r["hallucinated"]],
                  "hallucinated": [r[metric] for r in kept if r["hallucinated"]]}
        fig = figures.distributions(groups, figures.UNITS.get(metric, metric),
                                    out / "figures" / f"system_validity_{metric}", share=True)
        lines += [f"![{metric}: faithful vs hallucinated outputs]({fig.relative_to(out)})", ""]
    return lines


def probe_section(run: Path) -> list[str]:
    """The reading probe: exact match of the QA model and QAGen, overall and by role."""
    results = run / "results.json"
    probe = json.loads(results.read_text()).get("reading_probe") if results.exists() else None
    models = [m for m in ("qa", "qagen") if probe and m in probe]
    if not models:
        return []
    lines = ["## Reading probe (document questions of the test split)", "",
             "| model | exact match | F1 | EM, same-type distractor present | EM, none | "
             "answer in document |", "|---" * 6 + "|"]
    for m in models:
        t = probe[m]
        lines.append(f"| {m} | {_fmt(t['exact_match'])} | {_fmt(t['f1'])} | "
                     f"{_fmt(t['exact_match_distractor'])} | {_fmt(t['exact_match_no_distractor'])}"
                     f" | {_fmt(t['answer_in_document'])} |")
    roles = sorted(set().union(*(probe[m]["by_role"] for m in models)))
    lines += ["", "| role | " + " | ".join(f"{m} EM" for m in models) + " | n |",
              "|---" * (len(models) + 2) + "|"]
    for role in roles:
        cells = [probe[m]["by_role"].get(role, {}) for m in models]
        n = next((c["n"] for c in cells if c), 0)
        lines.append(f"| {role} | " + " | ".join(_fmt(c.get("exact_match")) for c in cells)
                     + f" | {n} |")
    return lines + [""]
