"""Training throughput of the tiny and small configurations, in examples per second.

    python -m experiments.benchmarks.train_throughput --corpus runs/default/corpus \
        --tokenizer runs/default/tokenizer [--steps 30] [--batch-size 32]

Each configuration runs ``--steps`` optimizer steps (after 3 warm-up steps) of MLE training on
real corpus batches, forward + backward + AdamW, on this machine's CPU threads (or the GPU
if one is present), and prints examples/s and tokens/s. Both run in one process, so their
ratio is measured under the same conditions.
"""

from __future__ import annotations

import argparse
import time

import torch

from lightning_modules.data.datamodule import SummarizationDataModule
from lightning_modules.models.mle import MLEModule


def measure(preset: str, dm: SummarizationDataModule, steps: int, device: str) -> dict:
    """Return examples/s and source tokens/s of ``steps`` training steps of ``preset``."""
    module = MLEModule(model=preset, tokenizer=dm.hparams.tokenizer).to(device)
    module.train()
    optimizer = torch.optim.AdamW(module.parameters(), lr=1e-4)
    batches = iter(dm.train_dataloader())
    examples = tokens = 0
    start = None
    for step in range(steps + 3):
        if step == 3:
            start, examples, tokens = time.perf_counter(), 0, 0
        batch = dm.transfer_batch_to_device(next(batches), device, 0)
        out = module(batch["input_ids"], batch["attention_mask"], batch["labels"])
        loss, _ = module.compute_loss(batch, out)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        examples += batch["input_ids"].size(0)
        tokens += int(batch["attention_mask"].sum())
    seconds = time.perf_counter() - start
    params = sum(p.numel() for p in module.parameters())
    return {"preset": preset, "params_M": params / 1e6, "examples_per_s": examples / seconds,
            "tokens_per_s": tokens / seconds}


def main() -> None:
    """Parse arguments, measure each preset, print a table."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--corpus", default="runs/default/corpus",
                   help="corpus folder (default runs/default/corpus)")
    p.add_argument("--tokenizer", default="runs/default/tokenizer",
                   help="tokenizer folder (default runs/default/tokenizer)")
    p.add_argument("--steps", type=int, default=30, help="timed steps (default 30)")
    p.add_argument("--batch-size", type=int, default=32, help="batch size (default 32)")
    p.add_argument("--presets", nargs="+", default=["tiny", "small"],
                   help="model sizes (default: tiny small)")
    a = p.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dm = SummarizationDataModule(data_dir=a.corpus, tokenizer=a.tokenizer, batch_size=a.batch_size)
    dm.setup("fit")
    print(f"device={device} threads={torch.get_num_threads()} batch={a.batch_size} steps={a.steps}")
    rows = [measure(preset, dm, a.steps, device) for preset in a.presets]
    print(f"{'preset':8} {'params(M)':>10} {'examples/s':>11} {'tokens/s':>10}")
    for r in rows:
        print(f"{r['preset']:8} {r['params_M']:10.2f} {r['examples_per_s']:11.1f} "
              f"{r['tokens_per_s']:10.0f}")
    if len(rows) > 1:
        print(f"ratio {rows[0]['preset']}/{rows[-1]['preset']}: "
              f"{rows[0]['examples_per_s'] / rows[-1]['examples_per_s']:.2f}x")


if __name__ == "__main__":
    main()
