"""QUALS speed at the paper's settings: batched scorer vs the straightforward way.

    python -m experiments.benchmarks.quals_speed --qagen QAGEN.ckpt --corpus DIR [--n 16]
        [--presets tiny small]

For each configuration it scores the same ``--n`` test summaries (60 beams in 60 groups,
diversity 0.5, length 8-60, 10 pairs) with :class:`QualsScorer` (summaries batched per
generation call, each passage encoded once, one decoder pass for all pairs) and with
:class:`NaiveQualsScorer` (one generation call per summary, each pair re-encoding its passage),
checks that both give the same scores, and prints summaries/s and the ratio. ``tiny`` uses the
given trained QAGen; ``small`` is a freshly initialised model of that size (no trained small
QAGen ships), so it measures generation cost and keeps few or no pairs: say so when reporting.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from lightning_modules.data.tokenizer import load_tokenizer
from lightning_modules.metrics.quals import QualsConfig, QualsScorer
from lightning_modules.metrics.quals_naive import NaiveQualsScorer
from lightning_modules.models.config import build_model


def timed(scorer, documents, summaries) -> tuple[float, list]:
    """Return (summaries per second, scores)."""
    start = time.perf_counter()
    scores = scorer.score(documents, summaries).scores["quals"]
    return len(summaries) / (time.perf_counter() - start), scores


def models(a):
    """Yield (name, model, tokenizer) for each preset."""
    from lightning_modules.models.qagen import QAGenModule

    trained = QAGenModule.load_from_checkpoint(a.qagen, map_location="cpu")
    for preset in a.presets:
        if preset == "tiny":
            yield "tiny (trained QAGen)", trained.model, trained.tokenizer
        else:
            torch.manual_seed(0)
            tok = load_tokenizer(trained.hparams.tokenizer)
            yield f"{preset} (untrained)", build_model(preset, tok, dropout=0.0).eval(), tok


def main() -> None:
    """Measure and print."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--qagen", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--n", type=int, default=16)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--presets", nargs="+", default=["tiny", "small"])
    a = p.parse_args()
    rows = [json.loads(l) for _, l in zip(range(a.n), open(Path(a.corpus) / "test.jsonl"))]
    docs, sums = [r["document"] for r in rows], [r["summary"] for r in rows]
    cfg = QualsConfig(batch_size=a.batch_size)
    print(f"threads={torch.get_num_threads()} summaries={a.n} settings: 60 beams/60 groups")
    print(f"{'model':24} {'batched/s':>10} {'naive/s':>9} {'ratio':>6} {'max |diff|':>10} {'pairs':>6}")
    for name, model, tok in models(a):
        fast, fast_scores = timed(QualsScorer(model, tok, cfg), docs, sums)
        slow, slow_scores = timed(NaiveQualsScorer(model, tok, cfg), docs, sums)
        both = [(x, y) for x, y in zip(fast_scores, slow_scores) if x is not None or y is not None]
        same_sentinels = all(x is not None and y is not None for x, y in both)
        diff = max((abs(x - y) for x, y in both), default=0.0) if same_sentinels else float("inf")
        print(f"{name:24} {fast:10.2f} {slow:9.2f} {fast / slow:6.2f} {diff:10.2e} {len(both):6d}")


if __name__ == "__main__":
    main()
