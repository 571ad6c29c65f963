"""``quals-bench reproduce --out DIR``: the whole study on one machine, resumable.

Stages: corpus -> tokenizer -> QAGen, QG, QA, FactCC (the evaluators) -> MLE -> candidates
(top-k samples of the MLE model on training documents) -> scores (QUALS and ROUGE of every
candidate and reference) -> selection (S+/S- pairs per ranker) -> ROUGE-ConSeq, QUALS-ConSeq
-> test evaluation of the three summarizers with every metric -> metric validity (AUROC against
the oracle, on corruptions and on the candidate pool) -> the reading probe of the QA model and
QAGen -> ``results.json``, ``results.md``/``results.tex`` and the analysis report.

A stage that finished is skipped on a re-run (see ``stages``); the candidate and scoring stages
also resume inside the stage through their content-hash caches. ``--data DIR`` runs the study
on your data and models instead (``experiments.data_stages``; the ``tiny_hf`` preset builds
tiny Hugging Face models for it).
"""

from __future__ import annotations

import argparse
import os
from dataclasses import replace
from pathlib import Path

from experiments.config import PipelineConfig
from experiments.config_tree import plain
from experiments.stages import Stage, run_stages
from lightning_modules.selection import SelectionConfig

SYSTEMS = ("mle", "rouge_conseq", "quals_conseq")
ROUGE_RANKER = ("rouge1", "rouge2", "rougeL")
"""The ROUGE ranker of ROUGE-ConSeq: the mean of these columns of each summary's ROUGE scores."""


def corpus_stage(s: dict) -> dict:
    """Generate the synthetic corpus of ``CorpusConfig(**s["corpus_config"])`` into
    ``<out>/corpus``; return its split sizes and reference noise."""
    from lightning_modules.world.generator import CorpusConfig, write_corpus

    cfg = CorpusConfig(**s["corpus_config"])
    write_corpus(cfg, s["corpus"])
    return {"splits": cfg.split_sizes(), "expected_noise": cfg.expected_noise()}


def tokenizer_stage(s: dict) -> dict:
    """Train the byte-level BPE tokenizer into ``<out>/tokenizer``."""
    from lightning_modules.data.readers import RowReader
    from lightning_modules.data.tokenizer import train_tokenizer

    rows = RowReader().read_jsonl(Path(s["corpus"]) / "train.jsonl")
    tok = train_tokenizer((t for r in rows for t in (r["document"], r["summary"])),
                          s["vocab_size"])
    tok.save_pretrained(s["tokenizer"])
    return {"vocab_size": len(tok)}


def checkpoint(root: Path, name: str) -> str:
    """The last checkpoint of the pipeline's run ``name`` under ``root``."""
    return str(root / "runs" / name / "checkpoints" / "last.ckpt")


def evaluator(root: Path, cfg: PipelineConfig, role: str) -> str:
    """The model of an evaluator ``role`` (``qagen``, ``qg``, ``qa``, ``factcc``): the one the
    pipeline output ``root`` trained, or on your data the one ``cfg.data`` gives."""
    return cfg.data.roles(root)[role] if cfg.data.path else checkpoint(root, role)


def metric_settings(root: Path, cfg: PipelineConfig) -> dict:
    """Every metric's model (:func:`evaluator`) and settings (from ``cfg``)."""
    return {**{role: evaluator(root, cfg, role) for role in ("qagen", "qg", "qa", "factcc")},
            "quals": plain(cfg.quals), "qags": plain(cfg.qags)}


def evaluation_settings(root: Path, cfg: PipelineConfig, name: str, ckpt: str,
                        run_dir: str) -> dict:
    """Settings of a test-evaluation stage of the summarizer ``ckpt`` (also used by sweeps and
    diagnostics)."""
    return {**metric_settings(root, cfg), "name": name, "checkpoint": ckpt, "run_dir": run_dir,
            "examples": cfg.evaluation.examples}


def selection_settings(selection: SelectionConfig) -> dict:
    """S+/S- settings of each ranker: QUALS ranks by its score; ROUGE by the mean of ROUGE-1/2/L
    against the reference (its one definition, ``columns``), and takes its positives from the
    candidates (every reference has ROUGE 1 against itself); both with ``selection``'s quantile
    and mode."""
    rouge = replace(selection, positive_source="best_candidate", columns=ROUGE_RANKER)
    return {"quals": plain(selection), "rouge": plain(rouge)}


def conseq_settings(cfg: PipelineConfig) -> dict:
    """Training settings of a ConSeq stage: its config file and overrides from ``cfg``."""
    from experiments.training_stages import conseq_overrides, seed_override, summarizer_overrides

    return {"config": "conseq.yaml",
            "overrides": {**summarizer_overrides(cfg.summarizer), **conseq_overrides(cfg.conseq),
                          **seed_override(cfg.training.seed)}}


def mle_settings(out: Path, cfg: PipelineConfig, base: dict, init: str | None) -> dict:
    """Settings of the MLE stage: ``mle.yaml`` from the checkpoint ``init`` (or none), the
    preset's budget and summarizer lengths."""
    from experiments import training_stages as ts

    budgets = cfg.training
    return {**base, "run_dir": str(out / "runs" / "mle"), "config": "mle.yaml",
            "init_checkpoint": init,
            "overrides": {**ts.budget(budgets.mle_epochs, budgets.mle_batches),
                          **ts.summarizer_overrides(cfg.summarizer),
                          **ts.seed_override(budgets.seed)}}


def model_stages(out: Path, cfg: PipelineConfig, base: dict) -> list[Stage]:
    """The reader (when the budget has one), the evaluators (QAGen, QG, QA, FactCC) and the MLE
    summarizer."""
    from experiments import training_stages as ts

    budgets, stages, reader = cfg.training, [], None
    run = lambda name: {"run_dir": str(out / "runs" / name)}  # noqa: E731
    if budgets.reader_epochs:
        reader = checkpoint(out, "reader")
        stages.append(Stage("reader", ts.train_stage, {
            **base, **run("reader"), "config": "reader_synthetic.yaml",
            "overrides": {**ts.budget(budgets.reader_epochs, budgets.reader_batches),
                          **ts.reader_stop_override(budgets.reader_stop_accuracy),
                          **ts.seed_override(budgets.seed)}}))
    for name, config in (("qagen", "qagen_synthetic.yaml"), ("qg", "qg_synthetic.yaml"),
                         ("qa", "qa_synthetic.yaml"), ("factcc", "factcc_synthetic.yaml")):
        stages.append(Stage(name, ts.train_stage, {
            **base, **run(name), "config": config,
            "init_checkpoint": evaluator_start(out, name, reader),
            "overrides": {**ts.budget(1, getattr(budgets, f"{name}_batches")),
                          **ts.seed_override(budgets.seed)}}))
    stages.append(Stage("mle", ts.train_stage, mle_settings(out, cfg, base, reader)))
    return stages


def conseq_stages(out: Path, cfg: PipelineConfig, base: dict,
                  model: dict | None = None) -> list[Stage]:
    """Candidates, their scores, S+/S- selection, and ROUGE-ConSeq and QUALS-ConSeq training
    (``model``: CLI overrides of the summarizer's model, on your data)."""
    from experiments import conseq_stages as cs
    from experiments import training_stages as ts

    cand, scored = str(out / "conseq" / "candidates.jsonl"), str(out / "conseq" / "scores")
    stages = [
        Stage("candidates", cs.candidates_stage, {
            **base, "docs": cfg.conseq.docs, "checkpoint": checkpoint(out, "mle"), "out": cand,
            "candidates": plain(cfg.candidates)}),
        Stage("scores", cs.scoring_stage, {"candidates": cand, "out_dir": scored,
                                          "qagen": evaluator(out, cfg, "qagen"),
                                          "quals": plain(cfg.quals)}),
        Stage("selection", cs.selection_stage, {
            "candidates": cand, "scored": scored, "out_dir": str(out / "conseq"),
            "selection": selection_settings(cfg.selection)}),
    ]
    for ranker in ("rouge", "quals"):
        name = f"{ranker}_conseq"
        settings = {**base, "name": name, "run_dir": str(out / "runs" / name),
                    "init_checkpoint": checkpoint(out, "mle"),
                    "pairs": str(out / "conseq" / ranker / "pairs.jsonl"), **conseq_settings(cfg)}
        if model:
            settings["overrides"] = {**settings["overrides"], **model}
        stages.append(Stage(name, ts.conseq_stage, settings))
    return stages


def test_stages(out: Path, cfg: PipelineConfig, base: dict) -> list[Stage]:
    """Test evaluation of each system with every metric."""
    from experiments import evaluate as ev

    return [Stage(f"test_{name}", ev.evaluate_stage, {
        **base, **evaluation_settings(out, cfg, name, checkpoint(out, name),
                                      str(out / "eval" / name))}) for name in SYSTEMS]


def evaluation_stages(out: Path, cfg: PipelineConfig, base: dict) -> list[Stage]:
    """Test evaluation of each system, metric validity (corruptions, system outputs) and the
    reading probe."""
    from experiments import evaluate as ev
    from experiments.reading_probe import probe_stage
    from experiments.system_validity import system_validity_stage

    metrics, sizes = {**base, **metric_settings(out, cfg)}, cfg.evaluation
    return test_stages(out, cfg, base) + [
        Stage("validity", ev.validity_stage, {
            **metrics, "docs": sizes.validity_docs, "out": str(out / "validity"),
            "wrong_documents": True}),
        Stage("system_validity", system_validity_stage, {
            **metrics, "candidates": str(out / "conseq" / "candidates.jsonl"),
            "docs": sizes.system_validity_docs, "scored": str(out / "conseq" / "scores"),
            "out": str(out / "system_validity")}),
        Stage("reading_probe", probe_stage, {
            **metrics, "docs": sizes.probe_docs, "out": str(out / "reading_probe")}),
    ]


def evaluator_start(out: Path, name: str, reader: str | None) -> str | None:
    """The checkpoint an evaluator starts from: QG from QAGen (whose decoder already writes
    questions; QAGS's corruption AUROC on validation documents rose from 0.592 to 0.674-0.680),
    QAGen, QA and FactCC from the reader, FactCC from the QA model where there is no reader
    (README, "How the models learned to read")."""
    if name == "qg":
        return checkpoint(out, "qagen")
    if name == "factcc" and reader is None:
        return checkpoint(out, "qa")
    return reader


def build_stages(out: Path, cfg: PipelineConfig, wandb: str) -> list[Stage]:
    """Return the pipeline's stages with their settings (JSON-serialisable, for their hashes);
    with ``cfg.data.path``, those of your data (``experiments.data_stages``)."""
    if cfg.data.path:
        from experiments.data_stages import data_stages

        return data_stages(out, cfg, wandb)
    base = {"corpus": str(out / "corpus"), "tokenizer": str(out / "tokenizer"), "wandb": wandb}
    return [Stage("corpus", corpus_stage, {"corpus_config": cfg.corpus, **base}),
            Stage("tokenizer", tokenizer_stage, {"vocab_size": cfg.vocab_size, **base}),
            *model_stages(out, cfg, base), *conseq_stages(out, cfg, base),
            *evaluation_stages(out, cfg, base)]


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
    parser.add_argument("--wandb", choices=("offline", "online", "disabled"), default="offline")
    a = parser.parse_args(argv)
    cfg = presets.from_arguments(a)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("WANDB_SILENT", "true")
    results = run(Path(a.out), cfg, a)
    from experiments.results import write_results

    print(write_results(Path(a.out), results, preset=a.preset, world=a.world))
    return 0


def run(out: Path, cfg: PipelineConfig, a: argparse.Namespace) -> dict:
    """Write ``<out>/config.yaml`` and run the stages; return their results. A given model
    that is not there, or bad data, exits with its one-line error."""
    from experiments import presets
    from lightning_modules.data.readers import DataError

    try:
        stages = build_stages(out, cfg, a.wandb)
    except FileNotFoundError as error:  # data.models names a model that is not there
        raise SystemExit(f"error: {error}") from None
    presets.write_config(cfg, out / "config.yaml", header=command_line(a))
    try:
        return run_stages(stages, out)
    except DataError as error:
        raise SystemExit(f"error: {error}") from None


def command_line(a: argparse.Namespace) -> str:
    """The ``reproduce`` command line of parsed arguments (the head of ``config.yaml``)."""
    data = f" --data {a.data}" if a.data else ""
    return (f"quals-bench reproduce --preset {a.preset} --world {a.world}{data}"
            + "".join(f" --set {item}" for item in a.sets))
