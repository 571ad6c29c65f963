"""The workbench's LightningCLI: run directory, W&B mode and checkpoints from ``--run.*``."""

from __future__ import annotations

import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from pytorch_lightning.callbacks import ModelCheckpoint
from pytorch_lightning.cli import LightningCLI
from pytorch_lightning.loggers import WandbLogger

WANDB_MODES = ("offline", "online", "disabled")


class WorkbenchCLI(LightningCLI):
    """LightningCLI that puts config, checkpoints, W&B files and scores in ``--run.dir``."""

    def add_arguments_to_parser(self, parser) -> None:
        parser.add_argument("--run.dir", default="runs/mle", help="run directory")
        parser.add_argument("--run.wandb", default="offline", choices=WANDB_MODES,
                            help="W&B mode: offline (default), online or disabled")
        parser.add_argument("--run.project", default="quals-bench", help="W&B project")
        parser.add_argument("--run.name", default=None, help="W&B run name")
        parser.add_argument("--run.group", default=None, help="W&B group (sweeps)")

    def instantiate_trainer(self, **kwargs):
        run = self._get(self.config_init, "run")
        run_dir = Path(run["dir"])
        run_dir.mkdir(parents=True, exist_ok=True)
        trainer_cfg = self._get(self.config_init, "trainer")
        callbacks = trainer_cfg.get("callbacks") or []
        if not any(isinstance(c, ModelCheckpoint) for c in callbacks):
            callbacks.append(ModelCheckpoint(dirpath=run_dir / "checkpoints", save_last=True,
                                             monitor="val/loss", save_top_k=1))
        trainer_cfg["callbacks"] = callbacks
        kwargs.setdefault("default_root_dir", str(run_dir))
        kwargs.setdefault("logger", make_logger(run, run_dir, self.config_init))
        return super().instantiate_trainer(**kwargs)


def make_logger(run: dict, run_dir: Path, config) -> WandbLogger:
    """Return a W&B logger writing under ``run_dir``; offline and disabled make no network call."""
    import wandb

    os.environ.setdefault("WANDB_SILENT", "true")
    if wandb.run is not None:
        wandb.finish()  # else WandbLogger would log this run into the previous one
    mode = run["wandb"]
    return WandbLogger(save_dir=str(run_dir), project=run["project"], name=run["name"],
                       group=run["group"], offline=mode == "offline",
                       mode="disabled" if mode == "disabled" else None)


@contextmanager
def command_line(args: list[str]):
    """Within the block, ``sys.argv`` is ``args`` after the program name: LightningCLI reads
    its arguments from the command line, as it does when run as a program."""
    saved = sys.argv
    sys.argv = [saved[0] if saved else "quals-bench", *args]
    try:
        yield
    finally:
        sys.argv = saved


class NoTips(logging.Filter):
    """Drops Lightning's advertising tips ("💡 Tip: ... install ...") from its log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.getMessage()).startswith("💡 Tip")


def quiet_lightning() -> None:
    """Keep Lightning's tips off the console (its warnings and progress bars stay)."""
    for name in ("pytorch_lightning", "lightning.pytorch", "pytorch_lightning.utilities.rank_zero"):
        target = logging.getLogger(name)
        if not any(isinstance(f, NoTips) for f in target.filters):
            target.addFilter(NoTips())


def build_cli(args: list[str], run: bool = True) -> WorkbenchCLI:
    """Build the CLI from ``args`` given as its command line; with ``run=False`` the caller
    drives ``cli.trainer`` itself."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    quiet_lightning()
    with command_line(list(args)):
        return WorkbenchCLI(args=None, run=run, save_config_kwargs={"overwrite": True})


def main(argv: list[str]) -> int:
    """``quals-bench fit|validate|test --config FILE [overrides]``."""
    build_cli(argv)
    return 0
