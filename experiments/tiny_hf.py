"""``quals-bench tiny-hf --out DIR``: tiny, randomly initialised Hugging Face checkpoints of
every model the workbench runs, built offline, for trying the real-data path end to end; with
``--shape base|large``, random checkpoints of BART-base/-large and BERT-base/-large shape, for
sizing a full-size run (``experiments/random_hf.py``, docs/full-size.md).

Writes ``DIR/summarizer``, ``DIR/qagen``, ``DIR/qg``, ``DIR/qa`` (BART, ``models.config``'s
preset of the shape, ``tiny`` by default, without the copy head) and ``DIR/factcc`` (a BERT
pair classifier, the FactCC preset of the shape), each a ``save_pretrained`` folder with the
tokenizer beside the weights, and ``DIR/tiny_hf.json`` naming them by role. The tokenizer is
the workbench's byte-level BPE (``<qa_sep>`` included, which QUALS needs), trained on the train
split of ``--data`` or, without it, on synthetic news documents; ``--tokenizer FOLDER`` uses
any saved Hugging Face tokenizer instead (``<qa_sep>`` added when missing). Every folder loads
where a hub name would: ``Seq2SeqModule`` (``model`` and ``tokenizer`` = the folder),
``FactCCModule``, ``quals-bench score --model``, ``quals-bench candidates --model``. The models
are untrained: their outputs are noise.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

from experiments.random_hf import SHAPES, model_vocab_size, random_bart, random_bert

BART_ROLES = ("summarizer", "qagen", "qg", "qa")
"""The seq2seq models: the summarizer and the evaluators (roles as in ``metrics.registry``)."""


@dataclass(frozen=True)
class TinyHFConfig:
    """Sizes of the random checkpoints (the tiny shape by default; :func:`shape_config` gives
    the others)."""

    vocab_size: int = 1000
    """Byte-level BPE vocabulary of the shared tokenizer; the embedding rows of a full-size
    preset's models (``random_hf.FULL_SIZE``) when the tokenizer learns fewer."""
    bart: str = "tiny"
    """Preset of the BART models (``models.config.PRESETS``)."""
    bert: str = "tiny"
    """Preset of the FactCC BERT (``models.factcc.ENCODER_PRESETS``)."""
    max_position_embeddings: int = 512
    """Longest input in tokens: data modules must truncate documents to this or less."""
    tokenizer_docs: int = 200
    """Documents (and their summaries) the tokenizer learns from."""
    seed: int = 0
    """Seed of the random weights (and of the synthetic documents)."""


def tokenizer_texts(data: str | None, docs: int, seed: int = 0, **fields) -> list[str]:
    """Documents and summaries of the first ``docs`` training rows of ``data`` (a folder or
    dataset name; ``fields``: ``document_field``, ``summary_field``; see ``data.splits``), or
    of synthetic news documents without it."""
    if data:
        from lightning_modules.data.splits import load_splits

        rows = load_splits(data, splits=("train",), limit=docs, **fields).rows["train"]
    else:
        from lightning_modules.world.generator import CorpusConfig, generate_split

        cfg = CorpusConfig(num_docs=docs, seed=seed, validation_fraction=0.01, test_fraction=0.01)
        rows = generate_split("train", cfg)
    return [text for row in rows for text in (row["document"], row["summary"])]


def shape_config(shape: str = "tiny", **fields) -> TinyHFConfig:
    """The config of a named shape (``random_hf.SHAPES``: ``tiny``, ``base``, ``large``), other
    ``fields`` (``vocab_size``, ``seed``...) as given."""
    return TinyHFConfig(**{**SHAPES[shape], **fields})


def save(model, tokenizer, out: str | Path) -> Path:
    """Save ``model`` and ``tokenizer`` to the folder ``out``; return it."""
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return Path(out)


def save_bart(out: str | Path, tokenizer, preset: str = "tiny",
              max_position_embeddings: int = 512, vocab: int | None = None) -> Path:
    """Save a fresh BART of ``preset`` (plain ``BartForConditionalGeneration``, ``vocab``
    embedding rows; default: the tokenizer's size) and ``tokenizer`` to the folder ``out``;
    return it."""
    model = random_bart(tokenizer, preset, max_position_embeddings, vocab or len(tokenizer))
    return save(model, tokenizer, out)


def save_bert_classifier(out: str | Path, tokenizer, preset: str = "tiny",
                         max_length: int = 512, vocab: int | None = None) -> Path:
    """Save a fresh two-label BERT pair classifier of ``preset`` (FactCC's; ``vocab`` embedding
    rows, default the tokenizer's size) and ``tokenizer`` to the folder ``out``; return it."""
    model = random_bert(tokenizer, preset, max_length, vocab or len(tokenizer))
    return save(model, tokenizer, out)


def build_tiny_hf(out: str | Path, cfg: TinyHFConfig, texts: Iterable[str],
                  tokenizer: str | Path | None = None) -> dict[str, str]:
    """Train the tokenizer on ``texts`` (or load the folder ``tokenizer``, made ready by
    ``random_hf.given_tokenizer``), save every checkpoint under ``out`` and the manifest
    ``out/tiny_hf.json``; return ``{role: folder}``."""
    import torch

    out = Path(out)
    tok = make_tokenizer(cfg, texts, tokenizer)
    vocab = model_vocab_size(cfg.bart, cfg.vocab_size, tok)
    models = {}
    for i, role in enumerate(BART_ROLES):
        torch.manual_seed(cfg.seed + i)
        models[role] = str(save_bart(out / role, tok, cfg.bart, cfg.max_position_embeddings,
                                     vocab))
    torch.manual_seed(cfg.seed + len(BART_ROLES))
    models["factcc"] = str(save_bert_classifier(out / "factcc", tok, cfg.bert,
                                                cfg.max_position_embeddings, vocab))
    write_manifest(out, models, cfg, tok, vocab, tokenizer)
    return models


def make_tokenizer(cfg: TinyHFConfig, texts: Iterable[str], folder: str | Path | None = None):
    """The shared tokenizer: the folder's (``<qa_sep>`` added if missing), else the workbench's
    byte-level BPE of ``cfg.vocab_size`` tokens trained on ``texts``."""
    if folder is not None:
        from experiments.random_hf import given_tokenizer

        return given_tokenizer(folder)
    from lightning_modules.data.tokenizer import train_tokenizer

    return train_tokenizer(texts, cfg.vocab_size)


def write_manifest(out: Path, models: dict, cfg: TinyHFConfig, tok, vocab: int,
                   tokenizer: str | Path | None) -> None:
    """Write ``out/tiny_hf.json``: the folders by role, the config, the tokenizer's size, and
    (only where they differ from it or were given) the models' vocabulary and the tokenizer
    folder."""
    from lightning_modules.jsonl import write_json

    manifest = {"models": models, "config": asdict(cfg), "vocab_size": len(tok)}
    if vocab != len(tok):
        manifest["model_vocab_size"] = vocab
    if tokenizer is not None:
        manifest["tokenizer"] = str(tokenizer)
    write_json(out / "tiny_hf.json", manifest)


def main(argv: list[str]) -> int:
    """``quals-bench tiny-hf --out DIR [--shape tiny|base|large] [--data DATA | --tokenizer
    FOLDER] [--vocab-size V] [--seed S]``; print the folders written, by role."""
    p = argparse.ArgumentParser(prog="quals-bench tiny-hf", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, type=Path, help="folder for the checkpoints")
    p.add_argument("--data", help="train the tokenizer on this data's train split (a folder "
                                  "of JSONL/CSV splits, a save_to_disk folder or a dataset name)")
    p.add_argument("--document-field", help="of --data (default: document)")
    p.add_argument("--summary-field", help="of --data (default: summary)")
    p.add_argument("--shape", choices=tuple(SHAPES), default="tiny",
                   help="tiny (2 layers), base (BART-base, BERT-base) or large (BART-large, "
                        "BERT-large); the latter two with 1024 positions")
    p.add_argument("--tokenizer", type=Path, help="a saved Hugging Face tokenizer folder to use "
                                                  "instead of training one (no --data needed)")
    p.add_argument("--vocab-size", type=int, default=TinyHFConfig.vocab_size,
                   help="tokens of the trained tokenizer; base and large models keep this many "
                        "embedding rows (50265: BART's)")
    p.add_argument("--seed", type=int, default=TinyHFConfig.seed,
                   help=f"seed of the random weights (default {TinyHFConfig.seed})")
    a = p.parse_args(argv)
    if a.tokenizer is not None and a.data:
        p.error("give --data (to train a tokenizer on) or --tokenizer, not both")
    from experiments.random_hf import TokenizerError
    from lightning_modules.data.readers import DataError

    cfg = shape_config(a.shape, vocab_size=a.vocab_size, seed=a.seed)
    try:
        texts = () if a.tokenizer is not None else tokenizer_texts(
            a.data, cfg.tokenizer_docs, cfg.seed,
            document_field=a.document_field, summary_field=a.summary_field)
        models = build_tiny_hf(a.out, cfg, texts, a.tokenizer)
    except (DataError, TokenizerError) as err:
        p.error(str(err))
    print(json.dumps(models, indent=2))
    return 0
