"""The MLE module through the LightningCLI: fast_dev_run, checkpoints, resume, evaluation."""

import json

import torch

from experiments import CONFIG_DIR
from experiments.lightning_cli import build_cli


def cli_args(run_dir, corpus_dir, tokenizer_dir, *extra):
    return ["--config", str(CONFIG_DIR / "mle.yaml"), "--run.dir", str(run_dir),
            "--run.wandb", "offline", "--model.init_args.tokenizer", str(tokenizer_dir),
            "--model.init_args.dropout", "0.0", "--data.init_args.tokenizer", str(tokenizer_dir),
            "--data.init_args.data_dir", str(corpus_dir), "--data.init_args.batch_size", "8",
            "--data.init_args.shuffle", "false", "--trainer.enable_progress_bar", "false",
            "--trainer.enable_model_summary", "false", *extra]


def test_fast_dev_run_takes_one_real_optimizer_step(tmp_path, corpus_dir, tokenizer_dir):
    cli = build_cli(cli_args(tmp_path, corpus_dir, tokenizer_dir, "--trainer.fast_dev_run", "1",
                             "--model.init_args.warmup_steps", "0"), run=False)
    before = {k: v.clone() for k, v in cli.model.state_dict().items()}
    cli.trainer.fit(cli.model, datamodule=cli.datamodule)
    after = cli.model.state_dict()
    assert cli.trainer.global_step == 1
    assert any(not torch.equal(before[k], after[k]) for k in before)


def train(run_dir, corpus_dir, tokenizer_dir, epochs, resume=False):
    cli = build_cli(cli_args(run_dir, corpus_dir, tokenizer_dir, "--trainer.max_epochs",
                             str(epochs), "--trainer.limit_train_batches", "3",
                             "--trainer.limit_val_batches", "1"), run=False)
    last = run_dir / "checkpoints" / "last.ckpt"
    cli.trainer.fit(cli.model, datamodule=cli.datamodule, ckpt_path=str(last) if resume else None)
    return cli


def test_checkpoint_resume_gives_the_same_weights(tmp_path, corpus_dir, tokenizer_dir):
    straight = train(tmp_path / "a", corpus_dir, tokenizer_dir, epochs=2)
    train(tmp_path / "b", corpus_dir, tokenizer_dir, epochs=1)
    resumed = train(tmp_path / "b", corpus_dir, tokenizer_dir, epochs=2, resume=True)
    assert resumed.trainer.global_step == straight.trainer.global_step == 6
    a, b = straight.model.state_dict(), resumed.model.state_dict()
    for key in a:
        assert torch.allclose(a[key], b[key], atol=1e-6), key
    saved = torch.load(tmp_path / "b" / "checkpoints" / "last.ckpt", weights_only=False)
    for key, value in saved["state_dict"].items():
        assert torch.equal(value, b[key])
    # the resolved config is saved in the run directory and names the module
    assert "MLEModule" in (tmp_path / "b" / "config.yaml").read_text()


def test_test_stage_writes_scores_and_logs_metrics(tmp_path, corpus_dir, tokenizer_dir):
    cli = build_cli(cli_args(tmp_path, corpus_dir, tokenizer_dir, "--trainer.max_epochs", "1",
                             "--trainer.limit_train_batches", "2", "--trainer.limit_val_batches",
                             "1", "--trainer.callbacks.init_args.max_examples", "5",
                             "--trainer.callbacks.init_args.metrics", "[rouge, oracle]"), run=False)
    cli.trainer.fit(cli.model, datamodule=cli.datamodule)
    metrics = cli.trainer.test(cli.model, datamodule=cli.datamodule)[0]
    rows = [json.loads(l) for l in open(tmp_path / "scores" / "test.jsonl")]
    assert len(rows) == 5
    mean_r1 = sum(r["rouge1"] for r in rows) / 5
    assert abs(metrics["test/rouge1"] - mean_r1) < 1e-6
    assert abs(metrics["test/hallucination_rate"] - sum(r["hallucinated"] for r in rows) / 5) < 1e-6
    assert {"id", "document", "reference", "summary", "oracle_verdict"} <= set(rows[0])
    assert list((tmp_path / "wandb").glob("offline-run-*"))


def test_callback_with_quals_writes_scores_pairs_and_counts_sentinels(tmp_path, corpus_dir,
                                                                     tokenizer_dir):
    import pytest
    import pytorch_lightning as pl

    from lightning_modules.callbacks.evaluation import SummaryEvaluation
    from lightning_modules.models.qagen import QAGenModule

    with pytest.raises(ValueError, match="quals.*needs a checkpoint: set qagen"):
        SummaryEvaluation(metrics=("rouge", "quals"))
    qagen = QAGenModule(model="tiny", tokenizer=str(tokenizer_dir))
    trainer = pl.Trainer(max_steps=0, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False)
    trainer.strategy.connect(qagen)
    trainer.save_checkpoint(tmp_path / "qagen.ckpt")
    (tmp_path / "q.yaml").write_text("num_beams: 2\nnum_beam_groups: 2\nmax_length: 8\nmin_length: 2\n")
    cli = build_cli(cli_args(tmp_path / "run", corpus_dir, tokenizer_dir, "--trainer.max_epochs", "1",
                             "--trainer.limit_train_batches", "1", "--trainer.limit_val_batches", "1",
                             "--trainer.callbacks.init_args.max_examples", "3",
                             "--trainer.callbacks.init_args.metrics", "[rouge, quals]",
                             "--trainer.callbacks.init_args.qagen", str(tmp_path / "qagen.ckpt"),
                             "--trainer.callbacks.init_args.quals_config", str(tmp_path / "q.yaml")),
                    run=False)
    cli.trainer.fit(cli.model, datamodule=cli.datamodule)
    metrics = cli.trainer.test(cli.model, datamodule=cli.datamodule)[0]
    rows = [json.loads(l) for l in open(tmp_path / "run" / "scores" / "test.jsonl")]
    assert len(rows) == 3 and all("quals" in r and "quals_pairs" in r for r in rows)
    # an untrained QAGen keeps no pair: every summary gets the sentinel, and it is counted
    assert metrics["test/quals_sentinel"] == sum(r["quals"] is None for r in rows) == 3
    ckpt = torch.load(tmp_path / "run" / "checkpoints" / "last.ckpt", weights_only=False)
    assert not any("scorer" in k or "qagen" in k for k in ckpt["state_dict"])


def test_summarize_truncates_documents_as_training_does(tokenizer_dir):
    """Two documents equal in their first ``max_source_length`` tokens get one summary."""
    from lightning_modules.models.mle import MLEModule

    torch.manual_seed(0)
    module = MLEModule(tokenizer=str(tokenizer_dir), max_source_length=6, num_beams=1,
                       max_length=8, min_length=1)
    head = "Norborough Town beat Rosley Albion 3-1 at Lindminster on 7 September"
    a, b = module.summarize([head + " in the rain.", head + ". Kelton Rangers lost."])
    assert a == b
    module.hparams.max_source_length = 64
    a, b = module.summarize([head + " in the rain.", head + ". Kelton Rangers lost."])
    assert a != b
