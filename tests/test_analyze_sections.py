"""Report sections from hand-made sweep and meta-evaluation folders."""

import json

from analysis.extra_sections import meta_eval_section, sweep_section


def test_sweep_section_tables_every_run_and_draws_numeric_settings(tmp_path):
    runs = [{"settings": {"mode": m, "quantile": q},
             "metrics": {"quals": -0.2 + q / 10, "quals_ci": [-0.3, -0.1], "rougeL": 0.5}}
            for m in ("intersection", "union") for q in (0.1, 0.3)]
    (tmp_path / "sweep.json").write_text(json.dumps({"name": "grid", "runs": runs,
                                                     "plot_metrics": ["quals", "rougeL"],
                                                     "baseline": {"quals": -0.25}}))
    lines = sweep_section(tmp_path, tmp_path / "report")
    assert "| mode | quantile | quals | rougeL |" in lines
    assert sum(l.startswith("| intersection") or l.startswith("| union") for l in lines) == 4
    figures = [l for l in lines if l.startswith("![")]
    assert len(figures) == 2 and all("quantile" in f for f in figures)  # none for "mode"


def test_sweep_section_draws_one_file_per_metric_for_a_dotted_setting(tmp_path):
    runs = [{"settings": {"selection.quantile": q},
             "metrics": {"quals": -0.2 + q, "hallucination_rate": 0.5 - q, "rougeL": 0.6}}
            for q in (0.1, 0.3)]
    (tmp_path / "sweep.json").write_text(json.dumps({"name": "quantile", "runs": runs}))
    out = tmp_path / "report"
    lines = sweep_section(tmp_path, out)
    paths = [l.split("](")[1].rstrip(")") for l in lines if l.startswith("![")]
    assert len(paths) == 3 and len(set(paths)) == 3
    assert all((out / p).exists() and (out / p).suffix == ".png" for p in paths)


def test_sweep_section_stars_cells_that_differ_from_the_mle_after_holm(tmp_path):
    # three cells tested: p 0.01, 0.02, 0.2 -> Holm 0.03, 0.04, 0.2: two stars
    runs = [{"settings": {"lr": lr}, "metrics": {"extrinsic": e, "hallucination_rate": h,
                                                 "vs_mle": versus}}
            for lr, e, h, versus in [
                (1e-5, 0.30, 0.40, {"extrinsic": {"p_value": 0.01},
                                    "hallucination_rate": {"p_value": 0.2}}),
                (1e-4, 0.20, 0.30, {"hallucination_rate": {"p_value": 0.02}})]]
    (tmp_path / "sweep.json").write_text(json.dumps({
        "name": "lr", "runs": runs, "plot_metrics": ["extrinsic", "hallucination_rate"]}))
    lines = sweep_section(tmp_path, tmp_path / "report")
    assert "| 1e-05 | 0.300* | 0.400 |" in lines
    assert "| 0.0001 | 0.200 | 0.300* |" in lines
    assert any(l.startswith("`*` = differs") for l in lines)


def test_sweep_section_shows_the_range_over_seeds_and_the_split(tmp_path):
    runs = [{"settings": {"term": "pair"}, "metrics": {"hallucination_rate": 0.25},
             "seeds": {"0": {}, "1": {}}, "range": {"hallucination_rate": [0.2, 0.3]}}]
    (tmp_path / "sweep.json").write_text(json.dumps({
        "name": "terms", "split": "validation", "runs": runs,
        "plot_metrics": ["hallucination_rate"]}))
    lines = sweep_section(tmp_path, tmp_path / "report")
    assert "| pair | 0.250 [0.200, 0.300] |" in lines
    assert any(l.startswith("Validation documents; each cell is the mean over 2 ConSeq seeds")
               for l in lines)


def test_meta_eval_section_reports_each_file_and_metric(tmp_path):
    rows = [{"id": str(i), "human": i / 9, "quals": -1 + i / 9} for i in range(10)]
    (tmp_path / "mturk_x.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    stats = {"n": 10, "pearson": 1.0, "spearman": 1.0, "kendall": 1.0}
    (tmp_path / "correlations.json").write_text(json.dumps({"mturk_x": {"dropped": 0, "williams": {},
                                                                         "quals": stats}}))
    lines = meta_eval_section(tmp_path, tmp_path / "report")
    assert "| mturk_x | quals | 10 | +1.000 | +1.000 | +1.000 |" in lines
    assert (tmp_path / "report" / "figures" / "human_mturk_x_quals.png").exists()
