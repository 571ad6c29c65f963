"""Question generation and answering for QAGS: seq2seq models, or extractive span QA."""

from __future__ import annotations

from typing import Sequence

import torch

from lightning_modules.text import QA_FORMAT, qa_source


def _batches(items: Sequence, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Seq2SeqGenerator:
    """Text-to-text generation with beam search (a QG or a generative QA model).

    ``early_stopping=True`` is transformers' rule of ending a search as soon as it holds
    ``num_beams`` finished hypotheses, even while an open beam scores better than all of them.
    Hypotheses that end early from low-ranked beams fill that quota first, so it returns
    answers no beam would choose: the QA model's "£263m" (log-probability -1.31 per token) for
    the "£26.3m" (-0.10) that greedy search finds. ``False`` (the default) searches until no
    open beam can beat the finished ones (docs/metrics.md, "The answerer's beam search")."""

    def __init__(self, model, tokenizer, num_beams: int = 4, num_return: int = 1,
                 max_length: int = 32, batch_size: int = 32, max_source_length: int = 512,
                 early_stopping: bool = False):
        self.model, self.tok = model.eval(), tokenizer
        self.settings = dict(num_beams=num_beams, num_return_sequences=num_return,
                             max_length=max_length, early_stopping=early_stopping)
        self.num_return, self.batch_size = num_return, batch_size
        self.max_source_length = max_source_length

    def __call__(self, sources: Sequence[str]) -> list[list[str]]:
        """Return ``num_return`` outputs (best first) per source text."""
        return [[text for text, _ in outs] for outs in self._generate(sources, False)]

    def scored(self, sources: Sequence[str]) -> list[list[tuple[str, float]]]:
        """Return ``num_return`` (output, beam score) pairs per source text, best first; the
        score is the search's length-normalised log-probability (``sequences_scores``)."""
        return self._generate(sources, True)

    @torch.no_grad()
    def _generate(self, sources: Sequence[str], with_scores: bool) -> list[list[tuple]]:
        out = []
        for chunk in _batches(list(sources), self.batch_size):
            enc = self.tok(chunk, truncation=True, padding=True, return_tensors="pt",
                           max_length=self.max_source_length).to(self.model.device)
            found = self.model.generate(input_ids=enc["input_ids"],
                                        attention_mask=enc["attention_mask"],
                                        output_scores=with_scores, return_dict_in_generate=True,
                                        **self.settings)
            texts = [t.strip() for t in self.tok.batch_decode(found.sequences,
                                                              skip_special_tokens=True)]
            pairs = list(zip(texts, _sequence_scores(found, len(texts))))
            out += [pairs[i:i + self.num_return] for i in range(0, len(pairs), self.num_return)]
        return out


def _sequence_scores(found, count: int) -> list[float]:
    """The beam scores of a ``generate`` result (greedy search has none: 0.0 each)."""
    scores = getattr(found, "sequences_scores", None)
    return [0.0] * count if scores is None else scores.float().tolist()


class ExtractiveQA:
    """Span QA (a ``...ForQuestionAnswering`` checkpoint, as QAGS used): best span by
    start + end logit, end >= start, at most ``max_answer_tokens`` tokens, context only."""

    def __init__(self, model, tokenizer, batch_size: int = 16, max_answer_tokens: int = 30,
                 max_length: int = 512):
        self.model, self.tok = model.eval(), tokenizer
        self.batch_size, self.max_answer, self.max_length = batch_size, max_answer_tokens, max_length

    @torch.no_grad()
    def answer(self, questions: Sequence[str], passages: Sequence[str]) -> list[str]:
        """Return the best answer span of each passage for its question."""
        out = []
        pairs = list(zip(questions, passages))
        for chunk in _batches(pairs, self.batch_size):
            enc = self.tok([q for q, _ in chunk], [p for _, p in chunk], truncation="only_second",
                           max_length=self.max_length, padding=True, return_tensors="pt",
                           return_offsets_mapping=True)
            offsets = enc.pop("offset_mapping")
            context = torch.tensor([[s == 1 for s in enc.sequence_ids(i)] for i in range(len(chunk))])
            logits = self.model(**enc.to(self.model.device))
            for i, (_, passage) in enumerate(chunk):
                start, end = self._best_span(logits.start_logits[i], logits.end_logits[i], context[i])
                out.append(passage[offsets[i][start][0]:offsets[i][end][1]].strip())
        return out

    def _best_span(self, start_logits, end_logits, context) -> tuple[int, int]:
        neg = torch.finfo(start_logits.dtype).min
        s = start_logits.masked_fill(~context, neg)
        e = end_logits.masked_fill(~context, neg)
        scores = s[:, None] + e[None, :]
        n = scores.size(0)
        allowed = torch.ones(n, n, dtype=torch.bool).triu().tril(self.max_answer - 1)
        scores = scores.masked_fill(~allowed, neg)
        best = int(scores.argmax())
        return best // n, best % n


class GenerativeQA:
    """Seq2seq QA: the model reads ``question <qa_sep> passage`` and writes the answer."""

    def __init__(self, generator: Seq2SeqGenerator, template: str | None = None):
        self.generator, self.template = generator, template or QA_FORMAT

    def answer(self, questions: Sequence[str], passages: Sequence[str]) -> list[str]:
        """Return one generated answer per (question, passage)."""
        sources = [qa_source(q, p, self.template) for q, p in zip(questions, passages)]
        return [outs[0] for outs in self.generator(sources)]
