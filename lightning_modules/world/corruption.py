"""Corruption operators: turn a faithful summary into a labelled unfaithful one.

Each operator edits a :class:`SummarySpec` and returns the new spec, or ``None`` where it does
not apply to this summary. The label is the verdict the oracle must give the result:

=====================  =========================================================  ==========
operator               change                                                     label
=====================  =========================================================  ==========
entity_swap            a person/org/place/thing replaced by another in-document    intrinsic
                       entity of the same type (distractors first)
role_swap              the event's two same-kind roles exchanged (subject/object)  intrinsic
number_change          a number or sum of money replaced by a different one        intrinsic
date_change            the date replaced by a different one                        intrinsic
negation               the main clause negated                                     intrinsic
extrinsic_insertion    a modifier the document never states, with invented value   extrinsic
=====================  =========================================================  ==========
"""

from __future__ import annotations

import random
from dataclasses import replace

from lightning_modules.world import inventory
from lightning_modules.world.events import EVENT_TYPES
from lightning_modules.world.summary import SummarySpec, realize

ENTITY_TYPES = ("person", "org", "place", "thing")


def _doc_values(facts: dict) -> list[str]:
    return list(facts["roles"].values()) + list(facts["distractors"].values())


def _fresh(kind: str, facts: dict, rng: random.Random) -> str:
    return inventory.sample(kind, rng, _doc_values(facts))


def _set_role(spec: SummarySpec, role: str, value: str) -> SummarySpec:
    """Set a role's value, appending its modifier if the summary does not assert it yet."""
    modifiers = spec.modifiers if role in spec.roles() else spec.modifiers + (role,)
    return replace(spec, values={**spec.values, role: value}, modifiers=modifiers)


def entity_swap(spec: SummarySpec, facts: dict, rng: random.Random) -> SummarySpec | None:
    """Replace one entity with another of the same type that the document mentions."""
    kinds = EVENT_TYPES[spec.event_type].kinds
    in_summary = {v.lower() for v in spec.values.values()}
    options = []
    for role in spec.roles():
        etype = inventory.entity_type(kinds[role])
        if etype not in ENTITY_TYPES:
            continue
        pool = [(name, v) for name, v in {**facts["distractors"], **facts["roles"]}.items()
                if inventory.entity_type(kinds[name]) == etype and v.lower() not in in_summary]
        options += [(role, v, name.startswith("d_")) for name, v in pool]
    if not options:
        return None
    distractor_first = [o for o in options if o[2]] or options
    role, value, _ = rng.choice(distractor_first)
    return spec.with_values(**{role: value})


def role_swap(spec: SummarySpec, facts: dict, rng: random.Random) -> SummarySpec | None:
    """Exchange the values of the event's two same-kind roles (subject and object)."""
    a, b = EVENT_TYPES[spec.event_type].swap
    return spec.with_values(**{a: spec.values[b], b: spec.values[a]})


def _change(spec, facts, rng, types) -> SummarySpec | None:
    kinds = EVENT_TYPES[spec.event_type].kinds
    roles = [r for r in facts["roles"] if inventory.entity_type(kinds[r]) in types]
    if not roles:
        return None
    stated = [r for r in roles if r in spec.roles()]
    role = rng.choice(stated or roles)
    return _set_role(spec, role, _fresh(kinds[role], facts, rng))


def number_change(spec: SummarySpec, facts: dict, rng: random.Random) -> SummarySpec | None:
    """Replace a number or sum of money with another value (adding it if not stated)."""
    return _change(spec, facts, rng, ("number", "money"))


def date_change(spec: SummarySpec, facts: dict, rng: random.Random) -> SummarySpec | None:
    """Replace the date with another date (adding it if not stated)."""
    return _change(spec, facts, rng, ("date",))


def negation(spec: SummarySpec, facts: dict, rng: random.Random) -> SummarySpec | None:
    """Negate the main clause."""
    return replace(spec, negated=not spec.negated)


def extrinsic_insertion(spec: SummarySpec, facts: dict, rng: random.Random) -> SummarySpec | None:
    """Add a modifier for a role the document never states, with an invented value."""
    event = EVENT_TYPES[spec.event_type]
    absent = [r for r in event.optional if r not in facts["roles"] and r not in spec.roles()]
    if not absent:
        return None
    role = rng.choice(absent)
    return _set_role(spec, role, _fresh(event.optional[role], facts, rng))


OPERATORS = {
    "entity_swap": (entity_swap, "intrinsic"),
    "role_swap": (role_swap, "intrinsic"),
    "number_change": (number_change, "intrinsic"),
    "date_change": (date_change, "intrinsic"),
    "negation": (negation, "intrinsic"),
    "extrinsic_insertion": (extrinsic_insertion, "extrinsic"),
}


def corrupt_all(spec: SummarySpec, facts: dict, rng: random.Random) -> list[dict]:
    """Apply every operator that fits; return ``[{"type", "summary", "label"}]``."""
    out = []
    for name, (operator, label) in OPERATORS.items():
        changed = operator(spec, facts, rng)
        if changed is not None:
            out.append({"type": name, "summary": realize(changed), "label": label})
    return out
