"""The typed configuration of ``quals-bench reproduce``: one tree of frozen dataclasses.

A preset (``experiments/configs/presets/*.yaml``) is this tree as YAML; ``experiments.presets``
loads it, merges a world onto it and applies ``--set`` overrides. Sections reuse the library's
own settings classes, whose defaults are the paper's numbers (each defined there, once):
``CandidateConfig`` (6 candidates, top-k 50, length 10-60), ``SelectionConfig`` (quantile 0.3,
intersection), ``QualsConfig`` (60 beams in 60 groups), ``QagsConfig``, and :class:`ConSeqConfig`
here (learning rate 3e-6, 2 epochs). The corpus section is a mapping of ``CorpusConfig``
fields, passed to ``CorpusConfig(**corpus)`` as it is. The data section (:class:`DataConfig`)
switches the run to a user's data and models (``reproduce --data DIR``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from experiments.pipeline.candidates import CandidateConfig
from experiments.config_tree import ConfigError, at_least, build, plain, positive, require
from experiments.tiny_hf import TinyHFConfig
from lightning_modules.metrics.qags import QagsConfig
from lightning_modules.metrics.quals import QualsConfig
from lightning_modules.precision import check_precision
from lightning_modules.selection import SelectionConfig
from lightning_modules.world.generator import CorpusConfig


@dataclass(frozen=True)
class TrainingBudgets:
    """How long each model of the pipeline trains (the miniature's budgets, set by each preset)."""

    reader_epochs: int
    """Epochs of the shared reader (role tagging) every model but FactCC starts from (at most,
    with ``reader_stop_accuracy``); 0: no reader, every model from scratch."""
    reader_batches: int | None
    """Training batches per reader epoch; None: all."""
    mle_epochs: int
    """Epochs of the MLE summarizer; 0 (only on your data): the given summarizer as it is."""
    mle_batches: int | None
    """Training batches per MLE epoch; None: all."""
    qagen_batches: int
    qg_batches: int
    qa_batches: int
    factcc_batches: int
    reader_stop_accuracy: float | None = None
    """The reader stops once its validation entity accuracy reaches this; None: it trains all
    ``reader_epochs``. The epoch at which a reader starts binding varies with the seed."""
    seed: int | None = None
    """``seed_everything`` of every training stage (reader, evaluators, MLE, both ConSeq); None
    keeps each training config's own (0). With ``candidates.seed`` it draws another training run
    of the same world: the spread of a figure over seeds is the noise that the paired bootstrap
    over test documents does not cover."""
    precision: str | int | None = None
    """Numeric precision of every training stage (``trainer.precision``) and of the metrics'
    inference: ``32``, ``bf16-mixed`` (a recent GPU: about half the activation memory) or
    ``16-mixed``; None keeps each training config's own (float32: the pipeline's configs
    set none) and adds no stage override (``experiments.memory.precision_override``)."""

    def __post_init__(self):
        object.__setattr__(self, "precision", check_precision(self.precision))
        at_least(self, 0, "reader_epochs", "mle_epochs", "seed")
        at_least(self, 1, "reader_batches", "mle_batches", "qagen_batches",
                 "qg_batches", "qa_batches", "factcc_batches")
        if self.reader_stop_accuracy is not None:
            require(0.0 < self.reader_stop_accuracy <= 1.0,
                    "reader_stop_accuracy must be in (0, 1]")


@dataclass(frozen=True)
class SummarizerLengths:
    """Length settings of the summarizers (MLE and both ConSeq models); ``None`` keeps the value
    of the training config (``experiments/configs/mle.yaml``, ``conseq.yaml``). A world whose
    summaries are longer sets these."""

    max_length: int | None = None
    """Most tokens of a generated summary."""
    min_length: int | None = None
    """Fewest tokens of a generated summary."""
    max_source_length: int | None = None
    """Documents are truncated to this many tokens (training and summarizing)."""
    max_target_length: int | None = None
    """Reference summaries are truncated to this many tokens in training."""

    def __post_init__(self):
        at_least(self, 1, "max_length", "max_source_length", "max_target_length")
        at_least(self, 0, "min_length")
        if self.max_length is not None and self.min_length is not None:
            require(self.min_length <= self.max_length, "min_length must be <= max_length")


@dataclass(frozen=True)
class ConSeqConfig:
    """ConSeq fine-tuning of the MLE model on each ranker's (S+, S-) pairs."""

    docs: int
    """Training documents whose candidates are sampled, scored and selected from."""
    learning_rate: float = 3e-6
    """Paper: 3e-6 (BART-large)."""
    epochs: int = 2
    """Paper: 2."""
    negative_weight: float = 1.0
    """Weight of the unlikelihood loss on S- (paper: 1)."""
    negative_loss: str = "sequence"
    """The S- term: ``sequence`` (the unlikelihood of the whole summary, ``-log(1 - p(s|x))``,
    as ConSeq's equation is written) or ``token`` (the label-smoothed unlikelihood of each
    token, as the authors' fairseq criterion computes it), or ``pair`` (a preference of each
    document's S+ over its S- against the frozen MLE: ``losses.pair_preference``), or ``span``
    (the unlikelihood of the negative's tokens in answers QUALS flags). On the xsum world's validation
    documents the token term raised extrinsic hallucination from 0.625 to 0.860 and the sequence
    term lowered it to 0.610 (docs/conseq.md, "The S- term")."""

    pair_beta: float = 1.0
    """Scale of the ``pair`` S- term's log-ratio margin (``losses.pair_preference``)."""
    span_threshold: float = -1.0
    """The ``span`` S- term pushes down a negative's tokens inside answers whose QUALS
    difference ``ll_document - ll_summary`` is below this, in nats (``losses.span_unlikelihood``)."""
    seeds: tuple[int, ...] | None = None
    """ConSeq fine-tuning seeds: each ConSeq system is trained and evaluated once per seed, on
    the same candidates and pairs, and reported as the mean over seeds with its range. ``None``:
    one run, seeded by ``training.seed``."""

    def __post_init__(self):
        if self.seeds is not None:
            object.__setattr__(self, "seeds", tuple(self.seeds))
            require(len(self.seeds) > 0 and len(set(self.seeds)) == len(self.seeds),
                    f"seeds: must be distinct and at least one, got {list(self.seeds)}")
        at_least(self, 1, "docs", "epochs")
        positive(self, "learning_rate")
        at_least(self, 0.0, "negative_weight")
        require(self.negative_loss in ("token", "sequence", "pair", "span"),
                f"negative_loss: must be token, sequence, pair or span, got "
                f"{self.negative_loss!r}")
        positive(self, "pair_beta")


@dataclass(frozen=True)
class EvaluationConfig:
    """Sizes of the evaluation stages (test documents per system, metric validity, probe)."""

    examples: int
    """Test documents each summarizer is evaluated on."""
    validity_docs: int
    """Test documents whose faithful and corrupted summaries measure metric AUROC."""
    system_validity_docs: int
    """Candidate-pool documents whose summaries measure metric AUROC on system outputs."""
    probe_docs: int
    """Test documents whose questions the reading probe asks."""

    def __post_init__(self):
        at_least(self, 1, "examples", "validity_docs", "system_validity_docs", "probe_docs")


@dataclass(frozen=True)
class ModelSpecs:
    """The models of a run on your data, by role; each a Hugging Face hub name, a local
    ``save_pretrained`` folder or a workbench ``.ckpt``; ``None``: the tiny checkpoints that
    ``data.tiny_hf`` builds. The evaluators are used as they are."""

    summarizer: str | None = None
    """The MLE summarizer starts from it (and fine-tunes ``training.mle_epochs``)."""
    qagen: str | None = None
    """QUALS's QA generator (its tokenizer needs ``<qa_sep>``)."""
    qg: str | None = None
    """QAGS's question generator."""
    qa: str | None = None
    """QAGS's question answerer."""
    factcc: str | None = None
    """The FactCC classifier."""

    def given(self) -> dict[str, str]:
        """The roles set, ``{role: spec}``."""
        return {role: spec for role, spec in vars(self).items() if spec is not None}


@dataclass(frozen=True)
class DataConfig:
    """Your own data and models (``reproduce --data DIR``); without ``path``, the synthetic
    corpus, and every model trained on it."""

    path: str | None = None
    """A folder of ``{train,validation,test}.jsonl|csv`` files, a ``save_to_disk`` folder or a
    Hugging Face dataset name (``lightning_modules/data/splits.py``); ``None``: synthetic."""
    document_field: str | None = None
    """Field of the document (default: ``document``, or a known hub dataset's own)."""
    summary_field: str | None = None
    """Field of the reference summary (default: ``summary``, or a known hub dataset's own)."""
    hf_config: str | None = None
    """Configuration of a hub dataset (default: the known datasets' own)."""
    limit: int | None = None
    """Rows per split (the first ones); ``None``: all."""
    models: ModelSpecs = field(default_factory=ModelSpecs)
    tiny_hf: TinyHFConfig | None = None
    """Build tiny random Hugging Face checkpoints (``experiments/tiny_hf.py``) into
    ``<out>/models`` for every role ``models`` leaves ``None``."""

    def __post_init__(self):
        at_least(self, 1, "limit")
        if self.path is None:
            require(not self.models.given() and self.tiny_hf is None,
                    "path missing: models and tiny_hf are for your own data (--data DIR)")
            return
        missing = [role for role in vars(self.models) if role not in self.models.given()]
        require(not missing or self.tiny_hf is not None,
                f"models needs {', '.join(missing)} (a hub name, a local folder or a .ckpt), "
                "or tiny_hf to build tiny ones")

    def roles(self, out) -> dict[str, str]:
        """Every model by role: the given ones, the rest ``<out>/models/<role>`` (tiny_hf)."""
        return {role: spec if spec is not None else str(Path(out) / "models" / role)
                for role, spec in vars(self.models).items()}


@dataclass(frozen=True)
class PipelineConfig:
    """Every setting of ``quals-bench reproduce``."""

    training: TrainingBudgets
    conseq: ConSeqConfig
    evaluation: EvaluationConfig
    corpus: dict = field(default_factory=dict)
    """``CorpusConfig`` fields (``lightning_modules/world/generator.py``), passed as they are
    (the synthetic corpus; unused with ``data.path``)."""
    vocab_size: int = 4096
    """Size of the byte-level BPE tokenizer's vocabulary (synthetic corpus only)."""
    data: DataConfig = field(default_factory=DataConfig)
    """Your own data and models; the default is the synthetic corpus."""
    candidates: CandidateConfig = field(default_factory=CandidateConfig)
    selection: SelectionConfig = field(default_factory=SelectionConfig)
    """S+/S- of the QUALS ranker; the ROUGE ranker takes its quantile and mode."""
    quals: QualsConfig = field(default_factory=QualsConfig)
    """QUALS as the ranker of the candidates and as a test metric."""
    qags: QagsConfig = field(default_factory=QagsConfig)
    summarizer: SummarizerLengths = field(default_factory=SummarizerLengths)

    def __post_init__(self):
        object.__setattr__(self, "corpus", dict(self.corpus))
        self.corpus_config()  # validates the corpus section
        at_least(self, 1, "vocab_size")
        if self.training.mle_epochs == 0 and self.data.path is None:
            raise ConfigError("training.mle_epochs", "0 keeps the given summarizer as it is: "
                                                     "only with data.path (--data DIR)")

    def corpus_config(self) -> CorpusConfig:
        """The corpus settings, ``CorpusConfig(**corpus)`` (checked key by key)."""
        return build(CorpusConfig, self.corpus, "corpus")

    def to_dict(self) -> dict:
        """The config as plain YAML/JSON types; ``from_dict`` of it gives an equal config."""
        return plain(self)

    @classmethod
    def from_dict(cls, data) -> "PipelineConfig":
        """Build and validate the config from a nested mapping (raise ``ConfigError``)."""
        return build(cls, data)
