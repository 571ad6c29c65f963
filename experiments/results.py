"""The end of ``reproduce``: ``results.json``, the results table (Markdown, LaTeX) and the
analysis report, from the stage results and the per-example score files."""

from __future__ import annotations

from pathlib import Path

from experiments.stages import write_json_atomic

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


def system_results(results: dict) -> dict:
    """Each system's test means (the :data:`RESULT_KEYS` its evaluation has: the oracle's only
    where the data has fact tables) and, for the ConSeq systems, whether they were trained."""
    from experiments.stage_settings import SYSTEMS

    test = {name: results[f"test_{name}"] for name in SYSTEMS}
    systems = {name: {k: means[k] for k in RESULT_KEYS if k in means}
               for name, means in test.items()}
    for name in SYSTEMS[1:]:
        systems[name]["trained"] = results[name].get("trained", True)
        if "reason" in results[name]:
            systems[name]["untrained_reason"] = results[name]["reason"]
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
    from experiments.stage_settings import SKIPPED

    facts = "" if data["has_facts"] else (
        "; the data has no fact tables, so the oracle's columns of the test evaluation "
        "(hallucination rates) are left out too")
    return (f"Skipped on {data['data']}: the oracle's figures ({', '.join(SKIPPED.values())}),"
            f" which need the synthetic corpus's corruptions and questions{facts}.")


def significance(scores: dict, systems: dict) -> tuple[dict, str, str]:
    """Paired significance against MLE over the per-example ``scores`` of each system, on the
    table's columns the scores have; add each column's CI to ``systems``; return
    (``significance_vs_mle``, the Markdown table, the LaTeX table)."""
    from analysis import tables

    metrics = [m for m in TABLE_METRICS if any(m in r for r in scores["mle"])]
    table = tables.results_table(scores, metrics, baseline="mle")
    for name, row in table.items():
        systems[name]["ci"] = {m: [c.ci_low, c.ci_high] for m, c in row.items()}
    tests = {name: {m: {"p_value": c.p_value, "significant": c.significant, "mean": c.mean,
                        "ci": [c.ci_low, c.ci_high], "n": c.n} for m, c in row.items()}
             for name, row in table.items() if name != "mle"}
    return tests, tables.markdown(table, metrics), tables.latex(table, metrics)


def test_output_auroc(scores: dict) -> dict:
    """Each metric's AUROC against the oracle on every system's test summaries together (held-out
    documents, unlike the system-validity stage's ConSeq candidates, which are training ones)."""
    from analysis.discrimination import output_auroc

    records = [r for rows in scores.values() for r in rows]
    return output_auroc(records, ("rougeL", "factcc", "qags", "quals"))


def write_results(out: Path, results: dict, preset: str, world: str) -> str:
    """Write results.json (with the ``preset`` and ``world`` the run was configured with),
    results.md and results.tex; return the Markdown table and a line on the oracle's figures
    (or, on your data, on what was skipped)."""
    from analysis.runs import load_scores

    systems = system_results(results)
    summary = {"preset": preset, "world": world, "systems": systems,
               "selection": results["selection"]}
    if "data" in results:
        from experiments.stage_settings import SKIPPED

        summary.update(data=results["data"], skipped=list(SKIPPED))
    else:
        summary.update(oracle_results(out, results))
    scores = {name: load_scores(out / "eval" / name) for name in systems}
    summary["significance_vs_mle"], md, tex = significance(scores, systems)
    if "data" not in results:
        summary["metric_auroc_test_outputs"] = test_output_auroc(scores)
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
