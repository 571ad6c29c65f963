"""The end of ``reproduce``: ``results.json``, the results table (Markdown, LaTeX) and the
analysis report, from the stage results and the per-example score files."""

from __future__ import annotations

from pathlib import Path

from experiments.pipeline.stages import write_json_atomic

TABLE_METRICS = ("rouge1", "rouge2", "rougeL", "factcc", "qags", "quals", "hallucinated",
                 "intrinsic", "extrinsic", "unverifiable", "facts", "hallucinated_facts")
RESULT_KEYS = ("rouge1", "rouge2", "rougeL", "factcc", "qags", "quals", "hallucination_rate",
               "intrinsic", "extrinsic", "unverifiable", "faithful", "not_faithful",
               "hallucinated_fact_rate", "facts_per_summary", "fact_precision",
               "initial_supported", "initial_wrong_entity", "initial_invented_entity",
               "factcc_sentinel", "qags_sentinel", "quals_sentinel")


def reference_noise(corpus: Path) -> dict:
    """The oracle's reading of the test references (shares of summaries) and the share the
    generator flagged as noisy."""
    from lightning_modules.data.readers import RowReader
    from lightning_modules.world.oracle import hallucination_rate, judge

    rows = list(RowReader().read_jsonl(corpus / "test.jsonl"))
    rates = hallucination_rate([judge(r["facts"], r["summary"]) for r in rows])
    return {"oracle_hallucination_rate": rates["hallucination_rate"],
            "oracle_extrinsic": rates["extrinsic"], "oracle_intrinsic": rates["intrinsic"],
            "generated_hallucination_rate": sum(r["reference_hallucinated"] for r in rows) / len(rows)}


def runs_of(results: dict, system: str) -> list[str]:
    """The runs of ``system`` that have a test result: ``system`` itself, or one per ConSeq
    seed (``<system>_seed<seed>``), in stage order."""
    return [key.removeprefix("test_") for key in results
            if key == f"test_{system}" or key.startswith(f"test_{system}_seed")]


def system_results(results: dict) -> dict:
    """Each system's test means (the :data:`RESULT_KEYS` its evaluation has: the oracle's only
    where the data has fact tables) and, for the ConSeq systems, whether they were trained.

    A ConSeq system trained once per seed holds the mean over its seeds, with ``seeds`` (each
    seed's means) and ``range`` (each key's ``[min, max]`` over seeds) beside it."""
    from analysis.seed_runs import mean_over_runs, range_over_runs
    from experiments.pipeline.settings import SYSTEMS, run_seed

    systems = {}
    for name in SYSTEMS:
        runs = {run: {k: results[f"test_{run}"][k] for k in RESULT_KEYS
                      if k in results[f"test_{run}"]} for run in runs_of(results, name)}
        systems[name] = mean_over_runs(list(runs.values()))
        if name == "mle":
            continue
        systems[name]["trained"] = all(results[run].get("trained", True) for run in runs)
        reasons = {results[run]["reason"] for run in runs if "reason" in results[run]}
        if reasons:
            systems[name]["untrained_reason"] = "; ".join(sorted(reasons))
        if len(runs) > 1 or run_seed(name, next(iter(runs))) is not None:
            systems[name]["seeds"] = {str(run_seed(name, run)): means
                                      for run, means in runs.items()}
            systems[name]["range"] = range_over_runs(list(runs.values()))
    return systems


def oracle_results(out: Path, results: dict) -> dict:
    """The oracle's figures of a run on the synthetic corpus: metric validity (corruptions,
    system outputs), the reading probe and the reference noise."""
    validity = results["validity"]
    return {
        "metric_auroc": {name: v["auroc"]["overall"] for name, v in validity.items()},
        "metric_auroc_by_corruption": {name: v["auroc"] for name, v in validity.items()},
        "metric_auroc_wrong_documents": {name: v["wrong_documents"] for name, v in
                                         validity.items() if "wrong_documents" in v},
        "metric_auroc_system_outputs": {name: v["auroc"] for name, v in
                                        results["system_validity"]["metrics"].items()},
        "metric_validity_system_outputs": results["system_validity"],
        "reading_probe": results["reading_probe"],
        "reference": {**reference_noise(out / "corpus"),
                      "configured": results["corpus"].get("expected_noise")},
    }


def skipped_note(data: dict) -> str:
    """What a run on your data (``data``: the data stage's report) leaves out, and why."""
    from experiments.pipeline.settings import SKIPPED

    facts = "" if data["has_facts"] else (
        "; the data has no fact tables, so the oracle's columns of the test evaluation "
        "(hallucination rates) are left out too")
    return (f"Skipped on {data['data']}: the oracle's figures ({', '.join(SKIPPED.values())}),"
            f" which need the synthetic corpus's corruptions and questions{facts}.")


def significance(scores: dict, systems: dict, runs: dict | None = None) -> tuple[dict, str, str]:
    """Paired significance against MLE over the per-example ``scores`` of each system, on the
    table's columns the scores have; add each column's CI to ``systems``; return
    (``significance_vs_mle``, the Markdown table, the LaTeX table)."""
    from analysis import tables

    metrics = table_metrics(scores["mle"])
    table = tables.results_table(scores, metrics, baseline="mle")
    for name, row in table.items():
        systems[name]["ci"] = {m: [c.ci_low, c.ci_high] for m, c in row.items()}
    tests = {name: {m: {"p_value": c.p_value, "significant": c.significant, "mean": c.mean,
                        "ci": [c.ci_low, c.ci_high], "n": c.n} for m, c in row.items()}
             for name, row in table.items() if name != "mle"}
    ranges = {name: column_ranges(by_run, metrics) for name, by_run in (runs or {}).items()
              if len(by_run) > 1}
    return tests, tables.markdown(table, metrics, ranges), tables.latex(table, metrics)


def table_metrics(records: list[dict]) -> list[str]:
    """The :data:`TABLE_METRICS` the per-example ``records`` have."""
    return [m for m in TABLE_METRICS if any(m in r for r in records)]


def column_ranges(by_run: dict[str, list[dict]], metrics) -> dict[str, tuple[float, float]]:
    """``(min, max)`` over the runs of each column's mean over its examples (finite values)."""
    from analysis.seed_runs import range_over_runs

    means = [{m: mean_of(records, m) for m in metrics} for records in by_run.values()]
    return {m: tuple(v) for m, v in range_over_runs(means).items()}


def mean_of(records: list[dict], metric: str) -> float | None:
    """The mean of ``metric`` over the records with a finite value (``None`` if none)."""
    from analysis.seed_runs import finite

    values = [r[metric] for r in records if finite(r.get(metric))]
    return sum(values) / len(values) if values else None


def simulated_human_study(out: Path, runs: dict[str, dict[str, list[dict]]],
                          n: int = 100) -> dict:
    """The paper's human study with the oracle as annotator (``analysis.simulated_study``):
    QUALS-ConSeq against the MLE on ``n`` test summaries, each ConSeq run on its own and all
    runs together; the stacked bar figure goes to ``<out>/simulated_human_study.png``."""
    from analysis.simulated_study import draw, oracle_preferences, simulated_statistics

    mle = next(iter(runs["mle"].values()))
    studies, pooled = {}, {}
    for run, records in runs["quals_conseq"].items():
        preferences = oracle_preferences(mle, records, n)
        studies[run] = simulated_statistics(preferences)
        pooled.update({f"{run}:{k}": v for k, v in preferences.items()})
    if len(studies) > 1:
        studies["all runs"] = simulated_statistics(pooled)
    if any(s["items"] for s in studies.values()):
        draw(studies, "mle", "quals_conseq", out / "simulated_human_study")
    return studies


def add_seed_significance(tests: dict, runs: dict[str, dict[str, list[dict]]]) -> None:
    """Add ``seeds_significant`` (how many of its seeds differ from the MLE alone, paired
    bootstrap with Holm-Bonferroni over the columns) and ``seeds`` to each column of each
    system trained over several seeds."""
    from analysis import tables

    mle = next(iter(runs["mle"].values()))
    metrics = table_metrics(mle)
    for name, by_run in runs.items():
        if name == "mle" or len(by_run) < 2:
            continue
        counts = {}
        for records in by_run.values():
            table = tables.results_table({"mle": mle, name: records}, metrics, baseline="mle")
            for metric, cell in table[name].items():
                counts[metric] = counts.get(metric, 0) + bool(cell.significant)
        for metric, count in counts.items():
            if metric in tests[name]:
                tests[name][metric].update(seeds_significant=count, seeds=len(by_run))


def test_output_auroc(scores: dict) -> dict:
    """Each metric's AUROC against the oracle on every system's test summaries together (held-out
    documents, unlike the system-validity stage's ConSeq candidates, which are training ones)."""
    from analysis.discrimination import output_auroc

    records = [r for rows in scores.values() for r in rows]
    return output_auroc(records, ("rougeL", "factcc", "qags", "quals"))


def write_results(out: Path, results: dict, preset: str, world: str) -> str:
    """Write results.json (with the ``preset`` and ``world`` the run was configured with),
    results.md and results.tex; return the Markdown table and a line on the oracle's figures
    (or, on your data, on what was skipped). A system trained once per ConSeq seed is tested
    on its per-example scores averaged over seeds (a paired bootstrap over documents), and
    each seed is also tested alone (``seeds_significant``)."""
    from analysis.runs import load_scores
    from analysis.seed_runs import seed_averaged

    systems = system_results(results)
    summary = {"preset": preset, "world": world, "systems": systems,
               "selection": results["selection"]}
    if "data" in results:
        from experiments.pipeline.settings import SKIPPED

        summary.update(data=results["data"], skipped=list(SKIPPED))
    else:
        summary.update(oracle_results(out, results))
    runs = {name: {run: load_scores(out / "eval" / run) for run in runs_of(results, name)}
            for name in systems}
    scores = {name: seed_averaged(list(by_run.values())) for name, by_run in runs.items()}
    summary["significance_vs_mle"], md, tex = significance(scores, systems, runs)
    add_seed_significance(summary["significance_vs_mle"], runs)
    if "data" not in results:
        summary["metric_auroc_test_outputs"] = test_output_auroc(
            {run: records for by_run in runs.values() for run, records in by_run.items()})
        summary["simulated_human_study"] = simulated_human_study(out, runs)
    write_json_atomic(out / "results.json", summary)
    note = skipped_note(results["data"]) if "data" in results else oracle_line(summary, world)
    (out / "results.md").write_text(md + "\n" + (f"\n{note}\n" if "data" in results else ""))
    (out / "results.tex").write_text(tex + "\n")
    return md + "\n\n" + note


def oracle_line(summary: dict, world: str) -> str:
    """One line on the references' noise and the metrics' AUROC against the oracle."""
    ref = summary["reference"]
    configured = ref["configured"] or {}
    return (f"references ({world} world), oracle: extrinsic {_fmt(ref['oracle_extrinsic'])}"
            f" (configured {_fmt(configured.get('extrinsic'))}), intrinsic "
            f"{_fmt(ref['oracle_intrinsic'])} (configured {_fmt(configured.get('intrinsic'))}); "
            "metric AUROC vs "
            "oracle: " + ", ".join(f"{k} {_fmt(v)}" for k, v in summary["metric_auroc"].items())
            + "; on system outputs: " + ", ".join(
                f"{k} {_fmt(v)}" for k, v in summary["metric_auroc_system_outputs"].items()))


def _fmt(value) -> str:
    return "n/a" if value is None or value != value else f"{value:.3f}"
