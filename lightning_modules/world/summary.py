"""Structured summaries: what a one-sentence summary asserts, and how it is written out.

A :class:`SummarySpec` names the event type, the main clause (affirmative or negated) and the
roles appended as modifiers, with a value for every role used. The generator writes references
from specs and the corruption operators edit specs, so every corrupted summary is a well-formed
sentence whose error is known exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from lightning_modules.world.events import EVENT_TYPES

_SLOT = re.compile(r"\{(\w+)\}")


def slots(template: str) -> list[str]:
    """Return the role names a template refers to, in order."""
    return _SLOT.findall(template)


@dataclass(frozen=True)
class SummarySpec:
    """What a summary asserts: event, main clause, polarity, modifiers and role values."""

    event_type: str
    template: int
    values: dict[str, str]
    modifiers: tuple[str, ...] = ()
    negated: bool = False
    hallucinated: tuple[str, ...] = field(default=())

    def main_roles(self) -> list[str]:
        """Return the roles in the main clause."""
        return slots(EVENT_TYPES[self.event_type].main[self.template][0])

    def roles(self) -> list[str]:
        """Return every role the summary asserts: main clause first, then modifiers."""
        return self.main_roles() + list(self.modifiers)

    def with_values(self, **values: str) -> "SummarySpec":
        """Return a copy with some role values replaced."""
        return replace(self, values={**self.values, **values})


def realize(spec: SummarySpec) -> str:
    """Write the spec out as one sentence with a capital letter and a full stop."""
    event = EVENT_TYPES[spec.event_type]
    main = event.main[spec.template][1 if spec.negated else 0]
    parts = [main.format(**spec.values)]
    parts += [event.modifiers[role].format(**spec.values) for role in spec.modifiers]
    text = " ".join(parts) + "."
    return text[0].upper() + text[1:]


def stated_claim(facts: dict, rng) -> str:
    """Write one summary-style sentence that asserts only what the document states: a random
    main clause of the event, with up to two of the document's modifier roles in random order.

    The world's paraphrase of a document's facts (FactCC's back-translation plays this part on
    real data): the words are the summaries', not the document's, and the sentence is faithful.
    """
    event, values = EVENT_TYPES[facts["event_type"]], facts["roles"]
    template = rng.randrange(len(event.main))
    main = slots(event.main[template][0])
    extra = [r for r in event.modifiers if r in values and r not in main]
    modifiers = tuple(rng.sample(extra, min(rng.choice([0, 1, 2]), len(extra))))
    used = {r: values[r] for r in main + list(modifiers)}
    return realize(SummarySpec(event.name, template, used, modifiers))
