"""Random Hugging Face checkpoints of a named shape, for ``quals-bench tiny-hf --shape``.

A shape names the BART of the summarizer, QAGen, QG and QA and the BERT of FactCC:

- ``tiny``: 2-layer models (``d_model`` 128) with 512 positions, the CPU default;
- ``base``: facebook/bart-base (768 wide, 6+6 layers, 12 heads, FFN 3072) and bert-base
  (768 wide, 12 layers, 12 heads, intermediate 3072), 1024 positions;
- ``large``: facebook/bart-large (1024 wide, 12+12 layers, 16 heads, FFN 4096) and bert-large
  (1024 wide, 24 layers, 16 heads, intermediate 4096), 1024 positions.

A full-size shape keeps the vocabulary asked for (``--vocab-size 50265``: BART's own) even when
the byte-level BPE, trained on a few hundred documents, learns fewer tokens: its embedding
matrices and output layer are then those of the real models, which is what a run's memory
and time depend on; the extra rows are never produced by the tokenizer. A given tokenizer
(``--tokenizer FOLDER``, any Hugging Face tokenizer folder) is used as it is, with the
``<qa_sep>`` token QUALS needs added when it lacks it. Nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

SHAPES = {
    "tiny": dict(bart="tiny", bert="tiny", max_position_embeddings=512),
    "base": dict(bart="base", bert="base", max_position_embeddings=1024),
    "large": dict(bart="large", bert="large", max_position_embeddings=1024),
}
"""``TinyHFConfig`` fields of each shape: the BART preset (``models.config.PRESETS``), the BERT
preset (``models.factcc.ENCODER_PRESETS``) and the positions (facebook/bart-*: 1024)."""

FULL_SIZE = ("base", "large")
"""BART presets whose models keep the vocabulary size asked for (see the module docstring)."""

BART_VOCAB_SIZE = 50265
"""The vocabulary of facebook/bart-base and facebook/bart-large."""


class TokenizerError(ValueError):
    """A tokenizer folder that cannot serve the workbench's models (one line: folder and why)."""


def model_vocab_size(bart_preset: str, vocab_size: int, tokenizer) -> int:
    """Rows of the models' embedding matrices: the tokenizer's size, or ``vocab_size`` when
    larger for a :data:`FULL_SIZE` preset."""
    if bart_preset in FULL_SIZE:
        return max(len(tokenizer), vocab_size)
    return len(tokenizer)


def pad_vocabulary(model, size: int):
    """``model`` with ``size`` embedding rows (and output rows, tied), if it has fewer; the new
    rows are initialised as the model's own weights are. Return the model."""
    if model.get_input_embeddings().num_embeddings < size:
        model.resize_token_embeddings(size, mean_resizing=False)
    return model


def random_bart(tokenizer, preset: str, max_position_embeddings: int, vocab: int):
    """A fresh ``BartForConditionalGeneration`` of ``preset`` (no copy head) for ``tokenizer``,
    with ``vocab`` embedding rows (at least the tokenizer's size)."""
    from lightning_modules.models.config import build_model

    model = build_model(preset, tokenizer, copy_head=False,
                        max_position_embeddings=max_position_embeddings)
    return pad_vocabulary(model, vocab)


def random_bert(tokenizer, preset: str, max_length: int, vocab: int):
    """A fresh two-label ``BertForSequenceClassification`` of ``preset`` (FactCC's) for
    ``tokenizer``, reading ``max_length`` tokens, with ``vocab`` embedding rows."""
    from lightning_modules.models.factcc import build_classifier

    return pad_vocabulary(build_classifier(preset, tokenizer, max_length=max_length), vocab)


def given_tokenizer(folder: str | Path):
    """The tokenizer saved in ``folder``, made ready for BART and QUALS: ``<qa_sep>`` added as
    a special token if missing, a padding token (``<pad>``) if it has none, and BERT-style
    tokenizers' ``[CLS]``/``[SEP]`` taken as the start and end of sequence. Raise
    :class:`TokenizerError` when the folder holds no tokenizer or one without an end token."""
    from lightning_modules.data.tokenizer import load_tokenizer

    if not (Path(folder) / "tokenizer_config.json").is_file():
        raise TokenizerError(f"{folder}: no tokenizer_config.json (a save_pretrained "
                             "tokenizer folder)")
    try:
        tok = load_tokenizer(folder)
    except (OSError, ValueError) as err:
        raise TokenizerError(f"{folder}: {str(err).splitlines()[0]}") from None
    return ready_for_bart(tok, folder)


def ready_for_bart(tok, folder: str | Path = "tokenizer"):
    """``tok`` with the special tokens the workbench's models need (see
    :func:`given_tokenizer`); ``folder`` names it in errors."""
    from lightning_modules.text import QA_SEP

    if QA_SEP not in tok.get_vocab():
        tok.add_special_tokens({"additional_special_tokens": [QA_SEP]})
    if tok.pad_token is None:
        tok.add_special_tokens({"pad_token": "<pad>"})
    if tok.eos_token is None and tok.sep_token is None:
        raise TokenizerError(f"{folder}: the tokenizer has no end-of-sequence token "
                             "(eos_token or sep_token), which BART's decoder needs")
    if tok.eos_token is None:
        tok.eos_token = tok.sep_token
    if tok.bos_token is None:
        tok.bos_token = tok.cls_token if tok.cls_token is not None else tok.eos_token
    return tok
