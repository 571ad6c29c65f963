"""A re-run with changed settings reports the new model: a copied run folder re-runs nothing, a
ConSeq-only change re-runs only the ConSeq stages and their test evaluations, and the re-run's
``results.json`` equals a fresh run's with the same settings."""

import json
import re
import shutil

import pytest

from experiments.pipeline.reproduce import main

CONSEQ_STAGES = {"rouge_conseq", "quals_conseq", "test_rouge_conseq", "test_quals_conseq"}
CHANGE = ["--set", "conseq.learning_rate=0.01"]
# a stage's line in the log; a stage run beside others names its threads
FATE = r"^\[\d+/\d+\] (\w+): (finished earlier, skipped|running)( \(\d+ threads?\))?$"


def reproduce(out, capsys, *extra) -> dict[str, str]:
    """Run the smoke preset into ``out``; return each stage's fate (``ran`` or ``skipped``)."""
    capsys.readouterr()
    assert main(["--out", str(out), "--preset", "smoke", "--wandb", "disabled", *extra]) == 0
    log = capsys.readouterr().out
    return {m[1]: ("skipped" if m[2] == "finished earlier, skipped" else "ran")
            for m in re.finditer(FATE, log, flags=re.M)}


def systems(out) -> dict:
    return json.loads((out / "results.json").read_text())["systems"]


@pytest.fixture(scope="module")
def copied(smoke, tmp_path_factory):
    """A copy of the smoke run in another folder."""
    out = tmp_path_factory.mktemp("copied") / "run"
    shutil.copytree(smoke, out)
    return out


def test_a_copied_run_folder_re_runs_nothing(copied, capsys):
    fates = reproduce(copied, capsys)
    assert len(fates) == 19 and set(fates.values()) == {"skipped"}


def test_a_conseq_change_re_runs_conseq_only_and_equals_a_fresh_run(smoke, copied, capsys,
                                                                    tmp_path):
    fates = reproduce(copied, capsys, *CHANGE)
    assert {name for name, fate in fates.items() if fate == "ran"} == CONSEQ_STAGES
    assert (copied / "runs" / "rouge_conseq" / "stage.json").exists()
    assert list(copied.glob("runs/rouge_conseq.*"))          # the old model, moved aside
    assert not list((copied / "runs" / "rouge_conseq" / "checkpoints").glob("*-v1.ckpt"))
    reproduce(tmp_path / "fresh", capsys, *CHANGE)
    assert systems(copied) == systems(tmp_path / "fresh")
    assert systems(copied)["rouge_conseq"] != systems(smoke)["rouge_conseq"]
    assert systems(copied)["mle"] == systems(smoke)["mle"]


def test_a_summarizer_trained_on_shorter_documents_is_tested_on_documents_cut_alike(
        smoke, tmp_path, capsys):
    """The test evaluation's data module cuts documents at the summarizer's own
    ``max_source_length``; a length other than the data module's default once stopped the test
    with a clash of the two modules' hyperparameters."""
    out = tmp_path / "run"
    shutil.copytree(smoke, out)
    fates = reproduce(out, capsys, "--set", "summarizer.max_source_length=32",
                      "--until", "test_mle")
    assert fates["mle"] == fates["test_mle"] == "ran"
