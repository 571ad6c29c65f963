"""``training.precision``: checked where it is set, an override of the training stages' trainer
only when given (so runs made without it keep their stage hashes), the Lightning trainer's
precision once passed, and an autocast of that precision for the metrics' inference."""

import pytest
import torch

from experiments.config_tree import ConfigError
from experiments.memory import precision_override, precision_setting, stage_autocast
from experiments.presets import load_config
from experiments.pipeline.training_stages import training_args
from lightning_modules.precision import PRECISIONS, inference_autocast


@pytest.mark.parametrize("value, reason", [
    ("64", "must be one of 32, bf16-mixed, 16-mixed, got 64"),
    ("bf16", "must be one of 32, bf16-mixed, 16-mixed, got 'bf16'"),
    ("16", "must be one of 32, bf16-mixed, 16-mixed, got 16"),
    ("true", "must be str or int or None, got True")])
def test_a_wrong_precision_is_a_one_line_error_naming_the_key(value, reason):
    with pytest.raises(ConfigError) as caught:
        load_config("smoke", sets=[f"training.precision={value}"])
    assert str(caught.value) == f"--set training.precision={value}: training.precision: {reason}"


@pytest.mark.parametrize("value, expected", [("32", "32"), ("bf16-mixed", "bf16-mixed"),
                                             ("16-mixed", "16-mixed")])
def test_precision_values_load_and_yaml_32_is_the_string_32(value, expected):
    cfg = load_config("smoke", sets=[f"training.precision={value}"])  # 32 is read as an int
    assert cfg.training.precision == expected
    assert cfg.to_dict()["training"]["precision"] == expected
    assert type(cfg).from_dict(cfg.to_dict()) == cfg


def test_the_override_names_the_trainers_precision_and_none_adds_no_key():
    cfg = load_config("smoke", sets=["training.precision=bf16-mixed"])
    assert precision_override(cfg.training.precision) == {"trainer.precision": "bf16-mixed"}
    assert precision_setting(cfg.training.precision) == {"precision": "bf16-mixed"}
    assert load_config("smoke").training.precision is None
    assert precision_override(None) == {} and precision_setting(None) == {}


def test_the_override_reaches_the_lightning_trainer(tokenizer_dir, corpus_dir, tmp_path):
    from experiments.lightning_cli import build_cli

    s = {"config": "mle.yaml", "run_dir": str(tmp_path / "run"), "wandb": "disabled",
         "tokenizer": str(tokenizer_dir), "corpus": str(corpus_dir),
         "overrides": precision_override("bf16-mixed")}
    args = training_args(s)
    assert args[args.index("--trainer.precision") + 1] == "bf16-mixed"
    cli = build_cli(args, run=False)
    assert cli.trainer.precision == "bf16-mixed"


@pytest.mark.parametrize("precision, dtype", [(None, torch.float32), ("32", torch.float32),
                                              (32, torch.float32),
                                              ("bf16-mixed", torch.bfloat16),
                                              ("16-mixed", torch.float16)])
def test_inference_runs_under_the_autocast_of_its_precision(precision, dtype):
    layer = torch.nn.Linear(4, 3)
    with torch.no_grad(), inference_autocast(precision, torch.device("cpu")):
        out = layer(torch.ones(2, 4))
    assert out.dtype == dtype and layer.weight.dtype == torch.float32


def test_an_inference_stage_runs_under_the_autocast_of_its_setting():
    layer = torch.nn.Linear(4, 3)
    for settings, dtype in (({}, torch.float32), (precision_setting("bf16-mixed"), torch.bfloat16)):
        with torch.no_grad(), stage_autocast({"docs": 8, **settings}):
            assert layer(torch.ones(2, 4)).dtype == dtype  # on the CPU here


def test_inference_autocast_rejects_an_unknown_precision():
    with pytest.raises(ValueError, match="precision must be one of 32, bf16-mixed, 16-mixed"):
        inference_autocast("64-true", "cpu")
    assert PRECISIONS == ("32", "bf16-mixed", "16-mixed")
