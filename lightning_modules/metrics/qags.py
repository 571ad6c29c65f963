"""QAGS (Wang, Cho and Lewis, ACL 2020): ask questions about the summary, answer them from the
summary and from the document, and compare the answers.

Per summary: up to ``max_answers`` answer candidates (see ``answers``); for each, answer-
conditional question generation by beam search, ``questions_per_answer`` questions; filtering
(cut at the first ``?``, at least ``min_question_tokens`` words, no duplicates, at most
``max_questions``; optionally answer consistency: the QA model's answer from the summary must
reach token F1 ``answer_consistency`` with the candidate); the QA model answers each question
from the summary and from the document; QAGS = mean SQuAD token F1 between the two answers.
A summary with no question left gets the sentinel ``None`` (counted, left out of means).

Three models: the extractor (rules or spaCy), a QG and a QA model. QG and QA are workbench
checkpoints (``.ckpt``, trained with ``experiments/configs/qg_synthetic.yaml`` and
``qa_synthetic.yaml``) or Hugging Face ones (seq2seq, or span QA for ``qa``).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Sequence

from lightning_modules.metrics.answers import EXTRACTORS, extract_answers
from lightning_modules.metrics.base import ScoreResult, check_inputs
from lightning_modules.metrics.qa_models import (ExtractiveQA, GenerativeQA,
                                                 Seq2SeqGenerator)
from lightning_modules.metrics.qags_core import (clean_question, filter_questions,
                                                 normalize_answer, qags, token_f1)
from lightning_modules.text import QA_FORMAT, QG_FORMAT, qg_source


FILTER_ORDERS = ("cap_first", "answer_first")


@dataclass(frozen=True)
class QagsConfig:
    """QAGS settings (defaults after the paper: 10 answers, beam search, about 20 questions)."""

    max_answers: int = 10
    extractor: str = "auto"
    """``auto`` (spaCy's en_core_web_sm if it loads, else rules), ``spacy`` or ``rules``."""
    qg_beams: int = 10
    questions_per_answer: int = 2
    max_questions: int = 20
    min_question_tokens: int = 3
    answer_consistency: float | None = None
    """Minimum token F1 between the summary answer and the candidate; None: no check."""
    qg_max_length: int = 32
    qa_beams: int = 4
    qa_max_length: int = 24
    batch_size: int = 32
    qg_format: str = QG_FORMAT
    qa_format: str = QA_FORMAT
    qg_early_stopping: bool = True
    qa_early_stopping: bool = False
    """Whether QG's (QA's) beam search ends once it holds ``num_beams`` finished hypotheses
    (transformers' ``early_stopping=True``), which can return a worse answer than greedy search
    (:class:`~lightning_modules.metrics.qa_models.Seq2SeqGenerator`). On 200 xsum validation
    documents' corruptions QAGS's AUROC is 0.674 with both on, 0.702 with QA's off, 0.691 with
    both off (docs/metrics.md, "The answerer's beam search")."""

    filter_order: str = "cap_first"
    """``cap_first``: clean and cap the questions at ``max_questions``, then answer those (the
    workbench's batched QAGS). ``answer_first``: what the original pipeline did, answering every
    cleaned candidate question from the summary, keeping those whose answer is non-empty and
    reaches ``answer_consistency`` (exact match after normalisation when None), ranking them by
    the QG beam's score and then capping (:meth:`original`)."""

    @classmethod
    def original(cls, **overrides) -> "QagsConfig":
        """QAGS as its code ran (Wang et al. 2020): 10 answers, a QG beam of 10 returning 10
        questions each (100 candidates), every candidate answered from the summary and kept when
        its answer has the candidate's words (token F1 1 after SQuAD normalisation), the 20 best
        by QG score, one summary at a time."""
        settings = dict(max_answers=10, qg_beams=10, questions_per_answer=10, max_questions=20,
                        answer_consistency=1.0, filter_order="answer_first", batch_size=1)
        return cls(**{**settings, **overrides})

    def __post_init__(self):
        if self.filter_order not in FILTER_ORDERS:
            raise ValueError(f"filter_order must be one of {FILTER_ORDERS}")
        for name in ("max_answers", "qg_beams", "questions_per_answer", "max_questions",
                     "qg_max_length", "qa_beams", "qa_max_length", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        if self.min_question_tokens < 0:
            raise ValueError("min_question_tokens must be >= 0")
        if self.extractor not in EXTRACTORS:
            raise ValueError(f"extractor must be one of {EXTRACTORS}")
        if self.answer_consistency is not None and not 0.0 <= self.answer_consistency <= 1.0:
            raise ValueError("answer_consistency must be in [0, 1] or None")


def generative_answerer(model, tokenizer, config: QagsConfig) -> GenerativeQA:
    """QAGS's answerer from a seq2seq QA model, with ``config``'s beams, lengths, batch size,
    format and early stopping (the reading probe measures this same answerer)."""
    return GenerativeQA(Seq2SeqGenerator(model, tokenizer, config.qa_beams, 1,
                                         config.qa_max_length, config.batch_size,
                                         early_stopping=config.qa_early_stopping),
                        config.qa_format)


class QagsScorer:
    """``score(documents, summaries)`` -> QAGS per summary in [0, 1] (higher = more consistent).

    ``timings`` accumulates seconds per phase (extraction, question generation, answering from
    the summary, answering from the document) over all calls.
    """

    name = "qags"

    def __init__(self, qg_model, qg_tokenizer, qa, config: QagsConfig = QagsConfig()):
        self.cfg = config
        self.qg = Seq2SeqGenerator(qg_model, qg_tokenizer, config.qg_beams,
                                   config.questions_per_answer, config.qg_max_length,
                                   config.batch_size, early_stopping=config.qg_early_stopping)
        self.qa = qa
        self.timings: dict[str, float] = defaultdict(float)

    @classmethod
    def from_checkpoints(cls, qg: str, qa: str, config: QagsConfig = QagsConfig(),
                         device: str = "cpu") -> "QagsScorer":
        """Load the QG and QA models (workbench ``.ckpt`` or Hugging Face checkpoints)."""
        from lightning_modules.models.loading import is_extractive_qa, load_seq2seq

        qg_model, qg_tok = load_seq2seq(qg, device)
        if is_extractive_qa(qa):
            from transformers import AutoModelForQuestionAnswering, AutoTokenizer

            model = AutoModelForQuestionAnswering.from_pretrained(qa).to(device)
            answerer = ExtractiveQA(model, AutoTokenizer.from_pretrained(qa), config.batch_size)
        else:
            answerer = generative_answerer(*load_seq2seq(qa, device), config)
        return cls(qg_model, qg_tok, answerer, config)

    @property
    def models(self) -> list:
        """The torch models this scorer runs (the callback moves them to the right device)."""
        found = [self.qg.model]
        inner = getattr(self.qa, "generator", self.qa)
        return found + [inner.model]

    def _timed(self, phase: str, fn, *args):
        start = time.perf_counter()
        out = fn(*args)
        self.timings[phase] += time.perf_counter() - start
        return out

    def candidates(self, summaries: Sequence[str]) -> list[list[tuple]]:
        """The generated (question, candidate answer, QG score) triples of each summary, as the
        QG model wrote them (uncleaned), grouped by answer in extraction order."""
        cfg = self.cfg
        answers = self._timed("extraction", lambda: [
            extract_answers(s, cfg.max_answers, cfg.extractor) for s in summaries])
        flat = [(i, a) for i, ans in enumerate(answers) for a in ans]
        sources = [qg_source(a, summaries[i], cfg.qg_format) for i, a in flat]
        generate = getattr(self.qg, "scored", None) or _ranked(self.qg)
        generated = self._timed("question_generation", generate, sources) if sources else []
        per_summary = [[] for _ in summaries]
        for (i, answer), questions in zip(flat, generated):
            per_summary[i] += [(q, answer, score) for q, score in questions]
        return per_summary

    def questions(self, summaries: Sequence[str]) -> list[list[tuple[str, str]]]:
        """Return the kept (question, candidate answer) pairs of each summary (``cap_first``)."""
        return [filter_questions([(q, a) for q, a, _ in c], self.cfg.min_question_tokens,
                                 self.cfg.max_questions) for c in self.candidates(summaries)]

    def _answer(self, phase: str, questions: list[str], passages: list[str]) -> list[str]:
        return self._timed(phase, self.qa.answer, questions, passages) if questions else []

    def _consistent(self, answer: str, candidate: str) -> bool:
        if self.cfg.filter_order == "answer_first":
            if not answer.strip():
                return False
            if self.cfg.answer_consistency is None:
                return normalize_answer(answer) == normalize_answer(candidate)
        threshold = self.cfg.answer_consistency
        return threshold is None or token_f1(answer, candidate) >= threshold

    def _answered(self, groups: list[list[tuple]], summaries: Sequence[str]) -> list[list[tuple]]:
        """Per summary, each ``(question, candidate, ...)`` of ``groups`` answered from its
        summary, as ``(question, candidate, ..., summary answer)``, where the answer passes the
        consistency filter."""
        owners, flat = _flatten(groups)
        answers = self._answer("answer_summary", [t[0] for t in flat],
                               [summaries[i] for i in owners])
        out = [[] for _ in groups]
        for i, item, a_sum in zip(owners, flat, answers):
            if self._consistent(a_sum, item[1]):
                out[i].append((*item, a_sum))
        return out

    def _answer_first(self, summaries: Sequence[str]) -> list[list[tuple]]:
        """(question, candidate, summary answer) of each summary, as the original pipeline
        chose them: every generated question answered from the summary, the consistent ones
        ranked by QG score, then cleaned, deduplicated and capped. Unlike the original, a
        summary with fewer survivors is not padded with random unfiltered questions."""
        out = []
        for answered in self._answered(self.candidates(summaries), summaries):
            answered.sort(key=lambda t: -t[2])
            answer_of = {}
            for q, cand, _, a_sum in answered:
                answer_of.setdefault((clean_question(q), cand), a_sum)
            kept = filter_questions([(q, c) for q, c, _, _ in answered],
                                    self.cfg.min_question_tokens, self.cfg.max_questions)
            out.append([(q, c, answer_of[(q, c)]) for q, c in kept])
        return out

    def _cap_first(self, summaries: Sequence[str]) -> list[list[tuple]]:
        """(question, candidate, summary answer) of each summary: the capped questions answered
        from the summary, then the consistency filter."""
        return self._answered(self.questions(summaries), summaries)

    def score(self, documents: Sequence[str], summaries: Sequence[str],
              references: Sequence[str] | None = None) -> ScoreResult:
        """QAGS per summary, with each question and its two answers as the explanation."""
        check_inputs(documents, summaries)
        order = self._answer_first if self.cfg.filter_order == "answer_first" else self._cap_first
        owners, flat = _flatten(order(summaries))
        from_document = self._answer("answer_document", [q for q, _, _ in flat],
                                     [documents[i] for i in owners])
        explanations = [{"questions": []} for _ in summaries]
        for i, (q, cand, a_sum), a_doc in zip(owners, flat, from_document):
            explanations[i]["questions"].append(
                {"question": q, "candidate": cand, "answer_summary": a_sum,
                 "answer_document": a_doc, "f1": token_f1(a_doc, a_sum)})
        scores = [qags([q["f1"] for q in e["questions"]]) for e in explanations]
        return ScoreResult({"qags": scores}, explanations)


def _flatten(groups: list[list]) -> tuple[list[int], list]:
    """The items of per-summary lists in order, with the index of the summary each belongs to."""
    return [i for i, group in enumerate(groups) for _ in group], [t for g in groups for t in g]


def _ranked(generate):
    """A QG callable's outputs with their rank as the score (best first), for generators that
    give no beam scores."""
    return lambda sources: [[(q, -rank) for rank, q in enumerate(qs)] for qs in generate(sources)]


def config_dict(config: QagsConfig) -> dict:
    """The config as a plain dict (for run directories and cache keys)."""
    return asdict(config)
