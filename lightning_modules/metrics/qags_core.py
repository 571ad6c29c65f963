"""QAGS's pure pieces: SQuAD answer normalisation, token F1, question filtering, the score."""

from __future__ import annotations

import re
import string
from collections import Counter
from typing import Iterable

ARTICLES = re.compile(r"\b(a|an|the)\b")
NO_QUESTIONS = None
"""Sentinel score of a summary that kept no question (no answer found, or every question
filtered out); counted and reported, left out of means."""


def normalize_answer(text: str) -> str:
    """SQuAD normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    return " ".join(ARTICLES.sub(" ", text).split())


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD token F1 between two answers; two empty answers count 1, one empty counts 0."""
    pred, ref = normalize_answer(prediction).split(), normalize_answer(gold).split()
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def clean_question(text: str) -> str:
    """Cut a generated question after its first ``?`` (kept) and strip spaces."""
    cut = text.find("?")
    return (text[: cut + 1] if cut >= 0 else text).strip()


def filter_questions(candidates: Iterable[tuple[str, str]], min_tokens: int = 3,
                     max_questions: int | None = None) -> list[tuple[str, str]]:
    """Keep (question, answer) pairs whose cleaned question has ``min_tokens`` words or more,
    dropping later duplicates (by normalised question); at most ``max_questions`` in order."""
    kept, seen = [], set()
    for question, answer in candidates:
        question = clean_question(question)
        key = normalize_answer(question)
        if len(question.split()) < min_tokens or key in seen:
            continue
        seen.add(key)
        kept.append((question, answer))
        if max_questions is not None and len(kept) >= max_questions:
            break
    return kept


def qags(f1s: list[float]) -> float | None:
    """Mean token F1 over a summary's questions; the sentinel when there is none."""
    return sum(f1s) / len(f1s) if f1s else NO_QUESTIONS
