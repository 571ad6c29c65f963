"""A run folder that was copied or moved: its checkpoints name the old tokenizer folder."""

import shutil

import pytest


def _checkpoint(path, tokenizer):
    import pytorch_lightning as pl

    from lightning_modules.models.mle import MLEModule

    module = MLEModule(model="tiny", tokenizer=str(tokenizer))
    trainer = pl.Trainer(max_steps=0, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False)
    trainer.strategy.connect(module)
    trainer.save_checkpoint(path)
    return module


def test_copied_run_loads_with_its_own_tokenizer(tmp_path, tokenizer_dir):
    from lightning_modules.models.loading import load_with_tokenizer
    from lightning_modules.models.mle import MLEModule

    old = tmp_path / "old_tokenizer"
    shutil.copytree(tokenizer_dir, old)
    trained = _checkpoint(tmp_path / "mle.ckpt", old)
    new = tmp_path / "copy" / "tokenizer"
    shutil.copytree(old, new)
    loaded = load_with_tokenizer(MLEModule, tmp_path / "mle.ckpt", str(new))
    assert loaded.hparams.tokenizer == str(new)
    first = next(iter(trained.state_dict()))
    assert (loaded.state_dict()[first] == trained.state_dict()[first]).all()
    shutil.rmtree(old)  # moved: the saved folder is gone, the weights still load
    assert load_with_tokenizer(MLEModule, tmp_path / "mle.ckpt", str(new)).hparams.tokenizer \
        == str(new)


def test_a_different_vocabulary_is_refused(tmp_path, tokenizer_dir):
    from lightning_modules.data.tokenizer import load_tokenizer
    from lightning_modules.models.loading import load_with_tokenizer
    from lightning_modules.models.mle import MLEModule

    _checkpoint(tmp_path / "mle.ckpt", tokenizer_dir)
    other = load_tokenizer(str(tokenizer_dir))
    other.add_tokens(["zzqx"])
    other.save_pretrained(tmp_path / "other")
    with pytest.raises(ValueError, match="vocabulary differs"):
        load_with_tokenizer(MLEModule, tmp_path / "mle.ckpt", str(tmp_path / "other"))


def test_a_moved_run_loads_every_checkpoint_from_its_own_tokenizer_folder(tmp_path, tokenizer_dir):
    """Without a tokenizer given (the scorers' loads), a checkpoint whose saved tokenizer folder
    is gone takes the tokenizer/ folder of the run it sits in; with none there, a clear error."""
    from lightning_modules.models.loading import load_seq2seq, load_summarizer

    old = tmp_path / "old" / "tokenizer"
    shutil.copytree(tokenizer_dir, old)
    ckpt = tmp_path / "old" / "runs" / "mle" / "checkpoints" / "last.ckpt"
    ckpt.parent.mkdir(parents=True)
    _checkpoint(ckpt, old)
    (tmp_path / "old").rename(tmp_path / "moved")
    moved = tmp_path / "moved" / "runs" / "mle" / "checkpoints" / "last.ckpt"
    assert load_summarizer(str(moved)).hparams.tokenizer == str(tmp_path / "moved" / "tokenizer")
    model, tokenizer = load_seq2seq(str(moved))
    assert len(tokenizer) == model.config.vocab_size
    shutil.rmtree(tmp_path / "moved" / "tokenizer")
    with pytest.raises(FileNotFoundError, match="tokenizer folder .* is gone"):
        load_summarizer(str(moved))
