"""The human study, as in the paper: pairwise comparison of two systems' summaries on factual
consistency, informativeness and grammatical correctness.

1. :func:`export_sheet` writes a blind sheet (CSV; the two summaries in random order, system
   names hidden) and a separate key file (JSON: which system is ``summary_1`` per item).
2. Annotators fill each attribute column with ``1`` (summary 1 better), ``2`` or ``tie``.
3. :func:`import_sheets` reads the filled sheets with the key: per annotator, item and
   attribute, +1 if system B is better, 0 tie, -1 worse. A bad cell raises an error naming
   file, line and column.
4. :func:`study_statistics`: win/tie/loss per attribute (all judgments), a two-sided sign test
   on wins vs losses (``scipy.stats.binomtest``, ties left out), and inter-annotator agreement
   (Fleiss' kappa and Krippendorff's alpha, nominal, over the three outcomes).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import stats

from lightning_modules.jsonl import write_json  # standard library only: no torch

ATTRIBUTES = ("factual_consistency", "informativeness", "grammaticality")
CHOICES = {"1": 1, "2": 2, "tie": 0}


def export_sheet(items: list[dict], system_a: str, system_b: str, sheet: Path, key: Path,
                 rng: np.random.Generator, extra: dict | None = None) -> None:
    """Write the blind sheet and the key. ``items``: ``{id, document, a, b}`` (the summaries
    of system A and B); item order and summary order are shuffled with ``rng``; ``extra``
    fields (provenance) are added to the key."""
    order = rng.permutation(len(items))
    mapping = {}
    with open(sheet, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["item", "document", "summary_1", "summary_2", *ATTRIBUTES])
        for n, i in enumerate(order):
            item = items[i]
            a_first = bool(rng.integers(2))
            first, second = (item["a"], item["b"]) if a_first else (item["b"], item["a"])
            label = f"item-{n:04d}"
            mapping[label] = {"id": item["id"], "summary_1": system_a if a_first else system_b}
            writer.writerow([label, item["document"], first, second, *[""] * len(ATTRIBUTES)])
    write_json(key, {"system_a": system_a, "system_b": system_b, "items": mapping,
                     **(extra or {})})


def import_sheets(sheets: list[Path], key: Path) -> dict[str, dict[str, dict[str, int]]]:
    """Return annotator (file stem) -> item -> attribute -> preference for system B (+1/0/-1)."""
    key = json.loads(Path(key).read_text())
    out = {}
    for sheet in sheets:
        judgments = {}
        with open(sheet, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            for row in reader:
                where = f"{sheet}:{reader.line_num}"
                item = key["items"].get(row.get("item"))
                if item is None:
                    raise ValueError(f"{where}: field 'item': {row.get('item')!r} not in the key")
                judgments[row["item"]] = {a: _preference(row.get(a), item, key, f"{where}: field {a!r}")
                                          for a in ATTRIBUTES}
        out[Path(sheet).stem] = judgments
    return out


def _preference(cell, item, key, where) -> int:
    choice = CHOICES.get((cell or "").strip().lower())
    if choice is None:
        raise ValueError(f"{where}: {cell!r} is not one of 1, 2, tie")
    if choice == 0:
        return 0
    winner = item["summary_1"] if choice == 1 else (
        key["system_b"] if item["summary_1"] == key["system_a"] else key["system_a"])
    return 1 if winner == key["system_b"] else -1


def fleiss_kappa(counts: np.ndarray) -> float:
    """Fleiss' kappa of an (items x categories) matrix of rater counts (equal raters per item)."""
    counts = np.asarray(counts, dtype=float)
    n = counts.sum(axis=1)[0]
    p_j = counts.sum(axis=0) / counts.sum()
    p_i = (np.sum(counts ** 2, axis=1) - n) / (n * (n - 1))
    p_bar, p_e = p_i.mean(), np.sum(p_j ** 2)
    return float((p_bar - p_e) / (1 - p_e)) if p_e < 1 else 1.0


def krippendorff_alpha_nominal(units: list[list]) -> float:
    """Krippendorff's alpha (nominal) from per-unit lists of values (missing values omitted)."""
    pairs = Counter()
    for values in units:
        m = len(values)
        if m < 2:
            continue
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    pairs[(c, k)] += 1 / (m - 1)
    n_c = Counter()
    for (c, _), w in pairs.items():
        n_c[c] += w
    n = sum(n_c.values())
    observed = sum(w for (c, k), w in pairs.items() if c != k)
    expected = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k) / (n - 1)
    return float(1 - observed / expected) if expected else 1.0


def study_statistics(judgments: dict[str, dict[str, dict[str, int]]]) -> dict:
    """Win/tie/loss, sign test and agreement per attribute (see the module docstring)."""
    annotators = list(judgments)
    items = sorted(set.intersection(*(set(j) for j in judgments.values())))
    out = {}
    for attribute in ATTRIBUTES:
        values = [[judgments[a][i][attribute] for a in annotators] for i in items]
        flat = [v for vs in values for v in vs]
        better, equal, worse = flat.count(1), flat.count(0), flat.count(-1)
        sign = stats.binomtest(better, better + worse, 0.5).pvalue if better + worse else 1.0
        counts = np.array([[vs.count(c) for c in (1, 0, -1)] for vs in values])
        out[attribute] = {"better": better, "equal": equal, "worse": worse,
                          "sign_test_p": float(sign), "items": len(items),
                          "annotators": len(annotators),
                          "fleiss_kappa": fleiss_kappa(counts) if len(annotators) > 1 else None,
                          "krippendorff_alpha": krippendorff_alpha_nominal(values)
                          if len(annotators) > 1 else None}
    return out
