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

Candidates are deduplicated case-insensitively, spans inside an earlier candidate are dropped,
and the first ``max_answers`` are returned in that priority order.
"""

from __future__ import annotations

import re
from functools import lru_cache

MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
          "December")
WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
NUMBER = re.compile(
    r"[£$€]?\d[\d,]*(?:\.\d+)?(?:m|bn|k)?\b(?:\s?(?:%|per ?cent|million|billion|thousand|"
    r"points?|goals?|years?|people|jobs|votes|seats|km|miles|metres))?", re.I)
DATE = re.compile(rf"\b(?:\d{{1,2}} (?:{MONTHS})(?: \d{{4}})?|(?:{MONTHS})(?: \d{{1,2}})?"
                  rf"(?:,? \d{{4}})?|(?:{WEEKDAYS})|(?:19|20)\d{{2}})\b")
CAPITAL = re.compile(r"[A-Z][\w'’.-]*")
DETERMINERS = {"the", "a", "an", "his", "her", "its", "their", "this", "that", "these", "those",
               "our", "my", "your"}
STOP = {"a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "for", "from", "by",
        "with", "as", "after", "before", "against", "over", "under", "into", "than", "that",
        "which", "who", "is", "was", "are", "were", "be", "been", "has", "have", "had", "will",
        "would", "could", "should", "can", "it", "he", "she", "they", "we", "i", "you", "not",
        "this", "these", "those", "his", "her", "its", "their", "said", "says", "while", "when",
        "where", "there", "here", "if", "so", "also", "about", "up", "down", "out", "during",
        "all", "more", "most", "some", "any", "no", "just", "only", "then", "now", "new"}
CONNECTORS = {"of", "the", "de", "&", "and"}
WORD = re.compile(r"[\w£$€%'’.,&-]+|[^\w\s]")


def _names(text: str) -> list[str]:
    tokens = text.split()
    names, run, start_of_sentence = [], [], True
    for token in tokens + [""]:
        word = token.strip(",;:!?\"()")
        ends = token.endswith((".", "!", "?")) and not re.fullmatch(r"[A-Z]\.", word)
        if CAPITAL.fullmatch(word.rstrip(".")) or (run and word.lower() in CONNECTORS):
            run.append(word.rstrip(".") if ends else word)
            if word == token and not ends:
                if start_of_sentence and len(run) == 1:
                    run[0] = (run[0], True)
                start_of_sentence = False
                continue
        names += _close(run)
        run, start_of_sentence = [], ends or not token
        if CAPITAL.fullmatch(word.rstrip(".")) and word != token:
            continue
    return names


def _close(run: list) -> list[str]:
    """Turn a run of capitalised words into a name (trailing connectors dropped)."""
    sentence_initial = bool(run) and isinstance(run[0], tuple)
    words = [w[0] if isinstance(w, tuple) else w for w in run]
    while words and words[-1].lower() in CONNECTORS:
        words.pop()
    if not words:
        return []
    if sentence_initial and len(words) == 1 and words[0].lower() in STOP | DETERMINERS:
        return []
    if sentence_initial and words[0].lower() in STOP | DETERMINERS:
        words = words[1:]
    return [re.sub(r"['’]s$", "", " ".join(words))] if words else []


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
    found += _names(text)
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
    if extractor not in ("auto", "spacy", "rules"):
        raise ValueError("extractor must be 'auto', 'spacy' or 'rules'")
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
