"""Load a :class:`~experiments.config.PipelineConfig`: a preset, a world merged onto it, then
``--set key.path=value`` overrides, in that order.

A preset is ``experiments/configs/presets/NAME.yaml`` or a path to a YAML file (a run's own
``config.yaml`` among them); a world is an overlay, ``experiments/configs/worlds/NAME.yaml`` or
a path, merged key by key onto the preset (``xsum``, the default world, changes nothing). A
``--set`` value is read as YAML (``--set conseq.learning_rate=3e-6``,
``--set selection.mode=intersection``). Every error names the file or ``--set`` that gave the
wrong value and its key path: ``presets/default.yaml: conseq.learning_rate: must be > 0``.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from experiments import CONFIG_DIR
from experiments.config import PipelineConfig
from experiments.config_tree import ConfigError

PRESET_DIR = CONFIG_DIR / "presets"
WORLD_DIR = CONFIG_DIR / "worlds"
DEFAULT_WORLD = "xsum"

Layer = tuple[str, Mapping]
"""A source (a file's label, or ``--set ...``) and the nested mapping it sets."""


def available(folder: Path) -> list[str]:
    """The names of the YAML files in ``folder`` (the presets, or the worlds)."""
    return sorted(p.stem for p in folder.glob("*.yaml"))


def find(name_or_path: str, folder: Path, kind: str) -> Path:
    """The file of ``name_or_path``: a path as it is (a ``.yaml`` name or one with a folder),
    else ``<folder>/<name>.yaml``; raise :class:`ConfigError` naming the choices."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml") and len(path.parts) == 1:
        path = folder / f"{name_or_path}.yaml"
        if not path.exists():
            raise ConfigError("", f"unknown {kind} {name_or_path!r} (available: "
                                  f"{', '.join(available(folder))}, or a YAML path)", f"--{kind}")
    if not path.is_file():
        raise ConfigError("", f"no such file {str(path)!r}", f"--{kind}")
    return path


def label(path: Path) -> str:
    """How errors name a config file: relative to ``experiments/configs`` when inside it."""
    try:
        return str(path.resolve().relative_to(CONFIG_DIR.resolve()))
    except ValueError:
        return str(path)


def file_layer(path: Path) -> Layer:
    """The layer of a YAML file (empty, or comments only: an empty mapping)."""
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, Mapping):
        raise ConfigError("", f"must hold a mapping of settings, got {data!r}", label(path))
    return label(path), data


def set_layer(item: str) -> Layer:
    """The layer of one ``--set key.path=value`` (the value read as YAML)."""
    key, sep, text = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError("", "expected key.path=value", f"--set {item}")
    return f"--set {item}", nested(key.strip(), yaml.safe_load(text) if text.strip() else None)


def nested(key: str, value) -> dict:
    """The mapping that sets the dotted ``key`` to ``value`` (``a.b``, 1 -> ``{a: {b: 1}}``)."""
    for part in reversed(key.split(".")):
        value = {part: value}
    return value


def merge(base: Mapping, overlay: Mapping) -> dict:
    """``overlay`` merged onto ``base``: mappings key by key, any other value replaced."""
    merged = dict(base)
    for key, value in overlay.items():
        inner = isinstance(value, Mapping) and isinstance(merged.get(key), Mapping)
        merged[key] = merge(merged[key], value) if inner else value
    return merged


def touches(layer: Mapping, key: str) -> bool:
    """Whether ``layer`` sets the dotted ``key``, a key inside it, or a value above it."""
    node = layer
    for part in key.split(".") if key else ():
        if not isinstance(node, Mapping):
            return True
        if part not in node:
            return False
        node = node[part]
    return True


def resolve(layers: Sequence[Layer]) -> PipelineConfig:
    """Merge ``layers`` in order and build the config; a :class:`ConfigError` names the last
    layer that set its key (the first layer, the preset, for a missing key)."""
    data: dict = {}
    for _, layer in layers:
        data = merge(data, layer)
    try:
        return PipelineConfig.from_dict(data)
    except ConfigError as error:
        error.source = error.source or next(
            (source for source, layer in reversed(layers) if touches(layer, error.key)),
            layers[0][0])
        raise


def load_config(preset: str = "default", world: str | None = DEFAULT_WORLD,
                sets: Sequence[str] = (), data: str | None = None) -> PipelineConfig:
    """The config of ``preset`` (a name or path) with ``world`` (a name, a path, or ``None``)
    merged onto it, ``data`` (``--data``: a folder or dataset name) as ``data.path`` and the
    ``key.path=value`` overrides ``sets`` applied, validated."""
    layers = [file_layer(find(preset, PRESET_DIR, "preset"))]
    if world:
        layers.append(file_layer(find(world, WORLD_DIR, "world")))
    if data:
        layers.append((f"--data {data}", {"data": {"path": data}}))
    layers += [set_layer(item) for item in sets]
    return resolve(layers)


def overlay(config: PipelineConfig, layer: Mapping, source: str) -> PipelineConfig:
    """``config`` with the nested mapping ``layer`` merged onto it, validated; errors name
    ``source``."""
    return resolve([("config", config.to_dict()), (source, layer)])


def write_config(config: PipelineConfig, path: Path, header: str = "") -> None:
    """Write the resolved ``config`` as YAML (``--preset PATH`` reloads it), ``header`` as
    comment lines above it."""
    comments = "".join(f"# {line}\n" for line in header.splitlines())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(comments + yaml.safe_dump(config.to_dict(), sort_keys=False))


def add_arguments(parser: argparse.ArgumentParser, preset: str | None = "default",
                  world: str | None = DEFAULT_WORLD) -> None:
    """Add ``--preset``, ``--world`` and ``--set`` to a command's parser (``None`` defaults: the
    command fills them in)."""
    parser.add_argument("--preset", default=preset, help=(
        f"a preset ({', '.join(available(PRESET_DIR))}) or a YAML path"
        + (f" (default: {preset})" if preset else "")))
    parser.add_argument("--world", default=world, help=(
        f"a world overlaid on the preset ({', '.join(available(WORLD_DIR))}) or a YAML path"
        + (f" (default: {world})" if world else "")))
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                        help="override one setting, e.g. conseq.learning_rate=3e-6 (repeatable; "
                             "the value is read as YAML)")


def from_arguments(args: argparse.Namespace) -> PipelineConfig:
    """The config of parsed ``--preset``/``--world``/``--set`` (and ``--data``, where the
    command has it); a wrong setting exits with its one-line error."""
    try:
        return load_config(args.preset, args.world, args.sets, getattr(args, "data", None))
    except ConfigError as error:
        raise SystemExit(f"error: {error}") from None
