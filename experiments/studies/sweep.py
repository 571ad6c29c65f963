"""``quals-bench sweep experiments/ablations/<name>.yaml``: an ablation grid over ConSeq.

The YAML names a finished ``reproduce`` output (``base``: its corpus, tokenizer, evaluators, MLE
model and candidates are reused), the preset (and world) it was run with, an output folder, and
a ``grid`` of settings. Each grid point re-runs, resumably, the stages its settings touch: candidate
scoring (only for QUALS settings other than the base preset's, shared by the points that have
them), S+/S- selection, and QUALS-ConSeq training and its evaluation once per ConSeq seed
(``conseq.seeds``), as W&B runs in the group ``sweep-<name>``.
The evaluation always uses the base preset's metric settings: a ``quals_beams`` point
changes QUALS as the ranker of the candidates, not the QUALS that scores the summaries, so
every point (and the MLE baseline line) is measured with the same ruler.
``split: validation`` in the YAML (or ``--split validation``) evaluates every point and the MLE
on validation documents: choose a default there, then report it on test.
Writes ``<out>/sweep.json`` (settings, the means over ConSeq seeds with CIs, each seed's means
and the range over seeds, per point), which ``quals-bench analyze <out>`` draws as curves.

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
from experiments.pipeline.parallel import JOBS_HELP, jobs_argument, run_jobs
from experiments.pipeline.stages import Ref, Stage, content_hash, run_stages, write_json_atomic


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


def scored_dir(base: Path, out: Path, p: PipelineConfig, evaluator: PipelineConfig) -> Path:
    """Where a point's candidate scores are: the base run's own when the point's QUALS settings
    are the base preset's (nothing is scored again), else a folder shared by the points with the
    same QUALS settings."""
    if plain(p.quals) == plain(evaluator.quals):
        return base / "conseq" / "scores"
    return out.parent / "scores" / content_hash(plain(p.quals))


def point_stages(base: Path, out: Path, p: PipelineConfig, name: str, wandb: str,
                 evaluator: PipelineConfig, split: str = "test") -> list[Stage]:
    """Scores -> selection -> QUALS-ConSeq and its evaluation on ``split``, once per ConSeq
    seed of ``p`` (``conseq.seeds``), for one grid point; ``p`` is the point's config,
    ``evaluator`` the base config (whose metric settings and examples make the evaluation)."""
    from experiments.pipeline import conseq_stages as cs
    from experiments.pipeline import training_stages as ts
    from experiments.pipeline.settings import (checkpoint, conseq_runs, conseq_settings,
                                               selection_settings)

    common = {"corpus": str(base / "corpus"), "tokenizer": str(base / "tokenizer"),
              "wandb": wandb, "group": f"sweep-{name}"}
    cand, scored = str(base / "conseq" / "candidates.jsonl"), scored_dir(base, out, p, evaluator)
    stages = []
    if scored != base / "conseq" / "scores":
        stages.append(Stage("scores", cs.scoring_stage, {
            "candidates": cand, "out_dir": str(scored), "qagen": checkpoint(base, "qagen"),
            "quals": plain(p.quals)}))
    stages.append(Stage("selection", cs.selection_stage, {
        "candidates": cand, "scored": str(scored), "out_dir": str(out / "conseq"),
        "selection": selection_settings(p.selection)}, needs=tuple(s.name for s in stages)))
    for seed, run in conseq_runs(p, "quals_conseq"):
        label = f"{name}-{out.name}" + ("" if seed is None else f"-seed{seed}")
        stages.append(Stage(run, ts.conseq_stage, {
            **common, "name": label, "run_dir": str(out / run),
            "init_checkpoint": checkpoint(base, "mle"),
            "pairs": str(out / "conseq" / "quals" / "pairs.jsonl"), **conseq_settings(p, seed)},
            needs=("selection",)))
        stages.append(evaluation_stage(base, evaluator, label, Ref(run), out / eval_folder(run),
                                       split, common, split + run.removeprefix("quals_conseq")))
    return stages


def eval_folder(run: str) -> str:
    """The evaluation folder of a point's ConSeq ``run`` (``eval`` for an unseeded run)."""
    return "eval" + run.removeprefix("quals_conseq")


def evaluation_stage(base: Path, evaluator: PipelineConfig, label: str, ckpt, folder: Path,
                     split: str, common: dict, stage: str) -> Stage:
    """The evaluation, on ``split``, of the summarizer ``ckpt`` (a path or a :class:`Ref`)."""
    from experiments.pipeline import evaluate as ev
    from experiments.pipeline.settings import evaluation_settings

    settings = {**common, **evaluation_settings(base, evaluator, label, ckpt, str(folder))}
    if split != "test":  # the test evaluation's settings (and hash) are the pipeline's own
        settings["split"] = split
    return Stage(stage, ev.evaluate_stage, settings, needs=())


SWEEP_METRICS = ("quals", "qags", "rougeL", "hallucinated", "intrinsic", "extrinsic")
"""Per-example columns each sweep point reports with a CI and a paired test against the base
run's MLE."""


def point_metrics(eval_dirs: list[Path], means: list[dict], metrics, mle_dir: Path | None = None,
                  split: str = "test") -> dict:
    """A point's means over its ConSeq seeds (``means``: each seed's evaluation means; their
    per-example scores in ``eval_dirs``), with bootstrap CIs of the seed-averaged per-document
    scores and, where ``mle_dir`` has the MLE's scores on ``split``, ``vs_mle``: the paired
    bootstrap (difference, CI, p) of each metric against them over the documents both scored;
    both keyed by the means' names (``hallucination_rate`` for the ``hallucinated`` column)."""
    import numpy as np

    from analysis.runs import aligned, load_scores
    from analysis.seed_runs import mean_over_runs, seed_averaged
    from analysis.significance import paired_bootstrap
    from analysis.tables import mean_ci

    records = seed_averaged(load_scores(d, split) for d in eval_dirs)
    has_mle = mle_dir is not None and (mle_dir / "scores" / f"{split}.jsonl").exists()
    mle = load_scores(mle_dir, split) if has_mle else None
    found, versus = mean_over_runs(means) if means else {}, {}
    for metric in metrics:
        key = "hallucination_rate" if metric == "hallucinated" else metric
        values = [r[metric] for r in records if isinstance(r.get(metric), (int, float))]
        if values:
            found[f"{key}_ci"] = list(mean_ci(values, np.random.default_rng(0)))
        if mle is not None:
            _, paired = aligned({"mle": mle, "point": records}, metric)
            if len(paired["mle"]) >= 2:
                t = paired_bootstrap(paired["mle"], paired["point"], np.random.default_rng(0))
                versus[key] = {"difference": t.difference, "ci": [t.ci_low, t.ci_high],
                               "p_value": t.p_value}
    if versus:
        found["vs_mle"] = versus
    return found


def point_entry(point: Path, settings: dict, p: PipelineConfig, result: dict, mle_dir: Path,
                split: str) -> dict:
    """One point of ``sweep.json``: its settings, folder, selection sizes, the means over its
    ConSeq seeds (``metrics``, see :func:`point_metrics`) and, with seeds, each seed's means
    (``seeds``) and each key's ``[min, max]`` over seeds (``range``)."""
    from analysis.seed_runs import range_over_runs
    from experiments.pipeline.settings import conseq_runs

    runs = conseq_runs(p, "quals_conseq")
    means = [result[split + run.removeprefix("quals_conseq")] for _, run in runs]
    entry = {"settings": settings, "dir": str(point), "split": split,
             "metrics": point_metrics([point / eval_folder(run) for _, run in runs], means,
                                      SWEEP_METRICS, mle_dir, split),
             "selection": result["selection"]["quals"]}
    if runs[0][0] is not None:
        entry["seeds"] = {str(seed): m for (seed, _), m in zip(runs, means)}
        entry["range"] = range_over_runs(means)
    return entry


def mle_baseline(base: Path, out: Path, evaluator: PipelineConfig, name: str, wandb: str,
                 split: str) -> tuple[Path, dict]:
    """The base run's MLE on ``split``: its test evaluation where the base run made one, else
    an evaluation run here (under ``<out>/mle-<split>``); (its folder, its means)."""
    from experiments.pipeline.settings import checkpoint

    results = base / "results.json"
    if split == "test":
        means = json.loads(results.read_text())["systems"]["mle"] if results.exists() else {}
        return base / "eval" / "mle", means
    folder = out / f"mle-{split}"
    common = {"corpus": str(base / "corpus"), "tokenizer": str(base / "tokenizer"),
              "wandb": wandb, "group": f"sweep-{name}"}
    stage = evaluation_stage(base, evaluator, f"{name}-mle", checkpoint(base, "mle"),
                             folder / "eval", split, common, split)
    return folder / "eval", run_stages([stage], folder)[split]


def build_parser() -> argparse.ArgumentParser:
    """The ``quals-bench sweep`` parser (nothing is run)."""
    from experiments.cli import HelpFormatter

    p = argparse.ArgumentParser(prog="quals-bench sweep", description=__doc__,
                                formatter_class=HelpFormatter)
    p.add_argument("config", type=Path, help="the sweep's YAML (experiments/ablations/NAME.yaml)")
    p.add_argument("--base", help="override the YAML's base (a finished reproduce output)")
    p.add_argument("--out", help="override the YAML's output folder")
    presets.add_arguments(p, preset=None, world=None)  # default: the YAML's, else default, xsum
    p.add_argument("--split", choices=("test", "validation"),
                   help="the documents each point is evaluated on (default: the YAML's, else "
                        "test); choose settings on validation, report them on test")
    p.add_argument("--wandb", choices=("offline", "online", "disabled"), default="offline",
                   help="W&B mode of each point's run")
    p.add_argument("--jobs", type=jobs_argument, default="auto", metavar="N", help=JOBS_HELP)
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
    split = a.split or spec.get("split", "test")
    mle_dir, baseline = mle_baseline(base, out, preset, spec["name"], a.wandb, split)
    runs = []
    for settings, config in zip(grid, configs):
        point = out / "-".join(f"{k}={v}" for k, v in settings.items())
        print(f"== {spec['name']}: {settings}")
        result = run_jobs(point_stages(base, point, config, spec["name"], a.wandb, preset,
                                       split), point, a.jobs)
        runs.append(point_entry(point, settings, config, result, mle_dir, split))
    write_json_atomic(out / "sweep.json", {"name": spec["name"], "split": split, "runs": runs,
                                           "baseline": baseline,
                                           "plot_metrics": spec.get("plot_metrics",
                                                                    ["quals", "hallucination_rate", "rougeL"])})
    print(f"wrote {out / 'sweep.json'}")
    return 0
