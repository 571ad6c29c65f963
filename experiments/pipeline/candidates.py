"""ConSeq's candidate summaries: top-k sampling from the trained summarizer, as a resumable
Lightning predict stage (content-hash cache, DDP; see ``cached_predict``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import pytorch_lightning as pl
import torch

from experiments.pipeline.cached_predict import load_cache, run_cached
from experiments.config_tree import at_least, require
from lightning_modules.jsonl import write_jsonl


@dataclass(frozen=True)
class CandidateConfig:
    """Sampling settings (paper: 6 candidates, top-k 50, length 10-60)."""

    num_candidates: int = 6
    top_k: int = 50
    max_length: int = 60
    min_length: int = 10
    seed: int = 0
    batch_size: int = 16

    def __post_init__(self):
        at_least(self, 1, "num_candidates", "top_k", "max_length", "batch_size")
        at_least(self, 0, "min_length")
        require(self.min_length <= self.max_length, "min_length must be <= max_length")


class CandidateModule(pl.LightningModule):
    """Samples ``num_candidates`` summaries per document. The seed of each chunk comes from its
    content and the sampling settings (``seed_key``), never from the model's path or time, so
    two runs of the same model in different folders, and a resumed run, whose chunks line up
    with the uninterrupted run's (the cache holds whole chunks), draw the same candidates."""

    def __init__(self, summarizer, cfg: CandidateConfig):
        super().__init__()
        self.summarizer, self.cfg = summarizer, cfg

    def predict_step(self, batch: list[dict], batch_idx: int) -> list[dict]:
        """Return one cache entry ``{key, candidates}`` per document of the chunk."""
        cfg = self.cfg
        torch.manual_seed(int(batch[0]["seed_key"][:8], 16) + cfg.seed)
        texts = self.summarizer.summarize(
            [x["document"] for x in batch], batch_size=len(batch), do_sample=True,
            top_k=cfg.top_k, num_beams=1, num_return_sequences=cfg.num_candidates,
            max_length=cfg.max_length, min_length=cfg.min_length, early_stopping=False)
        k = cfg.num_candidates
        return [{"key": x["key"], "candidates": texts[i * k:(i + 1) * k]}
                for i, x in enumerate(batch)]


def candidate_key(settings: dict, document: str) -> str:
    """Content hash of (settings, document)."""
    return hashlib.sha256(json.dumps([settings, document], sort_keys=True).encode()).hexdigest()


def generate_candidates(summarizer, rows: list[dict], cfg: CandidateConfig, out: Path,
                        model_id: str, devices="auto", progress: bool = True) -> dict:
    """Write ``out`` (JSONL ``{id, document, reference, candidates}``, input order); return counts.

    ``model_id`` identifies the summarizer in the cache key (for example its checkpoint path and
    modification time), so a retrained model never reuses stale candidates.
    """
    settings = {**asdict(cfg), "model": model_id}
    cache_path = out.with_name(out.name + ".cache")
    keys = [candidate_key(settings, r["document"]) for r in rows]
    cache = load_cache(cache_path)
    todo = list({k: {"key": k, "document": r["document"],
                     "seed_key": candidate_key(asdict(cfg), r["document"])}
                 for k, r in zip(keys, rows) if k not in cache}.values())
    if todo and not run_cached(CandidateModule(summarizer, cfg), todo, cache_path,
                               cfg.batch_size, devices, progress=progress):
        return {}
    cache = load_cache(cache_path)
    write_jsonl(out, ({"id": r["id"], "document": r["document"], "reference": r["summary"],
                       "candidates": cache[k]["candidates"]} for r, k in zip(rows, keys)))
    return {"documents": len(rows), "computed": len(todo), "from_cache": len(rows) - len(todo)}
