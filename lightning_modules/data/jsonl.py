"""Atomic JSON Lines writing: a killed writer leaves the old file or none, never half a file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable


def write_jsonl(path: str | Path, records: Iterable[dict]) -> Path:
    """Write one JSON object a line to a temporary file, then rename it to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
    return path
