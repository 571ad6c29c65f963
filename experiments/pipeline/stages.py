"""Resumable pipeline stages, run as a graph: a stage re-runs when its own inputs change.

A stage writes its outputs, then a marker ``<out>/.stages/<name>.json`` holding its hash and
its result. The hash covers the stage's settings and the hashes of the stages it reads (its
``needs``, and every stage a :class:`Ref` in its settings names), so a change re-runs that
stage and what reads it, and nothing else. Paths under the run folder enter the hash, and the
saved results, as ``${run}/...``: a copied or moved run folder re-runs nothing. The marker is
written atomically last, so a stage killed at any point has no marker and runs again.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from lightning_modules.jsonl import write_json

RUN = "${run}"
"""How a path under the run folder is written in hashes and markers."""

UNHASHED = ("wandb",)
"""Settings that do not change a stage's outputs (switching W&B mode re-runs nothing)."""


def content_hash(obj) -> str:
    """Return a short SHA-256 of the JSON form of ``obj`` (keys sorted)."""
    blob = json.dumps(obj, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def write_json_atomic(path: Path, obj) -> None:
    """Write ``obj`` to ``path`` as strict JSON, keys sorted, through a temporary file renamed
    into place (:func:`lightning_modules.jsonl.write_json`: NaN/inf sentinels become
    ``null``; a value JSON cannot hold raises ``TypeError``)."""
    write_json(path, obj, sort_keys=True)


@dataclass(frozen=True)
class Ref:
    """A value another stage's result gives: ``results[stage][key]``, read when this stage
    runs. The stage it names is one of this stage's inputs."""

    stage: str
    key: str = "checkpoint"


@dataclass
class Stage:
    """A named step: ``run(settings) -> JSON-serialisable result``.

    ``needs`` names the stages whose outputs it reads besides those its :class:`Ref` settings
    name; ``None`` means every earlier stage (a chain). ``run`` receives the settings with
    each :class:`Ref` replaced by its value, and ``stage_hash``, the stage's hash.
    """

    name: str
    run: Callable[[dict], dict]
    settings: dict
    needs: tuple[str, ...] | None = None

    def inputs(self, earlier: list[str]) -> list[str]:
        """The stages this one reads, among ``earlier`` (the names before it)."""
        if self.needs is None and not refs(self.settings):
            return list(earlier)
        named = set(self.needs or ()) | {ref.stage for ref in refs(self.settings)}
        unknown = named - set(earlier)
        if unknown:
            raise ValueError(f"stage {self.name!r} reads {sorted(unknown)}, not earlier stages")
        return sorted(named)


def refs(obj) -> list[Ref]:
    """Every :class:`Ref` inside ``obj`` (dicts and lists, recursively)."""
    if isinstance(obj, Ref):
        return [obj]
    if isinstance(obj, dict):
        return [r for v in obj.values() for r in refs(v)]
    if isinstance(obj, (list, tuple)):
        return [r for v in obj for r in refs(v)]
    return []


def map_values(obj, fn):
    """``obj`` with ``fn`` applied to every leaf value (dicts, lists and tuples rebuilt)."""
    if isinstance(obj, dict):
        return {k: map_values(v, fn) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [map_values(v, fn) for v in obj]
    return fn(obj)


def portable(obj, out: Path):
    """``obj`` with each path under ``out`` written ``${run}/...`` and each :class:`Ref` as
    ``{"ref": "stage.key"}``: the form hashes and markers hold."""
    root = str(out)

    def leaf(value):
        if isinstance(value, Ref):
            return {"ref": f"{value.stage}.{value.key}"}
        if isinstance(value, str) and (value == root or value.startswith(root + "/")):
            return RUN + value[len(root):]
        return value
    return map_values(obj, leaf)


def local(obj, out: Path):
    """The inverse of :func:`portable` for paths: ``${run}/...`` becomes a path under ``out``."""
    return map_values(obj, lambda v: str(out) + v[len(RUN):]
                      if isinstance(v, str) and v.startswith(RUN) else v)


def resolve(settings: dict, results: dict[str, dict]) -> dict:
    """``settings`` with each :class:`Ref` replaced by the value of the stage result it names."""
    return map_values(settings, lambda v: results[v.stage][v.key] if isinstance(v, Ref) else v)


def stage_key(stage: Stage, inputs: dict[str, str], out: Path) -> str:
    """The hash of ``stage``: its settings (paths portable, :data:`UNHASHED` left out) and the
    hashes of its ``inputs`` (stage name -> hash)."""
    settings = {k: v for k, v in stage.settings.items() if k not in UNHASHED}
    return content_hash([inputs, portable(settings, out)])


def upstream(stages: list[Stage], target: str) -> list[Stage]:
    """``target`` and every stage it reads, directly or through others, in their order in
    ``stages``; ``ValueError`` naming the stages when ``target`` is not one of them."""
    names = [s.name for s in stages]
    if target not in names:
        raise ValueError(f"no stage {target!r}; the stages are: {', '.join(names)}")
    wanted, position = {target}, names.index(target)
    for i in range(position, -1, -1):
        if stages[i].name in wanted:
            wanted.update(stages[i].inputs(names[:i]))
    return [s for s in stages if s.name in wanted]


def stage_keys(stages: list[Stage], out: Path) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Each stage's inputs (names) and hash, in order: a hash covers its inputs' hashes."""
    names = [s.name for s in stages]
    inputs = {s.name: s.inputs(names[:i]) for i, s in enumerate(stages)}
    keys: dict[str, str] = {}
    for stage in stages:
        keys[stage.name] = stage_key(stage, {n: keys[n] for n in inputs[stage.name]}, out)
    return inputs, keys


def finished(stage: Stage, key: str, out: Path) -> dict | None:
    """The saved result of ``stage`` when its marker holds ``key``, else ``None``."""
    marker = out / ".stages" / f"{stage.name}.json"
    saved = json.loads(marker.read_text()) if marker.exists() else {}
    return local(saved["result"], out) if saved.get("hash") == key else None


def record(stage: Stage, key: str, out: Path, result: dict, seconds: float) -> None:
    """Write the marker of a stage that finished (atomically, after its outputs)."""
    write_json_atomic(out / ".stages" / f"{stage.name}.json",
                      {"hash": key, "seconds": seconds, "result": portable(result, out)})


def timed_run(run: Callable[[dict], dict], settings: dict) -> tuple[dict, float]:
    """``run(settings)`` and its wall seconds."""
    start = time.perf_counter()
    result = run(settings)
    return result, time.perf_counter() - start


def run_stages(stages: list[Stage], out: Path, log=print) -> dict[str, dict]:
    """Run each stage in turn unless its marker matches; return every stage's result by name
    (:func:`experiments.pipeline.parallel.run_parallel` runs independent ones at once)."""
    _, keys = stage_keys(stages, out)
    results = {}
    for i, stage in enumerate(stages, start=1):
        prefix = f"[{i}/{len(stages)}] {stage.name}"
        saved = finished(stage, keys[stage.name], out)
        if saved is not None:
            log(f"{prefix}: finished earlier, skipped")
            results[stage.name] = saved
            continue
        log(f"{prefix}: running")
        settings = {**resolve(stage.settings, results), "stage_hash": keys[stage.name]}
        result, seconds = timed_run(stage.run, settings)
        record(stage, keys[stage.name], out, result, seconds)
        log(f"{prefix}: done in {seconds:.1f}s")
        results[stage.name] = result
    return results
