"""The oracle: what a summary asserts, checked against the document's fact table.

``judge(facts, summary)`` works on arbitrary text, not only on template output:

1. *Mentions.* It finds the document's entities (case-insensitive, whole words, longest
   first), then dates, sums of money, percentages, scores and other numbers by pattern, then
   runs of capitalised words that are not template words (unknown names).
2. *Parse.* It replaces each mention by a typed slot and looks for the event type's main
   clauses (affirmative and negated) and role modifiers ("at {venue}") in the word sequence; a
   slot of a template matches a mention of a compatible type.
3. *Claims.* A role the parse fills is ``supported`` when its value is the document's value
   for that role, ``contradicted`` when the document gives that role another value (an
   intrinsic error), ``lacking`` when the document never states that role (an extrinsic
   error). A negated main clause is a contradicted ``event`` claim. A mention outside the parse
   is ``lacking`` when the document never mentions it and ``unresolved`` otherwise.
4. *Verdict.* ``intrinsic`` if any claim is contradicted, else ``extrinsic`` if any is lacking,
   else ``faithful`` if any is supported, else ``unverifiable`` (nothing could be read, as for
   empty or garbled text). It never raises on a summary.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from lightning_modules.data import inventory
from lightning_modules.data.events import EVENT_TYPES

VERDICTS = ("faithful", "intrinsic", "extrinsic", "unverifiable")
MONTHS = "|".join(inventory.MONTHS)
PATTERNS = [  # (type, regex), most specific first
    ("date", re.compile(rf"\b\d{{1,2}} (?:{MONTHS})\b", re.I)),
    ("money", re.compile(r"£\d+(?:\.\d+)?m\b")),
    ("number", re.compile(r"\b\d+%")),
    ("number", re.compile(r"\b\d+-\d+\b")),
    ("number", re.compile(r"\b\d{1,3}(?:,\d{3})+\b|\b\d+\b")),
]
NAME = re.compile(r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*")
WORD = re.compile(r"[a-z']+|\x00\d+\x00")
NAME_SLOTS = ("person", "org", "place", "thing")


@dataclass
class Claim:
    """One fact a summary asserts, and what the document says of it."""

    role: str | None
    value: str
    status: str  # supported | contradicted | lacking | unresolved


@dataclass
class Judgement:
    """The oracle's reading of one summary."""

    verdict: str
    claims: list[Claim] = field(default_factory=list)
    parsed: bool = False

    def to_dict(self) -> dict:
        """Return a JSON-serialisable dict."""
        return asdict(self)


@lru_cache(maxsize=None)
def template_words() -> frozenset[str]:
    """Return every word of every summary template (lower case), never an unknown name."""
    words = set()
    for event in EVENT_TYPES.values():
        texts = [t for pair in event.main for t in pair] + list(event.modifiers.values())
        for text in texts:
            words.update(re.findall(r"[a-z']+", re.sub(r"\{\w+\}", " ", text.lower())))
    return frozenset(words)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def find_mentions(facts: dict, summary: str) -> list[tuple[int, int, str, str]]:
    """Return ``(start, end, type, text)`` for every mention in ``summary``, in order."""
    kinds = EVENT_TYPES[facts["event_type"]].kinds
    known = {**facts["distractors"], **facts["roles"]}
    spans: list[tuple[int, int, str, str]] = []
    taken = [False] * len(summary)

    def claim(start, end, etype):
        if not any(taken[start:end]):
            taken[start:end] = [True] * (end - start)
            spans.append((start, end, etype, summary[start:end]))

    for name, value in sorted(known.items(), key=lambda kv: -len(kv[1])):
        pattern = rf"(?<!\w){re.escape(value)}(?!\w)"
        for m in re.finditer(pattern, summary, re.I):
            claim(m.start(), m.end(), inventory.entity_type(kinds[name]))
    for etype, pattern in PATTERNS:
        for m in pattern.finditer(summary):
            claim(m.start(), m.end(), etype)
    for m in NAME.finditer(summary):
        _claim_name(m, summary, taken, claim)
    return sorted(spans)


def _claim_name(match, summary, taken, claim):
    """Claim a capitalised run, trimmed of template words and of already-taken characters."""
    words = [(w.start() + match.start(), w.end() + match.start())
             for w in re.finditer(r"\S+", match.group())]
    words = [(s, e) for s, e in words
             if not any(taken[s:e]) and summary[s:e].lower() not in template_words()]
    if words:
        # keep the longest contiguous run of remaining words
        start, end = words[0]
        for s, e in words[1:]:
            if summary[end:s].strip():
                break
            end = e
        claim(start, end, "name")


def _items(text: str, mentions) -> list:
    """Return the word sequence of ``text`` with each mention replaced by its index."""
    pieces, last = [], 0
    for i, (start, end, _, _) in enumerate(mentions):
        pieces.append(text[last:start].lower())
        pieces.append(f" \x00{i}\x00 ")
        last = end
    pieces.append(text[last:].lower())
    return [int(w.strip("\x00")) if w.startswith("\x00") else w
            for w in WORD.findall("".join(pieces))]


@lru_cache(maxsize=None)
def _template_items(template: str) -> tuple:
    parts = re.split(r"(\{\w+\})", template.lower())
    items = []
    for part in parts:
        if part.startswith("{"):
            items.append(("slot", part[1:-1]))
        else:
            items += re.findall(r"[a-z']+", part)
    return tuple(items)


def _compatible(mention_type: str, slot_type: str) -> bool:
    return mention_type == slot_type or (mention_type == "name" and slot_type in NAME_SLOTS)


def _match(template, items, start, mentions, kinds, used):
    """Return ``{role: mention index}`` if ``template`` matches ``items`` at ``start``."""
    roles = {}
    for offset, tok in enumerate(template):
        pos = start + offset
        if pos >= len(items) or pos in used:
            return None
        item = items[pos]
        if isinstance(tok, tuple):
            slot_type = inventory.entity_type(kinds[tok[1]])
            if not isinstance(item, int) or not _compatible(mentions[item][2], slot_type):
                return None
            roles[tok[1]] = item
        elif item != tok:
            return None
    return roles


def _search(template_text, items, mentions, kinds, used):
    template = _template_items(template_text)
    for start in range(len(items)):
        roles = _match(template, items, start, mentions, kinds, used)
        if roles is not None:
            return roles, set(range(start, start + len(template)))
    return None


def _parse(event, items, mentions):
    """Return ``(negated or None, [(role, mention index)])`` from main clause and modifiers."""
    used: set[int] = set()
    negated, assigned = None, []
    mains = sorted(((t, neg) for pair in event.main for neg, t in enumerate(pair)),
                   key=lambda tn: -len(_template_items(tn[0])))
    for text, neg in mains:
        found = _search(text, items, mentions, event.kinds, used)
        if found:
            negated, assigned, used = bool(neg), list(found[0].items()), found[1]
            break
    for role, text in event.modifiers.items():
        found = _search(text, items, mentions, event.kinds, used)
        while found:
            assigned += list(found[0].items())
            used |= found[1]
            found = _search(text, items, mentions, event.kinds, used)
    return negated, assigned


def _role_status(facts: dict, role: str, value: str) -> str:
    if role not in facts["roles"]:
        return "lacking"
    return "supported" if _norm(value) == _norm(facts["roles"][role]) else "contradicted"


def judge(facts: dict, summary) -> Judgement:
    """Judge ``summary`` against the fact table ``facts``; never raises on the summary."""
    text = summary if isinstance(summary, str) else ("" if summary is None else str(summary))
    event = EVENT_TYPES[facts["event_type"]]
    mentions = find_mentions(facts, text)
    negated, assigned = _parse(event, _items(text, mentions), mentions)
    claims = []
    if negated is not None:
        claims.append(Claim("event", "negated" if negated else "affirmed",
                            "contradicted" if negated else "supported"))
    claims += [Claim(role, mentions[i][3], _role_status(facts, role, mentions[i][3]))
               for role, i in assigned]
    known = {_norm(v) for v in [*facts["roles"].values(), *facts["distractors"].values()]}
    for i in sorted(set(range(len(mentions))) - {i for _, i in assigned}):
        value = mentions[i][3]
        claims.append(Claim(None, value, "unresolved" if _norm(value) in known else "lacking"))
    return Judgement(_verdict(claims), claims, parsed=negated is not None)


def _verdict(claims: list[Claim]) -> str:
    statuses = {c.status for c in claims}
    if "contradicted" in statuses:
        return "intrinsic"
    if "lacking" in statuses:
        return "extrinsic"
    return "faithful" if "supported" in statuses else "unverifiable"


def hallucination_rate(judgements: list[Judgement]) -> dict[str, float]:
    """Return the share of each verdict, ``hallucination_rate`` (intrinsic + extrinsic), and
    ``fact_precision``: the share of role facts asserted over all summaries that are supported
    (NaN when no summary asserts any)."""
    n = max(len(judgements), 1)
    shares = {v: sum(j.verdict == v for j in judgements) / n for v in VERDICTS}
    shares["hallucination_rate"] = shares["intrinsic"] + shares["extrinsic"]
    facts = [c for j in judgements for c in j.claims if c.role not in (None, "event")]
    supported = sum(c.status == "supported" for c in facts)
    shares["fact_precision"] = supported / len(facts) if facts else float("nan")
    return shares
