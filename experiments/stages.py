"""Resumable pipeline stages: a stage that finished is skipped when its inputs are unchanged.

A stage writes its outputs, then a marker ``<out>/.stages/<name>.json`` holding a hash of
its settings chained with the previous stage's hash (so a changed stage re-runs everything
after it) and its result; the marker is written atomically last, so a stage killed at any
point has no marker and runs again, and one whose settings changed runs again too.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from lightning_modules.jsonl import write_json


def content_hash(obj) -> str:
    """Return a short SHA-256 of the JSON form of ``obj`` (keys sorted)."""
    blob = json.dumps(obj, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def write_json_atomic(path: Path, obj) -> None:
    """Write ``obj`` to ``path`` as strict JSON, keys sorted, through a temporary file renamed
    into place (:func:`lightning_modules.jsonl.write_json`: NaN/inf sentinels become
    ``null``; a value JSON cannot hold raises ``TypeError``)."""
    write_json(path, obj, sort_keys=True)


UNHASHED = ("wandb",)
"""Settings that do not change a stage's outputs (switching W&B mode re-runs nothing)."""


@dataclass
class Stage:
    """A named step: ``run(settings) -> JSON-serialisable result``."""

    name: str
    run: Callable[[dict], dict]
    settings: dict


def run_stages(stages: list[Stage], out: Path, log=print) -> dict[str, dict]:
    """Run each stage unless its marker matches; return every stage's result by name."""
    results, key = {}, ""
    for i, stage in enumerate(stages, start=1):
        marker = out / ".stages" / f"{stage.name}.json"
        key = content_hash([key, {k: v for k, v in stage.settings.items() if k not in UNHASHED}])
        prefix = f"[{i}/{len(stages)}] {stage.name}"
        if marker.exists():
            saved = json.loads(marker.read_text())
            if saved.get("hash") == key:
                log(f"{prefix}: finished earlier, skipped")
                results[stage.name] = saved["result"]
                continue
        log(f"{prefix}: running")
        start = time.perf_counter()
        result = stage.run(stage.settings)
        seconds = time.perf_counter() - start
        write_json_atomic(marker, {"hash": key, "seconds": seconds, "result": result})
        log(f"{prefix}: done in {seconds:.1f}s")
        results[stage.name] = result
    return results
