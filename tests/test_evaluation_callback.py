"""The shared evaluation callback with every metric in a one-batch run: the offline W&B run's
logged keys read back, and the per-example file.

Lightning's ``fast_dev_run`` flag swaps every logger for a dummy one, so this test runs the
same one-batch fit and test with ``limit_*_batches=1`` and a real offline W&B logger.
"""

import json

import pytorch_lightning as pl
import torch

from tests.test_mle import build_cli, cli_args


def save_untrained(module, path):
    trainer = pl.Trainer(max_steps=0, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False)
    trainer.strategy.connect(module)
    trainer.save_checkpoint(path)
    return str(path)


def test_fast_dev_run_logs_every_metric_to_offline_wandb(tmp_path, corpus_dir, tokenizer_dir):
    from lightning_modules.models.factcc import FactCCModule
    from lightning_modules.models.qagen import QAGenModule

    tok = str(tokenizer_dir)
    qagen = save_untrained(QAGenModule(tokenizer=tok), tmp_path / "qagen.ckpt")
    factcc = save_untrained(FactCCModule(tokenizer=tok), tmp_path / "factcc.ckpt")
    (tmp_path / "quals.yaml").write_text("num_beams: 2\nnum_beam_groups: 2\nmax_length: 8\n"
                                         "min_length: 2\n")
    (tmp_path / "qags.yaml").write_text("qg_beams: 2\nquestions_per_answer: 1\nmax_answers: 2\n"
                                        "min_question_tokens: 1\nqg_max_length: 8\n"
                                        "qa_max_length: 6\nextractor: rules\n")
    cb = "--trainer.callbacks.init_args."
    run = tmp_path / "run"
    cli = build_cli(cli_args(run, corpus_dir, tokenizer_dir, "--trainer.max_epochs", "1",
                             "--trainer.limit_train_batches", "1",
                             "--trainer.limit_val_batches", "1",
                             cb + "max_examples", "3", cb + "every_n_epochs", "1",
                             cb + "metrics", "[rouge, factcc, qags, quals, oracle]",
                             cb + "qagen", qagen, cb + "quals_config", str(tmp_path / "quals.yaml"),
                             cb + "factcc", factcc, cb + "qg", qagen, cb + "qa", qagen,
                             cb + "qags_config", str(tmp_path / "qags.yaml")), run=False)
    cli.trainer.fit(cli.model, datamodule=cli.datamodule)
    cli.trainer.test(cli.model, datamodule=cli.datamodule)
    import wandb

    from analysis.wandb_offline import logged_keys

    wandb.finish()
    logged = logged_keys(run)
    for stage in ("val", "test"):
        for key in ("rouge1", "rouge2", "rougeL", "factcc", "hallucination_rate",
                    "seconds_qags", "seconds_quals", "quals_sentinel", "qags_sentinel"):
            assert f"{stage}/{key}" in logged, f"{stage}/{key}"
    assert logged["test/examples/_type"] == "table-file" and logged["test/examples/nrows"] == 3
    rows = [json.loads(l) for l in (run / "scores" / "test.jsonl").read_text().splitlines()]
    assert len(rows) == 3
    for row in rows:
        assert {"rouge1", "rougeL", "factcc", "qags", "quals", "quals_pairs", "qags_questions",
                "factcc_sentences", "oracle_verdict"} <= set(row)
        assert 0.0 <= row["factcc"] <= 1.0
    assert abs(logged["test/factcc"] - sum(r["factcc"] for r in rows) / 3) < 1e-6
    assert abs(logged["test/rougeL"] - sum(r["rougeL"] for r in rows) / 3) < 1e-6
