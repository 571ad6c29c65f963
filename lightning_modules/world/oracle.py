"""The oracle: what a summary asserts, checked against the document's fact table.

``judge(facts, summary)`` works on arbitrary text, not only on template output, and labels a
summary the way Maynez et al. (2020) define hallucinations: *intrinsic* when it misrepresents
what the document says (a document entity in the wrong role, a wrong number or date for a
stated role, a negated event), *extrinsic* when it adds what the document does not contain (an
invented name, a role the document never states). A summary can be both.

Steps 1 and 2 are in ``parse``; the claims and the verdict are here.

1. *Mentions.* It finds the document's entities (case-insensitive, whole words, longest
   first), then dates, sums of money, percentages, scores and other numbers by pattern, then
   runs of capitalised words that are not template words (unknown names).
2. *Parse.* It replaces each mention by a typed slot and looks for the event type's main
   clauses (affirmative and negated), the document's sentence templates (a CNN/DM-like
   summary copies document sentences; a distractor's sentence is a claim about the
   distractor) and role modifiers ("at {venue}") in the word sequence; a
   slot matches a mention of a compatible type. Where that leaves the main clause unread or a
   document entity unplaced, a second, relaxed parse lets any name fill any name slot (a
   person in a club's slot) and any value any value slot (a date as a sentence), so that
   "Quentin Fitzroy lost 3-1 to Hartmouth United" is read as a person in the loser's role. A
   capitalised run that holds one document entity and other words ("Wooddale United" where
   the document has the place "Wooddale") is one other name.
3. *Claims.* Each role the parse fills is one asserted fact with a status and an error class:

   ===============  ==========================================================  =========
   error            claim                                                       label
   ===============  ==========================================================  =========
   (none)           the document's value for that role (``supported``)
   wrong_entity     another of the document's entities (``contradicted``)       intrinsic
   wrong_value      another number, date, sum or score (``contradicted``)       intrinsic
   invented_entity  a name the document never mentions (``lacking``)           extrinsic
   unstated_role    a role the document never states (``lacking``)              extrinsic
   negation         the main clause negated (the ``event`` claim)               intrinsic
   ===============  ==========================================================  =========

   A name that is part of exactly one document entity's name ("Norborough" for "Norborough
   Town") is read as that entity; part of several, it cannot be resolved (``unplaced``).
   A mention outside the parse is ``invented_entity`` / ``invented_value`` (extrinsic) when
   the document never mentions it, and ``unplaced`` (status ``unresolved``, no label) when
   it does: the summary says something about a document entity that could not be read.
4. *Verdict.* ``intrinsic``, ``extrinsic`` or ``both`` when any claim carries those labels;
   else ``faithful`` only when the summary was read: its main clause parsed, no document
   entity is unplaced, and some claim is supported. Anything else is ``unverifiable``
   (unparsed or garbled text); a system is never credited for it. It never raises.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Mapping, Sequence

from lightning_modules.world.events import EVENT_TYPES
from lightning_modules.world.parse import NAME_TYPES, find_mentions, norm, parse, word_items

VERDICTS = ("faithful", "intrinsic", "extrinsic", "both", "unverifiable")
LABELS = {"wrong_entity": "intrinsic", "wrong_value": "intrinsic", "negation": "intrinsic",
          "invented_entity": "extrinsic", "invented_value": "extrinsic",
          "unstated_role": "extrinsic"}


@dataclass
class Claim:
    """One fact a summary asserts, and what the document says of it.

    ``status`` is ``supported``, ``contradicted``, ``lacking`` or ``unresolved``; ``error`` is
    ``None`` or an error class (see the module docstring), ``label`` its hallucination type.
    """

    role: str | None
    value: str
    status: str
    error: str | None = None
    label: str | None = None
    start: int | None = None  # character offset of the mention in the summary


@dataclass
class Judgement:
    """The oracle's reading of one summary."""

    verdict: str
    claims: list[Claim] = field(default_factory=list)
    parsed: bool = False
    intrinsic: bool = False
    extrinsic: bool = False

    @property
    def hallucinated(self) -> bool:
        """Whether the summary has an intrinsic or an extrinsic hallucination."""
        return self.intrinsic or self.extrinsic

    def facts(self) -> list[Claim]:
        """The asserted facts: filled roles, and mentions the document never makes."""
        return [c for c in self.claims if c.role not in (None, "event")
                or c.error in ("invented_entity", "invented_value")]

    def unsupported_facts(self) -> int:
        """How many asserted facts (:meth:`facts`) the document does not support."""
        return sum(c.status != "supported" for c in self.facts())

    def to_dict(self) -> dict:
        """Return a JSON-serialisable dict."""
        return asdict(self)


def _known(facts: dict) -> set[str]:
    return {norm(v) for v in [*facts["roles"].values(), *facts["distractors"].values()]}


def resolve(facts: dict, value: str) -> str | None:
    """The document value a name refers to: itself, or the one document entity whose words
    include all of its words ("Norborough" for "Norborough Town"); ``"?"`` when several
    entities do (a garbled or truncated name); ``None`` when it names none (invented)."""
    if norm(value) in _known(facts):
        return norm(value)
    words = set(norm(value).split())
    holders = [v for v in _known(facts) if words and words <= set(v.split())]
    return holders[0] if len(holders) == 1 else ("?" if holders else None)


def role_claim(facts: dict, role: str, mention: tuple) -> Claim:
    """The claim that ``role`` has the value of ``mention`` (``(start, end, type, text)``)."""
    value, mention_type = mention[3], mention[2]
    table = facts["distractors"] if role.startswith("d_") else facts["roles"]
    if role not in table:
        return Claim(role, value, "lacking", "unstated_role", "extrinsic")
    if norm(value) == norm(table[role]):
        return Claim(role, value, "supported")
    if mention_type not in NAME_TYPES:
        return Claim(role, value, "contradicted", "wrong_value", "intrinsic")
    target = resolve(facts, value)
    if target is None:
        return Claim(role, value, "lacking", "invented_entity", "extrinsic")
    if target == "?":
        return Claim(role, value, "unresolved", "unplaced")
    if target == norm(table[role]):
        return Claim(role, value, "supported")
    return Claim(role, value, "contradicted", "wrong_entity", "intrinsic")


def unplaced_claim(facts: dict, mention: tuple) -> Claim:
    """The claim of a mention the parse did not place in any role."""
    value, mention_type = mention[3], mention[2]
    if mention_type not in NAME_TYPES:
        if norm(value) in _known(facts):
            return Claim(None, value, "unresolved", "unplaced")
        return Claim(None, value, "lacking", "invented_value", "extrinsic")
    if resolve(facts, value) is None:
        return Claim(None, value, "lacking", "invented_entity", "extrinsic")
    return Claim(None, value, "unresolved", "unplaced")


def _read(event, items, mentions):
    """The strict parse, or the relaxed one where it reads more (main clause, placed mentions)."""
    strict = parse(event, items, mentions)
    if strict[0] is not None and len(strict[1]) == len(mentions):
        return strict
    relaxed = parse(event, items, mentions, relaxed=True)
    rank = lambda parse: (parse[0] is not None, len(parse[1]))  # noqa: E731
    return relaxed if rank(relaxed) > rank(strict) else strict


def judge(facts: dict, summary) -> Judgement:
    """Judge ``summary`` against the fact table ``facts``; never raises on the summary."""
    text = summary if isinstance(summary, str) else ("" if summary is None else str(summary))
    event = EVENT_TYPES[facts["event_type"]]
    mentions = find_mentions(facts, text)
    negated, assigned = _read(event, word_items(text, mentions), mentions)
    claims = []
    if negated is not None:
        claims.append(Claim("event", "negated", "contradicted", "negation", "intrinsic")
                      if negated else Claim("event", "affirmed", "supported"))
    claims += [replace(role_claim(facts, role, mentions[i]), start=mentions[i][0])
               for role, i in assigned]
    placed = {i for _, i in assigned}
    claims += [replace(unplaced_claim(facts, m), start=m[0])
               for i, m in enumerate(mentions) if i not in placed]
    return _verdict(sorted(claims, key=lambda c: -1 if c.start is None else c.start),
                    parsed=negated is not None)


def initial_entity(judgement: Judgement, summary: str) -> str | None:
    """How the summary-initial name reads: ``supported``, its error class, or ``None`` when
    the summary does not open with a name (usually the subject: winner, buyer, acquirer)."""
    text = summary if isinstance(summary, str) else ""
    first = len(text) - len(text.lstrip())
    for claim in judgement.claims:
        if claim.start == first and claim.role != "event" and claim.value[:1].isupper():
            return claim.error or "supported"
    return None


def _verdict(claims: list[Claim], parsed: bool) -> Judgement:
    labels = {c.label for c in claims}
    intrinsic, extrinsic = "intrinsic" in labels, "extrinsic" in labels
    if intrinsic or extrinsic:
        verdict = "both" if intrinsic and extrinsic else ("intrinsic" if intrinsic else "extrinsic")
    elif parsed and all(c.status == "supported" for c in claims):
        verdict = "faithful"
    else:
        verdict = "unverifiable"
    return Judgement(verdict, claims, parsed, intrinsic, extrinsic)


COUNTS = ("hallucinated", "intrinsic", "extrinsic", "unverifiable", "not_faithful", "facts",
          "hallucinated_facts")
"""The per-summary numbers :func:`summary_rates` reads (:func:`judgement_counts`)."""


def judgement_counts(judgement: Judgement) -> dict[str, float | int]:
    """The numbers of one summary that :func:`summary_rates` sums: 1.0/0.0 labels
    (``hallucinated``, ``intrinsic``, ``extrinsic``, ``unverifiable``, ``not_faithful``) and
    fact counts (``facts`` asserted, ``hallucinated_facts`` unsupported)."""
    return {"hallucinated": float(judgement.hallucinated),
            "intrinsic": float(judgement.intrinsic), "extrinsic": float(judgement.extrinsic),
            "unverifiable": float(judgement.verdict == "unverifiable"),
            "not_faithful": float(judgement.verdict != "faithful"),
            "facts": len(judgement.facts()), "hallucinated_facts": judgement.unsupported_facts()}


def summary_rates(columns: Mapping[str, Sequence[float]]) -> dict[str, float | None]:
    """Return summary shares and fact rates from per-summary :data:`COUNTS` columns.

    Summary shares: ``intrinsic``, ``extrinsic`` (a summary may count in both),
    ``hallucination_rate`` (either), ``unverifiable``, ``faithful`` and ``not_faithful``
    (hallucinated or unverifiable: what a system is charged with). Facts: ``facts_per_summary``,
    ``hallucinated_fact_rate`` (the share of asserted facts not supported: a ratio of sums) and
    ``fact_precision`` (its complement); both ``None`` when no summary asserts a fact. Empty
    columns give ``{}``. Sums of the columns, so shards' columns put together give the figures
    of the whole set.
    """
    n = len(columns["hallucinated"])
    if not n:
        return {}
    share = lambda name: sum(columns[name]) / n  # noqa: E731
    rates = {"intrinsic": share("intrinsic"), "extrinsic": share("extrinsic"),
             "hallucination_rate": share("hallucinated"), "unverifiable": share("unverifiable"),
             "faithful": (n - sum(columns["not_faithful"])) / n}
    rates["not_faithful"] = 1.0 - rates["faithful"]
    facts, bad = sum(columns["facts"]), sum(columns["hallucinated_facts"])
    rates["facts_per_summary"] = facts / n
    rates["hallucinated_fact_rate"] = bad / facts if facts else None
    rates["fact_precision"] = (facts - bad) / facts if facts else None
    return rates


def hallucination_rate(judgements: list[Judgement]) -> dict[str, float | None]:
    """Return :func:`summary_rates` over ``judgements`` (``{}`` for none)."""
    counts = [judgement_counts(j) for j in judgements]
    return summary_rates({name: [c[name] for c in counts] for name in COUNTS})


def error_counts(judgements: list[Judgement]) -> dict[str, int]:
    """Count every claim (filled roles, the event, unplaced mentions) by error class, or
    ``supported`` / its status where it has none."""
    counts: dict[str, int] = {}
    for claim in (c for j in judgements for c in j.claims):
        key = claim.error or ("supported" if claim.status == "supported" else claim.status)
        counts[key] = counts.get(key, 0) + 1
    return counts
