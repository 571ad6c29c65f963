"""Reading a summary: its mentions (document entities, values by pattern, unknown names) and
the event's clauses they fill. ``find_mentions`` and ``parse`` are the oracle's first two steps
(see ``oracle``); they know the event templates, not the fact table's roles.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lightning_modules.world import inventory
from lightning_modules.world.events import EVENT_TYPES, GENERIC_FILLER

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
NAME_TYPES = NAME_SLOTS + ("name",)
VALUE_TYPES = ("date", "number", "money")


def _words(texts) -> set[str]:
    return {w for t in texts for w in re.findall(r"[a-z']+", re.sub(r"\{\w+\}", " ", t.lower()))}


@lru_cache(maxsize=None)
def template_words() -> frozenset[str]:
    """Return every word of every summary template and every document sentence template
    (lower case), never an unknown name; words that also make up names ("Media", "Prize")
    are left out of the document sentences' share."""
    summary, document = set(), set()
    for event in EVENT_TYPES.values():
        summary |= _words([t for pair in event.main for t in pair] + list(event.modifiers.values()))
        document |= _words([t for _, options in event.facts for t in options] + event.distract
                           + event.filler)
    document |= _words(GENERIC_FILLER)
    return frozenset(summary | (document - inventory.name_words()))


def norm(text: str) -> str:
    """Lower case with single spaces."""
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

    for start, end in _extended_names(known.values(), summary):
        claim(start, end, "name")
    for name, value in sorted(known.items(), key=lambda kv: -len(kv[1])):
        for m in _whole_words(value, summary):
            claim(m.start(), m.end(), inventory.entity_type(kinds[name]))
    for etype, pattern in PATTERNS:
        for m in pattern.finditer(summary):
            claim(m.start(), m.end(), etype)
    for m in NAME.finditer(summary):
        _claim_name(m, summary, taken, claim)
    return sorted(spans)


def _whole_words(value: str, text: str):
    return re.finditer(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.I)


def _extended_names(values, summary: str) -> list[tuple[int, int]]:
    """Spans of capitalised runs that hold one document entity plus words of no entity
    ("Wooddale United" where the document names the place "Wooddale"): one other name, not
    the entity followed by a stray word. Template words at either end are not part of it."""
    found = []
    for run in NAME.finditer(summary):
        words = [(w.start() + run.start(), w.end() + run.start())
                 for w in re.finditer(r"\S+", run.group())]
        while words and summary[slice(*words[0])].lower() in template_words():
            words.pop(0)
        while words and summary[slice(*words[-1])].lower() in template_words():
            words.pop()
        if not words:
            continue
        start, end = words[0][0], words[-1][1]
        inside = [m for v in values for m in _whole_words(v, summary[start:end])]
        covered = set()
        for m in inside:
            covered.update(range(start + m.start(), start + m.end()))
        stray = [w for w in words if not set(range(*w)) <= covered]
        if len(inside) == 1 and stray:
            found.append((start, end))
    return found


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


def word_items(text: str, mentions) -> list:
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


def _compatible(mention_type: str, slot_type: str, relaxed: bool = False) -> bool:
    if relaxed and ((mention_type in NAME_TYPES and slot_type in NAME_SLOTS)
                    or (mention_type in VALUE_TYPES and slot_type in VALUE_TYPES)):
        return True
    return mention_type == slot_type or (mention_type == "name" and slot_type in NAME_SLOTS)


def _match(template, items, start, mentions, kinds, used, relaxed=False):
    """Return ``{role: mention index}`` if ``template`` matches ``items`` at ``start``."""
    roles = {}
    for offset, tok in enumerate(template):
        pos = start + offset
        if pos >= len(items) or pos in used:
            return None
        item = items[pos]
        if isinstance(tok, tuple):
            slot_type = inventory.entity_type(kinds[tok[1]])
            if not isinstance(item, int) or not _compatible(mentions[item][2], slot_type,
                                                            relaxed):
                return None
            roles[tok[1]] = item
        elif item != tok:
            return None
    return roles


def _search(template_text, items, mentions, kinds, used, relaxed=False):
    template = _template_items(template_text)
    for start in range(len(items)):
        roles = _match(template, items, start, mentions, kinds, used, relaxed)
        if roles is not None:
            return roles, set(range(start, start + len(template)))
    return None


@lru_cache(maxsize=None)
def sentence_templates(event_name: str) -> tuple[str, ...]:
    """The event's document sentence templates (facts and distractor sentences), longest
    first: a CNN/DM-like summary copies them."""
    event = EVENT_TYPES[event_name]
    texts = [t for _, options in event.facts for t in options] + event.distract
    return tuple(sorted(texts, key=lambda t: -len(_template_items(t))))


def parse(event, items, mentions, relaxed=False):
    """Return ``(negated or None, [(role, mention index)])`` from main clause, copied document
    sentences and modifiers; ``relaxed`` lets any name fill any name slot."""
    used: set[int] = set()
    negated, assigned = None, []
    mains = sorted(((t, neg) for pair in event.main for neg, t in enumerate(pair)),
                   key=lambda tn: -len(_template_items(tn[0])))
    for text, neg in mains:
        found = _search(text, items, mentions, event.kinds, used, relaxed)
        if found:
            negated, assigned, used = bool(neg), list(found[0].items()), found[1]
            break
    clauses = list(sentence_templates(event.name)) + list(event.modifiers.values())
    for text in clauses:
        found = _search(text, items, mentions, event.kinds, used, relaxed)
        while found:
            assigned += list(found[0].items())
            used |= found[1]
            found = _search(text, items, mentions, event.kinds, used, relaxed)
    return negated, assigned
