"""The shared evaluation callback: generate summaries, score them, log and write them.

On validation (every ``every_n_epochs``) and test it generates a summary for each document of
the split, scores them with the configured scorers (ROUGE now; more metrics plug in through the
scorer interface) and with the synthetic corpus's oracle where rows carry fact tables, then
- logs the means as ``val/<metric>`` / ``test/<metric>``;
- logs a table of examples to W&B when a W&B logger is attached;
- writes every example's scores to ``<run dir>/scores/<stage>[-epoch<N>].jsonl``, the file
  analysis/ reads for paired tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytorch_lightning as pl
from pytorch_lightning.loggers import WandbLogger

from lightning_modules.data.jsonl import write_jsonl
from lightning_modules.data.oracle import hallucination_rate, judge
from lightning_modules.metrics.rouge import RougeScorer


class SummaryEvaluation(pl.Callback):
    """Generate, score, log and write summaries on validation and test.

    Args:
        metrics: scorer names to run: ``rouge``, ``quals`` (needs ``qagen``); the oracle runs
            wherever rows carry fact tables.
        every_n_epochs: run on validation every this many epochs (0: test only).
        max_examples: evaluate at most this many documents per split (None: all).
        table_rows: examples logged to the W&B table.
        qagen: QAGen checkpoint (``.ckpt``) for ``quals``.
        quals_config: QUALS settings YAML (default: the official settings).
    """

    def __init__(self, metrics: tuple[str, ...] = ("rouge",), every_n_epochs: int = 1,
                 max_examples: int | None = None, table_rows: int = 20,
                 batch_size: int = 64, qagen: str | None = None,
                 quals_config: str | None = None):
        super().__init__()
        unknown = set(metrics) - set(SCORERS)
        if unknown:
            raise ValueError(f"unknown metrics {sorted(unknown)}; available: {sorted(SCORERS)}")
        if "quals" in metrics and not qagen:
            raise ValueError("metric 'quals' needs a QAGen checkpoint: set qagen")
        self.metrics, self.every_n_epochs = tuple(metrics), every_n_epochs
        self.max_examples, self.table_rows, self.batch_size = max_examples, table_rows, batch_size
        self.options = {"qagen": qagen, "quals_config": quals_config}
        self._scorers = None

    def scorers(self) -> dict:
        """The scorers, built once and reused across epochs (never part of a checkpoint)."""
        if self._scorers is None:
            self._scorers = {name: SCORERS[name](**self.options) for name in self.metrics}
        return self._scorers

    def evaluate(self, module, rows: list[dict]) -> tuple[dict[str, float], list[dict]]:
        """Return (metric means, per-example records) for ``rows``."""
        rows = rows[: self.max_examples] if self.max_examples else rows
        documents = [r["document"] for r in rows]
        references = [r["summary"] for r in rows]
        summaries = module.summarize(documents, batch_size=self.batch_size)
        records = [{"id": r["id"], "document": r["document"], "reference": ref, "summary": s}
                   for r, ref, s in zip(rows, references, summaries)]
        means = {}
        for scorer in self.scorers().values():
            if getattr(scorer, "model", None) is not None:
                scorer.model.to(module.device)
            result = scorer.score(documents, summaries, references)
            means.update(result.mean())
            for name, values in result.scores.items():
                for record, value in zip(records, values):
                    record[name] = value
            if scorer.name == "quals":
                means["quals_no_pair"] = sum(v is None for v in result.scores["quals"])
                for record, explanation in zip(records, result.explanations):
                    record["quals_pairs"] = [
                        {k: p[k] for k in ("question", "answer", "ll_document", "ll_summary")}
                        for p in explanation["pairs"]]
        if rows and all("facts" in r for r in rows):
            judgements = [judge(r["facts"], s) for r, s in zip(rows, summaries)]
            means.update(hallucination_rate(judgements))
            for record, j in zip(records, judgements):
                record["oracle_verdict"] = j.verdict
                record["hallucinated"] = float(j.verdict in ("intrinsic", "extrinsic"))
        return means, records

    def _run(self, trainer, module, stage: str, rows: list[dict]) -> None:
        means, records = self.evaluate(module, rows)
        module.log_dict({f"{stage}/{k}": float(v) for k, v in means.items()},
                        sync_dist=False, batch_size=len(records))
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
        self._run(trainer, module, "test", trainer.datamodule.splits["test"])


def _cell(value):
    """A W&B table cell: nested values (the QA pairs) as JSON text."""
    return json.dumps(value) if isinstance(value, (list, dict)) else value


def _rouge(**options):
    return RougeScorer()


def _quals(qagen: str, quals_config: str | None = None, **options):
    import yaml

    from lightning_modules.metrics.quals import QualsConfig, QualsScorer

    fields = yaml.safe_load(Path(quals_config).read_text()) if quals_config else {}
    return QualsScorer.from_checkpoint(qagen, QualsConfig(**fields))


SCORERS = {"rouge": _rouge, "quals": _quals}
