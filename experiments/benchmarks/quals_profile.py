"""Where QUALS's time goes: seconds per phase, fast scorer and straightforward reference.

    python -m experiments.benchmarks.quals_profile --qagen QAGEN.ckpt --corpus DIR [--n 16]
        [--threads T] [--json OUT]

Scores the same ``--n`` test summaries at the paper's settings with :class:`QualsScorer` and
:class:`NaiveQualsScorer` (one after the other, in one process) and times each phase by wrapping
the functions that do it:

- ``search``: the beam search's own work (groups, penalty, candidates, finished hypotheses,
  log-softmax), and within it ``search/encoder``, ``search/decoder layers`` (the decoder at
  every step), ``search/output head`` (the rest of each model call: LM head, copy head) and
  ``search/cache reorder`` (``reorder_cache`` on the KV cache);
- ``teacher-forced`` and its ``encoder``, ``decoder layers``, ``output head``: scoring the
  kept pairs given the document and the summary;
- ``pairs``: parsing, filtering and dedup of the generated pairs.

Every second is counted once, under the innermost phase running. Also counts the decoder rows
the search runs, summed over steps (rows of finished groups left in the batch show as the
difference).
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from contextlib import contextmanager

import torch
from transformers.cache_utils import EncoderDecoderCache

from experiments.benchmarks.common import (add_output_options, apply_threads, test_documents,
                                          write_figures)
from lightning_modules.metrics.quals import QualsConfig, QualsScorer
from lightning_modules.metrics.quals_naive import NaiveQualsScorer


class PhaseTimer:
    """Exclusive wall seconds of wrapped callables, keyed ``outer/inner`` (``outer`` the
    outermost wrapped call running, ``inner`` the innermost); undoes the wrapping."""

    def __init__(self):
        self.seconds, self.rows, self._stack, self._undo = defaultdict(float), 0, [], []

    def wrap(self, owner, attribute: str, phase: str, on_call=None) -> None:
        """Time every call of ``owner.attribute`` under ``phase``."""
        original = getattr(owner, attribute)

        def timed(*args, **kwargs):
            if on_call:
                on_call(args, kwargs)
            self._switch(phase)
            try:
                return original(*args, **kwargs)
            finally:
                self._switch(None)

        setattr(owner, attribute, timed)
        self._undo.append((owner, attribute, original, attribute in vars(owner)))

    def _switch(self, phase) -> None:
        now = time.perf_counter()
        if self._stack:
            outer, inner, since = self._stack[0][0], self._stack[-1][0], self._stack[-1][1]
            key = inner if outer == inner else f"{outer}/{inner}"
            self.seconds[key] += now - since
        if phase is None:
            self._stack.pop()
        if self._stack:
            self._stack[-1][1] = now
        if phase is not None:
            self._stack.append([phase, now])

    def restore(self) -> None:
        """Put every wrapped callable back."""
        for owner, attribute, original, own in reversed(self._undo):
            if own or isinstance(owner, type):
                setattr(owner, attribute, original)
            else:
                delattr(owner, attribute)
        self._undo.clear()


@contextmanager
def profiled(scorer: QualsScorer):
    """Wrap the scorer's phases; yield the :class:`PhaseTimer`."""
    t, model = PhaseTimer(), scorer.model

    def count_rows(args, kwargs):
        if kwargs.get("past_key_values") is not None or t._stack[0][0] == "search":
            t.rows += kwargs["decoder_input_ids"].size(0)

    t.wrap(scorer, "search", "search")
    t.wrap(scorer, "_keep", "pairs")
    t.wrap(scorer, "pair_ll" if hasattr(scorer, "pair_ll") else "token_logprobs",
           "teacher-forced")
    t.wrap(model.model.encoder, "forward", "encoder")
    t.wrap(model.model.decoder, "forward", "decoder layers")
    t.wrap(model, "forward", "output head", count_rows)
    t.wrap(EncoderDecoderCache, "reorder_cache", "cache reorder")
    try:
        yield t
    finally:
        t.restore()


def run(scorer: QualsScorer, documents, summaries) -> dict:
    """Score once under the profiler; return total seconds, exclusive seconds per phase and
    decoder rows run by the search (summed over steps)."""
    with profiled(scorer) as t:
        start = time.perf_counter()
        scores = scorer.score(documents, summaries).scores["quals"]
        total = time.perf_counter() - start
    phases = dict(sorted(t.seconds.items(), key=lambda kv: -kv[1]))
    phases["other (scorer's own loop, tokenizing)"] = total - sum(phases.values())
    return {"total_s": total, "summaries_per_s": len(summaries) / total,
            "decoder_rows": t.rows, "phases_s": phases, "scores": scores}


def main() -> None:
    """Measure and print (and write ``--json``)."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--qagen", required=True, help="QAGen checkpoint (.ckpt)")
    p.add_argument("--corpus", required=True, help="corpus folder (its test split)")
    p.add_argument("--n", type=int, default=16, help="summaries to score (default 16)")
    add_output_options(p)
    a = p.parse_args()
    apply_threads(a)
    docs, sums = test_documents(a.corpus, a.n)
    fast = QualsScorer.from_checkpoint(a.qagen, QualsConfig())
    naive = NaiveQualsScorer(fast.model, fast.tok, fast.cfg)
    result = {"threads": torch.get_num_threads(), "summaries": a.n}
    for name, scorer in (("straightforward", naive), ("batched", fast)):
        result[name] = run(scorer, docs, sums)
        print(f"{name}: {result[name]['total_s']:.2f}s, decoder rows {result[name]['decoder_rows']}")
        for phase, seconds in result[name]["phases_s"].items():
            print(f"  {phase:58} {seconds:8.2f}s")
    write_figures(a, result)


if __name__ == "__main__":
    main()
