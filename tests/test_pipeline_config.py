"""The typed pipeline config: every shipped preset loads and builds the pipeline, the YAML
presets hold the values of the Python dicts they replaced, ``--set`` and world overlays apply
in order, and every wrong setting is a one-line error naming its file and key."""

import json
from dataclasses import replace

import pytest
import yaml

from experiments import CONFIG_DIR
from experiments.config_tree import ConfigError
from experiments.pipeline.graph import build_stages
from experiments.pipeline.stages import Ref, map_values, portable, upstream
from lightning_modules.world.generator import CorpusConfig
from experiments.presets import PRESET_DIR, available, load_config, write_config
from experiments.pipeline.training_stages import training_args

# The dicts experiments/pipeline/reproduce.py held before the YAML presets, verbatim but for the
# deliberate changes since (each noted).
OLD_PAPER_CANDIDATES = dict(num_candidates=6, top_k=50, max_length=60, min_length=10)
OLD_PRESETS = {
    "default": dict(num_docs=12000, seed=0, vocab_size=4096,
                    reader_epochs=8,  # 4 fixed at first, now a cap (reader_stop_accuracy 0.99)
                    reader_batches=None,
                    mle_epochs=2, mle_batches=None,
                    qagen_batches=1200,  # 600 at first (QUALS validation 0.772 -> 0.825)
                    qg_batches=300,
                    qa_batches=800,  # 400 at first (validation probe EM 0.902 -> 0.962)
                    factcc_batches=300,  # 500 before role exchanges (FactCC with the claim LM loss)
                    conseq_docs=2000,  # 400 at first (unsupported facts -25% -> -46%)
                    candidate_batch=16, quantile=0.3, mode="union",
                    conseq_learning_rate=1e-4,
                    conseq_epochs=3,  # 2 at first (validation: unsupported facts -47% -> -52%)
                    conseq_negative_weight=1.0,
                    eval_examples=200,
                    validity_docs=40, system_validity_docs=60, probe_docs=200,
                    quals=dict(num_beams=10, num_beam_groups=10, max_length=40, batch_size=16),
                    qags=dict(max_answers=5, qg_beams=4, questions_per_answer=1,
                              extractor="rules", batch_size=64)),
    "smoke": dict(num_docs=240, seed=0, vocab_size=600, reader_epochs=1, reader_batches=3,
                  mle_epochs=1, mle_batches=4,
                  qagen_batches=3, qg_batches=2, qa_batches=2, factcc_batches=2,
                  conseq_docs=8, candidate_batch=4, quantile=0.5, mode="union",
                  conseq_learning_rate=1e-4, conseq_epochs=1, conseq_negative_weight=1.0,
                  eval_examples=6, validity_docs=2, system_validity_docs=4, probe_docs=4,
                  quals=dict(num_beams=2, num_beam_groups=2, max_length=10, min_length=2),
                  qags=dict(max_answers=2, qg_beams=2, questions_per_answer=1, qg_max_length=8,
                            qa_max_length=6, min_question_tokens=1, extractor="rules")),
}


def old_view(cfg) -> dict:
    """A config read back into the old dicts' keys."""
    t, c, e = cfg.training, cfg.conseq, cfg.evaluation
    return dict(num_docs=cfg.corpus["num_docs"], seed=cfg.corpus["seed"], vocab_size=cfg.vocab_size,
                reader_epochs=t.reader_epochs, reader_batches=t.reader_batches,
                mle_epochs=t.mle_epochs, mle_batches=t.mle_batches, qagen_batches=t.qagen_batches,
                qg_batches=t.qg_batches, qa_batches=t.qa_batches, factcc_batches=t.factcc_batches,
                conseq_docs=c.docs, candidate_batch=cfg.candidates.batch_size,
                quantile=cfg.selection.quantile, mode=cfg.selection.mode,
                conseq_learning_rate=c.learning_rate, conseq_epochs=c.epochs,
                conseq_negative_weight=c.negative_weight, eval_examples=e.examples,
                validity_docs=e.validity_docs, system_validity_docs=e.system_validity_docs,
                probe_docs=e.probe_docs)


@pytest.mark.parametrize("name", ["default", "smoke"])
def test_yaml_presets_hold_the_old_dict_values(name):
    from lightning_modules.metrics.qags import QagsConfig
    from lightning_modules.metrics.quals import QualsConfig

    old, cfg = OLD_PRESETS[name], load_config(name)
    assert old_view(cfg) == {k: v for k, v in old.items() if k not in ("quals", "qags")}
    assert cfg.quals == QualsConfig(**old["quals"]) and cfg.qags == QagsConfig(**old["qags"])
    candidates = {k: v for k, v in vars(cfg.candidates).items() if k in OLD_PAPER_CANDIDATES}
    assert candidates == OLD_PAPER_CANDIDATES and cfg.candidates.seed == 0
    assert cfg.selection.positive_source == "reference" and cfg.selection.columns is None
    # the rest: the default world's, which are CorpusConfig's defaults (tests/test_worlds.py)
    assert cfg.corpus_config() == CorpusConfig(num_docs=old["num_docs"], seed=0)
    assert vars(cfg.summarizer) == dict.fromkeys(vars(cfg.summarizer))  # the training configs'


@pytest.mark.parametrize("name", available(PRESET_DIR))
def test_every_preset_loads_and_builds_json_stage_settings(name, tmp_path):
    data = str(tmp_path / "data") if name == "tiny_hf" else None  # tiny_hf runs on your data
    stages = build_stages(tmp_path, load_config(name, data=data), "disabled")
    seeds = len(load_config(name, data=data).conseq.seeds or [None])
    conseq = 4 * seeds                       # two systems, each trained and tested per seed
    assert (len(stages), stages[0].name) == ((7 + conseq, "data") if data else
                                             (15 + conseq, "corpus"))
    for stage in stages:
        json.dumps(portable(stage.settings, tmp_path), allow_nan=False)  # the hash sees real values


@pytest.mark.parametrize("name", ["paper_xsum", "paper_cnndm"])
def test_paper_presets_hold_the_papers_settings(name):
    cfg = load_config(name)
    assert cfg.quals.num_beams == cfg.quals.num_beam_groups == 60
    assert (cfg.selection.quantile, cfg.selection.mode) == (0.3, "intersection")
    assert (cfg.conseq.learning_rate, cfg.conseq.epochs, cfg.conseq.negative_weight) == (3e-6, 2, 1.0)
    c = cfg.candidates
    assert (c.num_candidates, c.top_k, c.min_length, c.max_length) == (6, 50, 10, 60)
    assert (cfg.qags.max_answers, cfg.qags.qg_beams, cfg.qags.questions_per_answer) == (10, 10, 2)


def test_conseq_defaults_equal_the_conseq_training_config():
    """ConSeqConfig's paper defaults and experiments/configs/conseq.yaml (the standalone
    ``quals-bench fit`` config) must not drift apart."""
    from experiments.config import ConSeqConfig

    fit = yaml.safe_load((CONFIG_DIR / "conseq.yaml").read_text())
    assert ConSeqConfig.learning_rate == fit["model"]["init_args"]["learning_rate"] == 3e-6
    assert ConSeqConfig.epochs == fit["trainer"]["max_epochs"] == 2
    assert ConSeqConfig.negative_weight == fit["model"]["init_args"]["negative_weight"]
    assert ConSeqConfig.negative_loss == fit["model"]["init_args"]["negative_loss"] == "sequence"


def test_the_default_preset_departs_from_the_paper_s_term_and_the_paper_presets_do_not():
    """The default's S- term was chosen on validation documents (docs/conseq.md); the paper
    presets keep the paper's equation."""
    assert load_config("default").conseq.negative_loss == "pair"
    assert load_config("paper_xsum").conseq.negative_loss == "sequence"


def test_conseq_negative_loss_is_checked_and_reaches_the_module():
    from experiments.pipeline.training_stages import conseq_overrides

    cfg = load_config("smoke", sets=["conseq.negative_loss=token"])
    assert conseq_overrides(cfg.conseq)["model.init_args.negative_loss"] == "token"
    with pytest.raises(ConfigError, match="conseq.negative_loss"):
        load_config("smoke", sets=["conseq.negative_loss=contrast"])


def test_set_overrides_one_value_read_as_yaml():
    cfg = load_config("smoke", sets=["conseq.learning_rate=3e-6", "selection.mode=intersection",
                                     "training.mle_batches=null", "quals.num_beams=4"])
    assert cfg.conseq.learning_rate == 3e-6 and type(cfg.conseq.learning_rate) is float
    assert cfg.selection.mode == "intersection" and cfg.training.mle_batches is None
    assert cfg.quals.num_beams == 4 and cfg.quals.num_beam_groups == 2
    assert cfg.conseq.docs == 8  # the rest of the section stays


@pytest.mark.parametrize("item, message", [
    ("conseq.lerning_rate=1e-5",
     "--set conseq.lerning_rate=1e-5: conseq.lerning_rate: unknown key (ConSeqConfig has: "),
    ("conseq.epochs=two", "--set conseq.epochs=two: conseq.epochs: must be int, got 'two'"),
    ("conseq.learning_rate=0",
     "--set conseq.learning_rate=0: conseq.learning_rate: must be > 0, got 0.0"),
    ("selection.quantile=1.5", "--set selection.quantile=1.5: selection.quantile: must be in (0, 1]"),
    ("corpus.num_docs=2", "--set corpus.num_docs=2: corpus.num_docs: must be at least 3"),
    ("corpus.num_dogs=20", "--set corpus.num_dogs=20: corpus.num_dogs: unknown key (CorpusConfig"),
    ("quals.num_beams=3",
     "--set quals.num_beams=3: quals.num_beams: must be a multiple of num_beam_groups"),
    ("training.reader_batches=true",
     "--set training.reader_batches=true: training.reader_batches: must be int or None, got True"),
    ("conseq=1e-5", "--set conseq=1e-5: conseq: must be a mapping of ConSeqConfig fields"),
    ("conseq.learning_rate", "--set conseq.learning_rate: expected key.path=value"),
])
def test_a_wrong_set_is_one_line_naming_it_and_the_key(item, message):
    with pytest.raises(ConfigError) as error:
        load_config("smoke", sets=[item])
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


def test_errors_in_a_preset_file_name_the_file(tmp_path):
    preset = yaml.safe_load((PRESET_DIR / "smoke.yaml").read_text())
    preset["conseq"]["learning_rate"] = -1
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(preset))
    with pytest.raises(ConfigError, match=f"^{tmp_path}/bad.yaml: conseq.learning_rate: must be > 0"):
        load_config(str(tmp_path / "bad.yaml"))
    del preset["evaluation"]["probe_docs"]
    preset["conseq"]["learning_rate"] = 1e-4
    (tmp_path / "short.yaml").write_text(yaml.safe_dump(preset))
    with pytest.raises(ConfigError, match="short.yaml: evaluation.probe_docs: missing"):
        load_config(str(tmp_path / "short.yaml"))
    with pytest.raises(ConfigError, match=r"^--preset: unknown preset 'smok' \(available: default"):
        load_config("smok")


def test_shipped_files_are_named_relative_to_the_configs_folder(tmp_path):
    from experiments.presets import file_layer, label, resolve

    assert label(PRESET_DIR / "default.yaml") == "presets/default.yaml"
    layer = file_layer(PRESET_DIR / "default.yaml")
    with pytest.raises(ConfigError, match="^presets/default.yaml: vocab_size: must be >= 1"):
        resolve([(layer[0], {**layer[1], "vocab_size": 0})])


def test_world_merges_onto_the_preset_before_set(tmp_path):
    (tmp_path / "w.yaml").write_text("corpus:\n  hallucination_prob: 0.1\nconseq:\n"
                                     "  learning_rate: 1.0e-3\n  epochs: 3\n"
                                     "summarizer:\n  max_length: 30\n")
    cfg = load_config("smoke", world=str(tmp_path / "w.yaml"),
                      sets=["conseq.learning_rate=2e-3"])
    assert cfg.corpus == {"num_docs": 240, "seed": 0, "hallucination_prob": 0.1}
    assert cfg.corpus_config().hallucination_prob == 0.1
    assert (cfg.conseq.learning_rate, cfg.conseq.epochs, cfg.conseq.docs) == (2e-3, 3, 8)
    assert cfg.summarizer.max_length == 30
    (tmp_path / "bad.yaml").write_text("corpus:\n  hallucination_prob: 2\n")
    with pytest.raises(ConfigError, match=f"^{tmp_path}/bad.yaml: corpus.hallucination_prob: "):
        load_config("smoke", world=str(tmp_path / "bad.yaml"))


def test_the_default_world_changes_nothing():
    """The xsum world is the default, and its settings are CorpusConfig's defaults."""
    configs = [load_config("default"), load_config("default", world="xsum"),
               load_config("default", world=None)]
    assert configs[0] == configs[1]
    assert all(c.corpus_config() == configs[0].corpus_config() for c in configs)
    assert all(replace(c, corpus={}) == replace(configs[0], corpus={}) for c in configs)


def test_the_resolved_config_reloads_equal(tmp_path):
    cfg = load_config("smoke", sets=["selection.mode=intersection", "summarizer.max_length=20"])
    write_config(cfg, tmp_path / "config.yaml", header="a header\nof two lines")
    assert (tmp_path / "config.yaml").read_text().startswith("# a header\n# of two lines\n")
    assert load_config(str(tmp_path / "config.yaml"), world=None) == cfg


def test_training_args_are_built_from_the_typed_config(tmp_path):
    stages = {s.name: resolved(s.settings, tmp_path) for s in build_stages(
        tmp_path, load_config("smoke", sets=["summarizer.max_length=30"]), "disabled")}

    def value(args, key):
        return args[args.index(f"--{key}") + 1] if f"--{key}" in args else None

    mle, conseq, qa = (training_args(stages[n]) for n in ("mle", "quals_conseq", "qa"))
    assert value(mle, "model.init_args.max_length") == "30"
    assert value(mle, "model.init_args.min_length") is None  # None: mle.yaml's value
    assert value(mle, "trainer.limit_train_batches") == "4"
    assert value(mle, "model.init_args.init_checkpoint").endswith("runs/reader/checkpoints/last.ckpt")
    assert value(conseq, "model.init_args.learning_rate") == "0.0001"
    assert value(conseq, "trainer.max_epochs") == "1"
    assert value(conseq, "data.init_args.pairs").endswith("conseq/quals/pairs.jsonl")
    assert value(conseq, "model.init_args.max_length") == "30"
    assert value(qa, "trainer.limit_train_batches") == "2" and value(qa, "run.name") is None
    assert value(training_args(stages["factcc"]), "model.init_args.init_checkpoint").endswith(
        "runs/reader/checkpoints/last.ckpt")


def resolved(settings: dict, out) -> dict:
    """``settings`` with each Ref read as the run ``out``'s checkpoint of that stage."""
    from experiments.pipeline.settings import checkpoint

    return map_values(settings, lambda v: checkpoint(out, v.stage) if isinstance(v, Ref) else v)


def test_factcc_starts_from_the_qa_model_without_a_reader():
    from experiments.pipeline.settings import evaluator_start

    assert evaluator_start("factcc", None) == Ref("qa")
    assert evaluator_start("factcc", Ref("reader")) == Ref("reader")
    assert evaluator_start("qg", Ref("reader")) == Ref("qagen")


def test_the_callback_takes_settings_as_a_mapping_a_config_or_a_file(tmp_path):
    from lightning_modules.callbacks.evaluation import settings_config
    from lightning_modules.metrics.quals import QualsConfig

    two = QualsConfig(num_beams=2, num_beam_groups=2)
    (tmp_path / "q.yaml").write_text("num_beams: 2\nnum_beam_groups: 2\n")
    assert settings_config("quals", {"num_beams": 2, "num_beam_groups": 2}) == two
    assert settings_config("quals", str(tmp_path / "q.yaml")) == two
    assert settings_config("quals", two) is two
    assert settings_config("quals", None) == QualsConfig()
    assert settings_config("rouge", None) is None


def test_reproduce_rejects_a_wrong_set_before_writing_anything(tmp_path):
    from experiments.pipeline.reproduce import main

    with pytest.raises(SystemExit, match="^error: --set conseq.epochs=0: conseq.epochs: must be >= 1"):
        main(["--out", str(tmp_path / "run"), "--preset", "smoke", "--set", "conseq.epochs=0"])
    assert not (tmp_path / "run").exists()


def test_reproduce_until_an_unknown_stage_names_the_stages_and_writes_nothing(tmp_path):
    from experiments.pipeline.reproduce import main

    with pytest.raises(SystemExit, match="^error: no stage 'MLE'; the stages are: corpus, tokenizer, "):
        main(["--out", str(tmp_path / "run"), "--preset", "smoke", "--until", "MLE"])
    assert not (tmp_path / "run").exists()


def test_until_mle_trains_the_reader_and_the_mle_only(tmp_path):
    stages = build_stages(tmp_path, load_config("default"), "disabled")
    assert [s.name for s in upstream(stages, "mle")] == ["corpus", "tokenizer", "reader", "mle"]
    assert [s.name for s in upstream(stages, "candidates")][-2:] == ["mle", "candidates"]


def test_summarizer_lengths_reach_the_mle_model_and_data(tmp_path, corpus_dir, tokenizer_dir):
    from experiments.lightning_cli import build_cli

    cfg = load_config("smoke", sets=["summarizer.max_length=30", "summarizer.max_target_length=20"])
    mle = next(s.settings for s in build_stages(tmp_path, cfg, "disabled") if s.name == "mle")
    cli = build_cli(training_args({**mle, "corpus": str(corpus_dir), "tokenizer": str(tokenizer_dir),
                                   "init_checkpoint": None}), run=False)
    assert cli.model.hparams.max_length == 30 and cli.model.hparams.min_length == 5  # mle.yaml
    assert cli.datamodule.hparams.max_target_length == 20
    assert cli.trainer.max_epochs == 1 and cli.trainer.limit_train_batches == 4


TRAINED = ("reader", "qagen", "qg", "qa", "factcc", "mle", "rouge_conseq", "quals_conseq")


def test_a_training_seed_reaches_every_training_stage_and_none_keeps_the_hashes(tmp_path):
    def stage_settings(*sets):
        cfg = load_config("smoke", sets=list(sets))
        return {s.name: resolved(s.settings, tmp_path) for s in build_stages(tmp_path, cfg, "disabled")}

    unseeded, seeded = stage_settings(), stage_settings("training.seed=3")
    assert set(TRAINED) <= set(seeded)
    for name in TRAINED:
        args = training_args(seeded[name])
        assert args[args.index("--seed_everything") + 1] == "3"
        assert "--seed_everything" not in training_args(unseeded[name])  # the config's own seed
    # None adds no key, so a run folder made before the setting existed keeps its hashes
    assert {n: s for n, s in seeded.items() if n not in TRAINED} == {
        n: s for n, s in unseeded.items() if n not in TRAINED}
    assert all("seed_everything" not in s.get("overrides", {}) for s in unseeded.values())


def test_the_training_seed_seeds_the_lightning_cli(tmp_path, corpus_dir, tokenizer_dir):
    import torch

    from experiments.lightning_cli import build_cli

    cfg = load_config("smoke", sets=["training.seed=7"])
    mle = next(s.settings for s in build_stages(tmp_path, cfg, "disabled") if s.name == "mle")
    build_cli(training_args({**mle, "corpus": str(corpus_dir), "tokenizer": str(tokenizer_dir),
                             "init_checkpoint": None}), run=False)
    assert torch.initial_seed() == 7


def test_the_reader_stop_accuracy_reaches_the_reader_alone(tmp_path):
    """The default's reader trains at most 8 epochs and stops at 0.99 validation entity
    accuracy; a preset without the setting (smoke) passes no key, and a wrong value is refused."""
    def reader_args(name, *sets):
        cfg = load_config(name, sets=list(sets))
        stages = {s.name: resolved(s.settings, tmp_path)
                  for s in build_stages(tmp_path, cfg, "disabled")}
        return stages, training_args(stages["reader"])

    stages, args = reader_args("default")
    assert args[args.index("--model.init_args.stop_accuracy") + 1] == "0.99"
    assert args[args.index("--trainer.max_epochs") + 1] == "8"
    assert all("--model.init_args.stop_accuracy" not in training_args(s)
               for n, s in stages.items() if n != "reader" and "config" in s)
    assert "--model.init_args.stop_accuracy" not in reader_args("smoke")[1]
    with pytest.raises(ConfigError, match="reader_stop_accuracy"):
        load_config("smoke", sets=["training.reader_stop_accuracy=1.5"])
