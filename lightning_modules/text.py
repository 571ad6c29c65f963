"""Text helpers shared by the data modules and the scorers.

- sentences: :func:`split_sentences`;
- dates, numbers and names: the ``DATE`` and ``NUMBER`` patterns and :func:`find_names`
  (maximal runs of capitalised words), used by QAGS's answer extractor and FactCC's swaps;
- model inputs: the ``<qa_sep>`` separator, the QG and QA input formats (:func:`qg_source`,
  :func:`qa_source`) and FactCC's (claim, document) encoding (:func:`encode_pairs`), each used
  both by the data module that trains the model and by the scorer that runs it.

Standard library only, and no import from the rest of the library, so ``data/`` and
``metrics/`` both use it without importing each other.
"""

from __future__ import annotations

import re

SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'£$€])")


def split_sentences(text: str) -> list[str]:
    """Split text into sentences at ``.``, ``!`` or ``?`` followed by a capital or digit."""
    return [s.strip() for s in SENTENCE.split(text.strip()) if s.strip()]


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


def find_names(text: str) -> list[str]:
    """Names of ``text`` in order: maximal runs of capitalised words joined by ``of``, ``the``,
    ``de``, ``&`` or ``and``, without a possessive ``'s`` or a common word opening the sentence."""
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


QA_SEP = "<qa_sep>"
"""The separator between question and answer (QAGen's output) and before the passage (QG and QA
inputs); a special token of the workbench tokenizer, never produced by encoding text."""
QG_FORMAT = "{answer} " + QA_SEP + " {highlighted}"
"""The question generator's input (the default): the answer, the separator, and the passage with
the answer marked where it stands (``[ answer ]``, :func:`highlight`), as answer-aware QG marks
it (Chan and Fan, 2019). On the xsum world's validation documents QAGS's corruption AUROC was
0.592 with a QG started from the reader and 0.674 / 0.680 with one started from QAGen, with /
without the mark: the start is what counts (docs/metrics.md, "The question generator")."""
QG_PLAIN_FORMAT = "{answer} " + QA_SEP + " {passage}"
"""The question generator's input without the mark (the format before)."""
QA_FORMAT = "{question} " + QA_SEP + " {passage}"
HIGHLIGHT = ("[", "]")


def highlight(passage: str, answer: str) -> str:
    """``passage`` with the first occurrence of ``answer`` wrapped in ``[ ... ]``; unchanged
    where the answer does not occur in it."""
    start = passage.find(answer) if answer else -1
    if start < 0:
        return passage
    end = start + len(answer)
    return f"{passage[:start]}{HIGHLIGHT[0]} {answer} {HIGHLIGHT[1]}{passage[end:]}"


def qg_source(answer: str, passage: str, template: str = QG_FORMAT) -> str:
    """Input text of the question generator from ``template``'s fields: ``{answer}``,
    ``{passage}`` and ``{highlighted}`` (the passage with the answer marked, :func:`highlight`)."""
    highlighted = highlight(passage, answer) if "{highlighted}" in template else passage
    return template.format(answer=answer, passage=passage, highlighted=highlighted)


def qa_source(question: str, passage: str, template: str = QA_FORMAT) -> str:
    """Input text of the question answerer: the question, the separator, the passage."""
    return template.format(question=question, passage=passage)


def encode_pairs(tokenizer, documents: list[str], claims: list[str], max_length: int = 512):
    """Tokenize (claim, document) pairs, truncating the document only, as tensors.

    The claim goes first so that truncating a long document never cuts it. This is FactCC's
    input, for its data module and its scorer alike.
    """
    return tokenizer(list(claims), list(documents), truncation="only_second", padding=True,
                     max_length=max_length, return_tensors="pt")
