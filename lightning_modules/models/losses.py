"""Training losses as pure tensor functions."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def label_smoothed_nll(logits: torch.Tensor, labels: torch.Tensor, epsilon: float = 0.1,
                       ignore_index: int = -100) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (summed label-smoothed NLL, number of target tokens), in nats.

    Per token: ``(1 - eps) * -log p(y) + eps * mean_v(-log p(v))``, the smoothing of fairseq's
    ``label_smoothed_cross_entropy`` (with ``eps_i = eps / V``) that BART fine-tuning uses.
    Positions where ``labels == ignore_index`` contribute nothing.
    """
    lprobs = F.log_softmax(logits.float(), dim=-1)
    mask = labels != ignore_index
    target = labels.masked_fill(~mask, 0).unsqueeze(-1)
    nll = -lprobs.gather(-1, target).squeeze(-1)
    smooth = -lprobs.mean(dim=-1)
    loss = ((1.0 - epsilon) * nll + epsilon * smooth) * mask
    return loss.sum(), mask.sum()
