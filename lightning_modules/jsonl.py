"""Atomic, strict JSON and JSON Lines writing: every file the workbench writes goes through here.

Atomic: a killed writer leaves the old file or none, never half a file. Strict: the text is
RFC 8259 JSON, which has no NaN or Infinity. :func:`strict` turns a non-finite float (the
workbench's sentinel for a score or statistic that could not be computed) into ``null`` and a
numpy or torch scalar into a Python number; anything else JSON cannot hold raises ``TypeError``
instead of being written as a string. Standard library only, so ``analysis/`` can import it
without torch.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Iterable


def strict(obj):
    """Return ``obj`` ready for strict JSON.

    Non-finite floats become ``None``; scalars with ``item()`` and an empty shape (numpy and
    torch scalars, 0-d arrays and tensors) become Python ``bool``/``int``/``float`` (a float32
    keeps its float32 value: compute in float64 upstream); float subclasses such as
    ``np.float64`` become ``float``; tuples become lists; paths become strings. Dicts and lists
    are converted recursively; every other value is returned unchanged for ``json`` to judge.
    """
    if isinstance(obj, dict):
        return {key: strict(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [strict(value) for value in obj]
    if isinstance(obj, float):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, (str, int)) or obj is None:
        return obj
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if hasattr(obj, "item") and getattr(obj, "shape", None) == ():
        return strict(obj.item())
    return obj


def dumps(obj, **kwargs) -> str:
    """Strict JSON text of ``strict(obj)``; ``kwargs`` go to :func:`json.dumps`.

    Raises ``TypeError`` for a value JSON cannot hold (an array, a tensor with elements, any
    other object) and ``ValueError`` for a circular reference.
    """
    return json.dumps(strict(obj), allow_nan=False, **kwargs)


def _write_atomic(path: str | Path, chunks: Iterable[str]) -> Path:
    """Write ``chunks`` to a temporary file beside ``path``, then rename it to ``path``; on an
    error the temporary file is removed and the old ``path`` is left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as f:
            for chunk in chunks:
                f.write(chunk)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_jsonl(path: str | Path, records: Iterable[dict]) -> Path:
    """Write one strict JSON object a line (UTF-8) atomically; return ``path``."""
    return _write_atomic(path, (dumps(record, ensure_ascii=False) + "\n" for record in records))


def write_json(path: str | Path, obj, sort_keys: bool = False) -> Path:
    """Write ``obj`` as strict, indented JSON (ASCII) atomically; return ``path``."""
    return _write_atomic(path, [dumps(obj, indent=2, sort_keys=sort_keys) + "\n"])
