"""The paper configs instantiate unchanged but for a tiny stand-in model, tokenizer and data."""

import json

import pytest

from experiments import CONFIG_DIR
from experiments.lightning_cli import build_cli

PAPER = sorted((CONFIG_DIR / "paper").glob("*.yaml"))


@pytest.fixture(scope="module")
def stand_ins(tmp_path_factory, tokenizer_dir):
    import datasets

    from experiments.tiny_hf import save_bart
    from lightning_modules.data.tokenizer import load_tokenizer

    root = tmp_path_factory.mktemp("paper")
    save_bart(root / "bart", load_tokenizer(str(tokenizer_dir)), max_position_embeddings=1100)
    ds = datasets.Dataset.from_dict({"document": ["A text. More."] * 4, "summary": ["A."] * 4})
    datasets.DatasetDict({"train": ds, "validation": ds, "test": ds}).save_to_disk(root / "data")
    (root / "pairs.jsonl").write_text(json.dumps({"id": "0", "document": "A text.",
                                                  "positive": "A.", "negative": "B."}) + "\n")
    return root


@pytest.mark.parametrize("config", PAPER, ids=[p.stem for p in PAPER])
def test_paper_config_instantiates_with_a_tiny_stand_in(config, stand_ins, tokenizer_dir, tmp_path):
    args = ["--config", str(config), "--run.dir", str(tmp_path), "--run.wandb", "disabled",
            "--trainer.accelerator", "cpu", "--trainer.precision", "32",
            "--model.init_args.model", str(stand_ins / "bart"),
            "--model.init_args.tokenizer", str(tokenizer_dir),
            "--data.init_args.tokenizer", str(tokenizer_dir),
            "--data.init_args.data_dir", str(stand_ins / "data"),
            "--data.init_args.document_field", "document", "--data.init_args.summary_field", "summary"]
    conseq = "conseq" in config.stem
    if conseq:
        args += ["--model.init_args.init_checkpoint", "null",
                 "--data.init_args.pairs", str(stand_ins / "pairs.jsonl")]
    cli = build_cli(args, run=False)
    hp = cli.model.hparams
    assert type(cli.model.model).__name__ == "BartForConditionalGeneration"
    assert hp.label_smoothing == 0.1 and hp.weight_decay == 0.01 and hp.dropout == 0.1
    assert cli.trainer.gradient_clip_val == 0.1 and hp.scheduler == "polynomial"
    if conseq:
        assert hp.learning_rate == 3e-6 and hp.warmup_steps == 0 and cli.trainer.max_epochs == 2
    else:
        assert hp.learning_rate == 3e-5 and hp.warmup_steps == 500
    assert hp.num_beams == (6 if config.stem.startswith("xsum") else 4)
    cli.datamodule.setup("fit")
    batch = next(iter(cli.datamodule.train_dataloader()))
    loss = cli.model.model_step(batch, "train")  # one forward pass through the real code path
    assert loss.requires_grad
