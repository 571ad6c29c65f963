"""QUALS speed at the paper's settings: batched scorer vs the straightforward way.

    python -m experiments.benchmarks.quals_speed --qagen QAGEN.ckpt --corpus DIR [--n 16]
        [--presets tiny small] [--repeats 1] [--threads T] [--json OUT]

For each configuration it scores the same ``--n`` test summaries at the paper's settings
(``QualsConfig()``: 60 beams in 60 groups, diversity 0.5, length 8-60, 10 pairs) with
:class:`QualsScorer` (the fast diverse beam search, summaries sorted by length and batched,
each passage encoded once, one decoder pass for all pairs) and with :class:`NaiveQualsScorer`
(the straightforward search of ``diverse_beam_reference``, one call per summary, each pair
re-encoding its passage), back to back in one process (``--repeats`` alternates them), checks
that both give the same scores, and prints summaries/s and the ratio. ``tiny`` uses the given
trained QAGen; ``small`` is a freshly initialised model of that size (no trained small QAGen
ships), so it measures generation cost and keeps few or no pairs: say so when reporting.

``--json`` writes ``batched_per_s``, ``straightforward_per_s``, ``speedup`` and
``max_abs_diff`` of the first preset (summed times over the repeats), every preset under
``presets``, the torch threads, the machine's load average before and after, and ``busy``:
whether the load before the run reached the core count (a one-line note then says the ratio is
not a quiet machine's; under load the straightforward search slows more).
"""

from __future__ import annotations

import argparse
import os
import time

import torch

from experiments.benchmarks.common import (add_output_options, apply_threads, load_note,
                                          test_documents, write_figures)
from lightning_modules.metrics.quals import QualsConfig, QualsScorer, config_dict
from lightning_modules.metrics.quals_naive import NaiveQualsScorer
from lightning_modules.models.config import build_model


def timed(scorer, documents, summaries) -> tuple[float, list]:
    """Return (seconds, scores)."""
    start = time.perf_counter()
    scores = scorer.score(documents, summaries).scores["quals"]
    return time.perf_counter() - start, scores


def max_abs_diff(a: list, b: list) -> float:
    """Largest score difference; ``inf`` if one side has a sentinel where the other has not."""
    both = [(x, y) for x, y in zip(a, b) if x is not None or y is not None]
    if not all(x is not None and y is not None for x, y in both):
        return float("inf")
    return max((abs(x - y) for x, y in both), default=0.0)


def compare(model, tok, cfg, docs, sums, repeats: int) -> dict:
    """Time both scorers ``repeats`` times, alternating; return the figures."""
    seconds = {"batched": 0.0, "straightforward": 0.0}
    scorers = {"batched": QualsScorer(model, tok, cfg),
               "straightforward": NaiveQualsScorer(model, tok, cfg)}
    scores = {}
    for _ in range(repeats):
        for name, scorer in scorers.items():
            elapsed, scores[name] = timed(scorer, docs, sums)
            seconds[name] += elapsed
    fast, slow = (repeats * len(sums) / seconds[k] for k in ("batched", "straightforward"))
    return {"batched_per_s": fast, "straightforward_per_s": slow, "speedup": fast / slow,
            "max_abs_diff": max_abs_diff(scores["batched"], scores["straightforward"]),
            "scored": sum(x is not None for x in scores["batched"])}


def models(a):
    """Yield (name, model, tokenizer) for each preset."""
    from lightning_modules.models.loading import load_with_tokenizer
    from lightning_modules.models.qagen import QAGenModule

    trained = load_with_tokenizer(QAGenModule, a.qagen)
    for preset in a.presets:
        if preset == "tiny":
            yield "tiny (trained QAGen)", trained.model, trained.tokenizer
        else:
            torch.manual_seed(0)
            tok = trained.tokenizer
            yield f"{preset} (untrained)", build_model(preset, tok, dropout=0.0).eval(), tok


def main() -> None:
    """Measure and print."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--qagen", required=True, help="QAGen checkpoint (.ckpt)")
    p.add_argument("--corpus", required=True, help="corpus folder (its test split)")
    p.add_argument("--n", type=int, default=16, help="summaries to score (default 16)")
    p.add_argument("--batch-size", type=int, default=8,
                   help="summaries per batch of the batched scorer (default 8)")
    p.add_argument("--presets", nargs="+", default=["tiny", "small"],
                   help="model sizes (default: tiny small)")
    p.add_argument("--repeats", type=int, default=1,
                   help="alternating repeats of both scorers (default 1)")
    add_output_options(p)
    a = p.parse_args()
    apply_threads(a)
    docs, sums = test_documents(a.corpus, a.n)
    cfg = QualsConfig(batch_size=a.batch_size)
    result = {"threads": torch.get_num_threads(), "summaries": a.n, "repeats": a.repeats,
              "config": config_dict(cfg), "load_avg_before": os.getloadavg()}
    print(f"threads={result['threads']} summaries={a.n} load={result['load_avg_before']} "
          f"settings: {cfg.num_beams} beams/{cfg.num_beam_groups} groups")
    print(f"{'model':24} {'batched/s':>10} {'naive/s':>9} {'ratio':>6} {'max |diff|':>10} {'scored':>6}")
    result["presets"] = {}
    for name, model, tok in models(a):
        r = result["presets"][name] = compare(model, tok, cfg, docs, sums, a.repeats)
        print(f"{name:24} {r['batched_per_s']:10.2f} {r['straightforward_per_s']:9.2f} "
              f"{r['speedup']:6.2f} {r['max_abs_diff']:10.2e} {r['scored']:6d}")
    result.update(next(iter(result["presets"].values())))
    result["load_avg_after"] = os.getloadavg()
    note = load_note(result["load_avg_before"])
    result["busy"] = note is not None
    if note:
        print(note)
    write_figures(a, result)


if __name__ == "__main__":
    main()
