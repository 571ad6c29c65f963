"""QUALS's two passes at a named model shape, on any device: summaries/s, TFLOP/s, peak memory.

    python -m experiments.benchmarks.quals_scale --shape large --device cuda \\
        --precision bf16 fp32 --batch-sizes 8 32 64 128 [--beams 60] [--json OUT]

Random weights of a BART shape (``models.config.PRESETS``: ``tiny``, ``base``, ``large``; the
vocabulary ``--vocab`` tokens, 50,265 as BART's), random source ids, nothing downloaded. For
each precision and batch size it times:

- **search**: QUALS's diverse beam search (``--beams`` beams in as many groups, diversity 0.5)
  over ``--summary-tokens``-token summaries, decoding exactly ``--decode-tokens`` tokens
  (``min_length`` holds the end token back, so random weights decode as long as a trained
  QAGen's pairs are);
- **teacher-forced**: the likelihood pass of ``--pairs`` question-answer pairs per summary, given
  a ``--document-tokens``-token document and given the summary.

It prints and writes (``--json``) summaries/s, the model's useful TFLOP/s (the arithmetic of the
pass counted once per source and once per beam row, :func:`search_flops`), the share of
``--peak-tflops`` (the device's dense peak at that precision; H200: 989 bf16, 67 fp32), and
peak memory (CUDA: ``max_memory_allocated``; CPU: the process's peak resident set, which only
grows). A batch that runs out of memory is recorded as ``"oom"``. ``--select-rounds 0 16``
compares the search's group-by-group selection with its fixed-point form in one run.
"""

from __future__ import annotations

import argparse
import resource
import time

import torch

from experiments.benchmarks.common import add_output_options, apply_threads, write_figures
from lightning_modules.decoding import diverse_beam
from lightning_modules.decoding.diverse_beam import (ACCELERATOR_ROUNDS, DiverseBeamConfig,
                                                     diverse_beam_search, fixed_point_rounds)

PEAK_TFLOPS = {("cuda", "bf16"): 989.0, ("cuda", "fp32"): 67.0}
"""Dense peak TFLOP/s of an H200 by precision (NVIDIA's figures), the default ``--peak-tflops``."""
DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


def random_bart(shape: str, vocab: int, device: str, dtype: torch.dtype):
    """A BART of the ``shape`` preset with random weights, in eval mode on ``device``."""
    from transformers import BartConfig, BartForConditionalGeneration

    from lightning_modules.models.config import PRESETS

    torch.manual_seed(0)
    config = BartConfig(vocab_size=vocab, max_position_embeddings=1024, dropout=0.0,
                        pad_token_id=1, bos_token_id=0, eos_token_id=2,
                        decoder_start_token_id=2, forced_eos_token_id=None, **PRESETS[shape])
    return BartForConditionalGeneration(config).to(device=device, dtype=dtype).eval()


def layer_flops(d: int, ffn: int) -> tuple[int, int]:
    """Multiply-adds x 2 of one encoder layer and one decoder layer per token, projections and
    feed-forward only (the decoder's cross-attention keys and values are per source)."""
    encoder = 2 * (4 * d * d + 2 * d * ffn)
    return encoder, encoder + 2 * 2 * d * d


def search_flops(cfg, source: int, steps: int, beams: int) -> float:
    """Useful FLOPs of one summary's search: the encoder and the cross-attention keys and values
    once per source, then per beam row and step the decoder layers, attention over the source
    and the prefix, and the output projection."""
    d, layers, vocab = cfg.d_model, cfg.decoder_layers, cfg.vocab_size
    enc_layer, dec_layer = layer_flops(d, cfg.encoder_ffn_dim)
    once = source * (cfg.encoder_layers * (enc_layer + 4 * source * d) + layers * 4 * d * d)
    per_step = layers * (dec_layer + 4 * d * (source + steps / 2)) + 2 * d * vocab
    return once + beams * steps * per_step


def forced_flops(cfg, source: int, target: int, rows: int) -> float:
    """FLOPs of a teacher-forced pass: one encoding of the source, ``rows`` targets."""
    d, vocab = cfg.d_model, cfg.vocab_size
    enc_layer, dec_layer = layer_flops(d, cfg.encoder_ffn_dim)
    encoder = source * cfg.encoder_layers * (enc_layer + 4 * source * d)
    decoder = rows * target * (cfg.decoder_layers * (dec_layer + 4 * d * (source + target))
                               + 2 * d * vocab)
    return encoder + decoder + source * cfg.decoder_layers * 4 * d * d


def peak_memory_gb(device: str) -> float:
    """Peak memory since the last reset: CUDA allocations, or the process's resident peak."""
    if device.startswith("cuda"):
        return torch.cuda.max_memory_allocated() / 2**30
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def timed(device: str, fn) -> float:
    """Wall seconds of ``fn()``, the device synchronised before and after."""
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    sync()
    start = time.perf_counter()
    fn()
    sync()
    return time.perf_counter() - start


def measure_search(model, a, batch: int) -> dict:
    """Summaries/s, TFLOP/s and peak memory of the search over ``batch`` random summaries."""
    cfg = DiverseBeamConfig(num_beams=a.beams, num_beam_groups=a.beams,
                            max_length=a.decode_tokens + 1, min_length=a.decode_tokens)
    ids = torch.randint(3, model.config.vocab_size, (batch, a.summary_tokens), device=a.device)
    mask = torch.ones_like(ids)
    run = lambda: diverse_beam_search(model, ids, mask, cfg)  # noqa: E731
    run()  # warm-up: kernels chosen, allocator settled
    seconds = timed(a.device, run)
    flops = batch * search_flops(model.config, a.summary_tokens, a.decode_tokens, a.beams)
    return {"summaries_per_s": batch / seconds, "tflops": flops / seconds / 1e12}


@torch.inference_mode()
def measure_forced(model, a, batch: int) -> dict:
    """Summaries/s and TFLOP/s of the teacher-forced pass: ``--pairs`` targets per summary given
    its document and given the summary itself."""
    vocab, rows = model.config.vocab_size, batch * a.pairs

    def one(source: int):
        ids = torch.randint(3, vocab, (batch, source), device=a.device)
        encoded = model.get_encoder()(input_ids=ids, attention_mask=torch.ones_like(ids))
        index = torch.arange(batch, device=a.device).repeat_interleave(a.pairs)
        states = encoded.last_hidden_state.index_select(0, index)
        target = torch.randint(3, vocab, (rows, a.decode_tokens), device=a.device)
        model(encoder_outputs=(states,), attention_mask=torch.ones(rows, source, device=a.device,
              dtype=torch.long), decoder_input_ids=target).logits.float().log_softmax(-1)

    run = lambda: (one(a.document_tokens), one(a.summary_tokens))  # noqa: E731
    run()
    seconds = timed(a.device, run)
    flops = sum(batch * forced_flops(model.config, s, a.decode_tokens, a.pairs)
                for s in (a.document_tokens, a.summary_tokens))
    return {"summaries_per_s": batch / seconds, "tflops": flops / seconds / 1e12}


def measure(model, a, precision: str, batch: int) -> dict:
    """Both passes at one batch size; ``"oom"`` where memory runs out."""
    out = {}
    for name, fn in (("search", measure_search), ("teacher_forced", measure_forced)):
        if a.device.startswith("cuda"):
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
        try:
            result = fn(model, a, batch)
        except torch.OutOfMemoryError:
            out[name] = "oom"
            continue
        peak = a.peak_tflops or PEAK_TFLOPS.get((a.device.split(":")[0], precision))
        result["share_of_peak"] = result["tflops"] / peak if peak else None
        result["peak_memory_gb"] = peak_memory_gb(a.device)
        out[name] = result
    return out


def report(precision: str, batch: int, row: dict) -> str:
    """One printed line of a measurement."""
    cells = []
    for name, r in row.items():
        cells.append(f"{name} oom" if r == "oom" else
                     f"{name} {r['summaries_per_s']:8.2f}/s {r['tflops']:7.3f} TFLOP/s "
                     f"{r['peak_memory_gb']:6.2f} GB")
    return f"{precision:5} batch {batch:4d}  " + "  ".join(cells)


def parse(argv=None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--shape", default="tiny", help="BART shape: tiny, base or large (default tiny)")
    p.add_argument("--vocab", type=int, default=50265, help="vocabulary size (default 50265)")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu",
                   help="torch device (default: cuda when available, else cpu)")
    p.add_argument("--precision", nargs="+", default=["fp32"], choices=sorted(DTYPES),
                   help="weights' precision(s) (default fp32)")
    p.add_argument("--batch-sizes", nargs="+", type=int, default=[8],
                   help="summaries per batch (default 8)")
    p.add_argument("--beams", type=int, default=60, help="beams, one per group (default 60)")
    p.add_argument("--summary-tokens", type=int, default=48, help="summary length (default 48)")
    p.add_argument("--decode-tokens", type=int, default=24,
                   help="tokens decoded per question-answer pair (default 24)")
    p.add_argument("--document-tokens", type=int, default=512,
                   help="document length of the teacher-forced pass (default 512)")
    p.add_argument("--pairs", type=int, default=10, help="pairs per summary (default 10)")
    p.add_argument("--select-rounds", nargs="+", type=int, default=None,
                   help="fixed-point rounds of the search's group selection to compare (0: the "
                   f"group-by-group loop; default: the device's, {ACCELERATOR_ROUNDS} on an "
                   "accelerator, 0 on a CPU)")
    p.add_argument("--peak-tflops", type=float, default=None,
                   help="the device's dense peak TFLOP/s (default: H200's for cuda, none for cpu)")
    add_output_options(p)
    return p.parse_args(argv)


def main(argv=None) -> None:
    """Measure every precision and batch size; print and write the figures."""
    a = parse(argv)
    apply_threads(a)
    result = {"shape": a.shape, "device": a.device, "beams": a.beams, "vocab": a.vocab,
              "summary_tokens": a.summary_tokens, "decode_tokens": a.decode_tokens,
              "document_tokens": a.document_tokens, "pairs": a.pairs,
              "threads": torch.get_num_threads(), "runs": []}
    if a.device.startswith("cuda"):
        result["gpu"] = torch.cuda.get_device_name()
    for precision in a.precision:
        model = random_bart(a.shape, a.vocab, a.device, DTYPES[precision])
        result["parameters"] = sum(p.numel() for p in model.parameters())
        for batch in a.batch_sizes:
            for rounds in a.select_rounds or [fixed_point_rounds(torch.device(a.device))]:
                diverse_beam.FIXED_POINT_ROUNDS = rounds
                row = measure(model, a, precision, batch)
                print(f"rounds {rounds:2d} " + report(precision, batch, row), flush=True)
                result["runs"].append({"precision": precision, "batch": batch,
                                       "select_rounds": rounds, **row})
        del model
    write_figures(a, result)


if __name__ == "__main__":
    main()
