"""Numeric precision of training and inference, as Lightning names it.

``32``: float32 throughout (the CPU default). ``bf16-mixed``: float32 weights, matrix products
in bfloat16 under autocast (an A100/H100-class GPU; the paper's BART-large configs use it).
``16-mixed``: the same in float16 with loss scaling (older GPUs). Training passes the name to
the Lightning trainer (``trainer.precision``); inference outside a trainer (the metrics'
generation and scoring) runs under :func:`inference_autocast` of the same name.
"""

from __future__ import annotations

from contextlib import nullcontext

import torch

PRECISIONS = ("32", "bf16-mixed", "16-mixed")
"""The precisions a run can ask for (Lightning's names)."""

AUTOCAST_DTYPES = {"bf16-mixed": torch.bfloat16, "16-mixed": torch.float16}
"""The autocast dtype of each mixed precision."""


def check_precision(value) -> str | None:
    """``value`` as one of :data:`PRECISIONS` (YAML's ``32`` read as an int becomes ``"32"``),
    or ``None`` for ``None``; raise ``ValueError`` starting with ``precision`` otherwise."""
    if value is None:
        return None
    name = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if name not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {value!r}")
    return name


def inference_autocast(precision: str | None, device):
    """The context manager that runs inference at ``precision`` on ``device`` (a
    ``torch.device`` or its name): ``torch.autocast`` of the mixed precisions, else a no-op."""
    dtype = AUTOCAST_DTYPES.get(check_precision(precision))
    if dtype is None:
        return nullcontext()
    return torch.autocast(device_type=torch.device(device).type, dtype=dtype)
