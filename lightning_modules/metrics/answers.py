"""Answer candidates for QAGS: named entities, numbers, dates and noun chunks of a summary.

QAGS takes answers from spaCy's named entities and noun chunks. spaCy's trained pipelines cannot
be installed here, so :func:`extract_answers` uses one when ``spacy`` and ``en_core_web_sm`` load
(``extractor="spacy"`` or ``"auto"``) and otherwise this rule-based extractor, in order:

1. dates: day-month-year forms, month names, weekdays and four-digit years;
2. money, percentages and numbers with their unit words (``£53.9m``, ``12,100``, ``40 per cent``);
3. names: maximal runs of capitalised words, joined by ``of``, ``the``, ``de``, ``&``; a single
   capitalised word that opens the sentence is kept only if it is not a common word;
4. noun chunks: a determiner or possessive (``the``, ``a``, ``his``...) and the 1-3 lower-case
   words after it, up to the first stop word, punctuation, capitalised word, or (after the
   first word) a word ending in ``-ed`` or ``-ing``, which is likely a verb.

Rules 1-3 (the ``DATE`` and ``NUMBER`` patterns and :func:`~lightning_modules.text.find_names`)
live in :mod:`lightning_modules.text`, shared with FactCC's swaps.

Candidates are deduplicated case-insensitively, spans inside an earlier candidate are dropped,
and the first ``max_answers`` are returned in that priority order.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lightning_modules.text import DATE, DETERMINERS, NUMBER, STOP, find_names

EXTRACTORS = ("auto", "spacy", "rules")
"""Answer extractors: spaCy if its pipeline loads, else rules; spaCy only; rules only."""
WORD = re.compile(r"[\w£$€%'’.,&-]+|[^\w\s]")


def _noun_chunks(text: str) -> list[str]:
    words = WORD.findall(text)
    chunks = []
    for i, word in enumerate(words):
        if word.lower() not in DETERMINERS:
            continue
        chunk = []
        for nxt in words[i + 1:i + 4]:
            if nxt.lower() in STOP or not re.fullmatch(r"[a-z0-9][\w'’-]*", nxt):
                break
            if chunk and nxt.endswith(("ed", "ing")):
                break
            chunk.append(nxt)
        if chunk:
            chunks.append(" ".join([word] + chunk))
    return chunks


def rule_based_answers(text: str) -> list[str]:
    """All answer candidates of ``text`` in priority order (dates, numbers, names, chunks)."""
    found = [m.group(0) for m in DATE.finditer(text)]
    found += [m.group(0).strip() for m in NUMBER.finditer(text)]
    found += find_names(text)
    found += _noun_chunks(text)
    return found


@lru_cache(maxsize=1)
def _spacy_pipeline():
    try:
        import spacy

        return spacy.load("en_core_web_sm")
    except (ImportError, OSError):
        return None


def spacy_answers(text: str) -> list[str] | None:
    """Named entities then noun chunks from spaCy's ``en_core_web_sm``; None if unavailable."""
    nlp = _spacy_pipeline()
    if nlp is None:
        return None
    doc = nlp(text)
    return [e.text for e in doc.ents] + [c.text for c in doc.noun_chunks]


def extract_answers(text: str, max_answers: int = 10, extractor: str = "auto") -> list[str]:
    """Up to ``max_answers`` distinct answer spans of ``text`` (see the module docstring).

    ``extractor``: ``auto`` (spaCy if its pipeline loads, else rules), ``spacy`` (error if it
    does not load) or ``rules``.
    """
    if extractor not in EXTRACTORS:
        raise ValueError(f"extractor must be one of {EXTRACTORS}")
    found = None if extractor == "rules" else spacy_answers(text)
    if found is None:
        if extractor == "spacy":
            raise RuntimeError("extractor='spacy' needs spaCy and its en_core_web_sm pipeline")
        found = rule_based_answers(text)
    kept: list[str] = []
    for span in (s.strip(" ,.;:") for s in found):
        low = span.lower()
        if span and low not in STOP and not any(low in k.lower() for k in kept):
            kept.append(span)
    return kept[:max_answers]
