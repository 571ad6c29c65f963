"""Time and peak memory of the paper's model sizes, stage by stage, at a toy length.

    python -m experiments.benchmarks.full_size [--shape large] [--source-tokens 64] \
        [--target-tokens 16] [--batch-size 1] [--steps 2] [--beams 4] [--device cpu] \
        [--precision bf16-mixed] [--json FILE]

Three stages, each in a fresh process so that each peak resident memory (``ru_maxrss``) is
its own:

- ``build``: ``quals-bench tiny-hf --shape SHAPE --vocab-size 50265`` (the four BARTs and the
  FactCC BERT, random weights, saved to a temporary folder);
- ``train_step``: the MLE summarizer (``MLEModule`` on the built folder): one warm-up step,
  then ``--steps`` timed steps of forward, backward and AdamW on ``--batch-size`` examples of
  ``--source-tokens`` source and ``--target-tokens`` target tokens;
- ``quals``: QUALS's work for one summary with the built QAGen: a diverse beam search of
  ``--beams`` beams in as many groups, at most ``--pair-tokens`` tokens, then the
  teacher-forced log-probability of every hypothesis given the document and given the summary
  (a random QAGen writes no parsable pair, so both steps are timed here directly).

Seconds are wall-clock (the GPU synchronised); memory is the process's peak resident set in
MiB, the peak above the process's memory once torch is imported (``*_above_start``), and on a
GPU the peak of torch's allocations (``gpu_peak_GiB``). ``--precision`` runs the steps under
``inference_autocast`` of that name (as Lightning's mixed precision does).
docs/full-size.md holds the figures of a run and how to extrapolate them to a full dataset.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from experiments.benchmarks.common import add_output_options, apply_threads, write_figures

# The tokenizers' Rust threads would compete with torch's OpenMP threads for the cores measured.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

STAGES = ("build", "train_step", "quals")


def peak_mib() -> float:
    """The process's peak resident memory so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def train_flops(preset: str, vocab: int, source: int, target: int) -> float:
    """Floating-point operations of one training example (forward and backward) of a BART of
    ``preset`` (``models.config.PRESETS``) with ``vocab`` tokens: 6 per weight and token (the
    encoder layers over the ``source`` tokens, the decoder layers and the output layer over the
    ``target`` tokens) plus the attention products, 12 * d_model per query-key pair and layer
    (encoder source x source, decoder target x target and target x source). Biases, layer norms
    and softmaxes are left out (under 1%)."""
    from lightning_modules.models.config import PRESETS

    p = PRESETS[preset]
    d, ffn = p["d_model"], p["encoder_ffn_dim"]
    encoder = p["encoder_layers"] * (4 * d * d + 2 * d * ffn)
    decoder = p["decoder_layers"] * (8 * d * d + 2 * d * ffn)
    linear = 6 * (encoder * source + (decoder + vocab * d) * target)
    pairs = (p["encoder_layers"] * source ** 2
             + p["decoder_layers"] * (target ** 2 + target * source))
    return linear + 12 * d * pairs


def clock(device) -> float:
    """``time.perf_counter()`` once ``device``'s queued work is done (a GPU runs ahead)."""
    import torch

    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter()


def documents(n: int = 1) -> tuple[list[str], list[str]]:
    """The first ``n`` synthetic training documents and their summaries."""
    from lightning_modules.world.generator import CorpusConfig, generate_split

    cfg = CorpusConfig(num_docs=max(n, 20), seed=0, validation_fraction=0.1, test_fraction=0.1)
    rows = list(generate_split("train", cfg))[:n]
    return [r["document"] for r in rows], [r["summary"] for r in rows]


def build_stage(s: dict) -> dict:
    """Build every random checkpoint of ``s["shape"]`` under ``s["out"]``; seconds and GiB."""
    from experiments.tiny_hf import build_tiny_hf, shape_config, tokenizer_texts

    cfg = shape_config(s["shape"], vocab_size=s["vocab_size"])
    texts = tokenizer_texts(None, cfg.tokenizer_docs)
    start = time.perf_counter()
    build_tiny_hf(s["out"], cfg, texts)
    seconds = time.perf_counter() - start
    size = sum(p.stat().st_size for p in Path(s["out"]).rglob("*") if p.is_file())
    return {"seconds": seconds, "disk_GiB": size / 2**30}


def batch(tokenizer, s: dict, device) -> dict:
    """A training batch of ``batch_size`` examples of exactly ``source_tokens`` /
    ``target_tokens`` tokens."""
    docs, sums = documents(s["batch_size"])
    enc = tokenizer(docs, max_length=s["source_tokens"], truncation=True, padding="max_length",
                    return_tensors="pt")
    labels = tokenizer(sums, max_length=s["target_tokens"], truncation=True,
                       padding="max_length", return_tensors="pt")["input_ids"]
    labels[labels == tokenizer.pad_token_id] = -100
    return {"input_ids": enc["input_ids"].to(device),
            "attention_mask": enc["attention_mask"].to(device), "labels": labels.to(device)}


def train_step_stage(s: dict) -> dict:
    """Seconds of an MLE training step of the built summarizer: forward and backward, and the
    AdamW update (the mean over the timed steps; the first step apart)."""
    import torch

    from lightning_modules.models.mle import MLEModule
    from lightning_modules.precision import inference_autocast

    folder = str(Path(s["out"]) / "summarizer")
    module = MLEModule(model=folder, tokenizer=folder).to(s["device"]).train()
    optimizer = torch.optim.AdamW(module.parameters(), lr=3e-5)
    example, times = batch(module.tokenizer, s, s["device"]), []
    for _ in range(s["steps"] + 1):
        start = clock(s["device"])
        with inference_autocast(s["precision"], s["device"]):
            out = module(example["input_ids"], example["attention_mask"], example["labels"])
            loss, _ = module.compute_loss(example, out)
        loss.backward()
        backward = clock(s["device"])
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        times.append((backward - start, clock(s["device"]) - backward))
    params = sum(p.numel() for p in module.parameters())
    forward_backward = sum(t[0] for t in times[1:]) / s["steps"]
    flops = s["batch_size"] * train_flops(s["shape"], module.model.config.vocab_size,
                                          s["source_tokens"], s["target_tokens"])
    return {"params_M": params / 1e6, "first_step_seconds": sum(times[0]),
            "forward_backward_seconds": forward_backward,
            "optimizer_seconds": sum(t[1] for t in times[1:]) / s["steps"],
            "GFLOP_per_step": flops / 1e9, "GFLOP_per_s": flops / 1e9 / forward_backward}


def quals_once(scorer, cfg, document: str, summary: str, device) -> tuple[float, float, list]:
    """QUALS's two steps for one summary: seconds of the diverse beam search from the summary,
    seconds of the teacher-forced scoring of its hypotheses given the document and the summary,
    and the hypotheses."""
    start = clock(device)
    enc = scorer.tok([summary], truncation=True, max_length=cfg.max_source_length,
                     return_tensors="pt").to(device)
    hyps = scorer.search(scorer.model, enc["input_ids"], enc["attention_mask"], cfg.beam())[0]
    searched = clock(device)
    targets = [list(h.tokens) for h in hyps][: cfg.max_pairs]
    scorer.token_logprobs([document, summary], [0] * len(targets) + [1] * len(targets),
                          targets + targets)
    return searched - start, clock(device) - searched, hyps


def quals_stage(s: dict) -> dict:
    """Seconds of QUALS's diverse beam search and teacher-forced scoring of one summary (on a
    GPU, the second of two runs: the first pays for CUDA's start)."""
    import torch

    from lightning_modules.metrics.quals import QualsConfig, QualsScorer
    from lightning_modules.precision import inference_autocast

    cfg = QualsConfig(num_beams=s["beams"], num_beam_groups=s["beams"], min_length=2,
                      max_length=s["pair_tokens"], max_source_length=s["source_tokens"])
    scorer = QualsScorer.from_checkpoint(str(Path(s["out"]) / "qagen"), cfg, s["device"])
    (document,), (summary,) = documents()
    rounds = 2 if torch.device(s["device"]).type == "cuda" else 1
    with torch.inference_mode(), inference_autocast(s["precision"], s["device"]):
        for _ in range(rounds):
            search, scoring, hyps = quals_once(scorer, cfg, document, summary, s["device"])
    lengths = [len(scorer.tok(t, truncation=True, max_length=cfg.max_source_length)["input_ids"])
               for t in (document, summary)]
    return {"document_tokens": lengths[0], "summary_tokens": lengths[1],
            "search_seconds": search, "teacher_forced_seconds": scoring, "hypotheses": len(hyps),
            "mean_hypothesis_tokens": sum(len(h.tokens) for h in hyps) / max(1, len(hyps))}


def run_stage(name: str, s: dict) -> dict:
    """Run stage ``name`` in this process; its figures with the peak memory."""
    import torch

    if s["threads"]:
        torch.set_num_threads(s["threads"])
    torch.manual_seed(0)
    start_mib = peak_mib()
    figures = {"build": build_stage, "train_step": train_step_stage, "quals": quals_stage}[name](s)
    peak = peak_mib()
    if torch.device(s["device"]).type == "cuda":
        figures["gpu_peak_GiB"] = torch.cuda.max_memory_allocated() / 2**30
    return {**figures, "peak_MiB": peak, "peak_MiB_above_start": peak - start_mib,
            "threads": torch.get_num_threads()}


def in_fresh_process(name: str, s: dict) -> dict:
    """Run stage ``name`` in a new (spawned) process, so that its peak memory is its own."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        return pool.submit(run_stage, name, s).result()


def settings(a: argparse.Namespace, out: str) -> dict:
    """The stages' settings from the parsed arguments."""
    return {"shape": a.shape, "vocab_size": a.vocab_size, "out": out,
            "source_tokens": a.source_tokens, "target_tokens": a.target_tokens,
            "batch_size": a.batch_size,
            "steps": a.steps, "beams": a.beams, "pair_tokens": a.pair_tokens,
            "device": a.device, "precision": a.precision, "threads": a.threads}


def main(argv: list[str] | None = None) -> dict:
    """Measure every stage; print one line per stage; write ``--json``; return the figures."""
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shape", default="large", choices=("tiny", "base", "large"),
                   help="model shape (default large)")
    p.add_argument("--vocab-size", type=int, default=50265,
                   help="vocabulary size (default 50265, BART's)")
    p.add_argument("--source-tokens", type=int, default=64,
                   help="document tokens (default 64)")
    p.add_argument("--target-tokens", type=int, default=16,
                   help="summary tokens (default 16)")
    p.add_argument("--batch-size", type=int, default=1, help="training examples per step")
    p.add_argument("--steps", type=int, default=2, help="timed training steps (after one more)")
    p.add_argument("--beams", type=int, default=4, help="QUALS beams, one per group")
    p.add_argument("--pair-tokens", type=int, default=20, help="longest QA pair generated")
    p.add_argument("--device", default="cpu", help="torch device (default cpu)")
    p.add_argument("--precision", default=None, help="32, bf16-mixed or 16-mixed (autocast)")
    p.add_argument("--stages", nargs="+", choices=STAGES, default=list(STAGES),
                   help="stages to measure (default: all)")
    p.add_argument("--models", help="build into this folder and keep it (default: a temporary "
                                    "one); without the build stage, read the models from it")
    add_output_options(p)
    a = p.parse_args(argv)
    apply_threads(a)
    with tempfile.TemporaryDirectory(prefix="full_size_") as scratch:
        s = settings(a, a.models or scratch)
        stages = {name: measure(name, s) for name in STAGES if name in a.stages}
    result = {"settings": {k: v for k, v in s.items() if k != "out"}, "stages": stages}
    write_figures(a, result)
    return result


def measure(name: str, s: dict) -> dict:
    """Stage ``name``'s figures (:func:`in_fresh_process`), printed on one line."""
    figures = in_fresh_process(name, s)
    print(name, " ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in figures.items()), flush=True)
    return figures


if __name__ == "__main__":
    main()
