"""Discrimination statistics for binary labels (numpy only)."""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from analysis.runs import _ok


def auroc(scores, labels) -> float:
    """Area under the ROC curve: P(score of a positive > score of a negative), ties count 1/2.

    ``labels`` are 1 for positives; computed from ranks (Mann-Whitney U / (n_pos * n_neg)).
    Returns NaN when one class is empty.
    """
    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels).astype(bool)
    n_pos, n_neg = labels.sum(), (~labels).sum()
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def output_auroc(records: list[dict], metrics, label: str = "not_faithful") -> dict:
    """Each metric's AUROC at telling the oracle's faithful summaries (``label`` false) from the
    rest, over per-example score ``records`` that carry both (a system's test outputs): faithful
    summaries are the positives, as a higher score means more consistent. A record without a
    score (a sentinel) is left out and counted in ``unscored``."""
    labelled = [r for r in records if r.get(label) is not None]
    out = {"summaries": len(labelled),
           "unfaithful": sum(bool(r[label]) for r in labelled), "unscored": {}}
    for metric in metrics:
        scored = [r for r in labelled if _ok(r.get(metric))]
        out["unscored"][metric] = len(labelled) - len(scored)
        value = auroc([r[metric] for r in scored], [not r[label] for r in scored])
        out[metric] = None if value != value else value
    return out
