"""Read workbench Lightning checkpoints safely: tensors and plain values only.

A ``.ckpt`` is a pickle, and unpickling can run any code the file holds. Every checkpoint the
workbench writes holds tensors and plain Python values (numbers, strings, lists, dicts), which
``torch.load(weights_only=True)`` reads without running code, plus the few types of
:data:`SAFE_TYPES`. Anything else is refused with one line naming the file; a user who trusts
the file's source opts in with ``QUALS_BENCH_TRUST_CHECKPOINTS=1``.
"""

from __future__ import annotations

import os
import pathlib
import pickle
import re
from contextlib import contextmanager

TRUST_ENV = "QUALS_BENCH_TRUST_CHECKPOINTS"
"""Set to ``1`` to load checkpoints whose pickle holds other objects (runs their code)."""

SAFE_TYPES = (pathlib.PosixPath, pathlib.WindowsPath, pathlib.PurePosixPath)
"""Types beyond tensors and plain values that a workbench checkpoint may hold (a path given
as a hyperparameter)."""


class UnsafeCheckpointError(ValueError):
    """A checkpoint holds Python objects that loading it would have to run."""


def trusted() -> bool:
    """Whether the user opted in to loading any checkpoint (:data:`TRUST_ENV`)."""
    return os.environ.get(TRUST_ENV, "0") not in ("0", "")


def refusal(path, error: Exception) -> UnsafeCheckpointError:
    """The one-line error for a checkpoint ``torch.load(weights_only=True)`` refused."""
    found = re.search(r"GLOBAL ([\w.]+)", str(error))
    what = f"the object {found[1]}" if found else "objects beyond tensors and plain values"
    return UnsafeCheckpointError(
        f"{path}: refused: it holds {what}, and loading it would run code from the file; if "
        f"you trust its source, set {TRUST_ENV}=1 and load it again")


@contextmanager
def safe_loading(path):
    """Within the block, ``torch.load(weights_only=True)`` also accepts :data:`SAFE_TYPES`, and
    a refusal becomes :class:`UnsafeCheckpointError` naming ``path``."""
    import torch

    with torch.serialization.safe_globals(list(SAFE_TYPES)):
        try:
            yield
        except pickle.UnpicklingError as error:
            raise refusal(path, error) from None


def read_checkpoint(path, mmap: bool = False) -> dict:
    """The contents of the checkpoint file ``path`` on the CPU, read safely unless the user
    trusts every checkpoint (:func:`trusted`); a missing file is ``FileNotFoundError``."""
    import torch

    if not pathlib.Path(path).is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint file")
    with safe_loading(path):
        return torch.load(path, map_location="cpu", weights_only=not trusted(), mmap=mmap)


def checkpoint_state(path: str) -> dict:
    """The ``state_dict`` of a workbench Lightning checkpoint, for starting another model from
    it (``init_checkpoint``); a missing file is a ``FileNotFoundError`` naming it."""
    if not pathlib.Path(path).is_file():
        raise FileNotFoundError(f"init_checkpoint {path}: no such file")
    return read_checkpoint(path)["state_dict"]


def load_module(module_class, path, map_location="cpu", **overrides):
    """``module_class.load_from_checkpoint(path)``, read as :func:`read_checkpoint` reads."""
    with safe_loading(path):
        return module_class.load_from_checkpoint(path, map_location=map_location,
                                                 weights_only=not trusted(), **overrides)
