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


def write_results(out: Path, results: dict, preset: str, world: str) -> str:
    """Write results.json (with the ``preset`` and ``world`` the run was configured with),
    results.md and results.tex; return the Markdown table."""
    from analysis import tables
    from analysis.runs import load_scores
    from experiments.pipeline import SYSTEMS

    systems = {name: {k: results[f"test_{name}"].get(k) for k in RESULT_KEYS} for name in SYSTEMS}
    for name in SYSTEMS[1:]:
        systems[name]["trained"] = results[name].get("trained", True)
        if "reason" in results[name]:
            systems[name]["untrained_reason"] = results[name]["reason"]
    validity = results["validity"]
    summary = {
        "preset": preset, "world": world, "systems": systems,
        "metric_auroc": {name: v["auroc"]["overall"] for name, v in validity.items()},
        "metric_auroc_by_corruption": {name: v["auroc"] for name, v in validity.items()},
        "metric_auroc_system_outputs": {name: v["auroc"] for name, v in
                                        results["system_validity"]["metrics"].items()},
        "metric_validity_system_outputs": results["system_validity"],
        "reading_probe": results["reading_probe"],
        "selection": results["selection"],
        "reference": {**reference_noise(out / "corpus"),
                      "configured": results["corpus"].get("expected_noise")},
    }
    scores = {name: load_scores(out / "eval" / name) for name in SYSTEMS}
    table = tables.results_table(scores, TABLE_METRICS, baseline="mle")
    summary["significance_vs_mle"] = {
        name: {m: {"p_value": c.p_value, "significant": c.significant, "mean": c.mean,
                   "ci": [c.ci_low, c.ci_high], "n": c.n} for m, c in row.items()}
        for name, row in table.items() if name != "mle"}
    for name, row in table.items():
        systems[name]["ci"] = {m: [c.ci_low, c.ci_high] for m, c in row.items()}
    write_json_atomic(out / "results.json", summary)
    md = tables.markdown(table, TABLE_METRICS)
    (out / "results.md").write_text(md + "\n")
    (out / "results.tex").write_text(tables.latex(table, TABLE_METRICS) + "\n")
    ref = summary["reference"]
    configured = ref["configured"] or {}
    return (md + f"\n\nreferences ({world} world), oracle: extrinsic {_fmt(ref['oracle_extrinsic'])}"
            f" (configured {_fmt(configured.get('extrinsic'))}), intrinsic "
            f"{_fmt(ref['oracle_intrinsic'])} (configured {_fmt(configured.get('intrinsic'))}); "
            "metric AUROC vs "
            "oracle: " + ", ".join(f"{k} {_fmt(v)}" for k, v in summary["metric_auroc"].items())
            + "; on system outputs: " + ", ".join(
                f"{k} {_fmt(v)}" for k, v in summary["metric_auroc_system_outputs"].items()))


def _fmt(value) -> str:
    return "n/a" if value is None or value != value else f"{value:.3f}"
