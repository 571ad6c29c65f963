"""The MLE summarizer: the paper's baseline, label-smoothed cross-entropy on references."""

from __future__ import annotations

from lightning_modules.models.base import Seq2SeqModule
from lightning_modules.models.losses import label_smoothed_nll


class MLEModule(Seq2SeqModule):
    """Fine-tune (or train from scratch) on references with label smoothing.

    Args:
        label_smoothing: epsilon of the label-smoothed NLL (paper: 0.1).
        **kwargs: see :class:`Seq2SeqModule`.
    """

    def __init__(self, label_smoothing: float = 0.1, **kwargs):
        super().__init__(**kwargs)
        self.save_hyperparameters()

    def compute_loss(self, batch, outputs):
        """Return the mean label-smoothed NLL per target token, and the plain NLL to log."""
        total, tokens = label_smoothed_nll(outputs.logits, batch["labels"],
                                           self.hparams.label_smoothing)
        nll, _ = label_smoothed_nll(outputs.logits, batch["labels"], 0.0)
        return total / tokens.clamp(min=1), {"nll": (nll / tokens.clamp(min=1)).detach()}
