"""``quals-bench reproduce --out DIR``: the default pipeline, end to end, resumable.

Stages so far: corpus -> tokenizer -> QAGen -> MLE (training and test evaluation) -> QUALS of
the MLE test summaries -> results.json. (QAGS, FactCC and ConSeq plug in as further stages.)
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from experiments import CONFIG_DIR
from experiments.stages import Stage, run_stages, write_json_atomic

PRESETS = {
    # the embedded default: about 10 minutes on 2 CPU cores
    "default": dict(num_docs=12000, seed=0, vocab_size=4096, mle_epochs=4,
                    limit_train_batches=None, eval_examples=None, mle_config="mle.yaml",
                    qagen_batches=700, quals_examples=200, quals_beams=60),
    # toy size, for tests: well under 2 minutes
    "smoke": dict(num_docs=240, seed=0, vocab_size=600, mle_epochs=1,
                  limit_train_batches=4, eval_examples=8, mle_config="mle.yaml",
                  qagen_batches=4, quals_examples=4, quals_beams=4),
}


def corpus_stage(s: dict) -> dict:
    """Generate the synthetic corpus into ``<out>/corpus``."""
    from lightning_modules.data.generator import CorpusConfig, write_corpus

    cfg = CorpusConfig(num_docs=s["num_docs"], seed=s["seed"])
    write_corpus(cfg, s["corpus"])
    return {"splits": cfg.split_sizes(), "hallucination_prob": cfg.hallucination_prob}


def tokenizer_stage(s: dict) -> dict:
    """Train the byte-level BPE tokenizer into ``<out>/tokenizer``."""
    from lightning_modules.data.readers import RowReader
    from lightning_modules.data.tokenizer import train_tokenizer

    rows = RowReader().read_jsonl(Path(s["corpus"]) / "train.jsonl")
    tok = train_tokenizer((t for r in rows for t in (r["document"], r["summary"])),
                          s["vocab_size"])
    tok.save_pretrained(s["tokenizer"])
    return {"vocab_size": len(tok)}


def mle_args(s: dict) -> list[str]:
    """LightningCLI arguments of the MLE run (the shipped config plus the preset's overrides)."""
    args = ["--config", str(CONFIG_DIR / s["mle_config"]), "--run.dir", s["run_dir"],
            "--run.wandb", s["wandb"], "--trainer.max_epochs", str(s["mle_epochs"]),
            "--model.init_args.tokenizer", s["tokenizer"],
            "--data.init_args.tokenizer", s["tokenizer"], "--data.init_args.data_dir", s["corpus"]]
    if s["limit_train_batches"]:
        args += ["--trainer.limit_train_batches", str(s["limit_train_batches"]),
                 "--trainer.limit_val_batches", "2"]
    if s["eval_examples"]:
        args += ["--trainer.callbacks.init_args.max_examples", str(s["eval_examples"])]
    return args


def mle_stage(s: dict) -> dict:
    """Train the MLE summarizer (resuming from ``last.ckpt``) and evaluate it on test."""
    from experiments.lightning_cli import build_cli

    cli = build_cli(mle_args(s), run=False)
    last = Path(s["run_dir"]) / "checkpoints" / "last.ckpt"
    cli.trainer.fit(cli.model, datamodule=cli.datamodule,
                    ckpt_path=str(last) if last.exists() else None)
    metrics = cli.trainer.test(cli.model, datamodule=cli.datamodule)[0]
    return {k.removeprefix("test/"): v for k, v in metrics.items()}


def qagen_stage(s: dict) -> dict:
    """Train QAGen (experiments/configs/qagen_synthetic.yaml) into ``<out>/runs/qagen``."""
    from experiments.lightning_cli import build_cli

    args = ["--config", str(CONFIG_DIR / "qagen_synthetic.yaml"), "--run.dir", s["run_dir"],
            "--run.wandb", s["wandb"], "--trainer.limit_train_batches", str(s["qagen_batches"]),
            "--trainer.limit_val_batches", "2", "--model.init_args.tokenizer", s["tokenizer"],
            "--data.init_args.tokenizer", s["tokenizer"], "--data.init_args.data_dir", s["corpus"]]
    cli = build_cli(args, run=False)
    last = Path(s["run_dir"]) / "checkpoints" / "last.ckpt"
    cli.trainer.fit(cli.model, datamodule=cli.datamodule,
                    ckpt_path=str(last) if last.exists() else None)
    val_loss = cli.trainer.callback_metrics.get("val/loss")  # absent when resuming a finished run
    return {"checkpoint": str(last), "val_loss": float(val_loss) if val_loss is not None else None}


def quals_stage(s: dict) -> dict:
    """QUALS of the first ``quals_examples`` MLE test summaries (resumable through its cache)."""
    from experiments.score import score_file
    from lightning_modules.metrics.quals import QualsConfig, QualsScorer, config_dict

    scores = Path(s["mle_dir"]) / "scores"
    lines = (scores / "test.jsonl").read_text().splitlines()[: s["quals_examples"]]
    subset = scores / "test_quals_input.jsonl"
    subset.write_text("".join(line + "\n" for line in lines))
    cfg = QualsConfig(num_beams=s["quals_beams"], num_beam_groups=s["quals_beams"])
    scorer = QualsScorer.from_checkpoint(s["qagen"], cfg)
    out = scores / "test_quals.jsonl"
    counts = score_file(scorer, {"qagen": s["qagen"], **config_dict(cfg)}, subset, out,
                        log=lambda *_: None)
    values = [json.loads(l)["score"] for l in out.read_text().splitlines()]
    kept = [v for v in values if v is not None]
    return {"quals": sum(kept) / len(kept) if kept else float("nan"), "quals_n": len(values),
            "quals_no_pair": counts["sentinel"]}


def reference_noise(corpus: Path) -> dict:
    """Return the share of test references the oracle finds unfaithful, and the flagged share."""
    from lightning_modules.data.oracle import judge
    from lightning_modules.data.readers import RowReader

    rows = list(RowReader().read_jsonl(corpus / "test.jsonl"))
    bad = sum(judge(r["facts"], r["summary"]).verdict in ("intrinsic", "extrinsic") for r in rows)
    return {"oracle_hallucination_rate": bad / len(rows),
            "generated_hallucination_rate": sum(r["reference_hallucinated"] for r in rows) / len(rows)}


def build_stages(out: Path, preset: str, wandb: str) -> list[Stage]:
    """Return the pipeline's stages with their settings."""
    p = PRESETS[preset]
    paths = {"corpus": str(out / "corpus"), "tokenizer": str(out / "tokenizer")}
    mle = {**p, **paths, "run_dir": str(out / "runs" / "mle"), "wandb": wandb}
    qagen = {**paths, "run_dir": str(out / "runs" / "qagen"), "wandb": wandb,
             "qagen_batches": p["qagen_batches"]}
    quals = {"mle_dir": mle["run_dir"], "qagen": str(out / "runs" / "qagen" / "checkpoints" / "last.ckpt"),
             "quals_examples": p["quals_examples"], "quals_beams": p["quals_beams"]}
    return [
        Stage("corpus", corpus_stage, {"num_docs": p["num_docs"], "seed": p["seed"], **paths}),
        Stage("tokenizer", tokenizer_stage, {"vocab_size": p["vocab_size"], **paths}),
        Stage("qagen", qagen_stage, qagen),
        Stage("mle", mle_stage, mle),
        Stage("quals", quals_stage, quals),
    ]


def main(argv: list[str]) -> int:
    """Run the pipeline; write ``<out>/results.json`` and print the results table."""
    parser = argparse.ArgumentParser(prog="quals-bench reproduce", description=__doc__)
    parser.add_argument("--out", required=True, help="output folder (re-running resumes)")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="default")
    parser.add_argument("--wandb", choices=("offline", "online", "disabled"), default="offline")
    a = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    out = Path(a.out)
    results = run_stages(build_stages(out, a.preset, a.wandb), out)
    summary = {"preset": a.preset, "systems": {"mle": {**results["mle"], **results["quals"]}},
               "reference": {**reference_noise(out / "corpus"),
                             "configured_hallucination_prob":
                                 results["corpus"]["hallucination_prob"]}}
    write_json_atomic(out / "results.json", summary)
    print(results_table(summary))
    return 0


def results_table(summary: dict) -> str:
    """Return a Markdown table of each system's test-set means."""
    keys = ["rouge1", "rouge2", "rougeL", "quals", "hallucination_rate", "intrinsic",
            "extrinsic", "unverifiable", "fact_precision"]
    lines = ["| system | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for name, m in summary["systems"].items():
        lines.append(f"| {name} | " + " | ".join(f"{m.get(k, float('nan')):.3f}" for k in keys) + " |")
    ref = summary["reference"]
    lines.append(f"\nreferences: oracle hallucination rate {ref['oracle_hallucination_rate']:.3f} "
                 f"(configured noise {ref['configured_hallucination_prob']:.2f})")
    return "\n".join(lines)
