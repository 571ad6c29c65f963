"""Checkpoints load safely: every checkpoint the workbench writes reads with
``weights_only=True``, and one whose pickle would run code is refused in one line, unless the
user trusts it."""

import pickle

import pytest
import torch

from lightning_modules.models.checkpoints import (TRUST_ENV, UnsafeCheckpointError,
                                                  checkpoint_state, read_checkpoint)

RAN = []


def mark(what: str) -> None:
    RAN.append(what)


class Payload:
    """An object whose unpickling runs code (:func:`mark` appends to :data:`RAN`)."""

    def __reduce__(self):
        return (mark, ("ran",))


def hostile(path):
    """A checkpoint-shaped file whose pickle calls a function when loaded."""
    torch.save({"state_dict": {"model.w": torch.zeros(1)}, "hyper_parameters": {"x": Payload()}},
               path)
    return path


def test_every_checkpoint_of_a_run_loads_safely(smoke):
    checkpoints = sorted(smoke.glob("runs/*/checkpoints/*.ckpt"))
    assert len(checkpoints) >= 8
    for path in checkpoints:
        assert "state_dict" in read_checkpoint(path)


def test_a_run_summarizer_loads_through_the_safe_loader(smoke):
    from lightning_modules.models.loading import load_summarizer

    module = load_summarizer(str(smoke / "runs" / "mle" / "checkpoints" / "last.ckpt"))
    assert module.summarize(["Anna Berg met Tom Lund."], num_beams=1)  # a real model, loaded


def test_a_checkpoint_that_would_run_code_is_refused_in_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV, raising=False)
    path = hostile(tmp_path / "evil.ckpt")
    for load in (read_checkpoint, checkpoint_state):
        with pytest.raises(UnsafeCheckpointError) as caught:
            load(str(path))
        message = str(caught.value)
        assert "\n" not in message and str(path) in message and TRUST_ENV in message
    assert RAN == []


def test_the_lightning_loader_refuses_it_too(tmp_path, monkeypatch):
    from lightning_modules.models.loading import load_with_tokenizer
    from lightning_modules.models.mle import MLEModule

    monkeypatch.delenv(TRUST_ENV, raising=False)
    with pytest.raises(UnsafeCheckpointError, match="evil.ckpt: refused"):
        load_with_tokenizer(MLEModule, str(hostile(tmp_path / "evil.ckpt")))
    assert RAN == []


def test_a_trusted_checkpoint_loads_and_runs_its_code(tmp_path, monkeypatch):
    monkeypatch.setenv(TRUST_ENV, "1")
    read_checkpoint(hostile(tmp_path / "evil.ckpt"))
    assert RAN == ["ran"]
    RAN.clear()


def test_pickle_payload_is_real():
    assert pickle.loads(pickle.dumps(Payload())) is None and RAN == ["ran"]
    RAN.clear()


def test_a_command_given_such_a_checkpoint_ends_with_the_one_line_error(tmp_path, monkeypatch):
    from experiments.cli import main

    monkeypatch.delenv(TRUST_ENV, raising=False)
    data = tmp_path / "in.jsonl"
    data.write_text('{"document": "Anna met Tom.", "summary": "Anna met Tom."}\n')
    evil = hostile(tmp_path / "evil.ckpt")
    with pytest.raises(SystemExit) as caught:
        main(["score", "--metric", "quals", "--model", str(evil), "--input", str(data),
              "--out", str(tmp_path / "out.jsonl")])
    assert str(caught.value).startswith(f"error: {evil}: refused") and RAN == []
