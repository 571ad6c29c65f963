"""Model construction: tiny/small BART configurations for CPU, or any HF seq2seq checkpoint."""

from __future__ import annotations

from transformers import AutoModelForSeq2SeqLM, BartConfig, BartForConditionalGeneration

from lightning_modules.models.copy_bart import CopyBartForConditionalGeneration

# Sizes for training from scratch on a CPU; "tiny" is the embedded default.
PRESETS = {
    "tiny": dict(d_model=128, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
                 decoder_attention_heads=4, encoder_ffn_dim=512, decoder_ffn_dim=512),
    "small": dict(d_model=256, encoder_layers=3, decoder_layers=3, encoder_attention_heads=4,
                  decoder_attention_heads=4, encoder_ffn_dim=1024, decoder_ffn_dim=1024),
}


def build_model(name_or_path: str, tokenizer, dropout: float = 0.1,
                max_position_embeddings: int = 512, copy_head: bool = True):
    """Return a seq2seq model: a fresh ``tiny``/``small`` BART, else ``from_pretrained``.

    A preset takes its vocabulary and special-token ids from ``tokenizer`` and, with
    ``copy_head`` (default), a pointer-generator copy head (see ``copy_bart``); a checkpoint name
    or local folder (for example ``facebook/bart-large``) goes through the same code path as
    the hub's own loading, and must share the tokenizer's vocabulary.
    """
    if name_or_path in PRESETS:
        config = BartConfig(
            vocab_size=len(tokenizer), max_position_embeddings=max_position_embeddings,
            dropout=dropout, attention_dropout=0.0, activation_dropout=0.0,
            pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=tokenizer.eos_token_id,
            forced_eos_token_id=tokenizer.eos_token_id, scale_embedding=True,
            copy_head=copy_head, **PRESETS[name_or_path])
        cls = CopyBartForConditionalGeneration if copy_head else BartForConditionalGeneration
        return cls(config)
    return AutoModelForSeq2SeqLM.from_pretrained(name_or_path, dropout=dropout)
