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
