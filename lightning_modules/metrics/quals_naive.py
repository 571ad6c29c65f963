"""QUALS computed the straightforward way: the reference the fast scorer must equal.

One diverse-beam-search call per summary, with the straightforward search of
``decoding.diverse_beam_reference`` (every beam of every group decoded to the end, groups
advanced one by one over the whole vocabulary), and every kept pair teacher-forced with a full
model call that re-encodes its passage. Used by the parity tests and the speed benchmark only.
"""

from __future__ import annotations

import torch

from lightning_modules.decoding.diverse_beam_reference import reference_diverse_beam_search
from lightning_modules.metrics.base import ScoreResult, check_inputs
from lightning_modules.metrics.quals import QualsScorer
from lightning_modules.metrics.quals_core import quals


class NaiveQualsScorer(QualsScorer):
    """Same settings and outputs as :class:`QualsScorer`, none of its batching."""

    search = staticmethod(reference_diverse_beam_search)

    @torch.no_grad()
    def pair_ll(self, passage: str, tokens) -> float:
        """Mean log-probability of ``tokens`` (leading ``<s>`` left out) given ``passage``."""
        enc = self._encode([passage])
        labels = torch.tensor([list(tokens)], device=self.model.device)
        logits = self.model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                            labels=labels).logits
        logp = torch.log_softmax(logits.float(), -1)[0].gather(-1, labels[0, :, None])[:, 0]
        skip = 1 if tokens[0] == self.tok.bos_token_id else 0
        return logp[skip:].mean().item()

    def score(self, documents, summaries, references=None) -> ScoreResult:
        """QUALS per summary; explanations hold each pair's two LLs."""
        check_inputs(documents, summaries)
        scores, explanations = [], []
        for document, summary in zip(documents, summaries):
            if not (document.strip() and summary.strip()):
                scores.append(None)
                explanations.append({"pairs": [], "status": "empty input"})
                continue
            (kept, _), = self.generate_pairs([summary])
            pairs = [{"question": p.question, "answer": p.answer,
                      "ll_document": self.pair_ll(document, p.tokens),
                      "ll_summary": self.pair_ll(summary, p.tokens)} for p in kept]
            scores.append(quals([p["ll_document"] for p in pairs], [p["ll_summary"] for p in pairs]))
            explanations.append({"pairs": pairs, "status": "ok" if pairs else "no QA pair"})
        return ScoreResult({"quals": scores}, explanations)
