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
from experiments.pipeline.parallel import JOBS_HELP, jobs_argument, run_jobs
from experiments.pipeline.stages import upstream


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
    parser.add_argument("--jobs", type=jobs_argument, default="auto", metavar="N",
                        help=JOBS_HELP)
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
        return run_jobs(stages, out, a.jobs, graph)
    except DataError as error:
        raise SystemExit(f"error: {error}") from None


def command_line(a: argparse.Namespace) -> str:
    """The ``reproduce`` command line of parsed arguments (the head of ``config.yaml``)."""
    data = f" --data {a.data}" if a.data else ""
    return (f"quals-bench reproduce --preset {a.preset} --world {a.world}{data}"
            + "".join(f" --set {item}" for item in a.sets))
