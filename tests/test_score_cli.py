"""quals-bench score: input order, resume after a simulated kill, bad input."""

import json

import pytest

from experiments.score import InputError, example_key, score_file
from lightning_modules.metrics.base import ScoreResult


class SimulatedKill(RuntimeError):
    """Stands for a kill (Lightning turns a real KeyboardInterrupt into sys.exit)."""


class CountingScorer:
    """Scores len(summary); counts the examples it computed; can die after `die_after` calls."""

    name = "quals"

    def __init__(self, die_after=None):
        self.seen, self.calls, self.die_after = [], 0, die_after

    def score(self, documents, summaries, references=None):
        if self.die_after is not None and self.calls >= self.die_after:
            raise SimulatedKill("killed")
        self.calls += 1
        self.seen += list(summaries)
        return ScoreResult({"quals": [float(len(s)) if s else None for s in summaries]},
                           [{"n": len(s)} for s in summaries])


def write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


ROWS = [{"document": f"doc {i}", "summary": "s" * i, "id": i} for i in range(10)]


def test_output_in_input_order_with_scores(tmp_path):
    out = tmp_path / "out.jsonl"
    counts = score_file(CountingScorer(), {"m": 1}, write(tmp_path / "in.jsonl", ROWS), out,
                        chunk=3, log=lambda *_: None)
    lines = [json.loads(l) for l in out.read_text().splitlines()]
    assert [l["id"] for l in lines] == list(range(10))
    assert [l["score"] for l in lines] == [None] + [float(i) for i in range(1, 10)]
    assert counts == {"rows": 10, "computed": 10, "from_cache": 0, "sentinel": 1}


def test_resume_after_kill_recomputes_nothing_finished(tmp_path):
    inp, out = write(tmp_path / "in.jsonl", ROWS), tmp_path / "out.jsonl"
    with pytest.raises(SimulatedKill):
        score_file(CountingScorer(die_after=2), {"m": 1}, inp, out, chunk=3, log=lambda *_: None)
    assert not out.exists() and not list(tmp_path.glob("*.tmp"))
    cache = out.with_name("out.jsonl.cache")
    with open(cache, "a") as f:
        f.write('{"key": "abc", "sco')  # a line cut short by the kill
    second = CountingScorer()
    counts = score_file(second, {"m": 1}, inp, out, chunk=3, log=lambda *_: None)
    assert second.seen == ["s" * i for i in range(6, 10)]  # only what the kill left undone
    assert counts["computed"] == 4 and counts["from_cache"] == 6
    fresh = tmp_path / "fresh.jsonl"
    score_file(CountingScorer(), {"m": 1}, inp, fresh, chunk=3, log=lambda *_: None)
    assert out.read_text() == fresh.read_text()
    # other settings, other keys: nothing reused
    assert example_key({"m": 2}, ROWS[1]) != example_key({"m": 1}, ROWS[1])


@pytest.mark.parametrize("line, message", [
    ({"summary": "s"}, "in.jsonl:2: field 'document': missing"),
    ({"document": "d", "summary": 3}, "in.jsonl:2: field 'summary': expected a string, got int"),
])
def test_bad_input_names_line_and_field_or_gets_sentinel(tmp_path, line, message):
    inp = write(tmp_path / "in.jsonl", [ROWS[1], line, ROWS[2]])
    with pytest.raises(InputError, match=message):
        score_file(CountingScorer(), {}, inp, tmp_path / "out.jsonl", log=lambda *_: None)
    counts = score_file(CountingScorer(), {}, inp, tmp_path / "out.jsonl",
                        on_bad_row="sentinel", log=lambda *_: None)
    lines = [json.loads(l) for l in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert lines[1]["score"] is None and "bad input" in lines[1]["explanation"]["status"]
    assert counts["sentinel"] == 1 and lines[2]["score"] == 2.0


def test_quals_command_end_to_end_with_a_checkpoint(tmp_path, corpus_dir, tokenizer_dir):
    import pytorch_lightning as pl

    from experiments.score import main
    from lightning_modules.data.qa_data import QAGenDataModule
    from lightning_modules.models.qagen import QAGenModule

    module = QAGenModule(model="tiny", tokenizer=str(tokenizer_dir), warmup_steps=0)
    data = QAGenDataModule(data_dir=str(corpus_dir), tokenizer=str(tokenizer_dir), batch_size=8)
    trainer = pl.Trainer(max_steps=2, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False,
                         limit_val_batches=0)
    trainer.fit(module, datamodule=data)
    ckpt = tmp_path / "qagen.ckpt"
    trainer.save_checkpoint(ckpt)
    (tmp_path / "q.yaml").write_text("num_beams: 4\nnum_beam_groups: 4\nmax_length: 12\n")
    inp = write(tmp_path / "in.jsonl", [{"document": "Kelton won 3-1.", "summary": "Kelton won."},
                                        {"document": "A text.", "summary": ""}])
    out = tmp_path / "out.jsonl"
    assert main(["--metric", "quals", "--model", str(ckpt), "--config", str(tmp_path / "q.yaml"),
                 "--input", str(inp), "--output", str(out)]) == 0
    lines = [json.loads(l) for l in out.read_text().splitlines()]
    assert [l["summary"] for l in lines] == ["Kelton won.", ""]
    assert lines[1]["score"] is None and lines[1]["explanation"]["status"] == "empty input"
    assert lines[0]["explanation"]["num_generated"] == 4


def test_rouge_command_needs_references_and_writes_every_column(tmp_path, capsys):
    from experiments.score import main

    write(tmp_path / "in.jsonl", [{"document": "d", "summary": "the cat sat", "reference": "the cat ran"},
                                  {"document": "d", "summary": "x"}])
    args = ["--metric", "rouge", "--input", str(tmp_path / "in.jsonl"),
            "--output", str(tmp_path / "out.jsonl")]
    assert main(args) == 2
    assert "in.jsonl:2: field 'reference': missing" in capsys.readouterr().out
    assert main(args + ["--on-bad-row", "sentinel"]) == 0
    first, second = [json.loads(l) for l in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert first["scores"]["rouge1"] == pytest.approx(2 / 3)
    assert first["score"] == first["scores"]["rougeL"] == pytest.approx(2 / 3)
    assert second["score"] is None


def test_factcc_command_with_a_checkpoint(tmp_path, tokenizer_dir):
    from experiments.score import main
    from lightning_modules.metrics.factcc import FactCCScorer
    from tests.test_evaluation_callback import save_untrained
    from lightning_modules.models.factcc import FactCCModule

    module = FactCCModule(tokenizer=str(tokenizer_dir))
    ckpt = save_untrained(module, tmp_path / "factcc.ckpt")
    rows = [{"document": "Kestrel won the cup. It rained.", "summary": "Kestrel won. It rained."}]
    write(tmp_path / "in.jsonl", rows)
    assert main(["--metric", "factcc", "--model", ckpt, "--input", str(tmp_path / "in.jsonl"),
                 "--output", str(tmp_path / "out.jsonl")]) == 0
    out = json.loads((tmp_path / "out.jsonl").read_text())
    direct = FactCCScorer(module.model, module.tokenizer).score([rows[0]["document"]],
                                                                [rows[0]["summary"]])
    assert out["score"] == pytest.approx(direct.scores["factcc"][0], abs=1e-6)
    assert len(out["explanation"]["sentences"]) == 2


def test_qags_command_with_checkpoints_and_a_config(tmp_path, tokenizer_dir):
    from experiments.score import main
    from lightning_modules.models.qagen import QAGenModule
    from tests.test_evaluation_callback import save_untrained

    ckpt = save_untrained(QAGenModule(tokenizer=str(tokenizer_dir)), tmp_path / "m.ckpt")
    (tmp_path / "qags.yaml").write_text("qg_beams: 2\nquestions_per_answer: 1\nmin_question_tokens: 1\n"
                                        "qg_max_length: 6\nqa_max_length: 4\nextractor: rules\n")
    write(tmp_path / "in.jsonl", [{"document": "Kestrel Foundry bought Obsidian Textiles.",
                                   "summary": "Kestrel Foundry bought Obsidian Textiles."}])
    args = ["--metric", "qags", "--input", str(tmp_path / "in.jsonl"),
            "--output", str(tmp_path / "out.jsonl"), "--config", str(tmp_path / "qags.yaml")]
    with pytest.raises(SystemExit):
        main(args)  # --qg and --qa are required
    assert main(args + ["--qg", ckpt, "--qa", ckpt]) == 0
    out = json.loads((tmp_path / "out.jsonl").read_text())
    questions = out["explanation"]["questions"]
    assert questions and out["score"] == pytest.approx(sum(q["f1"] for q in questions) / len(questions))
    assert {q["candidate"] for q in questions} <= {"Kestrel Foundry", "Obsidian Textiles"}


def test_two_process_ddp_scoring_writes_the_same_output(tmp_path):
    """`--devices 2` on CPU: two DDP processes (Lightning re-launches the command), each with its
    own cache shard; rank 0 merges them into the same file as a one-process run. 7 rows in
    chunks of 2 so the ranks get unequal work and the sampler pads one (a repeated key)."""
    import os
    import subprocess
    import sys

    rows = [{"id": f"x{i}", "document": f"doc {i} on Kestrel Foundry", "summary": f"Kestrel {i} sold",
             "reference": f"Kestrel Foundry sold {i} mills"} for i in range(7)]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    for devices, out in (("1", "one.jsonl"), ("2", "two.jsonl")):
        subprocess.run([sys.executable, "-m", "experiments.cli", "score", "--metric", "rouge",
                        "--input", "in.jsonl", "--output", out, "--devices", devices, "--chunk", "2"],
                       cwd=tmp_path, env=env, check=True, capture_output=True, timeout=300)
    assert (tmp_path / "two.jsonl.cache.rank1").exists()
    assert (tmp_path / "two.jsonl").read_text() == (tmp_path / "one.jsonl").read_text()
    assert [json.loads(line)["id"] for line in (tmp_path / "two.jsonl").open()] == [r["id"] for r in rows]


def test_one_registry_names_every_metric_and_its_checkpoints():
    """The registry is the one factory: unknown metrics, missing checkpoints and settings given
    to a metric without any are errors naming what is wrong."""
    from lightning_modules.metrics.registry import (CHECKPOINTS, build_scorer, metric_config,
                                                    missing_checkpoints)
    from lightning_modules.metrics.rouge import RougeScorer

    assert set(CHECKPOINTS) == {"rouge", "factcc", "qags", "quals", "oracle", "nli"}
    assert missing_checkpoints("nli", {}) == ["nli"]
    assert missing_checkpoints("qags", {"qg": "g.ckpt"}) == ["qa"]
    assert isinstance(build_scorer("rouge", {}), RougeScorer)
    assert metric_config("quals", {"num_beams": 4, "num_beam_groups": 4}).num_beams == 4
    with pytest.raises(ValueError, match="unknown metric 'bleu'"):
        missing_checkpoints("bleu", {})
    with pytest.raises(ValueError, match="needs a checkpoint: set qagen"):
        build_scorer("quals", {})
    with pytest.raises(ValueError, match="takes no settings"):
        metric_config("rouge", {"x": 1})
