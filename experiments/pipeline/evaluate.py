"""Test-set evaluation of a trained summarizer with every metric (the shared callback), and the
metric-validity stage; both write per-example files that analysis/ reads."""

from __future__ import annotations

import os
from pathlib import Path


def evaluation_callback(s: dict, oracle: bool = True):
    """The shared callback configured with every metric of the pipeline (and the synthetic
    world's ``oracle`` when the data has fact tables)."""
    from lightning_modules.callbacks.evaluation import SummaryEvaluation

    metrics = ("rouge", "factcc", "qags", "quals") + (("oracle",) if oracle else ())
    return SummaryEvaluation(
        metrics=metrics, every_n_epochs=0,
        max_examples=s["examples"], qagen=s["qagen"], factcc=s["factcc"], qg=s["qg"], qa=s["qa"],
        quals_config=s["quals"], qags_config=s["qags"], split=s.get("split", "test"))


def evaluate_stage(s: dict) -> dict:
    """Test one summarizer checkpoint on the test split (or the split ``s["split"]`` names, such
    as ``validation`` for choosing settings); per-example scores go to
    ``<run_dir>/scores/<split>.jsonl``."""
    import pytorch_lightning as pl

    from experiments.lightning_cli import make_logger
    from lightning_modules.data.datamodule import SummarizationDataModule
    from lightning_modules.models.conseq import ConSeqModule  # noqa: F401  (checkpoint classes)
    from lightning_modules.models.loading import load_with_tokenizer
    from lightning_modules.models.mle import MLEModule

    module = load_with_tokenizer(MLEModule, s["checkpoint"], s["tokenizer"])
    # documents are cut where the summarizer was trained to cut them
    data = SummarizationDataModule(data_dir=s["corpus"], tokenizer=s["tokenizer"], eval_batch_size=64,
                                   max_source_length=module.hparams.get("max_source_length", 256))
    run = {"wandb": s["wandb"], "project": "quals-bench", "name": f"{s['name']}-test",
           "group": s.get("group") or "reproduce"}
    split = s.get("split", "test")
    data.setup("test")
    if split not in data.splits:
        data.splits[split] = data.read_split(split)
    callback = evaluation_callback(s, oracle=all("facts" in r for r in data.splits[split]))
    trainer = pl.Trainer(accelerator="auto", devices=1, logger=make_logger(run, Path(s["run_dir"]), None),
                         callbacks=[callback], default_root_dir=s["run_dir"],
                         enable_model_summary=False, enable_progress_bar=False)
    from experiments.memory import stage_autocast
    from lightning_modules.oom import explain_oom

    with stage_autocast(s), explain_oom("quals.batch_size", s["quals"].get("batch_size"),
                                        f"the test evaluation of {s['name']}",
                                        hint="lower qags.batch_size"):
        trainer.test(module, datamodule=data, verbose=False)
    import wandb

    wandb.finish()
    return callback.means[split]  # float64 means (the logged ones are float32); None = none


def validity_stage(s: dict) -> dict:
    """AUROC of each metric on faithful vs corrupted test summaries (``metric_validity``);
    the per-summary scores go to ``<out>/scores.jsonl``. With ``wrong_documents``, each
    metric's table also holds, under that key, its AUROCs with every summary scored against
    the next document: the control a metric that reads falls to chance on."""
    from experiments.studies.metric_validity import items, load_scorers, metric_validity
    from lightning_modules.jsonl import write_jsonl

    scorers = load_scorers(s["qagen"], s["factcc"], s["qg"], s["qa"], s["quals"], s["qags"])
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    rows = items(Path(s["corpus"]), s["docs"])
    from experiments.memory import stage_autocast

    with stage_autocast(s):
        tables = metric_validity(scorers, rows)
    write_jsonl(Path(s["out"]) / "scores.jsonl",
                ({k: r[k] for k in ("summary", "type", "label", *scorers)} for r in rows))
    if s.get("wrong_documents"):
        control = metric_validity(scorers, items(Path(s["corpus"]), s["docs"],
                                                 wrong_documents=True))
        for name, table in control.items():
            tables[name]["wrong_documents"] = table["auroc"]
    return tables
