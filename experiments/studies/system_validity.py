"""Metric validity on the models' own outputs: the summaries ConSeq ranks.

The corruption table (``metric_validity``) asks whether a metric separates a faithful summary
from a hand-made corruption of it. A ranker's real job is harder: among the MLE model's sampled
candidates and the references, which are faithful? This stage takes the run's candidate pool
(the first ``docs`` documents: each reference and each candidate), the QUALS and ROUGE scores
the ranker used, scores the same summaries with FactCC and QAGS, judges each with the oracle,
and reports per metric
- ``auroc``: AUROC of ``-score`` for hallucinated (intrinsic or extrinsic) against faithful
  summaries; unverifiable summaries are left out and counted;
- ``auroc_invented``: the same for "names an entity the document never mentions" against not;
- ``spearman_hallucinated_facts``: Spearman's rho (and p) between the score and the number of
  asserted facts the document does not support (negative is right), over every summary;
and, under ``selection_oracle``, the hallucination rate of what ConSeq trained on.
ROUGE-L is against the reference, so the references themselves are left out of its rows.
"""

from __future__ import annotations

import math
from pathlib import Path

from experiments.pipeline.conseq_stages import slots
from lightning_modules.data.readers import read_objects


def train_facts(corpus: Path) -> dict[str, dict]:
    """The fact table of each training document, by id (the candidates are training documents)."""
    return {r["id"]: r["facts"] for r in read_objects(Path(corpus) / "train.jsonl")}


def pool(candidates: Path, scored: Path, facts: dict[str, dict], docs: int) -> list[dict]:
    """Rows ``{id, slot, document, reference, summary, facts, quals, rougeL}`` of the first
    ``docs`` candidate documents (slot -1 is the reference); the score files hold one line per
    summary in :func:`slots` order, so their first lines belong to those documents."""
    quals = iter(read_objects(Path(scored) / "quals.jsonl"))
    rouge = iter(read_objects(Path(scored) / "rouge.jsonl"))
    rows = []
    for doc in read_objects(candidates)[:docs]:
        for slot, summary in slots(doc):
            q, r = next(quals), next(rouge)
            rows.append({"id": doc["id"], "slot": slot, "document": doc["document"],
                         "reference": doc["reference"], "summary": summary,
                         "facts": facts[doc["id"]], "quals": q["score"],
                         "rougeL": None if slot < 0 or r["score"] is None else r["scores"]["rougeL"]})
    return rows


def judge_rows(rows: list[dict]) -> None:
    """Add the oracle's reading to each row: verdict, hallucinated, invented, bad facts."""
    from lightning_modules.world.oracle import judge

    for row in rows:
        j = judge(row["facts"], row["summary"])
        row.update(verdict=j.verdict, hallucinated=j.hallucinated,
                   invented=any(c.error == "invented_entity" for c in j.claims),
                   hallucinated_facts=j.unsupported_facts())


def _finite(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def validity(rows: list[dict], metric: str) -> dict:
    """The AUROCs and the Spearman correlation of one metric column (see module docstring)."""
    from scipy.stats import spearmanr

    from analysis.discrimination import auroc

    scored = [r for r in rows if r.get(metric) is not None]
    judged = [r for r in scored if r["verdict"] != "unverifiable"]
    out = {"auroc": _finite(auroc([-r[metric] for r in judged], [r["hallucinated"] for r in judged])),
           "auroc_invented": _finite(auroc([-r[metric] for r in scored],
                                           [r["invented"] for r in scored])),
           "n": len(scored), "n_faithful": sum(r["verdict"] == "faithful" for r in scored),
           "n_hallucinated": sum(r["hallucinated"] for r in scored),
           "n_unverifiable": len(scored) - len(judged), "sentinel": len(rows) - len(scored)}
    if len(scored) > 2:
        rho = spearmanr([r[metric] for r in scored], [r["hallucinated_facts"] for r in scored])
        out.update(spearman_hallucinated_facts=_finite(rho.statistic),
                   spearman_p=_finite(rho.pvalue))
    return out


def selection_diagnosis(selection_dir: Path, candidates: Path, facts: dict[str, dict]) -> dict:
    """The oracle's hallucination rate of what ConSeq trains on, over every document of the
    candidate pool (not only the first ``docs``): all candidates and references, and per
    ranker its S+ positives and S- negatives."""
    from lightning_modules.world.oracle import judge

    rate = lambda pairs: (sum(judge(facts[i], t).hallucinated for i, t in pairs) / len(pairs)  # noqa: E731
                          if pairs else None)
    docs = read_objects(candidates)
    out = {"pool": {"candidates": rate([(d["id"], c) for d in docs for c in d["candidates"]]),
                    "references": rate([(d["id"], d["reference"]) for d in docs])}}
    for ranker in ("quals", "rouge"):
        path = Path(selection_dir) / ranker / "pairs.jsonl"
        if path.exists():
            pairs = read_objects(path)
            out[ranker] = {side: rate([(p["id"], p[side]) for p in pairs if p[side]])
                           for side in ("positive", "negative")}
    return out


def system_validity_stage(s: dict) -> dict:
    """Pipeline stage: judge and score the candidate pool; per-summary rows go to
    ``<out>/scores.jsonl``; return ``{metric: validity}``."""
    from experiments.studies.metric_validity import load_scorers
    from lightning_modules.jsonl import write_jsonl

    facts = train_facts(Path(s["corpus"]))
    rows = pool(Path(s["candidates"]), Path(s["scored"]), facts, s["docs"])
    judge_rows(rows)
    scorers = load_scorers(factcc=s["factcc"], qg=s["qg"], qa=s["qa"], qags=s["qags"])
    for name in ("factcc", "qags"):
        scorer, column = scorers[name]
        result = scorer.score([r["document"] for r in rows], [r["summary"] for r in rows])
        for row, value in zip(rows, result.scores[column]):
            row[name] = value
    metrics = ("rougeL", "factcc", "qags", "quals")
    write_jsonl(Path(s["out"]) / "scores.jsonl",
                ({k: r[k] for k in ("id", "slot", "summary", "verdict", "hallucinated", "invented",
                                    "hallucinated_facts", *metrics)} for r in rows))
    return {"summaries": len(rows), "documents": s["docs"],
            "metrics": {m: validity(rows, m) for m in metrics},
            "selection_oracle": selection_diagnosis(Path(s["scored"]).parent,
                                                    Path(s["candidates"]), facts)}
