"""BART with a pointer-generator copy head (See, Liu and Manning, ACL 2017).

A tiny BART trained from scratch on a CPU for minutes learns the shape of a summary but not to
copy rare names from the document (measured: a 1.6M-parameter BART still invented every name
after 2,800 steps, twice the CPU budget). A copy head fixes that: at each decoding step

    p(w) = g * p_vocab(w) + (1 - g) * sum_{i: x_i = w} a_i

where ``a`` is a single-head attention of the decoder state over the encoder states and the
gate ``g = sigmoid(W [h; context])``. A *continuation* term adds ``c(h_t)`` to the copy score of
source position ``j`` when source token ``j - 1`` is the previous output token, so a model that
has copied "Elif" goes on with the token after it ("Delacroix") instead of stitching one name's
first half to another's second half; the previous token is the decoder input, so the term needs
no cache and is the same under teacher forcing and incremental decoding. The model returns ``log p`` as its logits, so
``generate``, beam search and teacher-forced scoring work unchanged (``log_softmax(log p) =
log p``). Pretrained checkpoints (``facebook/bart-large``) load as plain BART; the head is for
the from-scratch presets, switched by ``BartConfig.copy_head``.

A *history* term (``BartConfig.copy_history``) adds ``r(h_t)`` to the copy score of source
position ``j`` when source token ``j`` is already among the decoder's inputs so far: the
pointer-generator's own failure, copying one name into two roles ("Aster Software was taken
over by Aster Software"), is what See et al.'s coverage addresses, and this is its token-level
form. It reads the whole decoder history, which ``generate`` passes as ``decoder_history``
(``prepare_inputs_for_generation``); teacher forcing reads it from the decoder inputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from transformers import BartForConditionalGeneration
from transformers.modeling_outputs import BaseModelOutput, Seq2SeqLMOutput
from transformers.models.bart.modeling_bart import shift_tokens_right

from lightning_modules.decoding.cache import NEW, OLD, returned_cache, step_kwargs


def output_cache_name() -> str:
    """The field of ``Seq2SeqLMOutput`` that holds the key/value cache in this transformers."""
    return NEW if NEW in Seq2SeqLMOutput.__dataclass_fields__ else OLD


@dataclass
class CopyEncoderOutput(BaseModelOutput):
    """Encoder output that carries the source token ids and the copy head's keys of the source
    positions (both expanded with beams by generate and the searches, computed once)."""

    source_ids: torch.LongTensor | None = None
    copy_keys: torch.FloatTensor | None = None


class _SourceKeepingEncoder:
    """Calls the BART encoder and keeps ``input_ids`` in its output, with the copy head's keys
    (``copy_key``, when given) projected once per source rather than at every decoding step
    (not a module: no params)."""

    def __init__(self, encoder: nn.Module, copy_key: nn.Module | None = None):
        self.encoder, self.copy_key = encoder, copy_key

    def forward(self, input_ids=None, attention_mask=None, **kwargs) -> CopyEncoderOutput:
        kwargs["return_dict"] = True
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **kwargs)
        keys = None if self.copy_key is None else self.copy_key(out.last_hidden_state)
        return CopyEncoderOutput(last_hidden_state=out.last_hidden_state,
                                 hidden_states=out.hidden_states, attentions=out.attentions,
                                 source_ids=input_ids, copy_keys=keys)

    __call__ = forward


def emitted(source_ids: torch.Tensor, history: torch.Tensor, steps: int) -> torch.Tensor:
    """``[batch, steps, src]``: whether source token ``j`` is among the decoder inputs up to and
    including each of the last ``steps`` positions of ``history``."""
    same = history[:, :, None] == source_ids[:, None, :]
    return same.long().cummax(dim=1).values[:, -steps:, :]


class CopyBartForConditionalGeneration(BartForConditionalGeneration):
    """BART whose output distribution mixes generation and copying from the source."""

    def __init__(self, config):
        super().__init__(config)
        d = config.d_model
        self.copy_query = nn.Linear(d, d, bias=False)
        self.copy_key = nn.Linear(d, d, bias=False)
        self.copy_gate = nn.Linear(2 * d, 1)
        self.copy_continue = nn.Linear(d, 1)
        if getattr(config, "copy_history", False):
            self.copy_repeat = nn.Linear(d, 1)
        self.post_init()

    def get_encoder(self, modality=None):
        """The encoder, wrapped so that its output keeps the source ids for the copy head."""
        return _SourceKeepingEncoder(self.model.encoder, self.copy_key)

    def copy_mix(self, hidden, encoder_states, source_ids, attention_mask, lm_logits,
                 previous_ids=None, history=None, keys=None):
        """Return log p(w) of the pointer-generator mixture, shape ``[batch, tgt, vocab]``.

        ``previous_ids`` (the decoder inputs, ``[batch, tgt]``) switch on the continuation term;
        ``history`` (every decoder input so far, ``[batch, >= tgt]``) the history term;
        ``keys``, ``copy_key(encoder_states)`` when the encoder output already holds them.
        """
        keys = self.copy_key(encoder_states) if keys is None else keys
        scores = self.copy_query(hidden) @ keys.transpose(1, 2)
        scores = scores / math.sqrt(hidden.size(-1))
        if previous_ids is not None:
            before = torch.cat([torch.full_like(source_ids[:, :1], -1), source_ids[:, :-1]], 1)
            follows = before[:, None, :] == previous_ids[:, :, None]
            scores = scores + self.copy_continue(hidden) * follows
        if history is not None and hasattr(self, "copy_repeat"):
            scores = scores + self.copy_repeat(hidden) * emitted(source_ids, history, hidden.size(1))
        if attention_mask is not None:
            scores = scores.masked_fill(attention_mask[:, None, :] == 0, float("-inf"))
        attn = scores.float().softmax(-1)
        context = attn.to(encoder_states.dtype) @ encoder_states
        gate = torch.sigmoid(self.copy_gate(torch.cat([hidden, context], -1))).float()
        vocab = lm_logits.float().softmax(-1)
        index = source_ids[:, None, :].expand(-1, hidden.size(1), -1)
        copied = torch.zeros_like(vocab).scatter_add_(-1, index, attn)
        if torch.is_grad_enabled():
            return torch.log((gate * vocab + (1 - gate) * copied).clamp_min(1e-12))
        # the same operations in place: equal bits, without four vocabulary-sized allocations
        mixed = vocab.mul_(gate).add_(copied.mul_(1 - gate))
        return mixed.clamp_min_(1e-12).log_()

    def prepare_inputs_for_generation(self, input_ids, **kwargs):
        """BART's generation inputs plus ``decoder_history``: every decoder token so far."""
        inputs = super().prepare_inputs_for_generation(input_ids, **kwargs)
        inputs["decoder_history"] = input_ids
        return inputs

    def forward(self, input_ids=None, attention_mask=None, decoder_input_ids=None,
                encoder_outputs=None, labels=None, cache=None, use_cache=None,
                decoder_history=None, past_key_values=None, **kwargs):
        """Like BART's forward; ``logits`` are log-probabilities of the copy mixture.

        ``decoder_history`` (generation only) holds every decoder input so far; teacher-forced
        calls take the history from ``decoder_input_ids``. The key/value cache comes as
        ``cache`` (or, from callers of older transformers, ``past_key_values``) and goes to BART
        under the name the installed transformers takes."""
        if encoder_outputs is None:
            encoder_outputs = self.get_encoder()(input_ids=input_ids, attention_mask=attention_mask)
        source_ids = getattr(encoder_outputs, "source_ids", None)
        if source_ids is None:
            source_ids = input_ids
        if labels is not None and decoder_input_ids is None:
            decoder_input_ids = shift_tokens_right(labels, self.config.pad_token_id,
                                                   self.config.decoder_start_token_id)
        kwargs.pop("output_hidden_states", None)
        cache = cache if cache is not None else past_key_values
        out = super().forward(attention_mask=attention_mask, decoder_input_ids=decoder_input_ids,
                              encoder_outputs=encoder_outputs, use_cache=use_cache,
                              output_hidden_states=True, **kwargs,
                              **step_kwargs(BartForConditionalGeneration, cache))
        logits = self.copy_mix(out.decoder_hidden_states[-1], encoder_outputs.last_hidden_state,
                               source_ids, attention_mask, out.logits, decoder_input_ids,
                               decoder_input_ids if decoder_history is None else decoder_history,
                               getattr(encoder_outputs, "copy_keys", None))
        loss = None
        if labels is not None:
            loss = nn.functional.nll_loss(logits.view(-1, logits.size(-1)), labels.view(-1),
                                          ignore_index=-100)
        return Seq2SeqLMOutput(loss=loss, logits=logits, encoder_last_hidden_state=
                               encoder_outputs.last_hidden_state,
                               **{output_cache_name(): returned_cache(out)})
