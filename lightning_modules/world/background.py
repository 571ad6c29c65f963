"""Standing facts about the world's entities, the kind of knowledge XSUM references add.

Each event type names one ``background`` attribute of the entity in one of its core roles (a
player's age, a club's coach, a company's chief executive: ``EventType.background``). The
world keeps that attribute the same in every document that names the entity: its value is a
pure function of the world seed and the entity's name. Some entities recur across documents
(a pool per kind, drawn with probability ``recurring_prob``), so a model that reads many
documents and references can learn their standing facts, as real summarizers learn a
footballer's club or nationality from other articles; an entity seen once has them too, but
nothing to learn them from.
"""

from __future__ import annotations

import random
from functools import lru_cache

from lightning_modules.world import inventory


def background_value(kind: str, entity: str, seed: int) -> str:
    """The standing value of kind ``kind`` for ``entity`` in the world of ``seed``."""
    return inventory.sample(kind, random.Random(f"{seed}-background-{entity}"), [entity])


@lru_cache(maxsize=None)
def recurring_pool(kind: str, size: int, seed: int) -> tuple[str, ...]:
    """The ``size`` entities of ``kind`` that recur across the documents of the world ``seed``."""
    rng, used = random.Random(f"{seed}-recurring-{kind}"), []
    for _ in range(size):
        inventory.sample(kind, rng, used)
    return tuple(used)


def sample_entity(kind: str, rng: random.Random, used: list[str], recurring_prob: float,
                  pool_size: int, seed: int) -> str:
    """A value of ``kind`` for a role with a background attribute: with probability
    ``recurring_prob`` a recurring entity (one that no ``used`` value overlaps), else a fresh
    one; appended to ``used`` either way."""
    if pool_size and rng.random() < recurring_prob:
        lows = [u.lower() for u in used]
        free = [e for e in recurring_pool(kind, pool_size, seed)
                if not any(e.lower() in u or u in e.lower() for u in lows)]
        if free:
            used.append(rng.choice(free))
            return used[-1]
    return inventory.sample(kind, rng, used)
