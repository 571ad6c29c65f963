"""Typed config trees from YAML mappings: a frozen dataclass is built from a nested mapping,
each value checked against its field's annotation, and every error names the key path.

``build(PipelineConfig, mapping)`` rejects unknown keys, missing required ones and values of
the wrong type, then runs the dataclasses' own ``__post_init__`` checks; a ``ValueError`` whose
message starts with a field name (``"quantile must be in (0, 1]"``) is reported at that field
(``selection.quantile: must be in (0, 1]``).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping


class ConfigError(ValueError):
    """A wrong config value: ``key`` is its dotted path, ``source`` the file (or ``--set``) that
    gave it, filled in by the loader (``presets/default.yaml: conseq.learning_rate: must be > 0``)."""

    def __init__(self, key: str, reason: str, source: str | None = None):
        super().__init__(key, reason, source)
        self.key, self.reason, self.source = key, reason, source

    def __str__(self) -> str:
        return ": ".join(part for part in (self.source, self.key, self.reason) if part)


def join(key: str, name: str) -> str:
    """The dotted path of ``name`` under ``key``."""
    return f"{key}.{name}" if key else name


def require(condition: bool, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``condition`` (for ``__post_init__`` checks; start the
    message with the field's name so that the error names its key)."""
    if not condition:
        raise ValueError(message)


def at_least(obj, minimum, *names: str) -> None:
    """Raise ``ValueError`` naming the first of the fields ``names`` of ``obj`` that is set (not
    ``None``) and below ``minimum``."""
    for name in names:
        value = getattr(obj, name)
        require(value is None or value >= minimum, f"{name} must be >= {minimum}, got {value}")


def positive(obj, *names: str) -> None:
    """Raise ``ValueError`` naming the first of the fields ``names`` of ``obj`` that is not > 0."""
    for name in names:
        require(getattr(obj, name) > 0, f"{name} must be > 0, got {getattr(obj, name)}")


def build(cls, data, key: str = ""):
    """Return ``cls`` (a dataclass) built from the mapping ``data``: nested dataclass fields from
    nested mappings, every value checked against its annotation; raise :class:`ConfigError`."""
    if not isinstance(data, Mapping):
        raise ConfigError(key, f"must be a mapping of {cls.__name__} fields, got {data!r}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    for name in data:
        if name not in fields:
            raise ConfigError(join(key, str(name)), f"unknown key ({cls.__name__} has: "
                                                    f"{', '.join(fields)})")
    for name, field in fields.items():
        if name not in data and field.default is field.default_factory is dataclasses.MISSING:
            raise ConfigError(join(key, name), "missing (this setting has no default)")
    values = {name: convert(value, hints[name], join(key, name)) for name, value in data.items()}
    try:
        return cls(**values)
    except ConfigError:
        raise
    except (ValueError, TypeError) as error:
        raise blame(key, fields, str(error)) from None


def blame(key: str, fields, message: str) -> ConfigError:
    """The :class:`ConfigError` of a dataclass's own check: at the field its message opens with,
    else at the dataclass's key."""
    first, _, rest = message.partition(" ")
    if first in fields and rest:
        return ConfigError(join(key, first), rest)
    return ConfigError(key, message)


def convert(value, hint, key: str):
    """``value`` checked against the annotation ``hint`` (a dataclass, or ``X | None`` of one:
    built from a mapping; a float: ints and numeric strings such as YAML's ``3e-6`` become
    floats); raise :class:`ConfigError` naming ``key`` when it does not fit."""
    cls = dataclass_of(hint)
    if cls is not None and (value is not None or cls is hint):
        return value if isinstance(value, cls) else build(cls, value, key)
    if hint is float and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    if not fits(value, hint):
        raise ConfigError(key, f"must be {describe(hint)}, got {value!r}")
    if hint is float or (typing.get_origin(hint) in (typing.Union, types.UnionType)
                         and float in typing.get_args(hint) and int not in typing.get_args(hint)):
        return float(value) if isinstance(value, int) else value
    return value


def dataclass_of(hint):
    """The dataclass an annotation names, alone or as ``X | None``; else ``None``."""
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    found = [h for h in (typing.get_args(hint) if union else (hint,)) if dataclasses.is_dataclass(h)]
    return found[0] if found else None


def fits(value, hint) -> bool:
    """Whether ``value`` (from YAML) is of the annotated type (bools are not numbers; unknown
    annotations are left to the dataclass's own checks)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(fits(value, arg) for arg in args)
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint in (str, bool):
        return isinstance(value, hint)
    if origin in (tuple, list):
        return isinstance(value, (list, tuple)) and all(fits(v, args[0]) for v in value)
    if hint is dict or origin is dict:
        return isinstance(value, Mapping)
    return True


def describe(hint) -> str:
    """A short reading of an annotation for error messages (``int or None``)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " or ".join(describe(arg) for arg in typing.get_args(hint))
    if hint is type(None):
        return "None"
    if typing.get_origin(hint) in (tuple, list):
        return f"a list of {describe(typing.get_args(hint)[0])}"
    return getattr(hint, "__name__", str(hint))


def plain(obj):
    """A dataclass tree as plain JSON types (tuples become lists), for YAML, JSON and hashes."""
    return json.loads(json.dumps(dataclasses.asdict(obj)))
