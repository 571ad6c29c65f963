"""``quals-bench reproduce --out DIR``: the whole study on one machine, resumable.

Stages: corpus -> tokenizer -> QAGen, QG, QA, FactCC (the evaluators) -> MLE -> candidates
(top-k samples of the MLE model on training documents) -> scores (QUALS and ROUGE of every
candidate and reference) -> selection (S+/S- pairs per ranker) -> ROUGE-ConSeq, QUALS-ConSeq
-> test evaluation of the three summarizers with every metric -> metric validity (AUROC against
the oracle, on corruptions and on the candidate pool) -> the reading probe of the QA model and
QAGen -> ``results.json``, ``results.md``/``results.tex`` and the analysis report.

The stages form a graph (``experiments/pipeline/graph.py``): a stage that finished is skipped on a
re-run, and a changed setting re-runs its own stage and those that read it (see ``stages``); a
run folder can be copied or moved and re-runs nothing. The candidate and scoring stages also
resume inside the stage through their content-hash caches. ``--data DIR`` runs the study on
your data and models instead (``experiments.pipeline.data_stages``; the ``tiny_hf`` preset builds tiny
Hugging Face models for it).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from experiments.config import PipelineConfig
from experiments.pipeline.graph import build_stages
from experiments.pipeline.stages import run_stages, upstream

def main(argv: list[str]) -> int:
    """Run the pipeline; write ``<out>/config.yaml`` (the resolved config), ``results.json``
    and the tables; print the results table. Bad data or a model that is not there ends the
    run with a one-line error naming file, line and field, or the path."""
    from experiments import presets

    parser = argparse.ArgumentParser(prog="quals-bench reproduce", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="output folder (re-running resumes)")
    presets.add_arguments(parser)
    parser.add_argument("--data", help="your data (sets data.path): a folder of "
                        "{train,validation,test}.jsonl|csv files, a save_to_disk folder or a "
                        "Hugging Face dataset name; the models: data.models.* or a preset's")
    parser.add_argument("--wandb", choices=("offline", "online", "disabled"), default="offline",
                        help="W&B mode (default offline: no network); changes no stage's hash")
    parser.add_argument("--until", metavar="STAGE",
                        help="run only STAGE and the stages it reads (e.g. mle: the corpus, the "
                        "reader and the MLE summarizer), then stop without results tables")
    parser.add_argument("--jobs", type=_jobs, default="auto", metavar="N",
                        help="run up to N stages that do not read each other at once, each on "
                        "cores/N torch threads; 1: one stage at a time on every core (default "
                        "auto: 2 on a CPU machine with 2 cores or more, 1 on a GPU)")
    a = parser.parse_args(argv)
    cfg = presets.from_arguments(a)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("WANDB_SILENT", "true")
    results = run(Path(a.out), cfg, a)
    if a.until:
        print(f"stopped after {a.until}: " + ", ".join(results))
        return 0
    from experiments.pipeline.results import write_results

    print(write_results(Path(a.out), results, preset=a.preset, world=a.world))
    return 0


def run(out: Path, cfg: PipelineConfig, a: argparse.Namespace) -> dict:
    """Write ``<out>/config.yaml`` and run the stages (with ``a.until``, that stage and those it
    reads); return their results. A given model that is not there, a stage that is not one,
    or bad data, exits with its one-line error."""
    from experiments import presets
    from lightning_modules.data.readers import DataError

    jobs = a.jobs
    if jobs == "auto":
        from experiments.pipeline.parallel import auto_jobs

        jobs = auto_jobs()
    try:
        graph = stages = build_stages(out, cfg, a.wandb)
    except FileNotFoundError as error:  # data.models names a model that is not there
        raise SystemExit(f"error: {error}") from None
    if a.until:
        try:
            stages = upstream(stages, a.until)
        except ValueError as error:  # no such stage
            raise SystemExit(f"error: {error}") from None
    presets.write_config(cfg, out / "config.yaml", header=command_line(a))
    try:
        if jobs > 1:
            from experiments.pipeline.parallel import run_parallel

            return run_parallel(stages, out, jobs, graph)
        return run_stages(stages, out)
    except DataError as error:
        raise SystemExit(f"error: {error}") from None


def _jobs(value: str) -> int | str:
    """``--jobs``: ``auto`` or a whole number of at least 1; anything else ends the command
    with a one-line error."""
    if value == "auto":
        return value
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"error: --jobs must be 'auto' or at least 1, not {value}")
    return int(value)


def command_line(a: argparse.Namespace) -> str:
    """The ``reproduce`` command line of parsed arguments (the head of ``config.yaml``)."""
    data = f" --data {a.data}" if a.data else ""
    return (f"quals-bench reproduce --preset {a.preset} --world {a.world}{data}"
            + "".join(f" --set {item}" for item in a.sets))
