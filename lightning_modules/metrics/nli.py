"""An NLI scorer, SummaC-ZS style (Laban et al., 2022): any Hugging Face sequence-classification
NLI checkpoint judges each (document sentence, summary sentence) pair.

A summary sentence's score is its largest entailment probability over the document's sentences
(the softmax over every label of the checkpoint); the summary's score is the mean over its
sentences, in [0, 1]. This is SummaC-ZS with entailment alone (its ``use_con=False``): SummaC's
default also subtracts the contradiction probability. The entailment label is the one label of
the checkpoint's ``config.id2label`` whose name contains "entail" (not "not_entailment" or
"non-entailment").
"""

from __future__ import annotations

from typing import Sequence

import torch

from lightning_modules.metrics.base import ScoreResult, check_inputs
from lightning_modules.text import split_sentences

NEGATED = ("not", "non")


def entailment_index(id2label: dict, where: str = "checkpoint") -> int:
    """The index of the entailment label of ``id2label`` (index -> name); a ``ValueError`` in
    one line naming ``where`` when there is none, or more than one."""
    found = [int(i) for i, name in id2label.items()
             if "entail" in str(name).lower()
             and not str(name).lower().replace("-", "_").startswith(NEGATED)]
    if len(found) != 1:
        problem = "no entailment label" if not found else "more than one entailment label"
        raise ValueError(f"{where}: {problem} in config.id2label {dict(id2label)}")
    return found[0]


class NLIScorer:
    """``score(documents, summaries)`` -> mean over summary sentences of the largest
    P(entailment) over document sentences; a summary or document without a sentence gets the
    sentinel ``None``.

    Args:
        model, tokenizer: an NLI sequence classifier (premise, hypothesis) and its tokenizer.
        entailment: the index of the entailment label (:func:`entailment_index`).
        batch_size: sentence pairs per forward pass.
        max_length: longest pair in tokens (longer pairs are truncated).
    """

    name = "nli"

    def __init__(self, model, tokenizer, entailment: int, batch_size: int = 32,
                 max_length: int = 512):
        self.model, self.tok, self.entailment = model.eval(), tokenizer, entailment
        self.batch_size, self.max_length = batch_size, max_length

    @classmethod
    def from_pretrained(cls, path: str, device: str = "cpu", **kwargs) -> "NLIScorer":
        """Load a Hugging Face checkpoint (folder or hub name) and find its entailment label."""
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        model = AutoModelForSequenceClassification.from_pretrained(path).to(device)
        index = entailment_index(model.config.id2label, str(path))
        return cls(model, AutoTokenizer.from_pretrained(path), index, **kwargs)

    @property
    def models(self) -> list:
        """The torch models this scorer runs."""
        return [self.model]

    @torch.no_grad()
    def probabilities(self, premises: Sequence[str], hypotheses: Sequence[str]) -> list[float]:
        """P(entailment) of each (premise, hypothesis) pair, in float32 softmax over labels."""
        out = []
        for start in range(0, len(premises), self.batch_size):
            enc = self.tok(list(premises[start:start + self.batch_size]),
                           list(hypotheses[start:start + self.batch_size]), truncation=True,
                           max_length=self.max_length, padding=True, return_tensors="pt")
            enc = {k: v.to(self.model.device) for k, v in enc.items()}
            logits = self.model(**enc).logits.float()
            out += torch.softmax(logits, -1)[:, self.entailment].tolist()
        return out

    def score(self, documents: Sequence[str], summaries: Sequence[str],
              references: Sequence[str] | None = None) -> ScoreResult:
        """The score of each summary, with each sentence's best document sentence."""
        check_inputs(documents, summaries)
        split = [(split_sentences(d), split_sentences(s)) for d, s in zip(documents, summaries)]
        pairs = [(i, j, k, premise, claim) for i, (doc, summ) in enumerate(split)
                 for j, claim in enumerate(summ) for k, premise in enumerate(doc)]
        probs = self.probabilities([p[3] for p in pairs], [p[4] for p in pairs])
        best: dict[tuple[int, int], tuple[float, int]] = {}
        for (i, j, k, _, _), p in zip(pairs, probs):
            if (i, j) not in best or p > best[i, j][0]:
                best[i, j] = (p, k)
        explanations, scores = [], []
        for i, (doc, summ) in enumerate(split):
            sentences = [{"sentence": claim, "p_entailment": best[i, j][0],
                          "document_sentence": best[i, j][1]}
                         for j, claim in enumerate(summ) if (i, j) in best]
            explanations.append({"sentences": sentences})
            scores.append(sum(s["p_entailment"] for s in sentences) / len(sentences)
                          if sentences and doc else None)
        return ScoreResult({"nli": scores}, explanations)
