"""The pieces of QUALS as pure functions (Nan et al., ACL 2021; official implementation:
amazon-science/fact-check-summarization).

- :func:`split_qa`: a generated "question <sep> answer" must split into exactly two non-empty parts.
- :func:`answer_in_summary`: the answer must occur in the summary. ``"substring"`` is the
  official test (case-insensitive substring, so "son" matches "Johnson") and the default;
  ``"word"`` requires whole-word boundaries.
- :func:`select_pairs`: sort by generation score; group by lower-cased answer; pick round-robin,
  one pair per answer per round, skipping a question already kept for that answer; keep at
  most ``max_pairs``.
- :func:`quals`: mean over kept pairs of (LL given document - LL given summary), where a pair's
  LL is the mean log-probability (nats) of its target tokens. With no kept pair the score is
  the sentinel :data:`NO_PAIRS` (``None``): such summaries are counted and reported and left
  out of means, never scored as 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

NO_PAIRS = None
ANSWER_MATCHES = ("substring", "word")


@dataclass
class QAPair:
    """A generated question-answer pair and its generation score (higher is better)."""

    question: str
    answer: str
    score: float


def split_qa(text: str, separator: str) -> tuple[str, str] | None:
    """Return (question, answer) if ``text`` splits on ``separator`` into two non-empty parts."""
    parts = text.split(separator)
    if len(parts) != 2:
        return None
    question, answer = parts[0].strip(), parts[1].strip()
    return (question, answer) if question and answer else None


def answer_in_summary(answer: str, summary: str, match: str = "substring") -> bool:
    """Whether ``answer`` occurs in ``summary``, case-insensitively (see module docstring)."""
    if match == "substring":
        return answer.lower() in summary.lower()
    if match == "word":
        return re.search(rf"(?<!\w){re.escape(answer)}(?!\w)", summary, re.I) is not None
    raise ValueError(f"answer match must be one of {ANSWER_MATCHES}, not {match!r}")


def select_pairs(pairs: Sequence[QAPair], max_pairs: int = 10) -> list[QAPair]:
    """Round-robin over answers in score order; at most ``max_pairs`` pairs."""
    groups: dict[str, list[QAPair]] = {}
    for pair in sorted(pairs, key=lambda p: -p.score):
        groups.setdefault(pair.answer.lower(), []).append(pair)
    kept: list[QAPair] = []
    seen: dict[str, set[str]] = {answer: set() for answer in groups}
    cursors = {answer: 0 for answer in groups}
    while len(kept) < max_pairs and any(cursors[a] < len(g) for a, g in groups.items()):
        for answer, group in groups.items():
            while cursors[answer] < len(group):
                pair = group[cursors[answer]]
                cursors[answer] += 1
                if pair.question not in seen[answer]:
                    seen[answer].add(pair.question)
                    kept.append(pair)
                    break
            if len(kept) == max_pairs:
                break
    return kept


def filter_pairs(generated: Sequence[tuple[str, float]], summary: str, separator: str,
                 match: str = "substring") -> list[QAPair]:
    """Parse generated texts with their scores and keep the well-formed, answerable pairs."""
    out = []
    for text, score in generated:
        parsed = split_qa(text, separator)
        if parsed and answer_in_summary(parsed[1], summary, match):
            out.append(QAPair(parsed[0], parsed[1], score))
    return out


def quals(ll_document: Sequence[float], ll_summary: Sequence[float]) -> float | None:
    """Return mean(ll_document - ll_summary) over pairs, or :data:`NO_PAIRS` if there are none."""
    if len(ll_document) != len(ll_summary):
        raise ValueError("one log-likelihood per pair under each passage")
    if not ll_document:
        return NO_PAIRS
    return sum(d - s for d, s in zip(ll_document, ll_summary)) / len(ll_document)
