"""The decoder's key/value cache keyword, as the installed transformers names it.

transformers 5 renamed a model's ``past_key_values`` argument and output to ``cache`` and
removes the old name in 5.40. The searches pass the cache under the name the model's
``forward`` takes, so they run on releases before and after the rename without a deprecation
warning.
"""

from __future__ import annotations

import inspect
from functools import lru_cache

NEW, OLD = "cache", "past_key_values"


@lru_cache(maxsize=None)
def _takes_new_name(forward_class: type) -> bool:
    return NEW in inspect.signature(forward_class.forward).parameters


def cache_name(model) -> str:
    """The keyword under which ``model.forward`` (a model or a model class) takes the
    key/value cache."""
    return NEW if _takes_new_name(model if isinstance(model, type) else type(model)) else OLD


def step_kwargs(model, cache) -> dict:
    """``{name: cache}`` for one incremental decoding call of ``model``."""
    return {cache_name(model): cache}


def returned_cache(output):
    """The key/value cache a model call returned, under either name."""
    cache = getattr(output, NEW, None)
    return cache if cache is not None else getattr(output, OLD, None)
