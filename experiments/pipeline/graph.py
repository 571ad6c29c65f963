"""The stages of ``quals-bench reproduce`` as a graph: what each runs, with what settings, and
which stages it reads.

Synthetic world: corpus -> tokenizer -> reader -> QAGen, QG, QA, FactCC (the evaluators) -> MLE
-> candidates (top-k samples of the MLE model on training documents) -> scores (QUALS and ROUGE
of every candidate and reference) -> selection (S+/S- pairs per ranker) -> ROUGE-ConSeq,
QUALS-ConSeq -> test evaluation of the three summarizers with every metric -> metric validity
(corruptions, the candidate pool) -> the reading probe. Your data: data (and tiny models) ->
MLE -> candidates -> scores -> selection -> ConSeq -> test evaluation.

Each stage names its inputs (``needs``, and the :class:`~experiments.pipeline.stages.Ref` of each model
it reads), so a changed setting re-runs the stage it belongs to and those downstream of it only.
"""

from __future__ import annotations

from pathlib import Path

from experiments.pipeline import data_stages as ds
from experiments.pipeline import training_stages as ts
from experiments.config import PipelineConfig
from experiments.config_tree import plain
from experiments.memory import precision_override, precision_setting
from experiments.pipeline.settings import (SYSTEMS, conseq_runs, conseq_settings,
                                        evaluation_settings, evaluator, evaluator_start,
                                        metric_settings, mle_settings, selection_settings)
from experiments.pipeline.stages import Ref, Stage

CORPUS = ("corpus", "tokenizer")
"""The synthetic world's corpus stages, which every later stage reads."""


def model_stages(out: Path, cfg: PipelineConfig, base: dict) -> list[Stage]:
    """The reader (when the budget has one), the evaluators (QAGen, QG, QA, FactCC) and the MLE
    summarizer."""
    budgets, stages, reader = cfg.training, [], None
    run = lambda name: {"run_dir": str(out / "runs" / name)}  # noqa: E731
    if budgets.reader_epochs:
        reader = Ref("reader")
        stages.append(Stage("reader", ts.train_stage, {
            **base, **run("reader"), "config": "reader_synthetic.yaml",
            "overrides": {**ts.budget(budgets.reader_epochs, budgets.reader_batches),
                          **ts.reader_stop_override(budgets.reader_stop_accuracy),
                          **ts.seed_override(budgets.seed),
                          **precision_override(budgets.precision)}}, needs=CORPUS))
    for name, config in (("qagen", "qagen_synthetic.yaml"), ("qg", "qg_synthetic.yaml"),
                         ("qa", "qa_synthetic.yaml"), ("factcc", "factcc_synthetic.yaml")):
        stages.append(Stage(name, ts.train_stage, {
            **base, **run(name), "config": config,
            "init_checkpoint": evaluator_start(name, reader),
            "overrides": {**ts.budget(1, getattr(budgets, f"{name}_batches")),
                          **ts.seed_override(budgets.seed),
                          **precision_override(budgets.precision)}}, needs=CORPUS))
    stages.append(Stage("mle", ts.train_stage, mle_settings(out, cfg, base, reader),
                        needs=CORPUS))
    return stages


def conseq_stages(out: Path, cfg: PipelineConfig, base: dict, needs: tuple[str, ...],
                  model: dict | None = None) -> list[Stage]:
    """Candidates, their scores, S+/S- selection, and ROUGE-ConSeq and QUALS-ConSeq training
    (``needs``: the corpus stages; ``model``: CLI overrides of the summarizer's model, on your
    data)."""
    from experiments.pipeline import conseq_stages as cs

    cand, scored = str(out / "conseq" / "candidates.jsonl"), str(out / "conseq" / "scores")
    stages = [
        Stage("candidates", cs.candidates_stage, {
            **base, "docs": cfg.conseq.docs, "checkpoint": Ref("mle"), "out": cand,
            "candidates": plain(cfg.candidates),
            **precision_setting(cfg.training.precision)}, needs=needs),
        Stage("scores", cs.scoring_stage, {"candidates": cand, "out_dir": scored,
                                          "qagen": evaluator(out, cfg, "qagen", refs=True),
                                          "quals": plain(cfg.quals),
                                          **precision_setting(cfg.training.precision)},
              needs=("candidates", *needs)),
        Stage("selection", cs.selection_stage, {
            "candidates": cand, "scored": scored, "out_dir": str(out / "conseq"),
            "selection": selection_settings(cfg.selection)}, needs=("candidates", "scores")),
    ]
    for ranker in ("rouge", "quals"):
        for seed, name in conseq_runs(cfg, f"{ranker}_conseq"):
            settings = {**base, "name": name, "run_dir": str(out / "runs" / name),
                        "init_checkpoint": Ref("mle"),
                        "pairs": str(out / "conseq" / ranker / "pairs.jsonl"),
                        **conseq_settings(cfg, seed)}
            if model:
                settings["overrides"] = {**settings["overrides"], **model}
            stages.append(Stage(name, ts.conseq_stage, settings, needs=("selection", *needs)))
    return stages


def system_runs(cfg: PipelineConfig) -> list[str]:
    """Every summarizer run the test evaluation scores: the MLE and each ConSeq run."""
    return ["mle", *(name for system in SYSTEMS[1:] for _, name in conseq_runs(cfg, system))]


def test_stages(out: Path, cfg: PipelineConfig, base: dict,
                needs: tuple[str, ...]) -> list[Stage]:
    """Test evaluation of each system with every metric."""
    from experiments.pipeline import evaluate as ev

    return [Stage(f"test_{name}", ev.evaluate_stage, {
        **base, **evaluation_settings(out, cfg, name, Ref(name), str(out / "eval" / name),
                                      refs=True)}, needs=needs) for name in system_runs(cfg)]


def validity_stages(out: Path, cfg: PipelineConfig, base: dict) -> list[Stage]:
    """Metric validity (corruptions, system outputs) and the reading probe."""
    from experiments.pipeline import evaluate as ev
    from experiments.studies.reading_probe import probe_stage
    from experiments.studies.system_validity import system_validity_stage

    metrics, sizes = {**base, **metric_settings(out, cfg, refs=True)}, cfg.evaluation
    return [
        Stage("validity", ev.validity_stage, {
            **metrics, "docs": sizes.validity_docs, "out": str(out / "validity"),
            "wrong_documents": True}, needs=CORPUS),
        Stage("system_validity", system_validity_stage, {
            **metrics, "candidates": str(out / "conseq" / "candidates.jsonl"),
            "docs": sizes.system_validity_docs, "scored": str(out / "conseq" / "scores"),
            "out": str(out / "system_validity")}, needs=(*CORPUS, "candidates", "scores")),
        Stage("reading_probe", probe_stage, {
            **metrics, "docs": sizes.probe_docs, "out": str(out / "reading_probe")},
            needs=CORPUS),
    ]


def world_stages(out: Path, cfg: PipelineConfig, wandb: str) -> list[Stage]:
    """The stages of a run in the synthetic world."""
    base = {"corpus": str(out / "corpus"), "tokenizer": str(out / "tokenizer"), "wandb": wandb}
    return [Stage("corpus", ds.corpus_stage, {"corpus_config": cfg.corpus, **base}, needs=()),
            Stage("tokenizer", ds.tokenizer_stage, {"vocab_size": cfg.vocab_size, **base},
                  needs=("corpus",)),
            *model_stages(out, cfg, base), *conseq_stages(out, cfg, base, CORPUS),
            *test_stages(out, cfg, base, CORPUS), *validity_stages(out, cfg, base)]


def data_stages(out: Path, cfg: PipelineConfig, wandb: str) -> list[Stage]:
    """The stages of a run on your data (see ``experiments/pipeline/data_stages.py``)."""
    ds.check_models(cfg)
    d = cfg.data
    model, tokenizer, init = ds.summarizer_start(d.roles(out)["summarizer"])
    base = {"corpus": str(out / "corpus"), "tokenizer": tokenizer, "wandb": wandb}
    stages = [Stage("data", ds.data_stage, {
        "data": d.path, "document_field": d.document_field, "summary_field": d.summary_field,
        "hf_config": d.hf_config, "limit": d.limit, "files": ds.data_fingerprint(d.path),
        "corpus": base["corpus"]}, needs=())]
    if d.tiny_hf is not None:
        stages.append(Stage("models", ds.tiny_models_stage, {
            "tiny_hf": plain(d.tiny_hf), "corpus": base["corpus"], "out": str(out / "models")},
            needs=("data",)))
    needs = tuple(s.name for s in stages)
    settings = mle_settings(out, cfg, base, init)
    settings["overrides"] = {**settings["overrides"], **model}
    mle = Stage("mle", ts.train_stage if cfg.training.mle_epochs else ts.save_stage, settings,
                needs=needs)
    return [*stages, mle, *conseq_stages(out, cfg, base, needs, model),
            *test_stages(out, cfg, base, needs)]


def build_stages(out: Path, cfg: PipelineConfig, wandb: str) -> list[Stage]:
    """Return the pipeline's stages with their settings (JSON-serialisable but for their
    :class:`~experiments.pipeline.stages.Ref` values, for their hashes); with ``cfg.data.path``, those
    of your data."""
    return data_stages(out, cfg, wandb) if cfg.data.path else world_stages(out, cfg, wandb)
