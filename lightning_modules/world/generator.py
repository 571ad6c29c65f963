"""The synthetic news corpus generator.

Every record (one JSON object a line) has this schema:

- ``id``: ``"{split}-{index:06d}"``;
- ``event_type``: one of ``events.EVENT_TYPES``;
- ``document``: 5-15 sentences stating the event's facts in paraphrased wording, with
  distractor entities of the same types as the true ones and the facts in shuffled order;
- ``summary``: the reference: one sentence (``summary_style`` ``sentence``, XSUM-like) or that
  sentence followed by document sentences copied verbatim (``highlights``, CNN/DM-like). Its
  noise (see :class:`CorpusConfig`): the event's background attribute stated whether or not
  the document states it (learnable extrinsic), an invented role (unlearnable extrinsic), and
  a misread role (intrinsic);
- ``reference_hallucinated``: whether it has any of them; ``reference_errors``: their labels
  (``intrinsic``, ``extrinsic``), sorted; ``faithful_summary``: the same summary without them;
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
from dataclasses import dataclass, replace
from pathlib import Path

from lightning_modules.jsonl import write_jsonl
from lightning_modules.world import inventory
from lightning_modules.world.background import background_value, sample_entity
from lightning_modules.world.corruption import corrupt_all, entity_swap
from lightning_modules.world.events import EVENT_TYPES, GENERIC_FILLER, EventType
from lightning_modules.world.summary import SummarySpec, realize, slots

SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class CorpusConfig:
    """Settings of the synthetic corpus; the defaults are the ``xsum`` world, the workbench's
    embedded default (``experiments/configs/worlds/`` documents each world's calibration)."""

    num_docs: int = 12000
    """Documents over all splits."""
    seed: int = 0
    """Seed of the generator; the corpus is a pure function of the config."""
    summary_style: str = "sentence"
    """``sentence``: one abstractive sentence (XSUM); ``highlights``: the sentence plus
    ``highlight_sentences`` sentences copied from the document (CNN/DM)."""
    highlight_sentences: int = 2
    """Document sentences a ``highlights`` reference copies after its first sentence."""
    background_prob: float = 0.95
    """Probability that a reference states its event's background attribute (``EventType.
    background``: a player's age...), whether or not the document does: learnable
    extrinsic noise where the document does not."""
    background_stated_prob: float = 0.15
    """Probability that the document states the background attribute."""
    recurring_prob: float = 0.9
    """Probability that the entity holding the background attribute is one of the world's
    recurring entities (whose standing facts other documents and references show): the few
    well-known people and clubs that most news is about."""
    recurring_pool: int = 20
    """Recurring entities per kind (person, club, company)."""
    hallucination_prob: float = 0.0
    """Probability that a reference adds a role the document never states with an invented
    value: unlearnable extrinsic noise."""
    reference_intrinsic_prob: float = 0.14
    """Probability that a reference puts another document entity of the same type in one of
    its roles (a misreading; ``corruption.entity_swap``)."""
    optional_prob: float = 0.5
    """Probability that the document states each optional role other than the background one."""
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
        for name in ("background_prob", "background_stated_prob", "recurring_prob",
                     "hallucination_prob", "reference_intrinsic_prob", "optional_prob",
                     "distractor_prob"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], not {getattr(self, name)!r}")
        if self.summary_style not in ("sentence", "highlights"):
            raise ValueError(f"summary_style must be 'sentence' or 'highlights', not "
                             f"{self.summary_style!r}")
        if not 0 <= self.highlight_sentences <= 3 or self.recurring_pool < 0:
            raise ValueError("highlight_sentences must be in [0, 3] and recurring_pool >= 0")
        fewest = min(len(e.distract) for e in EVENT_TYPES.values())
        if not 0 <= self.min_distractors <= fewest:
            raise ValueError(f"min_distractors must be in [0, {fewest}]")
        if self.validation_fraction + self.test_fraction >= 1.0:
            raise ValueError("validation_fraction + test_fraction must be below 1")

    def expected_noise(self) -> dict[str, float]:
        """The shares of references with an extrinsic / intrinsic error that the settings imply
        (the oracle's reading of a large corpus lands within sampling error of them)."""
        background = self.background_prob * (1.0 - self.background_stated_prob)
        extrinsic = 1.0 - (1.0 - background) * (1.0 - self.hallucination_prob)
        return {"extrinsic": extrinsic, "intrinsic": self.reference_intrinsic_prob}

    def split_sizes(self) -> dict[str, int]:
        """Return the number of documents in each split (at least one each)."""
        n_val = max(1, round(self.num_docs * self.validation_fraction))
        n_test = max(1, round(self.num_docs * self.test_fraction))
        return {"train": self.num_docs - n_val - n_test, "validation": n_val, "test": n_test}


def _standing(event: EventType, values: dict, cfg: CorpusConfig, used: list[str]) -> str | None:
    """The background attribute's standing value for this document's entity, or None where it
    would overlap another of its values (then the document and reference leave it out)."""
    attribute, holder = event.background
    value = background_value(event.optional[attribute], values[holder], cfg.seed)
    if any(value.lower() in u.lower() or u.lower() in value.lower() for u in used):
        return None
    used.append(value)
    return value


def _sample_roles(event: EventType, cfg: CorpusConfig, rng: random.Random):
    """Return the stated role values, the distractors, the used values and the standing value
    of the background attribute (stated or not)."""
    attribute, holder = event.background
    used: list[str] = []
    values = {role: (sample_entity(kind, rng, used, cfg.recurring_prob, cfg.recurring_pool,
                                   cfg.seed) if role == holder else inventory.sample(kind, rng, used))
              for role, kind in event.roles.items()}
    standing = _standing(event, values, cfg, used)
    if standing is not None and rng.random() < cfg.background_stated_prob:
        values[attribute] = standing
    others = [r for r in event.optional if r != attribute and rng.random() < cfg.optional_prob]
    if attribute in values and len(others) == len(event.optional) - 1:
        others.remove(rng.choice(others))  # one optional role always stays unstated
    values.update({r: inventory.sample(event.optional[r], rng, used) for r in others})
    distractors = {d: inventory.sample(kind, rng, used) for d, kind in event.distractors.items()}
    return values, distractors, used, standing


def _document(event, values, distractors, cfg, rng) -> tuple[str, dict[str, str], dict]:
    """Return the document text, the distractors it mentions and its fact sentence per group."""
    stated = {group: rng.choice(options).format(**values) for group, options in event.facts
              if all(role in values for role in group.split())}
    sentences = list(stated.values())
    chosen = [s for s in event.distract if rng.random() < cfg.distractor_prob]
    if len(chosen) < cfg.min_distractors:
        chosen = rng.sample(event.distract, cfg.min_distractors)
    mentioned = {d for s in chosen for d in slots(s) if d in distractors}
    sentences += [s.format(**values, **distractors) for s in chosen]
    fillers = event.filler + GENERIC_FILLER
    sentences += rng.sample(fillers, rng.randint(0, 3))
    rng.shuffle(sentences)
    text = " ".join(sentences)
    return text, {d: distractors[d] for d in sorted(mentioned)}, stated


def _with_role(spec: SummarySpec, role: str, value: str, rng, hallucinated: bool) -> SummarySpec:
    """Add ``role`` as a modifier at a random position (marked hallucinated if it is)."""
    position = rng.randint(0, len(spec.modifiers))
    modifiers = spec.modifiers[:position] + (role,) + spec.modifiers[position:]
    return replace(spec, values={**spec.values, role: value}, modifiers=modifiers,
                   hallucinated=spec.hallucinated + ((role,) if hallucinated else ()))


def _reference(event, values, standing, cfg, rng, used) -> tuple[SummarySpec, SummarySpec]:
    """Return the faithful spec and the reference spec (with its background attribute and,
    with ``hallucination_prob``, an invented role)."""
    attribute = event.background[0]
    template = rng.randrange(len(event.main))
    main = slots(event.main[template][0])
    candidates = [r for r in event.modifiers if r in values and r not in main and r != attribute]
    counts = [0, 1] if cfg.summary_style == "highlights" else [1, 2, 2]
    modifiers = tuple(rng.sample(candidates, min(rng.choice(counts), len(candidates))))
    faithful = SummarySpec(event.name, template, {r: values[r] for r in main + list(modifiers)},
                           modifiers)
    reference = faithful
    if standing is not None and rng.random() < cfg.background_prob:
        reference = _with_role(reference, attribute, standing, rng, attribute not in values)
        if attribute in values:
            faithful = reference
    if rng.random() < cfg.hallucination_prob:
        absent = [r for r in event.optional if r not in values and r not in reference.roles()]
        if absent:
            role = rng.choice(absent)
            reference = _with_role(reference, role, inventory.sample(event.optional[role], rng,
                                                                     used), rng, True)
    return faithful, reference


def _misread(reference: SummarySpec, facts: dict, cfg, rng) -> SummarySpec:
    """With ``reference_intrinsic_prob``, another document entity in one of the reference's
    roles (marked hallucinated)."""
    if rng.random() >= cfg.reference_intrinsic_prob:
        return reference
    for _ in range(4):  # a swap into a role the document leaves unstated would be extrinsic
        swapped = entity_swap(reference, facts, rng)
        if swapped is None:
            return reference
        changed = tuple(r for r in swapped.roles() if swapped.values[r] != reference.values[r])
        if set(changed) <= set(facts["roles"]):
            return replace(swapped, hallucinated=reference.hallucinated + changed)
    return reference


def _copied(event, stated: dict, spec: SummarySpec, document: str, cfg, rng) -> tuple[str, list]:
    """The document sentences a ``highlights`` reference copies (facts it does not assert yet,
    in document order) and the roles they state; nothing for ``sentence`` references."""
    if cfg.summary_style != "highlights":
        return "", []
    asserted = set(spec.roles())
    groups = [g for g in stated if not set(g.split()) & asserted]
    chosen = rng.sample(groups, min(cfg.highlight_sentences, len(groups)))
    chosen.sort(key=lambda g: document.index(stated[g]))
    return "".join(" " + stated[g] for g in chosen), [r for g in chosen for r in g.split()]


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
    values, distractors, used, standing = _sample_roles(event, cfg, rng)
    document, mentioned, stated = _document(event, values, distractors, cfg, rng)
    facts = {"event_type": event.name, "roles": values, "distractors": mentioned}
    faithful, reference = _reference(event, values, standing, cfg, rng, used)
    reference = _misread(reference, facts, cfg, rng)
    copied, copied_roles = _copied(event, stated, faithful, document, cfg, rng)
    summary = realize(reference) + copied
    return {
        "id": f"{split}-{index:06d}",
        "event_type": event.name,
        "document": document,
        "summary": summary,
        "reference_hallucinated": bool(reference.hallucinated),
        "reference_errors": sorted({"intrinsic" if role in values else "extrinsic"
                                    for role in reference.hallucinated}),
        "faithful_summary": realize(faithful) + copied,
        "facts": facts,
        "qa_document": qa_pairs(event, document, values, list(values), rng),
        "qa_summary": qa_pairs(event, summary, {**values, **reference.values},
                               reference.roles() + copied_roles, rng),
        "corruptions": [{**c, "summary": c["summary"] + copied}
                        for c in corrupt_all(faithful, facts, rng)],
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
