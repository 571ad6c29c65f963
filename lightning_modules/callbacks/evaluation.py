"""The shared evaluation callback: generate summaries, score them, log and write them.

On validation (every ``every_n_epochs``) and test it generates a summary for each document of
the split, scores them with the configured scorers (any of ROUGE, FactCC, QAGS, QUALS) and with
the synthetic world's oracle (``oracle``, an ordinary scorer whose fact tables are the
split's rows). Under DDP each process does this for its shard only (``rows[rank::world_size]``;
a process left without a row scores a repeat of the first, which is dropped); a
:class:`~lightning_modules.metrics.torchmetrics_wrappers.ScorerMetric` per scorer syncs the
per-example columns, so every process gets the means of the whole split (the same floats as one
process scoring all of it), and the per-example records are gathered from every process
(``all_gather_object``) back into split order. Then it
- logs the means (already global: no further reduction) as ``val/<metric>`` /
  ``test/<metric>``, each scorer's seconds (on that process) as
  ``<stage>/seconds_<scorer>`` (shown in the progress bar) and its sentinel count as
  ``<stage>/<metric>_sentinel``;
- logs a table of examples to W&B when a W&B logger is attached;
- writes every example's scores to ``<run dir>/scores/<stage>[-epoch<N>].jsonl``, the file
  analysis/ reads for paired tests.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path

import pytorch_lightning as pl
import torch.distributed as dist
from pytorch_lightning.loggers import WandbLogger

from lightning_modules.jsonl import write_jsonl
from lightning_modules.metrics.base import scorer_models
from lightning_modules.metrics.torchmetrics_wrappers import ScorerMetric
from lightning_modules.metrics.registry import (CHECKPOINTS, build_scorer, metric_config,
                                                 require_checkpoints)


class SummaryEvaluation(pl.Callback):
    """Generate, score, log and write summaries on validation and test.

    Args:
        metrics: scorer names to run: ``rouge``, ``factcc`` (needs ``factcc``), ``qags`` (needs
            ``qg`` and ``qa``), ``quals`` (needs ``qagen``), ``oracle`` (needs rows with fact
            tables: the synthetic world's).
        every_n_epochs: run on validation every this many epochs (0: test only).
        max_examples: evaluate at most this many documents per split (None: all).
        table_rows: examples logged to the W&B table.
        qagen: QAGen checkpoint (``.ckpt``) for ``quals``.
        quals_config: QUALS settings: a mapping of ``QualsConfig`` fields (the pipeline passes
            its config's), a ``QualsConfig``, or a YAML file of the fields (``--config`` runs);
            default: the official settings.
        factcc: FactCC checkpoint (``.ckpt`` or HF folder) for ``factcc``.
        qg, qa: QG and QA checkpoints for ``qags``; qags_config: QAGS settings, as
            ``quals_config`` (``QagsConfig``).
        split: the split ``trainer.test`` evaluates (default ``test``; ``validation`` to choose
            settings without reading the test split); scores go to ``scores/<split>.jsonl``.
    """

    def __init__(self, metrics: tuple[str, ...] = ("rouge",), every_n_epochs: int = 1,
                 max_examples: int | None = None, table_rows: int = 20,
                 batch_size: int = 64, qagen: str | None = None,
                 quals_config: str | dict | None = None, factcc: str | None = None,
                 qg: str | None = None, qa: str | None = None,
                 qags_config: str | dict | None = None, split: str = "test"):
        super().__init__()
        unknown = set(metrics) - set(CHECKPOINTS)
        if unknown:
            raise ValueError(f"unknown metrics {sorted(unknown)}; available: {sorted(CHECKPOINTS)}")
        self.checkpoints = {"qagen": qagen, "factcc": factcc, "qg": qg, "qa": qa}
        self.settings = {"quals": quals_config, "qags": qags_config}
        for metric in metrics:
            require_checkpoints(metric, self.checkpoints)
        self.metrics, self.every_n_epochs = tuple(metrics), every_n_epochs
        self.max_examples, self.table_rows, self.batch_size = max_examples, table_rows, batch_size
        self.split = split  # the rows ``trainer.test`` evaluates: the test split, or another
        self._scorers = None
        self.means: dict[str, dict] = {}  # the last means of each stage, in float64

    def scorers(self) -> dict:
        """The scorers, built once and reused across epochs (never part of a checkpoint)."""
        if self._scorers is None:
            self._scorers = {name: build_scorer(name, self.checkpoints,
                                                settings_config(name, self.settings.get(name)))
                             for name in self.metrics}
        return self._scorers

    def evaluate(self, module, rows: list[dict], rank: int | None = None,
                 world_size: int | None = None) -> tuple[dict[str, float], list[dict]]:
        """Return (metric means, per-example records) for all of ``rows`` (at most
        ``max_examples``), this process (``rank`` of ``world_size``; default: its place in the
        process group, or 0 of 1) scoring its shard; the means are synced and the records
        gathered across processes, in ``rows``' order."""
        rows = rows[: self.max_examples] if self.max_examples else rows
        if rank is None or world_size is None:
            rank, world_size = process_place()
        positions = shard(len(rows), rank, world_size)
        mine = [rows[max(p, 0)] for p in positions]
        documents = [r["document"] for r in mine]
        references = [r["summary"] for r in mine]
        summaries = module.summarize(documents, batch_size=self.batch_size)
        records = [{"id": r["id"], "document": r["document"], "reference": ref, "summary": s}
                   for r, ref, s in zip(mine, references, summaries)]
        means = {}
        for scorer in self.scorers().values():
            if hasattr(scorer, "bind"):  # a scorer that reads the rows' annotations (the oracle)
                scorer.bind(rows)
            means.update(self._score(scorer, module.device, (documents, summaries, references),
                                     records, positions))
        return means, gather_records(records, positions)

    @staticmethod
    def _score(scorer, device, texts, records, positions) -> dict[str, float]:
        """Run one scorer on this process's ``texts`` (documents, summaries, references); add
        its columns to ``records``; return its synced means and sentinels, and its seconds."""
        for model in scorer_models(scorer):
            model.to(device)
        start = time.perf_counter()
        result = scorer.score(*texts)
        seconds = time.perf_counter() - start
        metric = ScorerMetric(scorer).to(device)
        metric.update(result, positions)
        for name, values in result.scores.items():
            for record, value in zip(records, values):
                record[name] = value
        for record, explanation in zip(records, result.explanations):
            if scorer.name in EXPLAINERS:
                record.update(EXPLAINERS[scorer.name](explanation))
        return {**metric.compute(), f"seconds_{scorer.name}": seconds}

    def _run(self, trainer, module, stage: str, rows: list[dict]) -> None:
        means, records = self.evaluate(module, rows, trainer.global_rank, trainer.world_size)
        self.means[stage] = means  # Python floats (the logged values become float32)
        module.log_dict({f"{stage}/{k}": float(v) for k, v in means.items()
                         if not k.startswith("seconds_") and v is not None},
                        sync_dist=False, batch_size=len(records))
        module.log_dict({f"{stage}/{k}": float(v) for k, v in means.items()
                         if k.startswith("seconds_")},
                        sync_dist=False, batch_size=len(records), prog_bar=True)
        suffix = f"-epoch{trainer.current_epoch}" if stage == "val" else ""
        if trainer.is_global_zero:
            write_jsonl(Path(trainer.default_root_dir) / "scores" / f"{stage}{suffix}.jsonl",
                        records)
            self._log_table(trainer, stage, records)

    def _log_table(self, trainer, stage, records) -> None:
        for logger in trainer.loggers:
            if isinstance(logger, WandbLogger) and records:
                columns = list(records[0])
                data = [[_cell(r.get(c)) for c in columns] for r in records[: self.table_rows]]
                logger.log_table(f"{stage}/examples", columns=columns, data=data)

    def on_validation_epoch_end(self, trainer, module):
        if trainer.sanity_checking or not self.every_n_epochs:
            return
        if (trainer.current_epoch + 1) % self.every_n_epochs == 0:
            self._run(trainer, module, "val", trainer.datamodule.splits["validation"])

    def on_test_epoch_end(self, trainer, module):
        self._run(trainer, module, self.split, trainer.datamodule.splits[self.split])


def process_place() -> tuple[int, int]:
    """(rank, world size) of this process in the default process group; (0, 1) without one."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def shard(n: int, rank: int, world_size: int) -> list[int]:
    """The places in a split of ``n`` rows that process ``rank`` of ``world_size`` evaluates:
    every ``world_size``-th from ``rank``; ``[-1]`` (padding: a repeat of the first row, whose
    scores are dropped) when that leaves none, so every process has columns to sync."""
    return list(range(rank, n, world_size)) or ([-1] if n else [])


def gather_records(records: list[dict], positions: list[int]) -> list[dict]:
    """Every process's ``records`` (at ``positions`` in the split) in split order, padding
    dropped: gathered with ``all_gather_object`` under a process group, else these."""
    pairs = list(zip(positions, records))
    world_size = process_place()[1]
    if world_size > 1:
        parts = [None] * world_size
        dist.all_gather_object(parts, pairs)
        pairs = [pair for part in parts for pair in part]
    return [record for place, record in sorted(pairs, key=lambda pair: pair[0]) if place >= 0]


def _cell(value):
    """A W&B table cell: nested values (the QA pairs) as JSON text."""
    return json.dumps(value) if isinstance(value, (list, dict)) else value


def settings_config(metric: str, settings):
    """The settings dataclass of ``metric`` from ``settings``: ``None`` (the defaults), a mapping
    of its fields, the dataclass itself, or the path of a YAML file of the fields."""
    if isinstance(settings, (str, Path)):
        import yaml

        settings = yaml.safe_load(Path(settings).read_text()) or {}
    if settings is None or isinstance(settings, Mapping):
        return metric_config(metric, dict(settings or {}))
    return settings


EXPLAINERS = {
    "quals": lambda e: {"quals_pairs": [
        {k: p[k] for k in ("question", "answer", "ll_document", "ll_summary", "tokens",
                           "logprobs_document", "logprobs_summary")} for p in e["pairs"]]},
    "qags": lambda e: {"qags_questions": e["questions"]},
    "factcc": lambda e: {"factcc_sentences": e["sentences"]},
    "oracle": dict,
}
