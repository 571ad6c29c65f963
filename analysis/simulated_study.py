"""The paper's human study, simulated: the oracle is the annotator.

The paper's annotators compared 100 summaries of QUALS-ConSeq with the MLE's on factual
consistency. Here the oracle, which knows every document's facts, judges each pair: the summary
with fewer unsupported facts (the oracle's ``hallucinated_facts`` column) is better, equal counts
tie. The outcome goes through the study's own statistics (win/tie/loss and the sign test of
``analysis.human``) and its stacked bar figure, labelled as simulated. The sheet for real
annotators (``quals-bench human-sheet``) stays.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import stats

COLUMN = "hallucinated_facts"
"""The oracle's count of a summary's facts that its document does not support."""


def oracle_preferences(a_records: list[dict], b_records: list[dict], n: int = 100,
                       seed: int = 0) -> dict[str, int]:
    """Item id -> +1 (B has fewer unsupported facts), 0 (as many), -1 (more), for ``n`` items
    drawn with ``seed`` from the examples both systems summarised with an oracle verdict."""
    b_by_id = {r["id"]: r for r in b_records}
    both = [(a, b_by_id[a["id"]]) for a in a_records
            if a["id"] in b_by_id and _judged(a) and _judged(b_by_id[a["id"]])]
    rng = np.random.default_rng(seed)
    drawn = sorted(rng.choice(len(both), size=min(n, len(both)), replace=False).tolist())
    return {both[i][0]["id"]: int(np.sign(both[i][0][COLUMN] - both[i][1][COLUMN]))
            for i in drawn}


def _judged(record: dict) -> bool:
    return isinstance(record.get(COLUMN), (int, float))


def simulated_statistics(preferences: dict[str, int]) -> dict:
    """Better / equal / worse counts of B against A, and the two-sided sign test (ties out)."""
    values = list(preferences.values())
    better, equal, worse = values.count(1), values.count(0), values.count(-1)
    p = stats.binomtest(better, better + worse, 0.5).pvalue if better + worse else 1.0
    return {"better": better, "equal": equal, "worse": worse, "items": len(values),
            "sign_test_p": float(p), "annotator": "oracle (simulated)"}


def simulated_study(a_records: list[dict], b_records: list[dict], n: int = 100,
                    seed: int = 0) -> dict:
    """:func:`simulated_statistics` of :func:`oracle_preferences`."""
    return simulated_statistics(oracle_preferences(a_records, b_records, n, seed))


def draw(studies: dict[str, dict], system_a: str, system_b: str, stem: str | Path) -> Path:
    """The paper's stacked bar figure of the simulated study: one bar per study (a ConSeq seed,
    or all together), labelled as simulated by the oracle."""
    from analysis.figures import human_study

    counts = {name: {k: s[k] for k in ("better", "equal", "worse")} for name, s in studies.items()}
    return human_study(counts, system_a, system_b, stem,
                       title="factual consistency, simulated: the oracle is the annotator")
