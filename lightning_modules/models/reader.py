"""The shared reader: a miniature backbone pretrained to bind each name to its role.

Every model of the paper starts from BART-large, which can already read. The miniature's models
start from nothing, and a 2-layer model trained for minutes on one task learns the type of an
answer ("Who" wants a person) but not which person: with a same-type distractor in the document
its answers stay at chance however long it trains (measured: QA exact match 0.35 at 400 and at
1,600 batches). The reader is pretrained once per corpus on dense supervision of that skill: a
linear tagger over the encoder states predicts, for every document token, the role of the
entity it belongs to (``reader_data``). The summarizer, QAGen, QG and QA then start from its
weights (``init_checkpoint``) and learn their own task on an encoder that already reads.
"""

from __future__ import annotations

import torch
from torch import nn

from pytorch_lightning.callbacks import EarlyStopping

from lightning_modules.data.reader_data import IGNORE, TAGS
from lightning_modules.models.base import Seq2SeqModule


class ReaderModule(Seq2SeqModule):
    """Token role tagging on the encoder of a seq2seq model (the decoder is not trained).

    Args:
        stop_accuracy: stop training once the validation entity accuracy reaches this (the
            trainer's ``max_epochs`` is then a cap); None: train every epoch. How many epochs a
            reader needs to start binding varies with the seed (docs/reproducibility.md, "The
            reader's epochs"), so a fixed count is either slow or, for some seeds, short.
        **kwargs: see :class:`Seq2SeqModule`; the model must be a fresh preset or BART.
    """

    def __init__(self, stop_accuracy: float | None = None, **kwargs):
        super().__init__(**kwargs)
        self.save_hyperparameters()
        self.tagger = nn.Linear(self.model.config.d_model, len(TAGS))

    def configure_callbacks(self) -> list:
        """Lightning's ``EarlyStopping`` at ``stop_accuracy`` (it never stops for a lack of
        progress: the patience is larger than any run), when one is set."""
        if self.hparams.stop_accuracy is None:
            return []
        return [EarlyStopping(monitor="val/entity_accuracy", mode="max", patience=1_000_000,
                              stopping_threshold=self.hparams.stop_accuracy, verbose=True)]

    def tag_logits(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Return tag logits ``[batch, tokens, tags]`` from the encoder states."""
        states = self.model.model.encoder(input_ids=input_ids, attention_mask=attention_mask)
        return self.tagger(states.last_hidden_state)

    def model_step(self, batch: dict, stage: str) -> torch.Tensor:
        """Cross-entropy of the tags; logs it and the accuracy on entity tokens."""
        logits = self.tag_logits(batch["input_ids"], batch["attention_mask"])
        tags = batch["tags"]
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), tags.flatten(), ignore_index=IGNORE)
        entity = (tags != IGNORE) & (tags != 0)
        accuracy = (logits.argmax(-1) == tags)[entity].float().mean()
        size = tags.size(0)
        self.log(f"{stage}/loss", loss, prog_bar=True, batch_size=size, sync_dist=stage != "train")
        self.log(f"{stage}/entity_accuracy", accuracy, prog_bar=True, batch_size=size,
                 sync_dist=stage != "train")
        return loss
