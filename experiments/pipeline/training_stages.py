"""Pipeline stages that train a model through the LightningCLI, each in a run folder of its
own settings (a killed stage resumes from its ``last.ckpt``; changed settings train afresh)."""

from __future__ import annotations

import json
from pathlib import Path

from experiments import CONFIG_DIR
from experiments.config import ConSeqConfig, SummarizerLengths
from lightning_modules.jsonl import write_json


STAGE_KEYS = {"init_checkpoint": "model.init_args.init_checkpoint",
              "pairs": "data.init_args.pairs", "name": "run.name"}
"""Stage settings that name a path or run, and the CLI key each sets (when given)."""


def training_args(s: dict) -> list[str]:
    """The LightningCLI arguments of the training stage ``s``, built here and nowhere else: its
    ``config`` file, run directory, W&B mode and group, the pipeline's corpus and tokenizer, the
    :data:`STAGE_KEYS` it gives, and ``s["overrides"]`` (dotted CLI key -> value from the typed
    config; ``None`` keeps the config file's value)."""
    args = ["--config", str(CONFIG_DIR / s["config"]), "--run.dir", s["run_dir"],
            "--run.wandb", s["wandb"], "--run.group", s.get("group") or "reproduce",
            "--model.init_args.tokenizer", s["tokenizer"],
            "--data.init_args.tokenizer", s["tokenizer"], "--data.init_args.data_dir", s["corpus"],
            "--trainer.enable_model_summary", "false"]
    settings = {key: s.get(stage_key) for stage_key, key in STAGE_KEYS.items()}
    for key, value in {**settings, **s.get("overrides", {})}.items():
        if value is not None:
            args += [f"--{key}", str(value).lower() if isinstance(value, bool) else str(value)]
    return args


def budget(epochs: int, batches: int | None, val_batches: int = 5) -> dict:
    """Overrides of a training budget: ``epochs`` of at most ``batches`` batches (None: all),
    validating on ``val_batches`` batches."""
    return {"trainer.max_epochs": epochs, "trainer.limit_train_batches": batches or 1.0,
            "trainer.limit_val_batches": val_batches}


def seed_override(seed: int | None) -> dict:
    """The override of a training stage's ``seed_everything``; ``None`` keeps its config's (and
    adds no key, so the stage's hash is that of a run made before the setting existed)."""
    return {} if seed is None else {"seed_everything": seed}


def reader_stop_override(accuracy: float | None) -> dict:
    """The override of the reader's ``stop_accuracy``; ``None`` adds no key (as
    :func:`seed_override`)."""
    return {} if accuracy is None else {"model.init_args.stop_accuracy": accuracy}


def summarizer_overrides(lengths: SummarizerLengths) -> dict:
    """Overrides of a summarizer's lengths (model generation and truncation, data truncation)."""
    return {"model.init_args.max_length": lengths.max_length,
            "model.init_args.min_length": lengths.min_length,
            "model.init_args.max_source_length": lengths.max_source_length,
            "data.init_args.max_source_length": lengths.max_source_length,
            "data.init_args.max_target_length": lengths.max_target_length}


def conseq_overrides(conseq: ConSeqConfig) -> dict:
    """Overrides of ConSeq fine-tuning: epochs, learning rate, weight and kind of the S- loss
    (and the ``pair`` term's ``beta``, the ``span`` term's threshold)."""
    term = {"pair": {"model.init_args.pair_beta": conseq.pair_beta},
            "span": {"model.init_args.span_threshold": conseq.span_threshold}}
    return {"trainer.max_epochs": conseq.epochs,
            "model.init_args.learning_rate": conseq.learning_rate,
            "model.init_args.negative_weight": conseq.negative_weight,
            "model.init_args.negative_loss": conseq.negative_loss,
            **term.get(conseq.negative_loss, {})}


STAGE_RECORD = "stage.json"
"""The file in a training stage's run folder that records the hash of the settings it ran."""


def claim_run_dir(run_dir: str, stage_hash: str | None) -> str | None:
    """Make ``run_dir`` the folder of the stage whose hash is ``stage_hash``; return the
    checkpoint to resume from, or ``None`` to train afresh.

    A folder that the same settings wrote (a stage killed half-way) resumes from its
    ``last.ckpt``. A folder that other settings wrote, or that records none, is moved aside to
    ``<run_dir>.<its hash>`` (never mixed with the new checkpoints), and training starts afresh.
    ``stage_hash=None`` (a stage run outside the graph) always starts afresh.
    """
    folder, record = Path(run_dir), Path(run_dir) / STAGE_RECORD
    if folder.exists():
        saved = json.loads(record.read_text())["hash"] if record.exists() else "unrecorded"
        last = folder / "checkpoints" / "last.ckpt"
        if stage_hash is not None and saved == stage_hash:
            return str(last) if last.exists() else None
        aside = unused_path(folder.with_name(f"{folder.name}.{saved}"))
        folder.rename(aside)
        print(f"{run_dir}: written by other settings; moved to {aside}")
    folder.mkdir(parents=True)
    write_json(record, {"hash": stage_hash})
    return None


def unused_path(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``... the first that does not exist."""
    n, candidate = 1, path
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def fit(args: list[str], run_dir: str, stage_hash: str | None = None) -> dict:
    """Train with the CLI arguments in ``run_dir``, resuming only a checkpoint that the same
    stage settings wrote (:func:`claim_run_dir`); return the last checkpoint."""
    from experiments.lightning_cli import build_cli

    from lightning_modules.models.checkpoints import safe_loading, trusted

    from experiments.memory import training_oom

    resume = claim_run_dir(run_dir, stage_hash)
    cli = build_cli(args, run=False)
    config = Path(args[args.index("--config") + 1]).name
    with safe_loading(resume), training_oom(cli, config):
        cli.trainer.fit(cli.model, datamodule=cli.datamodule, ckpt_path=resume,
                        weights_only=not trusted())
    metrics = {k: float(v) for k, v in cli.trainer.callback_metrics.items() if v.numel() == 1}
    import wandb

    wandb.finish()
    return {"checkpoint": str(Path(run_dir) / "checkpoints" / "last.ckpt"), "metrics": metrics}


def train_stage(s: dict) -> dict:
    """Train the model of ``s["config"]`` with the stage's arguments (``training_args``)."""
    return fit(training_args(s), s["run_dir"], s.get("stage_hash"))


def save_stage(s: dict) -> dict:
    """Save the model of ``s["config"]`` untrained (from its ``init_checkpoint``, if any) as
    the stage's ``last.ckpt``: a given summarizer used as it is (0 epochs)."""
    from experiments.lightning_cli import build_cli
    from lightning_modules.models.base import load_model_weights

    claim_run_dir(s["run_dir"], s.get("stage_hash"))
    cli = build_cli(training_args(s), run=False)
    if s.get("init_checkpoint"):
        load_model_weights(cli.model.model, s["init_checkpoint"])
    last = Path(s["run_dir"]) / "checkpoints" / "last.ckpt"
    cli.trainer.strategy.connect(cli.model)
    cli.trainer.save_checkpoint(last)
    return {"checkpoint": str(last), "trained": False}


def conseq_stage(s: dict) -> dict:
    """Fine-tune the MLE checkpoint on one ranker's (S+, S-) pairs.

    If selection kept no pair (for example every summary got the QUALS sentinel, as with an
    untrained QAGen), there is nothing to train on: the MLE checkpoint is copied as this
    system's checkpoint and the result says ``trained: false`` with the reason.
    """
    import shutil

    if not Path(s["pairs"]).read_text().strip():
        claim_run_dir(s["run_dir"], s.get("stage_hash"))
        last = Path(s["run_dir"]) / "checkpoints" / "last.ckpt"
        last.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(s["init_checkpoint"], last)
        print(f"warning: {s['pairs']} holds no pair; {s['name']} = the MLE model, untrained")
        return {"checkpoint": str(last), "trained": False, "reason": "selection kept no pair"}
    return {**train_stage(s), "trained": True}
