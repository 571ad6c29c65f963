"""The benchmarks load a run's checkpoints from any working folder. A run made with a relative
``--out`` saves its tokenizer path relative to where it was made; from another folder the
loaders fall back to the run's own ``tokenizer/``."""

import argparse
import shutil

import pytest
import torch


@pytest.fixture
def relative_run(smoke, tmp_path, monkeypatch):
    """A copy of the smoke run's QAGen whose checkpoint names its tokenizer relatively (as
    ``--out runs/default`` does), loaded from a folder where that relative path is absent."""
    run = tmp_path / "copy"
    (run / "runs" / "qagen" / "checkpoints").mkdir(parents=True)
    shutil.copytree(smoke / "tokenizer", run / "tokenizer")
    saved = torch.load(smoke / "runs" / "qagen" / "checkpoints" / "last.ckpt",
                       weights_only=True)
    saved["hyper_parameters"]["tokenizer"] = "runs/default/tokenizer"
    checkpoint = run / "runs" / "qagen" / "checkpoints" / "last.ckpt"
    torch.save(saved, checkpoint)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return checkpoint


def test_the_speed_benchmark_loads_a_relative_run_from_another_folder(relative_run):
    from experiments.benchmarks.quals_speed import models

    (name, model, tok), = models(argparse.Namespace(qagen=str(relative_run), presets=["tiny"]))
    assert tok.name_or_path.endswith("copy/tokenizer") and model is not None


def test_the_quals_scorer_loads_it_too(relative_run):
    from lightning_modules.metrics.quals import QualsConfig, QualsScorer

    scorer = QualsScorer.from_checkpoint(str(relative_run),
                                         QualsConfig(num_beams=2, num_beam_groups=2))
    assert scorer.tok.name_or_path.endswith("copy/tokenizer")


def test_quals_against_each_qags_setting(monkeypatch):
    """``measure`` times QUALS once and each QAGS setting after it: each ratio is that
    setting's seconds over QUALS's, questions are counted per summary, and the top-level QAGS
    figures are the first setting's (clock readings given, values by hand)."""
    from types import SimpleNamespace

    from experiments.benchmarks import quals_vs_qags
    from lightning_modules.metrics.base import ScoreResult

    clock = iter([0.0, 2.0, 2.0, 6.0, 6.0, 26.0])  # QUALS 2 s, batched 4 s, original 20 s
    monkeypatch.setattr(quals_vs_qags.time, "perf_counter", lambda: next(clock))

    def qags_with(questions):
        result = ScoreResult({"qags": [1.0, 1.0]}, [{"questions": [{}] * n} for n in questions])
        return SimpleNamespace(timings={"stale": 1.0}, score=lambda d, s: result)

    quals = SimpleNamespace(tok=lambda t, **_: {"input_ids": t.split()},
                            score=lambda d, s: None)
    r = quals_vs_qags.measure(quals, {}, {"batched": qags_with([3, 1]),
                                          "original": qags_with([20, 20])},
                              ["a b c", "d"], ["x y", "z"])
    assert r["quals_per_s"] == 1.0 and r["mean_tokens"] == {"document": 2.0, "summary": 1.5}
    batched, original = r["qags_settings"]["batched"], r["qags_settings"]["original"]
    figures = ("qags_per_s", "ratio", "questions_per_summary")
    assert tuple(batched[k] for k in figures) == (0.5, 2.0, 2.0)
    assert tuple(original[k] for k in figures) == (0.1, 10.0, 20.0)
    assert (r["qags_per_s"], r["ratio"]) == (0.5, 2.0) and batched["phases_s"] == {}


def test_a_busy_machine_is_named():
    """The benchmarks warn when the load before the run reached the core count (hand values:
    the busy runs of the docs had 3.0 and 3.7 on 2 cores, the quiet ones 0.8-1.2)."""
    from experiments.benchmarks.common import load_note

    assert load_note((1.17, 1.0, 1.2), cores=2) is None
    note = load_note((3.0, 2.5, 2.0), cores=2)
    assert note.startswith("note: load average 3.0 on 2 cores") and "\n" not in note
