"""FactCC: a sequence-pair classifier of (claim, document) -> consistent or not.

Here the claim is decoded against the document by a tiny BART started from the QA model
(``cross_tiny``, the pipeline's choice: :mod:`~lightning_modules.models.cross_classifier`), or
an encoder is trained from scratch (``tiny``: a 2-layer BERT on the workbench tokenizer); any
Hugging Face encoder checkpoint (``AutoModelForSequenceClassification``) loads elsewhere. Trained
on :class:`~lightning_modules.data.factcc_data.FactCCDataModule` examples with cross-entropy;
validation and test log accuracy and balanced accuracy (macro recall).
"""

from __future__ import annotations

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torchmetrics.classification import MulticlassAccuracy
from transformers import AutoModelForSequenceClassification, BertConfig, BertForSequenceClassification

from lightning_modules.data.factcc_data import CONSISTENT
from lightning_modules.data.tokenizer import load_tokenizer
from lightning_modules.models.cross_classifier import CrossClassifier
from lightning_modules.models.encoder_classifier import EncoderClassifier
from lightning_modules.models.optim import adamw_with_schedule

ENCODER_PRESETS = {
    "tiny": dict(hidden_size=128, num_hidden_layers=2, num_attention_heads=4,
                 intermediate_size=512),
    "small": dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4,
                  intermediate_size=1024),
    "base": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                 intermediate_size=3072),
    "large": dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
                  intermediate_size=4096),
}
"""Fresh BERT shapes: CPU sizes (``tiny``, ``small``) and those of bert-base / bert-large
(``base``, ``large``: FactCC's encoder is bert-base-uncased), with the tokenizer's vocabulary."""


def build_classifier(name_or_path: str, tokenizer, dropout: float = 0.1, max_length: int = 512,
                     likelihood_features: bool = False):
    """A fresh ``tiny``/``small`` BERT pair classifier, a ``bart_tiny``/``bart_small`` encoder
    classifier (which can start from the shared reader), a ``cross_tiny``/``cross_small``
    claim-against-document classifier (which can start from any workbench seq2seq checkpoint),
    else ``from_pretrained`` (2 labels). ``likelihood_features``: see :class:`CrossClassifier`."""
    if name_or_path.startswith("cross_"):
        return CrossClassifier(name_or_path.removeprefix("cross_"), tokenizer, 2, dropout,
                               likelihood_features)
    if likelihood_features:
        raise ValueError(f"likelihood_features needs a cross_* model, not {name_or_path!r}")
    if name_or_path.startswith("bart_"):
        return EncoderClassifier(name_or_path.removeprefix("bart_"), tokenizer, 2, dropout)
    if name_or_path in ENCODER_PRESETS:
        config = BertConfig(vocab_size=len(tokenizer), max_position_embeddings=max_length + 2,
                            pad_token_id=tokenizer.pad_token_id, num_labels=2,
                            hidden_dropout_prob=dropout, attention_probs_dropout_prob=0.0,
                            **ENCODER_PRESETS[name_or_path])
        return BertForSequenceClassification(config)
    return AutoModelForSequenceClassification.from_pretrained(name_or_path, num_labels=2)


def consistent_claim_nll(log_probs: torch.Tensor | None, inputs: dict,
                         labels: torch.Tensor) -> torch.Tensor:
    """Mean negative log-likelihood per token of the consistent claims given their documents,
    from each claim token's log-probability (``CrossClassifierOutput.claim_log_probs``)
    (``claim_lm_weight``: the seq2seq part also learns to write what the document states)."""
    if log_probs is None:
        raise ValueError("claim_lm_weight needs a cross_* model with likelihood_features")
    mask = inputs["decoder_attention_mask"][:, 1:].bool() & (labels == CONSISTENT)[:, None]
    return -(log_probs * mask).sum() / mask.sum().clamp(min=1)


class FactCCModule(pl.LightningModule):
    """Train and evaluate the FactCC classifier (label 1 = consistent).

    Args:
        model: ``tiny`` / ``small`` (fresh BERT), ``bart_tiny`` / ``bart_small`` (a BART encoder),
            ``cross_tiny`` / ``cross_small`` (the claim decoded against the document,
            :mod:`~lightning_modules.models.cross_classifier`), or a HF encoder checkpoint.
        tokenizer: tokenizer folder or name.
        learning_rate, weight_decay, warmup_steps, scheduler, dropout: training settings.
        init_checkpoint: a ``bart_*`` model's encoder starts fitting from this workbench
            seq2seq checkpoint's encoder (the shared reader); a ``cross_*`` model's seq2seq part
            from its whole model (the QA model's decoder already finds a role's answer).
        likelihood_features: a ``cross_*`` head also reads the decoder's log-probabilities of
            the claim's tokens (:class:`~lightning_modules.models.cross_classifier.CrossClassifier`).
        claim_lm_weight: with ``likelihood_features``, the weight of a language-model loss on
            the consistent claims given their documents (:func:`consistent_claim_nll`).
    """

    def __init__(self, model: str = "tiny", tokenizer: str = "runs/default/tokenizer",
                 learning_rate: float = 5e-4, weight_decay: float = 0.01, warmup_steps: int = 100,
                 scheduler: str = "linear", dropout: float = 0.1,
                 init_checkpoint: str | None = None, likelihood_features: bool = False,
                 claim_lm_weight: float = 0.0):
        super().__init__()
        self.save_hyperparameters()
        self.tokenizer = load_tokenizer(tokenizer)
        self.model = build_classifier(model, self.tokenizer, dropout,
                                      likelihood_features=likelihood_features)
        self.accuracy = {s: MulticlassAccuracy(2, average="micro") for s in ("val", "test")}
        self.balanced = {s: MulticlassAccuracy(2, average="macro") for s in ("val", "test")}

    def setup(self, stage: str) -> None:
        """Start fitting from ``init_checkpoint``'s encoder, if one is given."""
        if stage == "fit" and self.hparams.init_checkpoint:
            if isinstance(self.model, CrossClassifier):
                self.model.load_weights(self.hparams.init_checkpoint)
            elif isinstance(self.model, EncoderClassifier):
                self.model.load_encoder(self.hparams.init_checkpoint)
            else:
                raise ValueError(f"init_checkpoint needs a bart_* or cross_* model, not "
                                 f"{self.hparams.model!r}")

    def forward(self, batch: dict) -> torch.Tensor:
        """Return the logits of a batch (see :meth:`outputs`)."""
        return self.outputs(batch)[0].logits

    def outputs(self, batch: dict):
        """The classifier's outputs for a batch and the inputs it read: its encoded pairs, or for
        a classifier with its own ``encode`` (``cross_*``) the batch's rows encoded by it."""
        if hasattr(self.model, "encode"):
            rows = batch["rows"]
            inputs = self.model.encode(self.tokenizer, [r["document"] for r in rows],
                                       [r["claim"] for r in rows])
            inputs = {k: v.to(self.device) for k, v in inputs.items()}
            return self.model(**inputs), inputs
        inputs = {k: batch[k] for k in ("input_ids", "attention_mask", "token_type_ids")
                  if k in batch}
        return self.model(**inputs), inputs

    def training_step(self, batch, batch_idx):
        out, inputs = self.outputs(batch)
        loss = F.cross_entropy(out.logits, batch["labels"])
        self.log("train/loss", loss, prog_bar=True, batch_size=len(batch["labels"]))
        if self.hparams.claim_lm_weight:
            claim_nll = consistent_claim_nll(out.claim_log_probs, inputs, batch["labels"])
            self.log("train/claim_nll", claim_nll, batch_size=len(batch["labels"]))
            loss = loss + self.hparams.claim_lm_weight * claim_nll
        return loss

    def _eval_step(self, batch, stage: str):
        logits = self(batch)
        self.log(f"{stage}/loss", F.cross_entropy(logits, batch["labels"]),
                 batch_size=len(batch["labels"]), sync_dist=True)
        preds = logits.argmax(-1).cpu()
        self.accuracy[stage].update(preds, batch["labels"].cpu())
        self.balanced[stage].update(preds, batch["labels"].cpu())

    def _eval_end(self, stage: str):
        self.log(f"{stage}/accuracy", self.accuracy[stage].compute())
        self.log(f"{stage}/balanced_accuracy", self.balanced[stage].compute(), prog_bar=True)
        self.accuracy[stage].reset()
        self.balanced[stage].reset()

    def validation_step(self, batch, batch_idx):
        self._eval_step(batch, "val")

    def test_step(self, batch, batch_idx):
        self._eval_step(batch, "test")

    def on_validation_epoch_end(self):
        self._eval_end("val")

    def on_test_epoch_end(self):
        self._eval_end("test")

    def configure_optimizers(self):
        """AdamW with a per-step schedule (see ``optim``)."""
        hp = self.hparams
        return adamw_with_schedule(self, hp.learning_rate, hp.weight_decay, hp.warmup_steps,
                                   hp.scheduler)
