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


def run_stages(stages: list[Stage], out: Path, log=print) -> dict[str, dict]:
    """Run each stage unless its marker matches; return every stage's result by name."""
    results, keys = {}, {}
    for i, stage in enumerate(stages, start=1):
        inputs = stage.inputs([s.name for s in stages[:i - 1]])
        keys[stage.name] = key = stage_key(stage, {n: keys[n] for n in inputs}, out)
        marker, prefix = out / ".stages" / f"{stage.name}.json", f"[{i}/{len(stages)}] {stage.name}"
        saved = json.loads(marker.read_text()) if marker.exists() else {}
        if saved.get("hash") == key:
            log(f"{prefix}: finished earlier, skipped")
            results[stage.name] = local(saved["result"], out)
            continue
        log(f"{prefix}: running")
        start = time.perf_counter()
        result = stage.run({**resolve(stage.settings, results), "stage_hash": key})
        seconds = time.perf_counter() - start
        write_json_atomic(marker, {"hash": key, "seconds": seconds,
                                   "result": portable(result, out)})
        log(f"{prefix}: done in {seconds:.1f}s")
        results[stage.name] = result
    return results
