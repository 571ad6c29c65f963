"""The shared evaluation callback with every metric in a one-batch run: the offline W&B run's
logged keys read back, and the per-example file; and its evaluation sharded over two real
processes (gloo on CPU) against one process.

Lightning's ``fast_dev_run`` flag swaps every logger for a dummy one, so this test runs the
same one-batch fit and test with ``limit_*_batches=1`` and a real offline W&B logger.
"""

import json
import pickle
import socket

import pytorch_lightning as pl
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from lightning_modules.callbacks.evaluation import SummaryEvaluation
from lightning_modules.world.generator import CorpusConfig, generate_split


def save_untrained(module, path):
    trainer = pl.Trainer(max_steps=0, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False)
    trainer.strategy.connect(module)
    trainer.save_checkpoint(path)
    return str(path)


def test_fast_dev_run_logs_every_metric_to_offline_wandb(tmp_path, corpus_dir, tokenizer_dir):
    from lightning_modules.models.factcc import FactCCModule
    from lightning_modules.models.qagen import QAGenModule
    from tests.test_mle import build_cli, cli_args

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


class FakeSummarizer:
    """Stands in for a summarizer module: the noisy reference for even rows, the faithful
    summary for odd ones (so ROUGE and the oracle's fact counts vary)."""

    device = torch.device("cpu")

    def __init__(self, rows):
        self.outputs = {r["document"]: r["summary"] if i % 2 == 0 else r["faithful_summary"]
                        for i, r in enumerate(rows)}

    def summarize(self, documents, batch_size=None):
        return [self.outputs[d] for d in documents]


def small_split():
    return list(generate_split("test", CorpusConfig(num_docs=300, seed=4)))[:7]


def without_seconds(means):
    return {k: v for k, v in means.items() if not k.startswith("seconds_")}


def evaluate_on_rank(rank, port, rows, out):
    """One of two gloo processes: evaluate the split (7 rows: shards of 4 and 3) and its first
    row alone (the second process pads), and save what this process got."""
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=2)
    try:
        callback = SummaryEvaluation(metrics=("rouge", "oracle"))
        got = [callback.evaluate(FakeSummarizer(rows), part) for part in (rows, rows[:1])]
        (out / f"rank{rank}.pkl").write_bytes(pickle.dumps(got))
    finally:
        dist.destroy_process_group()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_one_process_means_are_the_scorers_own():
    """Through the synced metric, one process gets exactly ``ScoreResult.mean()`` of each
    scorer (the oracle's ratios of sums included); neither has sentinels to count."""
    rows = small_split()
    callback = SummaryEvaluation(metrics=("rouge", "oracle"))
    means, records = callback.evaluate(FakeSummarizer(rows), rows)
    summaries = FakeSummarizer(rows).summarize([r["document"] for r in rows])
    expected = {}
    for scorer in callback.scorers().values():
        result = scorer.score([r["document"] for r in rows], summaries, [r["summary"] for r in rows])
        expected.update(result.mean())
    assert without_seconds(means) == expected
    assert [r["id"] for r in records] == [r["id"] for r in rows]
    assert [r["summary"] for r in records] == summaries


def test_two_gloo_processes_give_the_one_process_means_and_records(tmp_path):
    """Each process scores its shard; the synced means and gathered records (split order) are
    those of one process, float for float; a process without a row pads and drops it."""
    rows = small_split()
    mp.spawn(evaluate_on_rank, args=(free_port(), rows, tmp_path), nprocs=2, join=True)
    callback = SummaryEvaluation(metrics=("rouge", "oracle"))
    one = [callback.evaluate(FakeSummarizer(rows), part) for part in (rows, rows[:1])]
    for rank in (0, 1):
        got = pickle.loads((tmp_path / f"rank{rank}.pkl").read_bytes())
        for (means, records), (one_means, one_records) in zip(got, one):
            assert without_seconds(means) == without_seconds(one_means)
            assert records == one_records
    assert len(one[0][1]) == 7 and len(one[1][1]) == 1
    assert one[0][0]["hallucinated_fact_rate"] == (
        sum(r["hallucinated_facts"] for r in one[0][1]) / sum(r["facts"] for r in one[0][1]))
