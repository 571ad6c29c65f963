"""FactCC with the claim read against the document: the document goes into a seq2seq encoder, the
claim into its decoder, and the classifier reads the decoder's states.

A pair encoder (BERT, or the reader's encoder, :mod:`~lightning_modules.models.encoder_classifier`)
must learn from claim labels alone to line the claim's tokens up with the document, and on the
miniature it never does: it catches negations and misses entity, number and date swaps. A
decoder's cross-attention does that lining up by construction, and a
workbench seq2seq checkpoint whose decoder has learned to find the document's answer to a role
(the QA model, or QAGen) brings the skill with it (``init_checkpoint``). The claim's states are
pooled two ways, the last real token's (BART's sequence classifier reads it) and the maximum
over the claim's tokens (one swapped name is one token whose state stands out), and a tanh
layer and a linear layer classify them. On the miniature, trained on paraphrased claims
(``FactCCDataModule(paraphrase_prob=...)``), it separates entity and role swaps without
reading: scored against another document it keeps the same AUROC. It reads once the claim
alone cannot tell (``counterfactual_prob``) and the head also sees how surprised the decoder
is by each claim token (``likelihood_features``), a decoder that a language-model loss on the
consistent claims teaches what documents state (``FactCCModule(claim_lm_weight=...)``):
corruption AUROC 0.932 on xsum validation, 0.576 against the wrong document, with role
exchanges among its training swaps (docs/metrics.md, "A FactCC that reads").

The classifier's call signature is a Hugging Face classifier's (``logits`` out), and its
:meth:`CrossClassifier.encode` builds its inputs, so the FactCC scorer and the data module use it
as they use any pair classifier.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from transformers.modeling_outputs import SequenceClassifierOutput

from lightning_modules.models.config import build_model

MAX_CLAIM_TOKENS = 64


def claim_log_probs(log_dist: torch.Tensor, claim_ids: torch.Tensor) -> torch.Tensor:
    """``[batch, tgt - 1]``: each claim token's log-probability under ``log_dist`` (a
    log-distribution, or logits, over the vocabulary; position ``t`` predicts token ``t + 1``)."""
    return log_dist[:, :-1].float().log_softmax(-1).gather(-1, claim_ids[:, 1:, None]).squeeze(-1)


def surprise_features(log_probs: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """``[batch, 2]``: the minimum and the mean, over each claim's predicted tokens, of their
    log-probabilities ``log_probs`` (:func:`claim_log_probs`; ``real``: the claim's attention
    mask, ``[batch, tgt]``)."""
    mask = real[:, 1:]
    lowest = log_probs.masked_fill(~mask, 0.0).min(1).values
    mean = (log_probs * mask).sum(1) / mask.sum(1).clamp(min=1)
    return torch.stack([lowest, mean], -1)


@dataclass
class CrossClassifierOutput(SequenceClassifierOutput):
    """The classifier's logits, and with ``likelihood_features`` each claim token's
    log-probability under the seq2seq model (:func:`claim_log_probs`, ``[batch, tgt - 1]``)."""

    claim_log_probs: torch.Tensor | None = None


class CrossClassifier(nn.Module):
    """A ``tiny``/``small`` seq2seq preset (document in, claim as decoder input) and a head over
    the claim's pooled decoder states.

    With ``likelihood_features`` the head also reads how surprised the decoder's language-model
    head is by the claim: the minimum and the mean over the claim of each token's
    log-probability given the document and the tokens before it (:func:`surprise_features`).
    """

    def __init__(self, preset: str, tokenizer, num_labels: int = 2, dropout: float = 0.1,
                 likelihood_features: bool = False):
        super().__init__()
        self.seq2seq = build_model(preset, tokenizer, dropout=dropout)
        self.likelihood_features = likelihood_features
        d = self.seq2seq.config.d_model
        width = 2 * d + (2 if likelihood_features else 0)
        self.head = nn.Sequential(nn.Linear(width, d), nn.Tanh(), nn.Dropout(dropout),
                                  nn.Linear(d, num_labels))

    @property
    def device(self) -> torch.device:
        """The device of the weights."""
        return self.head[0].weight.device

    @staticmethod
    def encode(tokenizer, documents: list[str], claims: list[str], max_length: int = 512) -> dict:
        """The classifier's inputs: the documents (truncated to ``max_length`` tokens) for the
        encoder, the claims (``<s> claim </s>``, at most 64 tokens) for the decoder."""
        doc = tokenizer(list(documents), truncation=True, padding=True, max_length=max_length,
                        return_tensors="pt")
        claim = tokenizer(list(claims), truncation=True, padding=True,
                          max_length=MAX_CLAIM_TOKENS, return_tensors="pt")
        return {"input_ids": doc["input_ids"], "attention_mask": doc["attention_mask"],
                "decoder_input_ids": claim["input_ids"],
                "decoder_attention_mask": claim["attention_mask"]}

    def forward(self, input_ids, attention_mask, decoder_input_ids, decoder_attention_mask,
                **_) -> CrossClassifierOutput:
        """Return ``CrossClassifierOutput(logits=[batch, num_labels], claim_log_probs=...)``."""
        out = self.seq2seq.model(input_ids=input_ids, attention_mask=attention_mask,
                                 decoder_input_ids=decoder_input_ids,
                                 decoder_attention_mask=decoder_attention_mask)
        states, real = out.last_hidden_state, decoder_attention_mask.bool()
        last = states[torch.arange(len(states), device=states.device), real.sum(1) - 1]
        peak = states.masked_fill(~real[..., None], torch.finfo(states.dtype).min).max(1).values
        pooled, log_probs = [last, peak], None
        if self.likelihood_features:
            log_dist = self.token_distribution(states, out.encoder_last_hidden_state, input_ids,
                                               attention_mask, decoder_input_ids)
            log_probs = claim_log_probs(log_dist, decoder_input_ids)
            pooled.append(surprise_features(log_probs, real))
        return CrossClassifierOutput(logits=self.head(torch.cat(pooled, -1)),
                                     claim_log_probs=log_probs)

    def token_distribution(self, states, encoder_states, input_ids, attention_mask, claim_ids
                           ) -> torch.Tensor:
        """The seq2seq model's log-distribution over each claim position's next token: its
        copy mixture where it has a copy head, else its language-model head."""
        logits = self.seq2seq.lm_head(states) + self.seq2seq.final_logits_bias
        if hasattr(self.seq2seq, "copy_mix"):
            return self.seq2seq.copy_mix(states, encoder_states, input_ids, attention_mask,
                                         logits, claim_ids, claim_ids)
        return logits.log_softmax(-1)

    def load_weights(self, checkpoint: str) -> None:
        """Start the seq2seq part from a workbench seq2seq checkpoint (the QA model, QAGen or
        the shared reader)."""
        from lightning_modules.models.base import load_model_weights

        load_model_weights(self.seq2seq, checkpoint)
