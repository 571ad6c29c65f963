"""The optimizer every workbench module uses: AdamW without decay on biases and norms, with a
per-step ``transformers`` schedule."""

from __future__ import annotations

import torch
from transformers import get_scheduler


def adamw_with_schedule(module, learning_rate: float, weight_decay: float, warmup_steps: int,
                        scheduler: str) -> dict:
    """Return Lightning's ``configure_optimizers`` dict for ``module``."""
    decay, no_decay = [], []
    for param in module.parameters():
        if param.requires_grad:
            (no_decay if param.ndim < 2 else decay).append(param)
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=learning_rate)
    schedule = get_scheduler(scheduler, optimizer, num_warmup_steps=warmup_steps,
                             num_training_steps=module.trainer.estimated_stepping_batches)
    return {"optimizer": optimizer, "lr_scheduler": {"scheduler": schedule, "interval": "step"}}
