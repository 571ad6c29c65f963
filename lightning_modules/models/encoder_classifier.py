"""A sequence-pair classifier on the miniature's BART encoder, so FactCC can start from the reader.

FactCC in the paper is BERT-base, pretrained before it ever sees a claim. The miniature's FactCC
trained from scratch (a 2-layer BERT) stays near chance on swapped entities. This classifier
takes the encoder of a ``tiny``/``small`` seq2seq preset, whose weights can come from the
shared reader (``lightning_modules.models.reader``), mean-pools its states over the real tokens
and classifies the pair. Its call signature is a Hugging Face classifier's (``logits`` out,
``token_type_ids`` accepted and ignored), so the FactCC scorer runs it unchanged.
"""

from __future__ import annotations

import torch
from torch import nn
from transformers.modeling_outputs import SequenceClassifierOutput

from lightning_modules.models.config import build_model
from lightning_modules.models.checkpoints import checkpoint_state

ENCODER_PREFIX = "model.model.encoder."
SHARED_KEY = "model.model.shared.weight"


class EncoderClassifier(nn.Module):
    """BART encoder, masked mean pooling, a tanh layer and a linear layer to ``num_labels``."""

    def __init__(self, preset: str, tokenizer, num_labels: int = 2, dropout: float = 0.1):
        super().__init__()
        self.encoder = build_model(preset, tokenizer, dropout=dropout).model.encoder
        d = self.encoder.config.d_model
        self.head = nn.Sequential(nn.Linear(d, d), nn.Tanh(), nn.Dropout(dropout),
                                  nn.Linear(d, num_labels))

    @property
    def device(self) -> torch.device:
        """The device of the weights."""
        return self.head[0].weight.device

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, **_):
        """Return ``SequenceClassifierOutput(logits=[batch, num_labels])``."""
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask[..., None].to(states.dtype)
        pooled = (states * mask).sum(1) / mask.sum(1).clamp_min(1.0)
        return SequenceClassifierOutput(logits=self.head(pooled))

    def load_encoder(self, checkpoint: str) -> None:
        """Load the encoder (and its token embeddings) of a workbench seq2seq checkpoint."""
        state = checkpoint_state(checkpoint)
        weights = {k.removeprefix(ENCODER_PREFIX): v for k, v in state.items()
                   if k.startswith(ENCODER_PREFIX)}
        weights.setdefault("embed_tokens.weight", state[SHARED_KEY])
        self.encoder.load_state_dict(weights)
