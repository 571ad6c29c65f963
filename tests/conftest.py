"""Shared fixtures: a small corpus and tokenizer made in the test session, all offline."""

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["WANDB_MODE"] = "offline"
os.environ["WANDB_SILENT"] = "true"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402

from lightning_modules.world.generator import CorpusConfig, write_corpus  # noqa: E402


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory):
    """A 120-document corpus folder (train/validation/test JSONL)."""
    out = tmp_path_factory.mktemp("corpus")
    write_corpus(CorpusConfig(num_docs=120, seed=3, validation_fraction=0.1,
                              test_fraction=0.1), out)
    return out


@pytest.fixture(scope="session")
def tokenizer_dir(corpus_dir, tmp_path_factory):
    """A byte-level BPE tokenizer trained on the fixture corpus."""
    from lightning_modules.data.readers import RowReader
    from lightning_modules.data.tokenizer import train_tokenizer

    rows = list(RowReader().read_jsonl(corpus_dir / "train.jsonl"))
    tok = train_tokenizer([t for r in rows for t in (r["document"], r["summary"])], 800)
    out = tmp_path_factory.mktemp("tokenizer")
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def smoke(tmp_path_factory):
    """``quals-bench reproduce --preset smoke``, run once per test session (tests add to the
    folder, never change what the pipeline wrote)."""
    from experiments.pipeline.reproduce import main

    out = tmp_path_factory.mktemp("reproduce") / "smoke"
    assert main(["--out", str(out), "--preset", "smoke", "--wandb", "disabled"]) == 0
    return out
