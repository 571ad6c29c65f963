"""Load a seq2seq model and its tokenizer from a workbench checkpoint or a Hugging Face one."""

from __future__ import annotations

from pathlib import Path


def checkpoint_state(path: str) -> dict:
    """The ``state_dict`` of a workbench Lightning checkpoint, for starting another model from
    it (``init_checkpoint``); a missing file is a ``FileNotFoundError`` naming it."""
    import torch

    if not Path(path).is_file():
        raise FileNotFoundError(f"init_checkpoint {path}: no such file")
    return torch.load(path, map_location="cpu", weights_only=False)["state_dict"]


def load_seq2seq(path: str, device: str = "cpu"):
    """Return ``(model, tokenizer)`` in eval mode.

    ``path`` is a Lightning checkpoint (``.ckpt``) of any workbench seq2seq module, or a Hugging
    Face checkpoint name or ``save_pretrained`` folder (loaded with ``AutoModelForSeq2SeqLM``).
    """
    if str(path).endswith(".ckpt"):
        from lightning_modules.models.qagen import QAGenModule

        module = QAGenModule.load_from_checkpoint(path, map_location=device)
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
