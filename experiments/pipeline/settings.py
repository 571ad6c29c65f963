"""The settings of the pipeline's stages: which model each reads and with what settings.

Shared by the stage graph (``experiments/pipeline/graph.py``), the results (``results.py``),
sweeps and diagnostics. Inside the graph a model another stage trains is a
:class:`~experiments.pipeline.stages.Ref` to that stage's result; outside it (a sweep reading a finished
run) it is the checkpoint path.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from experiments.config import PipelineConfig
from experiments.config_tree import plain
from experiments.memory import precision_override, precision_setting
from experiments.pipeline.stages import Ref
from lightning_modules.selection import SelectionConfig

SYSTEMS = ("mle", "rouge_conseq", "quals_conseq")
ROUGE_RANKER = ("rouge1", "rouge2", "rougeL")
"""The ROUGE ranker of ROUGE-ConSeq: the mean of these columns of each summary's ROUGE scores."""
EVALUATORS = ("qagen", "qg", "qa", "factcc")

SKIPPED = {"validity": "metric validity on corruptions",
           "system_validity": "metric validity on system outputs",
           "reading_probe": "the reading probe", "reference": "the references' noise"}
"""What a run on your data leaves out (the oracle's stages, the reference noise), by key of
``results.json``."""


def conseq_runs(cfg: PipelineConfig, system: str) -> list[tuple[int | None, str]]:
    """``(seed, run name)`` of each training run of the ConSeq ``system``: one per
    ``conseq.seeds`` (``<system>_seed<seed>``), or one named ``system`` (seed ``None``: the
    training seed)."""
    seeds = cfg.conseq.seeds
    return [(None, system)] if seeds is None else [(s, f"{system}_seed{s}") for s in seeds]


def run_seed(system: str, run: str) -> int | None:
    """The ConSeq seed of the run ``run`` of ``system`` (``None`` for the unseeded run)."""
    return None if run == system else int(run.removeprefix(f"{system}_seed"))


def checkpoint(root: Path, name: str) -> str:
    """The last checkpoint of the pipeline's run ``name`` under ``root``."""
    return str(root / "runs" / name / "checkpoints" / "last.ckpt")


def evaluator(root: Path, cfg: PipelineConfig, role: str, refs: bool = False) -> str | Ref:
    """The model of an evaluator ``role`` (``qagen``, ``qg``, ``qa``, ``factcc``): on your data
    the one ``cfg.data`` gives; else the one the run ``root`` trained (with ``refs``, a
    :class:`Ref` to its training stage)."""
    if cfg.data.path:
        return cfg.data.roles(root)[role]
    return Ref(role) if refs else checkpoint(root, role)


def metric_settings(root: Path, cfg: PipelineConfig, refs: bool = False) -> dict:
    """Every metric's model (:func:`evaluator`) and settings (from ``cfg``)."""
    return {**{role: evaluator(root, cfg, role, refs) for role in EVALUATORS},
            "quals": plain(cfg.quals), "qags": plain(cfg.qags),
            **precision_setting(cfg.training.precision)}


def evaluation_settings(root: Path, cfg: PipelineConfig, name: str, ckpt, run_dir: str,
                        refs: bool = False) -> dict:
    """Settings of a test-evaluation stage of the summarizer ``ckpt`` (a path or a
    :class:`Ref`; also used by sweeps and diagnostics)."""
    return {**metric_settings(root, cfg, refs), "name": name, "checkpoint": ckpt,
            "run_dir": run_dir, "examples": cfg.evaluation.examples}


def selection_settings(selection: SelectionConfig) -> dict:
    """S+/S- settings of each ranker: QUALS ranks by its score; ROUGE by the mean of ROUGE-1/2/L
    against the reference (its one definition, ``columns``), and takes its positives from the
    candidates (every reference has ROUGE 1 against itself); both with ``selection``'s quantile
    and mode."""
    rouge = replace(selection, positive_source="best_candidate", columns=ROUGE_RANKER)
    return {"quals": plain(selection), "rouge": plain(rouge)}


def conseq_settings(cfg: PipelineConfig, seed: int | None = None) -> dict:
    """Training settings of a ConSeq stage: its config file and overrides from ``cfg``
    (``seed``: the ConSeq fine-tuning seed; ``None``, the training seed)."""
    from experiments.pipeline.training_stages import conseq_overrides, seed_override, summarizer_overrides

    seed = cfg.training.seed if seed is None else seed
    return {"config": "conseq.yaml",
            "overrides": {**summarizer_overrides(cfg.summarizer), **conseq_overrides(cfg.conseq),
                          **seed_override(seed), **precision_override(cfg.training.precision)}}


def mle_settings(out: Path, cfg: PipelineConfig, base: dict, init) -> dict:
    """Settings of the MLE stage: ``mle.yaml`` from the checkpoint ``init`` (a path, a
    :class:`Ref` or none), the preset's budget and summarizer lengths."""
    from experiments.pipeline import training_stages as ts

    budgets = cfg.training
    return {**base, "run_dir": str(out / "runs" / "mle"), "config": "mle.yaml",
            "init_checkpoint": init,
            "overrides": {**ts.budget(budgets.mle_epochs, budgets.mle_batches),
                          **ts.summarizer_overrides(cfg.summarizer),
                          **ts.seed_override(budgets.seed),
                          **precision_override(budgets.precision)}}


def evaluator_start(name: str, reader: Ref | None) -> Ref | None:
    """The checkpoint an evaluator starts from: QG from QAGen (whose decoder already writes
    questions; QAGS's corruption AUROC on validation documents rose from 0.592 to 0.674-0.680),
    QAGen, QA and FactCC from the reader, FactCC from the QA model where there is no reader."""
    if name == "qg":
        return Ref("qagen")
    if name == "factcc" and reader is None:
        return Ref("qa")
    return reader
