"""The synthetic news corpus generator.

Every record (one JSON object a line) has this schema:

- ``id``: ``"{split}-{index:06d}"``;
- ``event_type``: one of ``events.EVENT_TYPES``;
- ``document``: 5-15 sentences stating the event's facts in paraphrased wording, with
  distractor entities of the same types as the true ones and the facts in shuffled order;
- ``summary``: the reference, one sentence; with probability ``hallucination_prob`` it carries
  an extrinsic hallucination (a role the document never states, with an invented value);
- ``reference_hallucinated``: whether it does; ``faithful_summary``: the same sentence without
  the hallucinated modifier;
- ``facts``: the fact table, ``{"event_type", "roles": {role: value}, "distractors": {name:
  value}}``, listing only what the document states; the oracle ``judge`` reads it;
- ``qa_document`` / ``qa_summary``: ``[{"question", "answer", "answer_start"}]`` with
  ``answer`` a span of the document / of the reference at character offset ``answer_start``;
- ``corruptions``: ``[{"type", "summary", "label"}]``, the faithful summary changed by each
  corruption operator, ``label`` being the oracle verdict it must get.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from lightning_modules.jsonl import write_jsonl
from lightning_modules.world import inventory
from lightning_modules.world.corruption import corrupt_all
from lightning_modules.world.events import EVENT_TYPES, GENERIC_FILLER, EventType
from lightning_modules.world.summary import SummarySpec, realize, slots

SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class CorpusConfig:
    """Settings of the synthetic corpus; the defaults are the workbench's embedded default."""

    num_docs: int = 12000
    """Documents over all splits."""
    seed: int = 0
    """Seed of the generator; the corpus is a pure function of the config."""
    hallucination_prob: float = 0.25
    """Probability that a reference carries an extrinsic hallucination (XSUM-like noise)."""
    optional_prob: float = 0.5
    """Probability that the document states each optional role."""
    distractor_prob: float = 0.8
    """Probability that each distractor sentence is included."""
    min_distractors: int = 2
    """Distractor sentences a document has at least: when fewer pass ``distractor_prob``, this
    many are drawn instead (0 with ``distractor_prob`` 0: documents without distractors)."""
    validation_fraction: float = 0.05
    test_fraction: float = 0.05

    def __post_init__(self):
        if self.num_docs < 3:
            raise ValueError("num_docs must be at least 3 (one per split)")
        if not 0.0 <= self.hallucination_prob <= 1.0:
            raise ValueError("hallucination_prob must be in [0, 1]")
        fewest = min(len(e.distract) for e in EVENT_TYPES.values())
        if not 0 <= self.min_distractors <= fewest:
            raise ValueError(f"min_distractors must be in [0, {fewest}]")
        if self.validation_fraction + self.test_fraction >= 1.0:
            raise ValueError("validation_fraction + test_fraction must be below 1")

    def split_sizes(self) -> dict[str, int]:
        """Return the number of documents in each split (at least one each)."""
        n_val = max(1, round(self.num_docs * self.validation_fraction))
        n_test = max(1, round(self.num_docs * self.test_fraction))
        return {"train": self.num_docs - n_val - n_test, "validation": n_val, "test": n_test}


def _sample_roles(event: EventType, cfg: CorpusConfig, rng: random.Random):
    used: list[str] = []
    values = {role: inventory.sample(kind, rng, used) for role, kind in event.roles.items()}
    optional = [r for r in event.optional if rng.random() < cfg.optional_prob]
    if len(optional) == len(event.optional):
        optional.remove(rng.choice(optional))
    values.update({r: inventory.sample(event.optional[r], rng, used) for r in optional})
    distractors = {d: inventory.sample(kind, rng, used) for d, kind in event.distractors.items()}
    return values, distractors, used


def _document(event, values, distractors, cfg, rng) -> tuple[str, dict[str, str]]:
    """Return the document text and the distractors it actually mentions."""
    sentences = [rng.choice(options).format(**values) for group, options in event.facts
                 if all(role in values for role in group.split())]
    chosen = [s for s in event.distract if rng.random() < cfg.distractor_prob]
    if len(chosen) < cfg.min_distractors:
        chosen = rng.sample(event.distract, cfg.min_distractors)
    mentioned = {d for s in chosen for d in slots(s) if d in distractors}
    sentences += [s.format(**values, **distractors) for s in chosen]
    fillers = event.filler + GENERIC_FILLER
    sentences += rng.sample(fillers, rng.randint(0, 3))
    rng.shuffle(sentences)
    return " ".join(sentences), {d: distractors[d] for d in sorted(mentioned)}


def _reference(event, values, cfg, rng, used) -> tuple[SummarySpec, SummarySpec]:
    """Return the faithful spec and the reference spec (possibly hallucinated)."""
    template = rng.randrange(len(event.main))
    main = slots(event.main[template][0])
    candidates = [r for r in event.modifiers if r in values and r not in main]
    modifiers = tuple(rng.sample(candidates, rng.choice([1, 2, 2])))
    faithful = SummarySpec(event.name, template, {r: values[r] for r in main + list(modifiers)},
                           modifiers)
    if rng.random() >= cfg.hallucination_prob:
        return faithful, faithful
    absent = [r for r in event.optional if r not in values]
    role = rng.choice(absent)
    invented = inventory.sample(event.optional[role], rng, used)
    position = rng.randint(0, len(modifiers))
    reference = SummarySpec(event.name, template, {**faithful.values, role: invented},
                            modifiers[:position] + (role,) + modifiers[position:],
                            hallucinated=(role,))
    return faithful, reference


def span(text: str, answer: str) -> int:
    """Return the character offset of ``answer`` as a whole-word span of ``text``, or -1."""
    match = re.search(rf"(?<!\w){re.escape(answer)}(?!\w)", text)
    return match.start() if match else -1


def qa_pairs(event: EventType, text: str, values: dict[str, str], roles, rng) -> list[dict]:
    """Return one question per role with its answer span in ``text``."""
    pairs = []
    for role in roles:
        question = rng.choice(event.questions[role]).format(**values)
        start = span(text, values[role])
        if start >= 0:
            pairs.append({"question": question, "answer": values[role], "answer_start": start})
    return pairs


def generate_record(index: int, split: str, cfg: CorpusConfig, rng: random.Random) -> dict:
    """Generate one document with its reference, fact table, QA pairs and corruptions."""
    event = EVENT_TYPES[rng.choice(sorted(EVENT_TYPES))]
    values, distractors, used = _sample_roles(event, cfg, rng)
    document, mentioned = _document(event, values, distractors, cfg, rng)
    faithful, reference = _reference(event, values, cfg, rng, used)
    summary = realize(reference)
    facts = {"event_type": event.name, "roles": values, "distractors": mentioned}
    return {
        "id": f"{split}-{index:06d}",
        "event_type": event.name,
        "document": document,
        "summary": summary,
        "reference_hallucinated": bool(reference.hallucinated),
        "faithful_summary": realize(faithful),
        "facts": facts,
        "qa_document": qa_pairs(event, document, values, list(values), rng),
        "qa_summary": qa_pairs(event, summary, {**values, **reference.values},
                               reference.roles(), rng),
        "corruptions": corrupt_all(faithful, facts, rng),
    }


def generate_split(split: str, cfg: CorpusConfig):
    """Yield the records of one split; each split has its own stream seeded from the config."""
    rng = random.Random(f"{cfg.seed}-{split}")
    for index in range(cfg.split_sizes()[split]):
        yield generate_record(index, split, cfg, rng)


def write_corpus(cfg: CorpusConfig, out: str | Path) -> dict[str, Path]:
    """Write ``{split}.jsonl`` files under ``out`` atomically; return their paths."""
    return {split: write_jsonl(Path(out) / f"{split}.jsonl", generate_split(split, cfg))
            for split in SPLITS}
