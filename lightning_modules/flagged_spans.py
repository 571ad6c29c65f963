"""Where QUALS finds a summary wrong: the summary characters and tokens of its flagged answers.

Each question-answer pair QUALS keeps for a summary carries its mean log-likelihood given the
document and given the summary; their difference ``ll_document - ll_summary`` is low where the
document does not support the pair. The pair's answer is a span of the summary. ConSeq's
``span`` S- term pushes down only the summary tokens inside answers whose difference is below a
threshold, not the whole negative. Standard library only.
"""

from __future__ import annotations

import math

NO_FLAG = math.inf
"""The difference of a token no answer covers: above every threshold."""


def answer_spans(explanation: dict | None, summary: str) -> list[list]:
    """``[start, end, difference]`` of every occurrence in ``summary`` (case-insensitive) of each
    kept pair's answer, ``difference`` the pair's ``ll_document - ll_summary``."""
    spans, lowered = [], summary.lower()
    for pair in (explanation or {}).get("pairs", []):
        answer = pair.get("answer", "").strip().lower()
        diff = pair.get("ll_document", math.nan) - pair.get("ll_summary", math.nan)
        if not answer or not math.isfinite(diff):
            continue
        start = lowered.find(answer)
        while start >= 0:
            spans.append([start, start + len(answer), diff])
            start = lowered.find(answer, start + 1)
    return spans


def token_differences(offsets: list[tuple[int, int]], spans: list[list]) -> list[float]:
    """Per token (character ``offsets``), the lowest difference of the answer spans it overlaps,
    else :data:`NO_FLAG`; tokens without characters (special tokens, padding) get ``NO_FLAG``."""
    out = []
    for start, end in offsets:
        hits = [d for s, e, d in spans if start < e and s < end and end > start]
        out.append(min(hits) if hits else NO_FLAG)
    return out
