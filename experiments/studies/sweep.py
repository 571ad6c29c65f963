"""``quals-bench sweep experiments/ablations/<name>.yaml``: an ablation grid over ConSeq.

The YAML names a finished ``reproduce`` output (``base``: its corpus, tokenizer, evaluators, MLE
model and candidates are reused), the preset (and world) it was run with, an output folder, and
a ``grid`` of settings. Each grid point re-runs, resumably, the stages its settings touch: candidate
scoring (shared by points with equal QUALS settings, through the score cache), S+/S- selection,
QUALS-ConSeq training and its test evaluation, as a W&B run in the group ``sweep-<name>``.
The test evaluation always uses the base preset's metric settings: a ``quals_beams`` point
changes QUALS as the ranker of the candidates, not the QUALS that scores the test summaries, so
every point (and the MLE baseline line) is measured with the same ruler.
Writes ``<out>/sweep.json`` (settings and test-set metrics with CIs per point), which
``quals-bench analyze <out>`` draws as curves.

Settings: any key path of the preset (``selection.quantile``, ``selection.mode``,
``conseq.learning_rate``...), checked as ``--set`` is; ``quals_beams`` sets both
``quals.num_beams`` and ``quals.num_beam_groups``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
from pathlib import Path

import yaml

from experiments import presets
from experiments.config import PipelineConfig
from experiments.config_tree import ConfigError, plain
from experiments.pipeline.stages import Stage, content_hash, run_stages, write_json_atomic


def point_layer(settings: dict) -> dict:
    """One grid point's settings (``key.path -> value``) as a nested overlay."""
    layer: dict = {}
    for key, value in settings.items():
        if key == "quals_beams":
            key, value = "quals", {"num_beams": value, "num_beam_groups": value}
        layer = presets.merge(layer, presets.nested(key, value))
    return layer


def point_config(config: PipelineConfig, settings: dict, source: str) -> PipelineConfig:
    """``config`` with one grid point's settings applied and validated; errors name ``source``."""
    try:
        return presets.overlay(config, point_layer(settings), source)
    except ConfigError as error:
        raise SystemExit(f"error: {error}") from None


def point_stages(base: Path, out: Path, p: PipelineConfig, name: str, wandb: str,
                 evaluator: PipelineConfig) -> list[Stage]:
    """Scores -> selection -> QUALS-ConSeq -> test evaluation for one grid point; ``p`` is the
    point's config, ``evaluator`` the base config (whose metric settings and test examples
    make the test evaluation)."""
    from experiments.pipeline import conseq_stages as cs
    from experiments.pipeline import evaluate as ev
    from experiments.pipeline import training_stages as ts
    from experiments.pipeline.settings import (checkpoint, conseq_settings, evaluation_settings,
                                            selection_settings)

    common = {"corpus": str(base / "corpus"), "tokenizer": str(base / "tokenizer"),
              "wandb": wandb, "group": f"sweep-{name}"}
    cand = str(base / "conseq" / "candidates.jsonl")
    scored = str(out.parent / "scores" / content_hash(plain(p.quals)))
    run_name = f"{name}-{out.name}"
    return [
        Stage("scores", cs.scoring_stage, {"candidates": cand, "out_dir": scored,
                                          "qagen": checkpoint(base, "qagen"),
                                          "quals": plain(p.quals)}),
        Stage("selection", cs.selection_stage, {
            "candidates": cand, "scored": scored, "out_dir": str(out / "conseq"),
            "selection": selection_settings(p.selection)}),
        Stage("quals_conseq", ts.conseq_stage, {
            **common, "name": run_name, "run_dir": str(out / "quals_conseq"),
            "init_checkpoint": checkpoint(base, "mle"),
            "pairs": str(out / "conseq" / "quals" / "pairs.jsonl"), **conseq_settings(p)}),
        Stage("test", ev.evaluate_stage, {
            **common, **evaluation_settings(base, evaluator, run_name,
                                            str(out / "quals_conseq" / "checkpoints" / "last.ckpt"),
                                            str(out / "eval"))}),
    ]


SWEEP_METRICS = ("quals", "qags", "rougeL", "hallucinated", "intrinsic", "extrinsic")
"""Per-example test columns each sweep point reports with a CI and a paired test against the
base run's MLE."""


def point_metrics(out: Path, result: dict, metrics, base: Path | None = None) -> dict:
    """Test-set means with bootstrap CIs of one point and, where ``base`` has the MLE's test
    scores, ``vs_mle``: the paired bootstrap (difference, CI, p) of each metric against them,
    over the examples both scored (both keyed by the means' names: ``hallucination_rate`` for
    the ``hallucinated`` column)."""
    import numpy as np

    from analysis.runs import aligned, load_scores
    from analysis.significance import paired_bootstrap
    from analysis.tables import mean_ci

    records = load_scores(out / "eval")
    mle_dir = base / "eval" / "mle" if base else None
    mle = load_scores(mle_dir) if mle_dir and (mle_dir / "scores").exists() else None
    found, versus = dict(result), {}
    for metric in metrics:
        values = [r[metric] for r in records if isinstance(r.get(metric), (int, float))]
        if values:
            found[f"{metric}_ci"] = list(mean_ci(values, np.random.default_rng(0)))
        if mle is not None:
            _, paired = aligned({"mle": mle, "point": records}, metric)
            if len(paired["mle"]) >= 2:
                t = paired_bootstrap(paired["mle"], paired["point"], np.random.default_rng(0))
                versus[metric] = {"difference": t.difference, "ci": [t.ci_low, t.ci_high],
                                  "p_value": t.p_value}
    if "hallucinated_ci" in found:  # the column's name among the means (``result``)
        found["hallucination_rate_ci"] = found.pop("hallucinated_ci")
    if "hallucinated" in versus:
        versus["hallucination_rate"] = versus.pop("hallucinated")
    if versus:
        found["vs_mle"] = versus
    return found


def build_parser() -> argparse.ArgumentParser:
    """The ``quals-bench sweep`` parser (nothing is run)."""
    from experiments.cli import HelpFormatter

    p = argparse.ArgumentParser(prog="quals-bench sweep", description=__doc__,
                                formatter_class=HelpFormatter)
    p.add_argument("config", type=Path, help="the sweep's YAML (experiments/ablations/NAME.yaml)")
    p.add_argument("--base", help="override the YAML's base (a finished reproduce output)")
    p.add_argument("--out", help="override the YAML's output folder")
    presets.add_arguments(p, preset=None, world=None)  # default: the YAML's, else default, xsum
    p.add_argument("--wandb", choices=("offline", "online", "disabled"), default="offline",
                   help="W&B mode of each point's run")
    return p


def main(argv: list[str]) -> int:
    """Run every grid point; write sweep.json."""
    p = build_parser()
    a = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    spec = yaml.safe_load(a.config.read_text())
    base, out = Path(a.base or spec["base"]), Path(a.out or spec["out"])
    a.preset = a.preset or spec.get("preset", "default")
    a.world = a.world or spec.get("world", presets.DEFAULT_WORLD)
    preset = presets.from_arguments(a)
    keys = list(spec["grid"])
    grid = [dict(zip(keys, values)) for values in itertools.product(*spec["grid"].values())]
    configs = [point_config(preset, settings, f"{a.config}: grid") for settings in grid]
    runs = []
    for settings, config in zip(grid, configs):
        point = out / "-".join(f"{k}={v}" for k, v in settings.items())
        print(f"== {spec['name']}: {settings}")
        result = run_stages(point_stages(base, point, config, spec["name"], a.wandb, preset),
                            point)
        runs.append({"settings": settings, "dir": str(point),
                     "metrics": point_metrics(point, result["test"], SWEEP_METRICS, base),
                     "selection": result["selection"]["quals"]})
    results = base / "results.json"
    baseline = json.loads(results.read_text())["systems"]["mle"] if results.exists() else {}
    write_json_atomic(out / "sweep.json", {"name": spec["name"], "runs": runs, "baseline": baseline,
                                           "plot_metrics": spec.get("plot_metrics",
                                                                    ["quals", "hallucination_rate", "rougeL"])})
    print(f"wrote {out / 'sweep.json'}")
    return 0
