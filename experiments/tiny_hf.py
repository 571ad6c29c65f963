"""``quals-bench tiny-hf --out DIR``: tiny, randomly initialised Hugging Face checkpoints of
every model the workbench runs, built offline, for trying the real-data path end to end.

Writes ``DIR/summarizer``, ``DIR/qagen``, ``DIR/qg``, ``DIR/qa`` (BART, ``models.config``'s
``tiny`` preset without the copy head) and ``DIR/factcc`` (a BERT pair classifier, the FactCC
``tiny`` preset), each a ``save_pretrained`` folder with the tokenizer beside the weights, and
``DIR/tiny_hf.json`` naming them by role. The tokenizer is the workbench's byte-level BPE
(``<qa_sep>`` included, which QUALS needs), trained on the train split of ``--data`` or, without
it, on synthetic news documents. Every folder loads where a hub name would: ``Seq2SeqModule``
(``model`` and ``tokenizer`` = the folder), ``FactCCModule``, ``quals-bench score --model``,
``quals-bench candidates --model``. The models are untrained: their outputs are noise.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

BART_ROLES = ("summarizer", "qagen", "qg", "qa")
"""The seq2seq models: the summarizer and the evaluators (roles as in ``metrics.registry``)."""


@dataclass(frozen=True)
class TinyHFConfig:
    """Sizes of the tiny checkpoints."""

    vocab_size: int = 1000
    """Byte-level BPE vocabulary of the shared tokenizer."""
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


def save_bart(out: str | Path, tokenizer, preset: str = "tiny",
              max_position_embeddings: int = 512) -> Path:
    """Save a fresh BART of ``preset`` (plain ``BartForConditionalGeneration``) and
    ``tokenizer`` to the folder ``out``; return it."""
    from lightning_modules.models.config import build_model

    model = build_model(preset, tokenizer, copy_head=False,
                        max_position_embeddings=max_position_embeddings)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return Path(out)


def save_bert_classifier(out: str | Path, tokenizer, preset: str = "tiny",
                         max_length: int = 512) -> Path:
    """Save a fresh two-label BERT pair classifier of ``preset`` (FactCC's) and ``tokenizer``
    to the folder ``out``; return it."""
    from lightning_modules.models.factcc import build_classifier

    build_classifier(preset, tokenizer, max_length=max_length).save_pretrained(out)
    tokenizer.save_pretrained(out)
    return Path(out)


def build_tiny_hf(out: str | Path, cfg: TinyHFConfig, texts: Iterable[str]) -> dict[str, str]:
    """Train the tokenizer on ``texts``, save every tiny checkpoint under ``out`` and the
    manifest ``out/tiny_hf.json``; return ``{role: folder}``."""
    import torch

    from lightning_modules.data.tokenizer import train_tokenizer

    out = Path(out)
    tok = train_tokenizer(texts, cfg.vocab_size)
    models = {}
    for i, role in enumerate(BART_ROLES):
        torch.manual_seed(cfg.seed + i)
        models[role] = str(save_bart(out / role, tok, cfg.bart, cfg.max_position_embeddings))
    torch.manual_seed(cfg.seed + len(BART_ROLES))
    models["factcc"] = str(save_bert_classifier(out / "factcc", tok, cfg.bert,
                                                cfg.max_position_embeddings))
    from lightning_modules.jsonl import write_json

    write_json(out / "tiny_hf.json", {"models": models, "config": asdict(cfg),
                                      "vocab_size": len(tok)})
    return models


def main(argv: list[str]) -> int:
    """``quals-bench tiny-hf --out DIR [--data DATA] [--vocab-size V] [--seed S]``; print the
    folders written, by role."""
    p = argparse.ArgumentParser(prog="quals-bench tiny-hf", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, type=Path, help="folder for the checkpoints")
    p.add_argument("--data", help="train the tokenizer on this data's train split (a folder "
                                  "of JSONL/CSV splits, a save_to_disk folder or a dataset name)")
    p.add_argument("--document-field", help="of --data (default: document)")
    p.add_argument("--summary-field", help="of --data (default: summary)")
    p.add_argument("--vocab-size", type=int, default=TinyHFConfig.vocab_size)
    p.add_argument("--seed", type=int, default=TinyHFConfig.seed)
    a = p.parse_args(argv)
    from lightning_modules.data.readers import DataError

    cfg = TinyHFConfig(vocab_size=a.vocab_size, seed=a.seed)
    try:
        texts = tokenizer_texts(a.data, cfg.tokenizer_docs, cfg.seed,
                                document_field=a.document_field, summary_field=a.summary_field)
        models = build_tiny_hf(a.out, cfg, texts)
    except DataError as err:
        p.error(str(err))
    print(json.dumps(models, indent=2))
    return 0
