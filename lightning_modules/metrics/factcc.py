"""The FactCC scorer: P(consistent | document, sentence), averaged over a summary's sentences."""

from __future__ import annotations

from typing import Sequence

import torch

from lightning_modules.metrics.base import ScoreResult, check_inputs
from lightning_modules.text import encode_pairs, split_sentences


class FactCCScorer:
    """``score(documents, summaries)`` -> mean P(consistent) over each summary's sentences.

    A summary with no sentence (empty) gets the sentinel ``None``.

    Args:
        model, tokenizer: a sequence-pair classifier and its tokenizer.
        consistent_label: the label index meaning "consistent" (1 for workbench checkpoints;
            the original FactCC checkpoint uses 0 for CORRECT).
    """

    name = "factcc"

    def __init__(self, model, tokenizer, consistent_label: int = 1, batch_size: int = 32,
                 max_length: int = 512):
        self.model, self.tok = model.eval(), tokenizer
        self.label, self.batch_size, self.max_length = consistent_label, batch_size, max_length

    @classmethod
    def from_checkpoint(cls, path: str, device: str = "cpu", consistent_label: int | None = None,
                        **kwargs) -> "FactCCScorer":
        """Load a workbench ``.ckpt`` or a Hugging Face sequence-classification checkpoint."""
        if str(path).endswith(".ckpt"):
            from lightning_modules.models.factcc import FactCCModule
            from lightning_modules.models.loading import load_with_tokenizer

            module = load_with_tokenizer(FactCCModule, path, map_location=device)
            return cls(module.model, module.tokenizer, 1 if consistent_label is None
                       else consistent_label, **kwargs)
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        model = AutoModelForSequenceClassification.from_pretrained(path).to(device)
        return cls(model, AutoTokenizer.from_pretrained(path),
                   1 if consistent_label is None else consistent_label, **kwargs)

    @property
    def models(self) -> list:
        """The torch models this scorer runs."""
        return [self.model]

    @torch.no_grad()
    def probabilities(self, documents: Sequence[str], claims: Sequence[str]) -> list[float]:
        """P(consistent) of each (document, claim) pair."""
        out, encode = [], getattr(self.model, "encode", encode_pairs)
        for start in range(0, len(claims), self.batch_size):
            enc = encode(self.tok, documents[start:start + self.batch_size],
                               claims[start:start + self.batch_size], self.max_length)
            enc = {k: v.to(self.model.device) for k, v in enc.items()}
            logits = self.model(**enc).logits.float()
            out += torch.softmax(logits, -1)[:, self.label].tolist()
        return out

    def score(self, documents: Sequence[str], summaries: Sequence[str],
              references: Sequence[str] | None = None) -> ScoreResult:
        """Mean P(consistent) per summary, with the per-sentence probabilities."""
        check_inputs(documents, summaries)
        owners, claims = [], []
        for i, summary in enumerate(summaries):
            for sentence in split_sentences(summary):
                owners.append(i)
                claims.append(sentence)
        probs = self.probabilities([documents[i] for i in owners], claims)
        explanations = [{"sentences": []} for _ in summaries]
        for i, claim, p in zip(owners, claims, probs):
            explanations[i]["sentences"].append({"sentence": claim, "p_consistent": p})
        scores = [sum(s["p_consistent"] for s in e["sentences"]) / len(e["sentences"])
                  if e["sentences"] else None for e in explanations]
        return ScoreResult({"factcc": scores}, explanations)
