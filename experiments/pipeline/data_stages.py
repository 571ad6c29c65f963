"""The stages that make a run's corpus: the synthetic world's (``corpus``, ``tokenizer``), or
with ``reproduce --data DIR`` your own data and models (``PipelineConfig.data``).

On your data, the corpus and tokenizer stages become one ``data`` stage, which reads your splits
(``lightning_modules/data/splits.py``: JSONL/CSV files, a ``save_to_disk`` folder or a hub
name) and writes them to ``<out>/corpus/{split}.jsonl`` in the workbench's row format, so every
later stage reads one place. With ``data.tiny_hf``, a ``models`` stage builds tiny random
Hugging Face checkpoints (``experiments/tiny_hf.py``) into ``<out>/models``. There is no reader;
the evaluators (QAGen, QG, QA, FactCC) are used as they are; the MLE summarizer fine-tunes from
the given one (``training.mle_epochs: 0``: used as it is). Candidates, scores, selection, both
ConSeq models and the test evaluation run as on the synthetic corpus. The oracle's stages
(metric validity, the reading probe, the reference noise) need the synthetic corpus's
corruptions and questions and are skipped; the test evaluation reads the oracle's columns only
where every row carries a fact table.
"""

from __future__ import annotations

from pathlib import Path

from experiments.config import PipelineConfig


def corpus_stage(s: dict) -> dict:
    """Generate the synthetic corpus of ``CorpusConfig(**s["corpus_config"])`` into
    ``<out>/corpus``; return its split sizes and reference noise."""
    from lightning_modules.world.generator import CorpusConfig, write_corpus

    cfg = CorpusConfig(**s["corpus_config"])
    write_corpus(cfg, s["corpus"])
    return {"splits": cfg.split_sizes(), "expected_noise": cfg.expected_noise()}


def tokenizer_stage(s: dict) -> dict:
    """Train the byte-level BPE tokenizer into ``<out>/tokenizer``."""
    from lightning_modules.data.readers import RowReader
    from lightning_modules.data.tokenizer import train_tokenizer

    rows = RowReader().read_jsonl(Path(s["corpus"]) / "train.jsonl")
    tok = train_tokenizer((t for r in rows for t in (r["document"], r["summary"])),
                          s["vocab_size"])
    tok.save_pretrained(s["tokenizer"])
    return {"vocab_size": len(tok)}


def data_fingerprint(data: str) -> list:
    """The files of a local data folder as (name, bytes, modification time), so that edited
    data re-runs the pipeline; a hub name is its name."""
    root = Path(data).expanduser()
    if not root.is_dir():
        return [data]
    return [[str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns]
            for p in sorted(root.rglob("*")) if p.is_file()]


def check_ids(data: str, split: str, rows: list[dict]) -> None:
    """Raise a one-line ``DataError`` if two rows of ``split`` share an id (candidates and
    selection find documents by id)."""
    from lightning_modules.data.readers import DataError

    seen = set()
    for number, row in enumerate(rows, start=1):
        if row["id"] in seen:
            raise DataError(f"{data}: split {split!r}: row {number}: field 'id': "
                            f"{row['id']!r} is on an earlier row")
        seen.add(row["id"])


def data_stage(s: dict) -> dict:
    """Read every split of ``s["data"]`` and write ``<corpus>/{split}.jsonl``; return the
    splits' report (rows, fact tables, skipped rows). Bad data is a one-line ``DataError``
    naming file, line and field."""
    from lightning_modules.data.splits import load_splits
    from lightning_modules.jsonl import write_jsonl

    splits = load_splits(s["data"], s["document_field"], s["summary_field"], limit=s["limit"],
                         hf_config=s["hf_config"])
    for split, rows in splits.rows.items():
        check_ids(s["data"], split, rows)
        write_jsonl(Path(s["corpus"]) / f"{split}.jsonl", rows)
    return splits.report()


def tiny_models_stage(s: dict) -> dict:
    """Build the tiny Hugging Face checkpoints into ``s["out"]``, the tokenizer trained on the
    corpus's train split; return ``{role: folder}``."""
    from experiments.tiny_hf import TinyHFConfig, build_tiny_hf, tokenizer_texts

    cfg = TinyHFConfig(**s["tiny_hf"])
    return build_tiny_hf(s["out"], cfg, tokenizer_texts(s["corpus"], cfg.tokenizer_docs))


def check_models(cfg: PipelineConfig) -> None:
    """Raise a one-line ``FileNotFoundError`` for a given model that cannot be loaded (a
    missing ``.ckpt`` or folder, a folder without ``config.json``, an uncached hub name)."""
    from lightning_modules.models.loading import model_problem

    for role, spec in cfg.data.models.given().items():
        problem = model_problem(spec)
        if problem:
            raise FileNotFoundError(f"data.models.{role}: {spec}: {problem}")


def summarizer_start(spec: str) -> tuple[dict, str, str | None]:
    """How the summarizer modules start from ``spec``: (CLI overrides of the model, the
    tokenizer, the ``init_checkpoint``). A Hugging Face folder or name is the model and
    tokenizer itself; a workbench ``.ckpt`` gives its own model settings and weights."""
    keys = ("model", "copy_head", "copy_history")
    if not spec.endswith(".ckpt"):
        return {"model.init_args.model": spec, "model.init_args.copy_head": False}, spec, None
    from lightning_modules.models.checkpoints import read_checkpoint

    hp = read_checkpoint(spec, mmap=True)["hyper_parameters"]
    overrides = {f"model.init_args.{k}": hp[k] for k in keys if k in hp}
    return overrides, hp["tokenizer"], spec
