"""QUALS vs QAGS speed on the same summaries, same machine, one run, backbones of equal size.

    python -m experiments.benchmarks.quals_vs_qags --qagen QAGEN.ckpt --qg QG.ckpt --qa QA.ckpt \\
        --corpus DIR [--n 32] [--quals-beams 60] [--real DIR] [--real-n 16] \\
        [--qags-settings batched original] [--threads T] [--json OUT]

QUALS runs one model (QAGen: diverse beam search on the summary, then two teacher-forced passes);
QAGS runs three (answer extraction, QG by beam search per answer, QA twice per question). The
workbench's tiny QAGen, QG and QA share one architecture (2+2-layer BART, d=128). For each set
of documents it prints summaries/s of each (measured back to back), the ratio, the mean length
of documents and summaries in tokens, and where each metric's time goes (seconds per phase).
Every scorer is warmed up on two summaries first.

QAGS is timed in up to three settings (``--qags-settings``): ``batched``, as the workbench runs
it (20 questions kept before answering, batches of 32), and ``original``, as the QAGS code ran
(``QagsConfig.original``: a QG beam of 10 returning 10 questions for each of 10 answers, all
100 candidates answered from the summary and kept when the answer has the candidate's words,
token F1 1, the 20 best by QG score answered from the document, batch size 1); the paper's 55x
was measured against the latter. ``original-kept`` is ``original`` with every answered question
passing the answer filter: the cost when 20 questions per summary reach the document, as they
do when the QA model reproduces the candidate answers. The ratio against each is printed.

Sets: ``synthetic`` (the first ``--n`` test documents of ``--corpus``) and, with ``--real``
(the QAGS release: ``mturk_cnndm.jsonl``, ``mturk_xsum.jsonl``), ``cnndm`` and ``xsum``: the
first ``--real-n`` articles of each with their summary (its sentences joined), where QAGS pays
for long documents (its QA model reads the article once per question; both metrics truncate
sources at 512 tokens). ``--json`` writes ``quals_per_s``, ``qags_per_s`` and ``ratio`` of the
synthetic set (against the first QAGS setting) and every set under ``sets``, each with every
setting's figures under ``qags_settings``, and ``busy``: whether the load before the run reached
the core count (a one-line note says so).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict
from pathlib import Path

import torch

from experiments.benchmarks.common import (add_output_options, apply_threads, load_note,
                                          test_documents, write_figures)
from lightning_modules.metrics.qags import QagsConfig, QagsScorer
from lightning_modules.metrics.quals import QualsConfig, QualsScorer


def qags_release(path: Path, n: int) -> tuple[list[str], list[str]]:
    """The first ``n`` articles of a QAGS release file and their summaries (sentences joined)."""
    rows = [json.loads(l) for _, l in zip(range(n), open(path))]
    return ([r["article"] for r in rows],
            [" ".join(s["sentence"] for s in r["summary_sentences"]) for r in rows])


def quals_phases(scorer: QualsScorer) -> dict:
    """Wrap the scorer's generation and teacher-forced pass; return their running seconds."""
    seconds = defaultdict(float)
    for name, phase in (("generate_pairs", "generation"), ("token_logprobs", "teacher-forced")):
        original = getattr(scorer, name)

        def timed(*args, _original=original, _phase=phase, **kwargs):
            start = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                seconds[_phase] += time.perf_counter() - start

        setattr(scorer, name, timed)
    return seconds


QAGS_SETTINGS = {"batched": QagsConfig, "original": QagsConfig.original,
                 "original-kept": lambda: QagsConfig.original(answer_consistency=0.0)}
"""QAGS as this workbench runs it (questions capped before answering, batches of 32); as its
original code ran (``QagsConfig.original``: every one of 100 candidate questions answered from
the summary and kept when the answer has the candidate's words, one summary at a time); and the
same with every answered question passing the filter (``original-kept``): the original's cost
when its QA model reproduces the candidate answers, so that 20 questions per summary reach the
document."""


def measure(quals: QualsScorer, quals_seconds: dict, qags: dict, documents, summaries):
    """Score one set with QUALS and with each QAGS setting (``qags``: name -> scorer), back to
    back; return its figures. The top-level QAGS figures are the first setting's."""
    tokens = {name: sum(len(quals.tok(t, truncation=True, max_length=512)["input_ids"])
                        for t in texts) / len(texts)
              for name, texts in (("document", documents), ("summary", summaries))}
    quals_seconds.clear()
    start = time.perf_counter()
    quals.score(documents, summaries)
    quals_s = time.perf_counter() - start
    n = len(summaries)
    settings = {}
    for name, scorer in qags.items():
        scorer.timings.clear()
        start = time.perf_counter()
        result = scorer.score(documents, summaries)
        seconds = time.perf_counter() - start
        questions = [len(e["questions"]) for e in result.explanations]
        settings[name] = {"qags_per_s": n / seconds, "ratio": seconds / quals_s,
                          "questions_per_summary": sum(questions) / n,
                          "phases_s": dict(scorer.timings)}
    first = next(iter(settings.values()))
    return {"quals_per_s": n / quals_s, "qags_per_s": first["qags_per_s"],
            "ratio": first["ratio"], "summaries": n, "mean_tokens": tokens,
            "quals_phases_s": dict(quals_seconds), "qags_settings": settings}


def _phases(label: str, phases: dict) -> None:
    total = sum(phases.values()) or 1.0
    for phase, seconds in phases.items():
        print(f"    {label:14} {phase:22} {seconds:7.2f}s  {100 * seconds / total:5.1f}%")


def report(name: str, r: dict) -> None:
    """Print one set's figures."""
    print(f"[{name}] {r['summaries']} summaries, mean tokens: document "
          f"{r['mean_tokens']['document']:.0f}, summary {r['mean_tokens']['summary']:.0f}")
    print(f"  QUALS {r['quals_per_s']:.2f}/s")
    _phases("QUALS", r["quals_phases_s"])
    for setting, q in r["qags_settings"].items():
        print(f"  QAGS ({setting}) {q['qags_per_s']:.2f}/s, {q['questions_per_summary']:.1f} "
              f"questions/summary; QUALS/QAGS {q['ratio']:.2f}x (paper: 55x)")
        _phases(f"QAGS {setting}", q["phases_s"])


def main() -> None:
    """Measure, print and write ``--json``."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    for name in ("--qagen", "--qg", "--qa", "--corpus"):
        p.add_argument(name, required=True, help=f"{name[2:]} checkpoint or folder")
    p.add_argument("--n", type=int, default=32, help="summaries (default 32)")
    p.add_argument("--quals-beams", type=int, default=60,
                   help="QUALS beams, one per group (default 60)")
    p.add_argument("--real", help="folder with the QAGS release's mturk_{cnndm,xsum}.jsonl")
    p.add_argument("--real-n", type=int, default=16, help="articles per real set")
    p.add_argument("--qags-settings", nargs="+", choices=sorted(QAGS_SETTINGS),
                   default=["batched", "original"],
                   help="QAGS settings to time against QUALS (default: batched original)")
    add_output_options(p)
    a = p.parse_args()
    apply_threads(a)
    quals = QualsScorer.from_checkpoint(a.qagen, QualsConfig(num_beams=a.quals_beams,
                                                             num_beam_groups=a.quals_beams))
    quals_seconds = quals_phases(quals)
    qags = {name: QagsScorer.from_checkpoints(a.qg, a.qa, QAGS_SETTINGS[name]())
            for name in a.qags_settings}
    models = next(iter(qags.values())).models
    params = {name: sum(p.numel() for p in m.parameters())
              for name, m in (("qagen", quals.model), ("qg", models[0]), ("qa", models[1]))}
    result = {"threads": torch.get_num_threads(), "quals_beams": a.quals_beams,
              "parameters": params, "load_avg_before": os.getloadavg(), "sets": {}}
    print(f"threads={result['threads']} parameters={params} load={result['load_avg_before']}")
    sets = {"synthetic": test_documents(a.corpus, a.n)}
    if a.real:
        for name in ("cnndm", "xsum"):
            sets[name] = qags_release(Path(a.real) / f"mturk_{name}.jsonl", a.real_n)
    documents, summaries = sets["synthetic"]
    for scorer in (quals, *qags.values()):  # warm-up
        scorer.score(documents[:2], summaries[:2])
    for name, (documents, summaries) in sets.items():
        result["sets"][name] = measure(quals, quals_seconds, qags, documents, summaries)
        report(name, result["sets"][name])
    result.update({k: result["sets"]["synthetic"][k] for k in ("quals_per_s", "qags_per_s", "ratio")})
    result["load_avg_after"] = os.getloadavg()
    note = load_note(result["load_avg_before"])
    result["busy"] = note is not None
    if note:
        print(note)
    write_figures(a, result)


if __name__ == "__main__":
    main()
