"""``quals-bench benchmark FORMAT PATH --out DIR``: score the field's factual-consistency
benchmarks from their released files (read from PATH; nothing is downloaded), with score columns
already in the files (``--score-columns``) or a workbench scorer (``--metric``), and report each
benchmark's own statistics.

  FORMAT         PATH: files and fields                  gold           statistics
  aggrefact      aggre_fact_final.csv or _sota.csv (or   label          balanced accuracy (threshold
                 their folder): dataset, origin, id,     1=consistent   tuned on cut == val, applied
                 doc, summary, model_name, label, cut                   to test), AUROC
  llm-aggrefact  CSV, JSONL or Parquet file, folder of   label          balanced accuracy, per
                 Parquet shards, or a save_to_disk       1=supported    dataset (fixed --threshold,
                 folder: dataset, doc, claim, label                     or tuned on --dev-split),
                 [, split or cut]                                       their mean
  summac         folder of <dataset>.jsonl: document,    label          balanced accuracy (threshold
                 claim, label, cut                                      from the val cut), AUROC
  true           folder of <dataset>.csv: grounding,     label          ROC AUC, their mean
                 generated_text, label
  frank          folder: benchmark_data.json (hash,      Factuality     Pearson, Spearman, partial
                 model_name, article, summary) and                      correlations (model_name
                 human_annotations.json (hash,                          removed), Williams tests
                 model_name, Factuality, dataset, split)
  qags           folder of mturk_{cnndm,xsum}.jsonl      share of       Pearson, Spearman, Kendall
                                                         sentences      (as meta-eval computes them)
                                                         voted yes

Results are per dataset (the file's stem, or the ``dataset`` field; AggreFact: ``<dataset>-
<origin>`` and the pooled ``AggreFact-CNN`` / ``AggreFact-XSum``; FRANK: ``all``, ``cnndm``,
``bbc``). The threshold maximizes balanced accuracy on the val cut among the smallest val score,
the midpoints between consecutive distinct val scores and the float above the largest; ties go
to the smallest; a summary is consistent when its score >= threshold. Balanced accuracy and
AUROC have stratified bootstrap CIs, correlations those of ``quals-bench correlate``; pairs of
scorers are compared by a paired bootstrap (balanced accuracy, AUROC) or Williams tests
(correlations).

Scorers: ``--score-columns NAME ...`` reads ``<NAME>_score`` (a column, or a JSON key); an
empty cell is an unscored example. ``--metric`` runs a workbench scorer, as ``quals-bench
score`` builds it: rouge (rouge1/rouge2/rougeL of the summary against the document, a lexical
baseline), factcc/quals (``--model``), qags (``--qg``, ``--qa``), nli (``--model``: any Hugging
Face NLI checkpoint, SummaC-ZS style).

Writes DIR/benchmark.json (``results[dataset][scorer]``: balanced_accuracy, threshold, auroc,
n_val, n_test and CIs; or the correlations; strict JSON), DIR/benchmark.md, DIR/benchmark.png and
DIR/scores.jsonl (each example's score per scorer): a later run into the same DIR adds its
scorer to the stored ones, without scoring them again, and reports all of them. Stored scores
are found by the scorer's name: give another checkpoint another ``--name`` (or another DIR).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

METRICS = ("rouge", "factcc", "qags", "quals", "nli")
NEEDS = {"rouge": (), "factcc": ("model",), "quals": ("model",), "qags": ("qg", "qa"),
         "nli": ("model",)}


def build_parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    from analysis.benchmark.formats import FORMATS

    p = argparse.ArgumentParser(prog="quals-bench benchmark", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("format", choices=FORMATS, metavar="FORMAT", help=f"one of {', '.join(FORMATS)}")
    p.add_argument("path", type=Path, metavar="PATH", help="the benchmark's file or folder")
    p.add_argument("--out", required=True, type=Path, help="output folder DIR (required)")
    p.add_argument("--score-columns", nargs="+", default=[], metavar="NAME",
                   help="read the scores of columns <NAME>_score (default: none)")
    p.add_argument("--metric", choices=METRICS, help="score with this workbench scorer "
                                                     "(default: none)")
    p.add_argument("--model", help="checkpoint of factcc, quals (QAGen) or nli (default: none)")
    p.add_argument("--qg", help="question generation checkpoint for qags (default: none)")
    p.add_argument("--qa", help="question answering checkpoint for qags (default: none)")
    p.add_argument("--config", type=Path, help="settings YAML for quals or qags, as quals-bench "
                                               "score takes (default: their defaults)")
    p.add_argument("--name", help="the scorer's name in the outputs (default: the metric's; "
                                  "rouge: rouge1, rouge2, rougeL)")
    p.add_argument("--device", default="cpu", help="device of the nli model (default: cpu)")
    p.add_argument("--batch-size", type=int, default=32,
                   help="sentence pairs per forward pass of nli (default: 32)")
    p.add_argument("--chunk", type=int, default=64,
                   help="examples per scorer call; scores are saved as chunks finish (default: 64)")
    p.add_argument("--threshold", type=float, help="llm-aggrefact: a fixed threshold (default: "
                                                   "0.5, or tuned when --dev-split is given)")
    p.add_argument("--dev-split", help="llm-aggrefact: tune each dataset's threshold on the rows "
                                       "of this split, e.g. dev (default: none)")
    p.add_argument("--test-split", default="test",
                   help="llm-aggrefact: measure on the rows of this split (default: test)")
    p.add_argument("--split", help="frank: only the summaries of this split, valid or test "
                                   "(default: all)")
    p.add_argument("--limit", type=int, help="the first N examples of each dataset (default: all)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default: 0)")
    p.add_argument("--n-resamples", type=int, default=1000,
                   help="bootstrap resamples (default: 1000)")
    p.add_argument("--confidence", type=float, default=0.95,
                   help="confidence level of the intervals (default: 0.95)")
    return p


def build(a) -> tuple[object, dict[str, str]]:
    """The scorer of ``--metric`` and its columns -> the names they are stored under; the
    workbench's own metrics are built as ``quals-bench score`` builds them."""
    if a.metric == "nli":
        from lightning_modules.metrics.nli import NLIScorer

        scorer = NLIScorer.from_pretrained(a.model, a.device, batch_size=a.batch_size)
        return scorer, {"nli": a.name or "nli"}
    from experiments.score import MAIN_COLUMN, build_scorer

    scorer, _ = build_scorer(a.metric, a)
    if a.metric == "rouge":
        return scorer, {key: key for key in scorer.keys}
    return scorer, {MAIN_COLUMN.get(a.metric, a.metric): a.name or a.metric}


def score_examples(scorer, columns: dict[str, str], examples: list[dict], chunk: int,
                   save, log=print, every_s: float = 60.0) -> int:
    """Score the examples that lack a stored score under any of ``columns``' names, in chunks
    (the document is the reference, as in ``meta-eval``); call ``save()`` at most every
    ``every_s`` seconds and at the end. Return how many were scored."""
    todo = [ex for ex in examples if any(n not in ex["scores"] for n in columns.values())]
    last = time.monotonic()
    for start in range(0, len(todo), chunk):
        batch = todo[start:start + chunk]
        documents = [ex["document"] for ex in batch]
        result = scorer.score(documents, [ex["summary"] for ex in batch], documents)
        for column, name in columns.items():
            for ex, value in zip(batch, result.scores[column]):
                ex["scores"][name] = value
        if time.monotonic() - last > every_s:
            save()
            last = time.monotonic()
            log(f"scored {start + len(batch)}/{len(todo)}")
    save()
    return len(todo)


def check(p: argparse.ArgumentParser, a) -> None:
    """Reject contradictory or missing options before anything is read."""
    if a.metric:
        missing = [f"--{n}" for n in NEEDS[a.metric] if not getattr(a, n)]
        if missing:
            p.error(f"{', '.join(missing)} required for --metric {a.metric}")
        from lightning_modules.models.loading import model_problem

        for name in NEEDS[a.metric]:
            problem = model_problem(getattr(a, name))
            if problem:
                p.error(f"--{name} {getattr(a, name)}: {problem}")
    if a.format != "llm-aggrefact" and (a.threshold is not None or a.dev_split):
        p.error("--threshold and --dev-split are for llm-aggrefact")
    if a.split and a.format != "frank":
        p.error("--split is for frank")
    if a.threshold is not None and a.dev_split:
        p.error("give --threshold or --dev-split, not both")
    if a.name and a.metric == "rouge":
        p.error("--name does not apply to rouge (its columns are rouge1, rouge2, rougeL)")


def write(report: dict, out: Path) -> None:
    """benchmark.json, benchmark.md, benchmark.png; print the headline table."""
    from analysis.benchmark.report import figure, markdown, text_table
    from lightning_modules.jsonl import write_json

    write_json(out / "benchmark.json", report)
    (out / "benchmark.md").write_text(markdown(report) + "\n", encoding="utf-8")
    figure(report, out / "benchmark.png")
    print(text_table(report))
    print(f"wrote {out / 'benchmark.json'}, benchmark.md, benchmark.png, scores.jsonl")


def run(a) -> dict:
    """Load, restore stored scores, score with ``--metric``, store, evaluate; return the report."""
    from analysis.benchmark import store
    from analysis.benchmark.evaluate import evaluate, scorer_names
    from analysis.benchmark.formats import first_per_dataset, load

    bench = load(a.format, a.path, a.score_columns, dev_split=a.dev_split,
                 test_split=a.test_split, split=a.split)
    bench = first_per_dataset(bench, a.limit)
    path = a.out / "scores.jsonl"
    stored = store.read_store(path)
    store.restore(bench.examples, stored)

    def save():
        store.write_store(path, bench.examples, bench.format, stored)

    if a.metric:
        try:
            scorer, columns = build(a)
        except ValueError as err:  # a checkpoint without an entailment label, bad settings
            raise SystemExit(f"error: {err}") from None
        count = score_examples(scorer, columns, bench.examples, a.chunk, save)
        print(f"{a.metric}: scored {count} of {len(bench.examples)} examples")
    else:
        save()
    scorers = scorer_names(bench.examples)
    if not scorers:
        raise SystemExit("error: no scores: give --score-columns or --metric")
    threshold = a.threshold if a.threshold is not None or a.dev_split else \
        (0.5 if a.format == "llm-aggrefact" else None)
    return evaluate(bench, scorers, a.seed, a.n_resamples, a.confidence, threshold)


def main(argv: list[str]) -> int:
    """Parse arguments, run, write the outputs; a format error exits with one line."""
    from lightning_modules.data.readers import DataError

    p = build_parser()
    a = p.parse_args(argv)
    check(p, a)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        report = run(a)
    except DataError as err:
        raise SystemExit(f"error: {err}") from None
    write(report, a.out)
    return 0
