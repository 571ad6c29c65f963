"""Model construction: tiny/small BART configurations for CPU, the shapes of BART-base and
BART-large (random weights, for sizing a full-size run), or any HF seq2seq checkpoint."""

from __future__ import annotations

import math

import torch
from transformers import AutoModelForSeq2SeqLM, BartConfig, BartForConditionalGeneration

from lightning_modules.models.copy_bart import CopyBartForConditionalGeneration

# Sizes for training from scratch on a CPU ("tiny" is the embedded default), and the shapes of
# facebook/bart-base and facebook/bart-large (``base``, ``large``: their layers, widths and heads;
# the vocabulary is the tokenizer's).
PRESETS = {
    "tiny": dict(d_model=128, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
                 decoder_attention_heads=4, encoder_ffn_dim=512, decoder_ffn_dim=512),
    "tiny_deep": dict(d_model=128, encoder_layers=4, decoder_layers=2, encoder_attention_heads=4,
                      decoder_attention_heads=4, encoder_ffn_dim=512, decoder_ffn_dim=512),
    "small": dict(d_model=256, encoder_layers=3, decoder_layers=3, encoder_attention_heads=4,
                  decoder_attention_heads=4, encoder_ffn_dim=1024, decoder_ffn_dim=1024),
    "base": dict(d_model=768, encoder_layers=6, decoder_layers=6, encoder_attention_heads=12,
                 decoder_attention_heads=12, encoder_ffn_dim=3072, decoder_ffn_dim=3072),
    "large": dict(d_model=1024, encoder_layers=12, decoder_layers=12, encoder_attention_heads=16,
                  decoder_attention_heads=16, encoder_ffn_dim=4096, decoder_ffn_dim=4096),
}


def sinusoidal_table(rows: int, dim: int) -> torch.Tensor:
    """The sinusoidal position table of Vaswani et al. (2017), shape ``[rows, dim]``."""
    position = torch.arange(rows, dtype=torch.float)[:, None]
    frequency = torch.exp(torch.arange(0, dim, 2, dtype=torch.float) * (-math.log(10000.0) / dim))
    table = torch.zeros(rows, dim)
    table[:, 0::2] = torch.sin(position * frequency)
    table[:, 1::2] = torch.cos(position * frequency)
    return table


def init_positions(model, scale: float) -> None:
    """Start BART's learned position embeddings from the sinusoidal table times ``scale``.

    Learned absolute positions start as noise, and a tiny model from scratch must then learn
    separately, for every position, to look at its neighbour ("went to" before a name). A
    sinusoidal start makes "the token ``k`` before me" one linear map for all positions. The
    embeddings stay trainable; BART's offset of 2 rows is kept (row ``i + 2`` is position ``i``).
    """
    for stack in (model.model.encoder, model.model.decoder):
        weight = stack.embed_positions.weight
        with torch.no_grad():
            weight[2:] = scale * sinusoidal_table(weight.size(0) - 2, weight.size(1))


def build_model(name_or_path: str, tokenizer, dropout: float = 0.1,
                max_position_embeddings: int = 512, copy_head: bool = True,
                position_init: float = 0.0, copy_history: bool = False):
    """Return a seq2seq model: a fresh BART of a :data:`PRESETS` shape, else ``from_pretrained``.

    A preset takes its vocabulary and special-token ids from ``tokenizer`` and, with
    ``copy_head`` (default), a pointer-generator copy head (see ``copy_bart``); a checkpoint name
    or local folder (for example ``facebook/bart-large``) goes through the same code path as
    the hub's own loading, and must share the tokenizer's vocabulary. ``position_init > 0``
    starts a preset's position embeddings from the sinusoidal table at that scale;
    ``copy_history`` gives the copy head its history term (see ``copy_bart``).
    """
    if name_or_path in PRESETS:
        config = BartConfig(
            vocab_size=len(tokenizer), max_position_embeddings=max_position_embeddings,
            dropout=dropout, attention_dropout=0.0, activation_dropout=0.0,
            pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=tokenizer.eos_token_id,
            forced_eos_token_id=tokenizer.eos_token_id, scale_embedding=True,
            copy_head=copy_head, copy_history=copy_history and copy_head,
            **PRESETS[name_or_path])
        cls = CopyBartForConditionalGeneration if copy_head else BartForConditionalGeneration
        model = cls(config)
        if position_init > 0:
            init_positions(model, position_init)
        return model
    return AutoModelForSeq2SeqLM.from_pretrained(name_or_path, dropout=dropout)
