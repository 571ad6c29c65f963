"""ConSeq: contrastive fine-tuning of a trained summarizer on (S+, S-) summaries.

Loss (see ``losses.conseq_loss``): label-smoothed NLL on positives plus, on negatives,
label-smoothed token unlikelihood (``negative_loss="token"``) or the unlikelihood of the whole
summary (``"sequence"``), normalised by all target tokens. Fine-tuning starts from an MLE
checkpoint (``init_checkpoint``). Validation and test batches (plain document-reference pairs)
use the MLE loss, so runs compare on the same footing. The ranker (QUALS or ROUGE) only decides
which summaries are S+ and S- (``selection``), so both ConSeq systems are this one module.
"""

from __future__ import annotations

import torch

from lightning_modules.models.losses import NEGATIVE_LOSSES, conseq_loss
from lightning_modules.models.mle import MLEModule


class ConSeqModule(MLEModule):
    """Contrastive fine-tuning (see the module docstring).

    Args:
        init_checkpoint: MLE checkpoint (``.ckpt``) whose weights this run starts from.
        positive_weight, negative_weight: weights of the two loss terms (paper: 1 and 1).
        negative_loss: the S- term, ``sequence`` (the default, ConSeq's equation) or ``token``
            (the authors' fairseq criterion) (``losses.NEGATIVE_LOSSES``).
        **kwargs: see :class:`MLEModule` (paper: learning_rate 3e-6, scheduler polynomial,
            warmup_steps 0, dropout 0.1, weight_decay 0.01, label_smoothing 0.1).
    """

    def __init__(self, init_checkpoint: str | None = None, positive_weight: float = 1.0,
                 negative_weight: float = 1.0, negative_loss: str = "sequence", **kwargs):
        if negative_loss not in NEGATIVE_LOSSES:
            raise ValueError(f"negative_loss must be one of {NEGATIVE_LOSSES}")
        super().__init__(init_checkpoint=init_checkpoint, **kwargs)
        self.save_hyperparameters()

    def _side(self, batch: dict, side: str):
        rows = batch[f"has_{side}"]
        if not bool(rows.any()):
            return None, None
        labels = batch[f"{side}_labels"][rows]
        logits = self(batch["input_ids"][rows], batch["attention_mask"][rows], labels).logits
        return logits, labels

    def model_step(self, batch: dict, stage: str) -> torch.Tensor:
        """ConSeq loss on (S+, S-) batches; the MLE loss on plain validation/test batches."""
        if "pos_labels" not in batch:
            return super().model_step(batch, stage)
        pos_logits, pos_labels = self._side(batch, "pos")
        neg_logits, neg_labels = self._side(batch, "neg")
        hp = self.hparams
        loss, parts = conseq_loss(pos_logits, pos_labels, neg_logits, neg_labels,
                                  hp.label_smoothing, hp.positive_weight, hp.negative_weight,
                                  hp.get("negative_loss", "token"))
        size = batch["input_ids"].size(0)
        sync = stage != "train"  # epoch-level validation means over every rank, as the base does
        self.log(f"{stage}/loss", loss, prog_bar=True, batch_size=size, sync_dist=sync)
        for name, value in parts.items():
            self.log(f"{stage}/{name}", value, batch_size=size, sync_dist=sync)
        return loss
