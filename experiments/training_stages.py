"""Pipeline stages that train a model through the LightningCLI (resuming from ``last.ckpt``)."""

from __future__ import annotations

from pathlib import Path

from experiments import CONFIG_DIR


def common_args(s: dict, config: str) -> list[str]:
    """The config, run directory, W&B mode and the pipeline's corpus and tokenizer."""
    return ["--config", str(CONFIG_DIR / config), "--run.dir", s["run_dir"],
            "--run.wandb", s["wandb"], "--run.group", s.get("group") or "reproduce",
            "--model.init_args.tokenizer", s["tokenizer"],
            "--data.init_args.tokenizer", s["tokenizer"], "--data.init_args.data_dir", s["corpus"],
            "--trainer.enable_model_summary", "false"]


def start_from(s: dict) -> list[str]:
    """Arguments that start a model from the shared reader's weights, when the stage has one."""
    if not s.get("init_checkpoint"):
        return []
    return ["--model.init_args.init_checkpoint", s["init_checkpoint"]]


def fit(args: list[str], run_dir: str) -> dict:
    """Train with the CLI arguments, resuming from ``last.ckpt``; return the last checkpoint."""
    from experiments.lightning_cli import build_cli

    cli = build_cli(args, run=False)
    last = Path(run_dir) / "checkpoints" / "last.ckpt"
    cli.trainer.fit(cli.model, datamodule=cli.datamodule,
                    ckpt_path=str(last) if last.exists() else None)
    metrics = {k: float(v) for k, v in cli.trainer.callback_metrics.items() if v.numel() == 1}
    import wandb

    wandb.finish()
    return {"checkpoint": str(last), "metrics": metrics}


def batches_stage(s: dict) -> dict:
    """Train the model of ``s["config"]`` for ``s["batches"]`` batches (QAGen, QG, QA, FactCC)."""
    args = common_args(s, s["config"]) + ["--trainer.limit_train_batches", str(s["batches"]),
                                          "--trainer.limit_val_batches", str(s.get("val_batches", 5)),
                                          "--trainer.max_epochs", "1"] + start_from(s)
    return fit(args, s["run_dir"])


def reader_stage(s: dict) -> dict:
    """Pretrain the shared reader (role tagging) for ``s["epochs"]`` epochs of the corpus."""
    args = common_args(s, "reader_synthetic.yaml") + [
        "--trainer.max_epochs", str(s["epochs"]), "--trainer.limit_val_batches", "5",
        "--trainer.limit_train_batches", str(s.get("limit_train_batches") or 1.0)]
    return fit(args, s["run_dir"])


def mle_stage(s: dict) -> dict:
    """Train the MLE summarizer for ``s["epochs"]`` epochs (evaluation is a later stage)."""
    args = common_args(s, "mle.yaml") + ["--trainer.max_epochs", str(s["epochs"]),
                                         "--trainer.limit_val_batches", str(s.get("val_batches", 5))]
    args += start_from(s)
    if s.get("limit_train_batches"):
        args += ["--trainer.limit_train_batches", str(s["limit_train_batches"])]
    return fit(args, s["run_dir"])


def conseq_stage(s: dict) -> dict:
    """Fine-tune the MLE checkpoint on one ranker's (S+, S-) pairs.

    If selection kept no pair (for example every summary got the QUALS sentinel, as with an
    untrained QAGen), there is nothing to train on: the MLE checkpoint is copied as this
    system's checkpoint and the result says ``trained: false`` with the reason.
    """
    import shutil

    if not Path(s["pairs"]).read_text().strip():
        last = Path(s["run_dir"]) / "checkpoints" / "last.ckpt"
        last.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(s["init_checkpoint"], last)
        print(f"warning: {s['pairs']} holds no pair; {s['name']} = the MLE model, untrained")
        return {"checkpoint": str(last), "trained": False, "reason": "selection kept no pair"}
    args = common_args(s, "conseq.yaml") + [
        "--model.init_args.init_checkpoint", s["init_checkpoint"],
        "--data.init_args.pairs", s["pairs"], "--run.name", s["name"],
        "--trainer.max_epochs", str(s["epochs"]),
        "--model.init_args.learning_rate", str(s["learning_rate"]),
        "--model.init_args.negative_weight", str(s.get("negative_weight", 1.0))]
    return {**fit(args, s["run_dir"]), "trained": True}
