"""Each benchmark's own statistics, per result group (dataset) and scorer.

- ``threshold`` benchmarks (AggreFact, LLM-AggreFact, SummaC): the threshold chosen on the val
  cut (or fixed), balanced accuracy and AUROC on the test cut, with stratified bootstrap CIs;
  each pair of scorers compared on the test examples both scored (paired bootstrap);
- ``auroc`` (TRUE): ROC AUC of every row, with its CI and the paired comparisons;
- ``correlation`` (QAGS, FRANK): :func:`analysis.correlate_cli.correlate`, the statistics
  ``quals-bench correlate`` and ``meta-eval`` compute, and Williams tests between scorers (FRANK:
  the summarizer is the control of partial correlations, and Williams tests are run on the
  partial residuals too, as FRANK's script runs them).

A scorer's statistics use the examples it has a score for; the others count as ``unscored``.
Bootstrap generators are seeded from ``seed``, the group and the scorer, so a scorer's figures
do not change when another scorer is added.
"""

from __future__ import annotations

import itertools
import zlib

import numpy as np

from analysis.benchmark import stats as S
from analysis.benchmark.fields import Benchmark
from analysis.correlate_cli import correlate
from analysis.correlation import residualize, williams


def scorer_names(examples: list[dict]) -> list[str]:
    """Every score name the examples carry, in order of first appearance."""
    return list(dict.fromkeys(name for ex in examples for name in ex["scores"]))


def groups(examples: list[dict]) -> dict[str, list[dict]]:
    """Result group -> its examples: the datasets in order of first appearance, then the
    groups that pool datasets (AggreFact's origins, FRANK's ``all``)."""
    out: dict[str, list[dict]] = {ex["dataset"]: [] for ex in examples}
    for ex in examples:
        for group in ex["groups"]:
            out.setdefault(group, []).append(ex)
    return out


def _rng(seed: int, *names: str) -> np.random.Generator:
    return np.random.default_rng([seed, *(zlib.crc32(n.encode()) for n in names)])


def _arrays(examples, scorer, cut=None):
    kept = [ex for ex in examples if ex["scores"].get(scorer) is not None
            and (cut is None or ex["cut"] == cut)]
    return kept, np.array([ex["scores"][scorer] for ex in kept], dtype=float), \
        np.array([ex["label"] for ex in kept], dtype=int)


def threshold_figures(examples, scorer, rng, n_resamples=1000, confidence=0.95,
                      threshold: float | None = None) -> dict:
    """``balanced_accuracy`` and ``auroc`` on the test cut at ``threshold`` (``None``: tuned on
    the val cut, :func:`~analysis.benchmark.stats.tune_threshold`), with CIs and counts."""
    val, val_scores, val_labels = _arrays(examples, scorer, "val")
    test, scores, labels = _arrays(examples, scorer, "test")
    t = S.tune_threshold(val_scores, val_labels) if threshold is None else float(threshold)
    no_ci = [float("nan")] * 2
    return {"balanced_accuracy": S.balanced_accuracy(scores, labels, t), "threshold": t,
            "auroc": S.auroc(scores, labels), "n_val": len(val), "n_test": len(test),
            "unscored": sum(ex["cut"] in ("val", "test") for ex in examples) - len(val) - len(test),
            "balanced_accuracy_ci": S.stratified_ci(S.balanced_accuracy_rows(t), scores, labels,
                                                    rng, n_resamples, confidence)
            if np.isfinite(t) else no_ci,
            "auroc_ci": S.stratified_ci(S.auroc_rows, scores, labels, rng, n_resamples, confidence)}


def auroc_figures(examples, scorer, rng, n_resamples=1000, confidence=0.95) -> dict:
    """ROC AUC of every scored example, with its CI and counts (TRUE)."""
    kept, scores, labels = _arrays(examples, scorer)
    return {"auroc": S.auroc(scores, labels), "n": len(kept), "unscored": len(examples) - len(kept),
            "auroc_ci": S.stratified_ci(S.auroc_rows, scores, labels, rng, n_resamples, confidence)}


def _credits(examples, scorer, statistic: str, threshold: float | None):
    _, scores, labels = _arrays(examples, scorer)
    if statistic == "auroc":
        return S.auroc_credits(scores, labels)
    return S.balanced_accuracy_credits(scores, labels, threshold)


def comparisons(examples, scorers, results, statistics, rng_for, n_resamples=1000,
                confidence=0.95, cut: str | None = "test") -> dict:
    """``"B vs A"`` -> statistic -> B minus A (:func:`~analysis.benchmark.stats.compare`) on the
    examples of ``cut`` both scored, for each pair of scorers (A listed first)."""
    out = {}
    for a, b in itertools.combinations(scorers, 2):
        both = [ex for ex in examples if (cut is None or ex["cut"] == cut)
                and ex["scores"].get(a) is not None and ex["scores"].get(b) is not None]
        classes = len({ex["label"] for ex in both})
        out[f"{b} vs {a}"] = {
            stat: S.compare(_credits(both, a, stat, results[a].get("threshold")),
                            _credits(both, b, stat, results[b].get("threshold")),
                            rng_for(a, b, stat), n_resamples, confidence)
            for stat in statistics if _comparable(stat, classes, results[a], results[b])}
    return out


def _comparable(statistic: str, classes: int, result_a: dict, result_b: dict) -> bool:
    """AUROC needs both classes; balanced accuracy needs both scorers' thresholds."""
    if statistic == "auroc":
        return classes == 2
    return classes > 0 and all(np.isfinite(r["threshold"]) for r in (result_a, result_b))


def _complete(rows: list[dict], columns, control: str | None) -> list[dict]:
    """The rows where every column has a value (and ``control`` one too, if given)."""
    return [r for r in rows if all(r.get(c) is not None for c in columns)
            and (control is None or r.get(control) not in (None, ""))]


def williams_tests(rows: list[dict], human: str, metrics, control: str | None = None) -> dict:
    """One-sided Williams p-values ``"A>B"`` (A correlates more with ``human`` than B) on the
    rows where every metric has a score, as :func:`analysis.correlate_cli.correlate` computes
    them; with ``control``, on every column's residuals once the control is removed (FRANK's
    ``evaluate.py``, mode ``mm-correlation``). NaN under 4 rows."""
    kept = _complete(rows, [human, *metrics], control)
    pairs = list(itertools.permutations(metrics, 2))
    if len(kept) < 4:
        return {f"{a}>{b}": float("nan") for a, b in pairs}
    columns = {c: np.array([float(r[c]) for r in kept]) for c in [human, *metrics]}
    if control:
        columns = {c: residualize(v, [r[control] for r in kept]) for c, v in columns.items()}
    out = {}
    for a, b in pairs:
        with np.errstate(invalid="ignore", divide="ignore"):  # a constant column: NaN
            r = np.corrcoef(np.vstack([columns[human], columns[a], columns[b]]))
        out[f"{a}>{b}"] = williams(r[0, 1], r[0, 2], r[1, 2], len(kept))
    return out


STATISTICS = {"threshold": ("balanced_accuracy", "auroc"), "auroc": ("auroc",)}
"""The statistics of each binary kind, as compared between scorers and averaged."""


def _binary_group(bench: Benchmark, group: str, examples, scorers, seed, n_resamples,
                  confidence, threshold) -> tuple[dict, dict]:
    if bench.kind == "auroc":
        results = {s: auroc_figures(examples, s, _rng(seed, group, s), n_resamples, confidence)
                   for s in scorers}
    else:
        results = {s: threshold_figures(examples, s, _rng(seed, group, s), n_resamples,
                                        confidence, threshold) for s in scorers}
    compared = comparisons(examples, scorers, results, STATISTICS[bench.kind],
                           lambda *names: _rng(seed, group, *names), n_resamples, confidence,
                           cut=None if bench.kind == "auroc" else "test")
    return results, compared


def _correlation_group(bench: Benchmark, examples, scorers, seed, n_resamples) -> tuple[dict, dict]:
    """Each scorer's :func:`~analysis.correlate_cli.correlate` figures (a generator seeded with
    ``seed`` for each, as ``meta-eval`` seeds its first metric), and the Williams tests."""
    rows = [{"human": ex["human"], "system": ex.get("system"),
             **{s: ex["scores"].get(s) for s in scorers}} for ex in examples]
    results = {s: correlate(rows, "human", [s], bench.control, np.random.default_rng(seed),
                            n_resamples)[s] for s in scorers}
    compared = {"williams": williams_tests(rows, "human", scorers),
                "n": len(_complete(rows, ["human", *scorers], bench.control))}
    if bench.control:
        compared["partial_williams"] = williams_tests(rows, "human", scorers, bench.control)
    return results, compared


def means(results: dict, scorers, statistics) -> dict:
    """Each scorer's plain mean of each statistic over the groups (NaN if one is NaN)."""
    out = {}
    for s in scorers:
        values = {stat: [results[g][s][stat] for g in results] for stat in statistics}
        out[s] = {stat: float(np.mean(v)) if v else float("nan") for stat, v in values.items()}
        out[s]["datasets"] = len(results)
    return out


def evaluate(bench: Benchmark, scorers, seed: int = 0, n_resamples: int = 1000,
             confidence: float = 0.95, threshold: float | None = None) -> dict:
    """The report of ``bench`` for ``scorers``: ``results[group][scorer]``, ``comparisons
    [group]`` and, where the benchmark averages its datasets, ``mean[scorer]``. ``threshold``
    fixes the threshold of a ``threshold`` benchmark (``None``: tuned on the val cut)."""
    report = {"format": bench.format, "kind": bench.kind, "sources": bench.sources,
              "scorers": list(scorers),
              "settings": {"seed": seed, "n_resamples": n_resamples, "confidence": confidence},
              "results": {}, "comparisons": {}}
    if bench.kind == "threshold":
        report["settings"]["threshold"] = "tuned on the val cut" if threshold is None else threshold
    for group, examples in groups(bench.examples).items():
        if bench.kind == "correlation":
            found = _correlation_group(bench, examples, scorers, seed, n_resamples)
        else:
            found = _binary_group(bench, group, examples, scorers, seed, n_resamples,
                                  confidence, threshold)
        report["results"][group], report["comparisons"][group] = found
    if bench.mean_over_datasets:
        report["mean"] = means(report["results"], scorers, STATISTICS[bench.kind])
    return report
