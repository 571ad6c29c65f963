"""Decode one split of a synthetic corpus with a summarizer and read the summaries with the
oracle: the check for choosing a recipe or a decoding setting on **validation** documents,
never the test split.

    python -m experiments.diagnostics.split_summaries --model RUN/runs/mle/checkpoints/last.ckpt \
        --corpus RUN/corpus --split validation --docs 200 [--json OUT.json]

Prints the oracle's summary shares (intrinsic, extrinsic, faithful...), the share of summaries
that state their event's background attribute (any value, and the world's own value), and the
claims by error class.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

from lightning_modules.data.readers import first_rows, read_objects
from lightning_modules.jsonl import write_json
from lightning_modules.world import oracle
from lightning_modules.world.background import background_value
from lightning_modules.world.events import EVENT_TYPES


def background_stated(row: dict, summary: str, seed: int,
                      judgement: oracle.Judgement | None = None) -> dict[str, bool]:
    """Whether ``summary`` fills its event's background attribute (``any``) and with the
    world's standing value for the holder (``world_value``); ``judgement`` is the oracle's
    reading of it, when already made."""
    event = EVENT_TYPES[row["event_type"]]
    attribute, holder = event.background
    judgement = judgement or oracle.judge(row["facts"], summary)
    filled = any(claim.role == attribute for claim in judgement.claims)
    who = row["facts"]["roles"].get(holder)
    value = background_value(event.optional[attribute], who, seed) if who else None
    return {"any": filled, "world_value": bool(value) and value in summary}


def read_split(rows: list[dict], summaries: list[str], seed: int) -> dict:
    """The oracle's shares over ``summaries`` of ``rows``, the background-attribute shares and
    the error classes of their claims."""
    judgements = [oracle.judge(r["facts"], s) for r, s in zip(rows, summaries)]
    stated = [background_stated(r, s, seed, j) for r, s, j in zip(rows, summaries, judgements)]
    n = len(rows)
    return {"documents": n, **oracle.hallucination_rate(judgements),
            "background_any": sum(s["any"] for s in stated) / n,
            "background_world_value": sum(s["world_value"] for s in stated) / n,
            "errors": dict(Counter(oracle.error_counts(judgements)).most_common())}


def main(argv: list[str] | None = None) -> dict:
    """Decode, judge and print; write ``--json`` if given."""
    from experiments.cli import HelpFormatter

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=HelpFormatter)
    parser.add_argument("--model", required=True, help="summarizer .ckpt or HF folder")
    parser.add_argument("--corpus", required=True, help="folder of {split}.jsonl with facts")
    parser.add_argument("--split", default="validation", help="the corpus split to decode")
    parser.add_argument("--docs", type=int, default=200, help="its first DOCS documents")
    parser.add_argument("--seed", type=int, default=0, help="the world seed (corpus.seed)")
    parser.add_argument("--json", help="also write the result here")
    args = parser.parse_args(argv)
    from lightning_modules.models.loading import load_summarizer

    rows = first_rows(read_objects(f"{args.corpus}/{args.split}.jsonl"), args.docs)
    summaries = load_summarizer(args.model).summarize([r["document"] for r in rows])
    result = {"model": args.model, "split": args.split, **read_split(rows, summaries, args.seed)}
    print(json.dumps(result, indent=1))
    if args.json:
        write_json(args.json, result, sort_keys=True)
    return result


if __name__ == "__main__":
    main()
