"""Find and load models: a workbench Lightning checkpoint (``.ckpt``), a local Hugging Face
``save_pretrained`` folder, or a Hugging Face hub name (offline: from the local cache)."""

from __future__ import annotations

import os
from pathlib import Path

from lightning_modules.data.splits import local_only
from lightning_modules.models.checkpoints import load_module, read_checkpoint


def model_problem(spec: str) -> str | None:
    """Why ``spec`` cannot be a model to load, or ``None``: a ``.ckpt`` that is not a file, a
    path that does not exist, a folder without ``config.json``, or, offline
    (``HF_HUB_OFFLINE=1``), a hub name not in the local cache."""
    local = Path(spec).expanduser()
    if str(spec).endswith(".ckpt"):
        return None if local.is_file() else "no such checkpoint file"
    if local.is_dir():
        return None if (local / "config.json").is_file() else \
            "not a Hugging Face checkpoint folder (no config.json)"
    if local.exists():
        return "a file, but not a Lightning checkpoint (.ckpt)"
    if local_only(spec):
        return "no such file or folder"
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "") and not _in_hub_cache(spec):
        return ("no such local folder, and not in the Hugging Face cache (offline); set "
                "HF_HUB_OFFLINE=0 to download it")
    return None


def _in_hub_cache(name: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(name, "config.json"), str)


def resolve_model(spec: str) -> str:
    """The kind of model ``spec`` names: ``lightning`` (a ``.ckpt``), ``folder`` (a local
    Hugging Face folder) or ``hub`` (a hub name); else ``FileNotFoundError`` in one line
    naming it (see :func:`model_problem`)."""
    problem = model_problem(spec)
    if problem:
        raise FileNotFoundError(f"{spec}: {problem}")
    if str(spec).endswith(".ckpt"):
        return "lightning"
    return "folder" if Path(spec).expanduser().is_dir() else "hub"


def fingerprint(spec: str) -> dict:
    """Identify a model for a cache key: a local file or folder by path, size and modification
    time (a retrained model gets a new key), a hub name by its name."""
    local = Path(spec)
    if not local.exists():
        return {"name": spec}
    stat = local.stat()
    return {"path": str(local.resolve()), "size": stat.st_size, "mtime": stat.st_mtime}


def load_summarizer(spec: str, device: str = "cpu"):
    """A summarizer (a :class:`~lightning_modules.models.mle.MLEModule`, with ``summarize``) in
    eval mode: a workbench ``.ckpt`` of any summarizer (MLE, ConSeq), or a Hugging Face
    seq2seq checkpoint (name or folder) with its own tokenizer."""
    from lightning_modules.models.conseq import ConSeqModule  # noqa: F401  (a ConSeq .ckpt's class)
    from lightning_modules.models.mle import MLEModule

    if resolve_model(spec) == "lightning":
        module = load_with_tokenizer(MLEModule, spec, map_location=device)
    else:
        module = MLEModule(model=spec, tokenizer=spec, copy_head=False).to(device)
    return module.eval()


def load_seq2seq(path: str, device: str = "cpu"):
    """Return ``(model, tokenizer)`` in eval mode.

    ``path`` is a Lightning checkpoint (``.ckpt``) of any workbench seq2seq module, or a Hugging
    Face checkpoint name or ``save_pretrained`` folder (loaded with ``AutoModelForSeq2SeqLM``).
    """
    if str(path).endswith(".ckpt"):
        from lightning_modules.models.qagen import QAGenModule

        module = load_with_tokenizer(QAGenModule, path, map_location=device)
        return module.model.eval(), module.tokenizer
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    model = AutoModelForSeq2SeqLM.from_pretrained(path).to(device).eval()
    return model, AutoTokenizer.from_pretrained(path)


def is_extractive_qa(path: str) -> bool:
    """True if ``path`` is a Hugging Face checkpoint of an extractive (span) QA model."""
    if str(path).endswith(".ckpt"):
        return False
    from transformers import AutoConfig

    architectures = AutoConfig.from_pretrained(path).architectures or []
    return any(a.endswith("ForQuestionAnswering") for a in architectures)


def load_with_tokenizer(module_class, checkpoint, tokenizer: str | None = None,
                        map_location="cpu"):
    """Load a workbench Lightning checkpoint with a tokenizer folder that exists.

    The file is read safely (:mod:`~lightning_modules.models.checkpoints`): one whose pickle
    would run code is refused unless the user trusts it. Checkpoints save the path of the tokenizer they were trained with, and a run folder that was
    copied or moved keeps naming the old one. ``tokenizer`` (the pipeline passes the run's own)
    replaces the saved path; where the saved folder still exists, its vocabulary must equal
    ``tokenizer``'s (else ``ValueError`` naming both). Without ``tokenizer`` the saved path is
    used where it exists (or names a hub tokenizer), else the ``tokenizer/`` folder of the run
    the checkpoint sits in (``<run>/runs/<name>/checkpoints/<file>.ckpt``), else
    ``FileNotFoundError`` naming both.
    """
    # memory-mapped: only the hyperparameters are read here; the weights once, by Lightning
    saved = read_checkpoint(checkpoint, mmap=True).get("hyper_parameters", {}).get("tokenizer")
    if tokenizer is None:
        gone = saved and local_only(saved) and not Path(saved).expanduser().exists()
        tokenizer = run_tokenizer(checkpoint, saved) if gone else saved
    elif saved and str(saved) != str(tokenizer) and Path(saved).exists():
        from lightning_modules.data.tokenizer import load_tokenizer

        if load_tokenizer(saved).get_vocab() != load_tokenizer(tokenizer).get_vocab():
            raise ValueError(f"{checkpoint}: trained with the tokenizer {saved}, whose "
                             f"vocabulary differs from {tokenizer}")
    overrides = {"tokenizer": str(tokenizer)} if tokenizer else {}
    return load_module(module_class, checkpoint, map_location=map_location, **overrides)


def run_tokenizer(checkpoint, saved: str) -> str:
    """The ``tokenizer/`` folder of the run ``checkpoint`` sits in, for a checkpoint whose saved
    tokenizer folder (``saved``) is gone; ``FileNotFoundError`` naming both if there is none."""
    parents = Path(checkpoint).resolve().parents
    candidate = parents[3] / "tokenizer" if len(parents) > 3 else None
    if candidate is None or not candidate.is_dir():
        raise FileNotFoundError(f"{checkpoint}: its tokenizer folder {saved} is gone, and no "
                                f"run tokenizer folder was found beside it")
    return str(candidate)
