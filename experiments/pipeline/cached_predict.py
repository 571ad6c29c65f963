"""Lightning predict loop with a content-hash cache: the machinery of every resumable stage
that runs a model over many examples (scoring, candidate generation).

Each example carries a ``key`` (a content hash of its inputs and the settings). A prediction
writer appends each finished batch to this rank's cache shard (``CACHE``, ``CACHE.rank<N>``),
flushed and fsynced; a re-run skips every key already cached, and a line cut short by a kill
is ignored. Runs on any Lightning accelerator, devices and nodes (DDP).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytorch_lightning as pl
from pytorch_lightning.callbacks import BasePredictionWriter
from torch.utils.data import DataLoader

from lightning_modules.jsonl import dumps


def shard(path: Path, rank: int) -> Path:
    """The cache file a process of ``rank`` appends to (rank 0: ``path`` itself)."""
    return path if rank == 0 else path.with_name(f"{path.name}.rank{rank}")


def load_cache(path: Path) -> dict[str, dict]:
    """Read finished results from every rank's shard; a line cut short by a kill is ignored."""
    cache = {}
    for part in [path, *sorted(path.parent.glob(path.name + ".rank*"))]:
        if not part.exists():
            continue
        for line in part.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
                cache[entry["key"]] = entry
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
    return cache


def _last_byte(path: Path) -> bytes:
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1)


def append_cache(path: Path, entries: list[dict]) -> None:
    """Append finished results as strict JSON lines (:func:`~lightning_modules.jsonl.dumps`)
    and force them to disk."""
    with open(path, "a", encoding="utf-8") as f:
        if f.tell() and _last_byte(path) != b"\n":
            f.write("\n")  # a previous kill left a partial line: start a fresh one
        for entry in entries:
            f.write(dumps(entry) + "\n")  # strict: a NaN score is cached as null
        f.flush()
        os.fsync(f.fileno())



class CacheWriter(BasePredictionWriter):
    """Appends each finished batch to this rank's cache shard."""

    def __init__(self, cache_path: Path):
        super().__init__(write_interval="batch")
        self.cache_path = cache_path

    def write_on_batch_end(self, trainer, pl_module, prediction, batch_indices, batch,
                           batch_idx, dataloader_idx=0):
        append_cache(shard(self.cache_path, trainer.global_rank), prediction)




def run_cached(module: pl.LightningModule, todo: list[dict], cache_path: Path, chunk: int = 16,
               devices="auto", num_nodes: int = 1, progress: bool = True) -> bool:
    """Run ``module.predict_step`` over ``todo`` in chunks, appending results to the cache.

    ``predict_step`` returns one cache entry (a dict with ``key``) per example. Returns True on
    the process that should go on to read the cache (rank 0), after every rank has finished.
    """
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    trainer = pl.Trainer(accelerator="auto", devices=devices, num_nodes=num_nodes, logger=False,
                         enable_checkpointing=False, enable_model_summary=False,
                         callbacks=[CacheWriter(cache_path)], enable_progress_bar=progress)
    trainer.predict(module, return_predictions=False,
                    dataloaders=DataLoader(todo, batch_size=chunk, collate_fn=list))
    trainer.strategy.barrier()  # every rank's shard is complete before rank 0 reads them
    return trainer.is_global_zero
