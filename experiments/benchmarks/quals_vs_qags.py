"""QUALS vs QAGS speed on the same summaries, same machine, one run, backbones of equal size.

    python -m experiments.benchmarks.quals_vs_qags --qagen QAGEN.ckpt --qg QG.ckpt --qa QA.ckpt \\
        --corpus DIR [--n 32] [--quals-beams 60]

QUALS runs one model (QAGen: diverse beam search on the summary, then two teacher-forced passes);
QAGS runs three (answer extraction, QG by beam search per answer, QA twice per question). The
workbench's tiny QAGen, QG and QA share one architecture (2+2-layer BART, d=128). Prints
summaries/s for each, the ratio, and where QAGS's time goes (seconds per phase).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from lightning_modules.metrics.qags import QagsConfig, QagsScorer
from lightning_modules.metrics.quals import QualsConfig, QualsScorer


def rate(scorer, documents, summaries) -> float:
    """Summaries per second of one ``score`` call."""
    start = time.perf_counter()
    scorer.score(documents, summaries)
    return len(summaries) / (time.perf_counter() - start)


def main() -> None:
    """Measure and print."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    for name in ("--qagen", "--qg", "--qa", "--corpus"):
        p.add_argument(name, required=True)
    p.add_argument("--n", type=int, default=32)
    p.add_argument("--quals-beams", type=int, default=60)
    a = p.parse_args()
    rows = [json.loads(l) for _, l in zip(range(a.n), open(Path(a.corpus) / "test.jsonl"))]
    docs, sums = [r["document"] for r in rows], [r["summary"] for r in rows]
    quals = QualsScorer.from_checkpoint(a.qagen, QualsConfig(num_beams=a.quals_beams,
                                                             num_beam_groups=a.quals_beams))
    qags = QagsScorer.from_checkpoints(a.qg, a.qa, QagsConfig())
    params = {name: sum(p.numel() for p in m.parameters())
              for name, m in (("qagen", quals.model), ("qg", qags.models[0]), ("qa", qags.models[1]))}
    print(f"threads={torch.get_num_threads()} summaries={a.n} parameters={params}")
    r_quals, r_qags = rate(quals, docs, sums), rate(qags, docs, sums)
    print(f"QUALS ({a.quals_beams} beams): {r_quals:.2f} summaries/s")
    print(f"QAGS (10 answers, 10 QG beams, 2 questions/answer): {r_qags:.2f} summaries/s")
    print(f"QUALS / QAGS speed ratio: {r_quals / r_qags:.2f}x (paper: 55x)")
    total = sum(qags.timings.values())
    for phase, seconds in qags.timings.items():
        print(f"  QAGS {phase:20} {seconds:7.2f}s  {100 * seconds / total:5.1f}%")


if __name__ == "__main__":
    main()
