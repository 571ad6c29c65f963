"""ConSeq: contrastive fine-tuning of a trained summarizer on (S+, S-) summaries.

Loss (see ``losses.conseq_loss``): label-smoothed NLL on positives plus, on negatives,
label-smoothed token unlikelihood (``negative_loss="token"``) or the unlikelihood of the whole
summary (``"sequence"``), normalised by all target tokens; or (``"pair"``,
``losses.pair_conseq_loss``) the NLL per positive token plus a pairwise preference of each
document's S+ over its S- against the frozen start model. Fine-tuning starts from an MLE
checkpoint (``init_checkpoint``). Validation and test batches (plain document-reference pairs)
use the MLE loss, so runs compare on the same footing. The ranker (QUALS or ROUGE) only decides
which summaries are S+ and S- (``selection``), so both ConSeq systems are this one module.
"""

from __future__ import annotations

import torch

from lightning_modules.models.losses import (NEGATIVE_LOSSES, conseq_loss, pair_conseq_loss,
                                            sequence_logprob)
from lightning_modules.models.mle import MLEModule


class ConSeqModule(MLEModule):
    """Contrastive fine-tuning (see the module docstring).

    Args:
        init_checkpoint: MLE checkpoint (``.ckpt``) whose weights this run starts from.
        positive_weight, negative_weight: weights of the two loss terms (paper: 1 and 1).
        negative_loss: the S- term, ``sequence`` (the default, ConSeq's equation), ``token``
            (the authors' fairseq criterion), ``pair`` (a preference of each document's S+
            over its S- against the frozen start model) or ``span`` (the unlikelihood of the
            negative's tokens in answers QUALS flags) (``losses.NEGATIVE_LOSSES``).
        pair_beta, pair_normalise: the ``pair`` term's scale ``beta`` and whether it compares
            per-token (length-normalised) log-probabilities.
        span_threshold: the ``span`` term pushes down the negative's tokens inside answers
            whose QUALS difference ``ll_document - ll_summary`` is below this (nats).
        **kwargs: see :class:`MLEModule` (paper: learning_rate 3e-6, scheduler polynomial,
            warmup_steps 0, dropout 0.1, weight_decay 0.01, label_smoothing 0.1).
    """

    def __init__(self, init_checkpoint: str | None = None, positive_weight: float = 1.0,
                 negative_weight: float = 1.0, negative_loss: str = "sequence",
                 pair_beta: float = 1.0, pair_normalise: bool = False,
                 span_threshold: float = -1.0, **kwargs):
        if negative_loss not in NEGATIVE_LOSSES:
            raise ValueError(f"negative_loss must be one of {NEGATIVE_LOSSES}")
        super().__init__(init_checkpoint=init_checkpoint, **kwargs)
        self.save_hyperparameters()
        self._reference = None  # the frozen start model of the pair term (not a submodule)

    def setup(self, stage: str) -> None:
        """Load ``init_checkpoint``; with the ``pair`` term, keep a frozen copy of that start
        model as the reference (made before Lightning restores a resumed run, so it is always
        the start model, and never saved in checkpoints)."""
        super().setup(stage)
        if stage == "fit" and self.hparams.get("negative_loss") == "pair":
            import copy

            frozen = copy.deepcopy(self.model).eval().requires_grad_(False)
            object.__setattr__(self, "_reference", frozen)  # not a submodule: never saved

    def _sequence_logps(self, net, rows, labels) -> torch.Tensor:
        """``log p(s|x)`` of the batch's ``rows`` under ``net`` (``pair_normalise``: per token)."""
        logits = net(input_ids=self._batch["input_ids"][rows],
                     attention_mask=self._batch["attention_mask"][rows], labels=labels).logits
        return sequence_logprob(logits, labels, self.hparams.pair_normalise)

    def _pair_terms(self, batch: dict):
        """Policy and reference ``(log p(S+|x), log p(S-|x))`` of the rows with both sides."""
        rows = batch["has_pos"] & batch["has_neg"]
        if not bool(rows.any()):
            return None, None
        self._batch = batch
        pos, neg = batch["pos_labels"][rows], batch["neg_labels"][rows]
        reference = self._reference.to(self.device)
        policy = (self._sequence_logps(self.model, rows, pos),
                  self._sequence_logps(self.model, rows, neg))
        with torch.no_grad():
            ref = (self._sequence_logps(reference, rows, pos),
                   self._sequence_logps(reference, rows, neg))
        return policy, ref

    def _side(self, batch: dict, side: str):
        rows = batch[f"has_{side}"]
        if not bool(rows.any()):
            return None, None
        labels = batch[f"{side}_labels"][rows]
        logits = self(batch["input_ids"][rows], batch["attention_mask"][rows], labels).logits
        return logits, labels

    def _skip_lone_negatives(self, batch: dict, stage: str) -> None:
        """A batch whose rows are all lone S- (no S+, so no pair) gives the ``pair`` term nothing
        to learn from: no step is taken (Lightning skips a ``None`` loss), and
        ``<stage>/skipped_batches`` counts such batches."""
        self.log(f"{stage}/skipped_batches", 1.0, reduce_fx="sum", batch_size=batch["input_ids"].size(0),
                 sync_dist=stage != "train")
        return None

    def model_step(self, batch: dict, stage: str) -> torch.Tensor | None:
        """ConSeq loss on (S+, S-) batches; the MLE loss on plain validation/test batches."""
        if "pos_labels" not in batch:
            return super().model_step(batch, stage)
        hp = self.hparams
        pos_logits, pos_labels = self._side(batch, "pos")
        if hp.get("negative_loss") == "pair":
            policy, ref = self._pair_terms(batch)
            if pos_logits is None and policy is None:
                return self._skip_lone_negatives(batch, stage)
            loss, parts = pair_conseq_loss(pos_logits, pos_labels, policy, ref,
                                           hp.label_smoothing, hp.positive_weight,
                                           hp.negative_weight, hp.pair_beta)
        else:
            neg_logits, neg_labels = self._side(batch, "neg")
            diff = batch.get("neg_span_diff")
            loss, parts = conseq_loss(pos_logits, pos_labels, neg_logits, neg_labels,
                                      hp.label_smoothing, hp.positive_weight,
                                      hp.negative_weight, hp.get("negative_loss", "token"),
                                      None if diff is None else diff[batch["has_neg"]],
                                      hp.get("span_threshold", -1.0))
        size = batch["input_ids"].size(0)
        sync = stage != "train"  # epoch-level validation means over every rank, as the base does
        self.log(f"{stage}/loss", loss, prog_bar=True, batch_size=size, sync_dist=sync)
        for name, value in parts.items():
            self.log(f"{stage}/{name}", value, batch_size=size, sync_dist=sync)
        return loss
