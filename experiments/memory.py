"""The pipeline's memory settings: numeric precision (``training.precision``) as stage
overrides, and out-of-memory errors of its stages as one line naming the setting to lower
(``lightning_modules.oom``). docs/full-size.md lists, stage by stage, what to lower."""

from __future__ import annotations

from lightning_modules.oom import explain_oom
from lightning_modules.precision import inference_autocast

PRECISION_HINT = "on a GPU, --set training.precision=bf16-mixed halves the activations"
"""What else to lower once a batch size is 1."""


def precision_override(precision: str | None) -> dict:
    """The override of a training stage's ``trainer.precision``; ``None`` keeps its config's
    (and adds no key, so the stage's hash is that of a run made before the setting existed)."""
    return {} if precision is None else {"trainer.precision": precision}


def precision_setting(precision: str | None) -> dict:
    """The setting of an inference stage (candidates, scores, test evaluation) that runs its
    models under ``inference_autocast(precision)``; ``None`` adds no key (as
    :func:`precision_override`)."""
    return {} if precision is None else {"precision": precision}


def stage_autocast(s: dict):
    """The autocast of an inference stage's settings ``s`` (its ``precision``, absent: none) on
    the device its models run on: the GPU when there is one, as Lightning's ``accelerator="auto"``
    picks (the pipeline's predict loops run on one device, in this thread)."""
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    return inference_autocast(s.get("precision"), device)


def training_oom(cli, config: str):
    """:func:`~lightning_modules.oom.explain_oom` of a training stage whose LightningCLI is
    ``cli`` and whose config file is ``config`` (``mle.yaml``): the batch size is the data
    module's ``batch_size``, lowered in that file."""
    size = getattr(cli.datamodule, "hparams", {}).get("batch_size")
    return explain_oom("data.init_args.batch_size", size, f"training ({config})",
                       hint=PRECISION_HINT,
                       syntax=f"{{setting}}: {{value}} in experiments/configs/{config}")
