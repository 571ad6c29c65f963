"""The paper's figures (matplotlib; PNG and PDF; Okabe-Ito colours, safe for colour blindness).

Each function takes plain data (lists, dicts) and an output path stem, writes ``stem.png`` and
``stem.pdf``, and returns the PNG path. :func:`log_to_wandb` logs written figures to a W&B run.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000"]


def _save(fig, stem: str | Path) -> Path:
    """Write ``<stem>.png`` and ``<stem>.pdf``; a dot inside the stem (``selection.quantile``)
    stays part of the name rather than being taken for a suffix."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    png = stem.with_name(stem.name + ".png")
    fig.savefig(png, dpi=150)
    fig.savefig(stem.with_name(stem.name + ".pdf"))
    plt.close(fig)
    return png


def token_labels(tokens: list[str]) -> list[str]:
    """Readable tick labels for subword tokens: word-initial pieces plain, continuations ``##x``.

    Byte-level BPE (``Ġ``) and SentencePiece (``▁``) mark word starts; a piece without the mark
    continues the previous word (the first piece, punctuation and ``<special>`` tokens
    excepted). WordPiece tokens already carry ``##`` and are left as they are.
    """
    marked = any(t.startswith(("Ġ", "▁")) for t in tokens)
    labels = []
    for i, t in enumerate(tokens):
        if t.startswith(("Ġ", "▁")):
            labels.append(t[1:] or "␣")
        elif marked and i > 0 and any(c.isalnum() for c in t) and not t.startswith("<"):
            labels.append("##" + t)
        else:
            labels.append(t)
    return labels


def token_probabilities(pair: dict, stem) -> Path:
    """(a) Per-token probability given the summary beside given the document, for one QA pair.

    ``pair``: ``tokens``, ``logprobs_summary``, ``logprobs_document``, ``question``, ``answer``.
    """
    tokens = token_labels(pair["tokens"])
    p_sum = np.exp(pair["logprobs_summary"])
    p_doc = np.exp(pair["logprobs_document"])
    x = np.arange(len(tokens))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(tokens)), 3.6))
    ax.bar(x - 0.2, p_sum, 0.4, label="given the summary", color=OKABE_ITO[0])
    ax.bar(x + 0.2, p_doc, 0.4, label="given the document", color=OKABE_ITO[1], hatch="//")
    ax.set_xticks(x, tokens, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("token probability")
    ax.set_ylim(0, 1.3)
    contribution = float(np.mean(pair["logprobs_document"]) - np.mean(pair["logprobs_summary"]))
    ax.set_title(f"Q: {pair['question']}  A: {pair['answer']}\n"
                 f"QUALS contribution (LL doc - LL summary) = {contribution:+.3f} nats/token",
                 fontsize=9)
    ax.legend(fontsize=8, loc="upper center", ncol=2)
    return _save(fig, stem)


UNITS = {"rouge1": "ROUGE-1 F1", "rouge2": "ROUGE-2 F1", "rougeL": "ROUGE-L F1",
         "factcc": "FactCC P(consistent)", "qags": "QAGS token F1",
         "quals": "QUALS (nats/token)", "hallucinated": "hallucination rate (oracle)",
         "hallucination_rate": "hallucination rate (oracle)"}
# x-axis labels of sweep settings (others: the setting's name)
SETTINGS = {"quals_beams": "QA beams (= beam groups) of QUALS as the ranker",
            "selection.quantile": "S+/S- quantile (share of summaries selected)",
            "conseq.learning_rate": "ConSeq learning rate",
            "conseq.negative_weight": "weight of the S- (unlikelihood) loss",
            "candidates.num_candidates": "candidates per document"}


def metric_bars(table: dict[str, dict[str, dict]], metrics, stem, labels=None) -> Path:
    """(b) Each metric per system: mean with its confidence interval as error bars.

    ``table``: system -> metric -> ``{"mean", "ci_low", "ci_high"}``.
    """
    systems = list(table)
    cols = min(4, len(metrics))
    rows = math.ceil(len(metrics) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.8 * cols, 3.2 * rows), squeeze=False)
    for ax in axes.flat[len(metrics):]:
        ax.axis("off")
    for ax, metric in zip(axes.flat, metrics):
        means = [table[s][metric]["mean"] for s in systems]
        err = [[m - table[s][metric]["ci_low"] for s, m in zip(systems, means)],
               [table[s][metric]["ci_high"] - m for s, m in zip(systems, means)]]
        ax.bar(range(len(systems)), means, yerr=err, capsize=3,
               color=OKABE_ITO[: len(systems)])
        ax.set_xticks(range(len(systems)), systems, rotation=30, ha="right", fontsize=8)
        ax.set_title((labels or {}).get(metric, metric), fontsize=9)
        ax.set_ylabel(f"{UNITS.get(metric, metric)}\ntest-set mean, 95% CI", fontsize=8)
    return _save(fig, stem)


def ablation_curves(series: dict[str, list[tuple[float, float, float, float]]], xlabel: str,
                    ylabel: str, stem, baseline: tuple[str, float] | None = None) -> Path:
    """(c) A metric against a setting: ``series`` name -> [(x, mean, ci_low, ci_high)];
    ``baseline`` (label, value) is drawn as a dashed horizontal line."""
    fig, ax = plt.subplots(figsize=(4.8, 3.4))
    if baseline is not None and is_finite(baseline[1]):
        ax.axhline(baseline[1], color="#555555", linestyle="--", label=baseline[0])
    for i, (name, points) in enumerate(series.items()):
        points = sorted(points)
        x, y = [p[0] for p in points], [p[1] for p in points]
        ax.plot(x, y, marker="os^D"[i % 4], color=OKABE_ITO[i % 8], label=name)
        ax.fill_between(x, [p[2] for p in points], [p[3] for p in points],
                        color=OKABE_ITO[i % 8], alpha=0.2)
    xs = [p[0] for points in series.values() for p in points]
    if xs and min(xs) > 0 and max(xs) / min(xs) >= 20:  # learning rates and the like
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    return _save(fig, stem)


def distributions(groups: dict, xlabel: str, stem, share: bool = False) -> Path:
    """(d) Overlaid histograms of a score per group (S+ vs S-, faithful vs corrupted).

    ``groups``: name -> values for one panel, or panel title -> (name -> values) for several
    side by side on a shared x axis. ``share``: each group's bars sum to 1 (for groups of
    unequal size compared by shape; counts otherwise, where one group is a subset of another).
    """
    panels = groups if all(isinstance(v, dict) for v in groups.values()) else {"": groups}
    values = [v for panel in panels.values() for vs in panel.values() for v in vs]
    bins = np.linspace(min(values), max(values), 25) if values else 10
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.4), squeeze=False,
                             sharex=True)
    for k, (ax, (title, panel)) in enumerate(zip(axes[0], panels.items())):
        for i, (name, vs) in enumerate(panel.items()):
            color = OKABE_ITO[(2 * k + i) % 8]
            weights = np.full(len(vs), 1 / len(vs)) if share and len(vs) else None
            ax.hist(vs, bins=bins, weights=weights, alpha=0.55, color=color,
                    label=f"{name} (n={len(vs)})", histtype="stepfilled", edgecolor=color)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("share of the group's summaries" if share else "summaries")
        ax.legend(fontsize=8)
    return _save(fig, stem)


def scatter_human(metric: list[float], human: list[float], metric_name: str, r: float,
                  stem, human_label: str = "human score (share of sentences judged consistent)",
                  title: str = "") -> Path:
    """(e) Metric against human score, the correlation in the legend."""
    fig, ax = plt.subplots(figsize=(4.4, 3.6))
    ax.set_title(title, fontsize=9)
    ax.scatter(human, metric, s=12, alpha=0.6, color=OKABE_ITO[0],
               label=f"Pearson r = {r:.3f} (n={len(metric)})")
    ax.set_xlabel(human_label, fontsize=8)
    ax.set_ylabel(UNITS.get(metric_name, metric_name))
    ax.legend(fontsize=8)
    return _save(fig, stem)


def human_study(counts: dict[str, dict[str, int]], system_a: str, system_b: str, stem,
                title: str | None = None) -> Path:
    """(f) Stacked bars of better / equal / worse (system B vs A) per attribute (or per study),
    in percent; ``title`` above them (a simulated study says so)."""
    attributes = list(counts)
    fig, ax = plt.subplots(figsize=(6.4, 1.2 + 0.6 * len(attributes)))
    left = np.zeros(len(attributes))
    colours = {"better": OKABE_ITO[2], "equal": "#BBBBBB", "worse": OKABE_ITO[3]}
    for key, colour in colours.items():
        share = np.array([100 * counts[a][key] / max(1, sum(counts[a].values()))
                          for a in attributes])
        ax.barh(attributes, share, left=left, color=colour, label=key)
        left += share
    ax.set_xlabel(f"judgments (%): is {system_b} better or worse than {system_a}?")
    ax.set_xlim(0, 100)
    ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3)
    if title:
        ax.set_title(title, fontsize=9, pad=24)
    return _save(fig, stem)


def log_to_wandb(paths: list[Path], run=None) -> None:
    """Log PNG figures to the given (or current) W&B run as images."""
    import wandb

    run = run or wandb.run
    if run is None:
        raise RuntimeError("no W&B run: call wandb.init() or pass run=")
    run.log({f"figures/{Path(p).stem}": wandb.Image(str(p)) for p in paths})


def is_finite(x) -> bool:
    """True for a real, finite number."""
    return isinstance(x, (int, float)) and math.isfinite(x)
