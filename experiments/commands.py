"""Small subcommands: corpus, tokenizer, judge."""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path


def world_corpus(world: str) -> dict:
    """The ``corpus:`` section of a world: a name under ``experiments/configs/worlds/`` or a
    YAML path."""
    import yaml

    from experiments import CONFIG_DIR

    path = Path(world) if world.endswith((".yaml", ".yml")) else CONFIG_DIR / "worlds" / f"{world}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in (CONFIG_DIR / "worlds").glob("*.yaml"))
        raise SystemExit(f"{path}: no such world (known: {', '.join(known)})")
    return (yaml.safe_load(path.read_text()) or {}).get("corpus", {})


def build_corpus_parser() -> argparse.ArgumentParser:
    """The ``quals-bench corpus`` parser."""
    from experiments.cli import HelpFormatter
    from lightning_modules.world.generator import CorpusConfig

    p = argparse.ArgumentParser(prog="quals-bench corpus", description=corpus.__doc__,
                                formatter_class=HelpFormatter)
    p.add_argument("--num-docs", type=int, default=CorpusConfig.num_docs,
                   help="documents over the three splits")
    p.add_argument("--seed", type=int, default=0, help="the world seed")
    p.add_argument("--world", default="xsum", help="a world name or YAML (its corpus: section)")
    p.add_argument("--hallucination-prob", type=float,
                   help="chance that a reference adds an invented role (default: the world's)")
    p.add_argument("--distractor-prob", type=float,
                   help="chance that each distractor sentence is included (default: the world's)")
    p.add_argument("--min-distractors", type=int,
                   help="distractor sentences per document at least (default: the world's)")
    p.add_argument("--out", required=True, help="folder for train/validation/test.jsonl")
    return p


def corpus(argv: list[str]) -> int:
    """``quals-bench corpus --num-docs N --seed S --out DIR [--world xsum|cnndm|PATH]``."""
    from lightning_modules.world.generator import CorpusConfig, write_corpus

    p = build_corpus_parser()
    a = p.parse_args(argv)
    overrides = {k: v for k, v in (("hallucination_prob", a.hallucination_prob),
                                   ("distractor_prob", a.distractor_prob),
                                   ("min_distractors", a.min_distractors)) if v is not None}
    cfg = CorpusConfig(**{**world_corpus(a.world), "num_docs": a.num_docs, "seed": a.seed,
                          **overrides})
    start = time.perf_counter()
    paths = write_corpus(cfg, a.out)
    print(f"wrote {cfg.split_sizes()} to {a.out} in {time.perf_counter() - start:.1f}s")
    return 0 if paths else 1


def build_tokenizer_parser() -> argparse.ArgumentParser:
    """The ``quals-bench tokenizer`` parser."""
    from experiments.cli import HelpFormatter

    p = argparse.ArgumentParser(prog="quals-bench tokenizer", description=tokenizer.__doc__,
                                formatter_class=HelpFormatter)
    p.add_argument("--corpus", required=True, help="folder holding train.jsonl")
    p.add_argument("--out", required=True, help="folder for the tokenizer")
    p.add_argument("--vocab-size", type=int, default=4096, help="BPE vocabulary size")
    return p


def tokenizer(argv: list[str]) -> int:
    """``quals-bench tokenizer --corpus DIR --out DIR [--vocab-size V]``."""
    from lightning_modules.data.readers import RowReader
    from lightning_modules.data.tokenizer import train_tokenizer

    p = build_tokenizer_parser()
    a = p.parse_args(argv)
    rows = RowReader().read_jsonl(Path(a.corpus) / "train.jsonl")
    tok = train_tokenizer((t for r in rows for t in (r["document"], r["summary"])), a.vocab_size)
    tok.save_pretrained(a.out)
    print(f"saved a {len(tok)}-token tokenizer to {a.out}")
    return 0


def build_judge_parser() -> argparse.ArgumentParser:
    """The ``quals-bench judge`` parser."""
    from experiments.cli import HelpFormatter

    p = argparse.ArgumentParser(prog="quals-bench judge", description=judge_file.__doc__,
                                formatter_class=HelpFormatter)
    p.add_argument("--input", required=True, help="JSONL rows with 'facts' and the field")
    p.add_argument("--field", default="summary", help="the field holding the summary to judge")
    return p


def judge_file(argv: list[str]) -> int:
    """``quals-bench judge --input SPLIT.jsonl [--field summary]``: oracle verdict counts, the
    summary shares (intrinsic, extrinsic, unverifiable...) and the claims by error class."""
    from lightning_modules.world.oracle import error_counts, hallucination_rate, judge
    from lightning_modules.data.readers import RowReader

    p = build_judge_parser()
    a = p.parse_args(argv)
    judgements = [judge(r["facts"], r["summary"])
                  for r in RowReader(summary_field=a.field).read_jsonl(a.input)]
    print(json.dumps({"verdicts": dict(Counter(j.verdict for j in judgements)),
                      "rates": hallucination_rate(judgements),
                      "claims": error_counts(judgements)}))
    return 0
