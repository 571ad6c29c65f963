"""The QUALS scorer: QAGen generates QA pairs from the summary, QUALS compares their
likelihood given the document with their likelihood given the summary.

Per summary: diverse beam search on the summary (defaults: 60 beams in 60 groups, diversity
0.5, length 8-60); keep pairs that split on the separator and whose answer occurs in the
summary; dedup round-robin by answer, at most 10 (see ``quals_core``); teacher-force each kept
pair given the document and given the summary; QUALS = mean over pairs of (LL | document -
LL | summary), LL = mean log-probability (nats) over the pair's question, separator, answer and
end tokens (the leading ``<s>`` is left out). No kept pair gives the sentinel ``None``.

Speed: summaries are sorted by length and batched per generation call (the fast diverse beam
search of ``decoding.diverse_beam``); each document and summary is encoded once and all its
pairs are scored in one batched decoder pass. ``quals_naive`` is the straightforward way, which
this must equal.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

import torch

from lightning_modules.decoding.diverse_beam import DiverseBeamConfig, diverse_beam_search
from lightning_modules.metrics.base import ScoreResult, check_inputs
from lightning_modules.metrics.quals_core import (ANSWER_MATCHES, NO_PAIRS, QAPair,
                                                  filter_pairs, quals, select_pairs)
from lightning_modules.text import QA_SEP


TEACHER_FORCED_ROWS = 8
"""QA pairs per teacher-forced decoder call (on a CPU, 8 was the fastest of 2, 4, 8, 16, 32, 64 and all)."""


@dataclass(frozen=True)
class QualsConfig:
    """QUALS settings; the defaults follow the official implementation."""

    num_beams: int = DiverseBeamConfig.num_beams
    num_beam_groups: int = DiverseBeamConfig.num_beam_groups
    diversity_penalty: float = DiverseBeamConfig.diversity_penalty
    max_length: int = DiverseBeamConfig.max_length
    min_length: int = DiverseBeamConfig.min_length
    length_penalty: float = DiverseBeamConfig.length_penalty
    answer_match: str = "substring"
    """``substring`` (official, case-insensitive) or ``word`` (whole words)."""
    max_pairs: int = 10
    rank_score: str = "penalized"
    """Generation score that orders pairs for dedup: ``penalized`` (official, diversity
    penalty included) or ``raw``."""
    summary_ll: str = "teacher_forced"
    """LL given the summary: ``teacher_forced`` (default, unbiased) or ``generation`` (the
    beam score named by ``rank_score``; with ``penalized`` it is biased by the diversity
    penalty for every group but the first, as in the official code)."""
    batch_size: int = 8
    """Summaries per generation call."""
    max_source_length: int = 512

    def __post_init__(self):
        for name in ("num_beams", "num_beam_groups", "max_pairs", "batch_size", "max_source_length"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        self.beam()  # checks the beam settings
        if self.answer_match not in ANSWER_MATCHES:
            raise ValueError(f"answer_match must be one of {ANSWER_MATCHES}")
        if self.rank_score not in ("penalized", "raw"):
            raise ValueError("rank_score must be 'penalized' or 'raw'")
        if self.summary_ll not in ("teacher_forced", "generation"):
            raise ValueError("summary_ll must be 'teacher_forced' or 'generation'")

    def beam(self) -> DiverseBeamConfig:
        """The diverse beam search settings."""
        return DiverseBeamConfig(self.num_beams, self.num_beam_groups, self.diversity_penalty,
                                 self.max_length, self.min_length, self.length_penalty)


@dataclass
class _Pair(QAPair):
    tokens: tuple[int, ...] = ()
    raw: float = 0.0


class QualsScorer:
    """``score(documents, summaries)`` -> QUALS per summary (higher = more consistent)."""

    name = "quals"
    search = staticmethod(diverse_beam_search)
    """The diverse beam search ``(model, input_ids, attention_mask, config) -> hypotheses``."""

    def __init__(self, model, tokenizer, config: QualsConfig = QualsConfig()):
        self.model, self.tok, self.cfg = model.eval(), tokenizer, config
        self.sep = tokenizer.convert_tokens_to_ids(QA_SEP)

    @classmethod
    def from_checkpoint(cls, path: str, config: QualsConfig = QualsConfig(), device="cpu"):
        """Load a QAGen model, a workbench ``.ckpt`` or a Hugging Face seq2seq checkpoint whose
        tokenizer has the question-answer separator (``QA_SEP``), and wrap it."""
        from lightning_modules.models.loading import load_seq2seq

        model, tokenizer = load_seq2seq(path, device)
        if QA_SEP not in tokenizer.get_vocab():
            raise ValueError(f"{path}: the tokenizer has no {QA_SEP} token (a QAGen model "
                             "writes it between question and answer)")
        return cls(model, tokenizer, config)

    def _encode(self, texts: Sequence[str]):
        enc = self.tok(list(texts), truncation=True, padding=True, return_tensors="pt",
                       max_length=self.cfg.max_source_length)
        return enc.to(self.model.device)

    def generate_pairs(self, summaries: Sequence[str]) -> list[tuple[list[_Pair], int]]:
        """Return, per summary, (the kept pairs, the number of generated sequences)."""
        order = sorted(range(len(summaries)), key=lambda i: len(summaries[i]))
        out = [None] * len(summaries)
        for start in range(0, len(order), self.cfg.batch_size):
            chunk = order[start:start + self.cfg.batch_size]
            enc = self._encode([summaries[i] for i in chunk])
            hyps = self.search(self.model, enc["input_ids"], enc["attention_mask"],
                               self.cfg.beam())
            for i, hs in zip(chunk, hyps):
                out[i] = (self._keep(summaries[i], hs), len(hs))
        return out

    def _keep(self, summary: str, hyps) -> list[_Pair]:
        parsed = []
        for h in hyps:
            ids = [t for t in h.tokens if t not in (self.tok.bos_token_id, self.tok.eos_token_id)]
            if ids.count(self.sep) != 1:
                continue
            cut = ids.index(self.sep)
            text = (self.tok.decode(ids[:cut], skip_special_tokens=True) + QA_SEP
                    + self.tok.decode(ids[cut + 1:], skip_special_tokens=True))
            rank = h.score if self.cfg.rank_score == "penalized" else h.raw_score
            for pair in filter_pairs([(text, rank)], summary, QA_SEP, self.cfg.answer_match):
                parsed.append(_Pair(pair.question, pair.answer, rank, tuple(h.tokens), h.raw_score))
        return select_pairs(parsed, self.cfg.max_pairs)

    @torch.inference_mode()
    def token_logprobs(self, passages: Sequence[str], owners: Sequence[int],
                       targets: Sequence[Sequence[int]]) -> list[list[float]]:
        """Log-probability of each target token given ``passages[owners[k]]``.

        Each passage is encoded once; the targets go through the decoder
        :data:`TEACHER_FORCED_ROWS` at a time (one call for all would build a ``targets x
        length x vocabulary`` tensor too large for the CPU's caches).
        """
        if not targets:
            return []
        enc = self._encode(passages)
        encoded = self.model.get_encoder()(input_ids=enc["input_ids"],
                                           attention_mask=enc["attention_mask"])
        out = []
        for start in range(0, len(targets), TEACHER_FORCED_ROWS):
            chunk = targets[start:start + TEACHER_FORCED_ROWS]
            index = torch.tensor(owners[start:start + len(chunk)], device=self.model.device)
            out += self._teacher_forced(encoded, enc["attention_mask"], index, chunk)
        return out

    def _teacher_forced(self, encoded, mask, index, targets) -> list[list[float]]:
        rows = type(encoded)(**{k: v.index_select(0, index) for k, v in encoded.items()
                                if isinstance(v, torch.Tensor)})
        labels = torch.full((len(targets), max(map(len, targets))), -100, dtype=torch.long)
        for k, ids in enumerate(targets):
            labels[k, : len(ids)] = torch.tensor(ids)
        labels = labels.to(self.model.device)
        decoder_input_ids = self.model.prepare_decoder_input_ids_from_labels(labels=labels)
        logits = self.model(encoder_outputs=rows, attention_mask=mask[index],
                            decoder_input_ids=decoder_input_ids).logits
        logp = torch.log_softmax(logits.float(), -1).gather(-1, labels.clamp(min=0)[..., None])
        return [logp[k, : len(ids), 0].tolist() for k, ids in enumerate(targets)]

    def score(self, documents: Sequence[str], summaries: Sequence[str],
              references: Sequence[str] | None = None) -> ScoreResult:
        """QUALS per summary, with the kept pairs and their per-token log-probabilities."""
        check_inputs(documents, summaries)
        explanations = [{"pairs": [], "num_generated": 0, "status": "ok"} for _ in summaries]
        live = [i for i, (d, s) in enumerate(zip(documents, summaries)) if d.strip() and s.strip()]
        for i in set(range(len(summaries))) - set(live):
            explanations[i]["status"] = "empty input"
        generated = self.generate_pairs([summaries[i] for i in live])
        owners, targets, pairs = [], [], []
        for slot, (i, (kept, n_generated)) in enumerate(zip(live, generated)):
            explanations[i]["num_generated"] = n_generated
            for pair in kept:
                owners.append(slot)
                targets.append(list(pair.tokens))
                pairs.append((i, pair))
        doc_lp = self.token_logprobs([documents[i] for i in live], owners, targets)
        sum_lp = self.token_logprobs([summaries[i] for i in live], owners, targets)
        for (i, pair), d_lp, s_lp in zip(pairs, doc_lp, sum_lp):
            explanations[i]["pairs"].append(self._explain(pair, d_lp, s_lp))
        scores = []
        for e in explanations:
            value = quals([p["ll_document"] for p in e["pairs"]], [p["ll_summary"] for p in e["pairs"]])
            if value is NO_PAIRS and e["status"] == "ok":
                e["status"] = "no QA pair"
            scores.append(value)
        return ScoreResult({"quals": scores}, explanations)

    def _explain(self, pair: _Pair, doc_lp: list[float], sum_lp: list[float]) -> dict:
        skip = 1 if pair.tokens and pair.tokens[0] == self.tok.bos_token_id else 0
        doc_lp, sum_lp = doc_lp[skip:], sum_lp[skip:]
        ll_sum = sum(sum_lp) / len(sum_lp)
        if self.cfg.summary_ll == "generation":
            ll_sum = pair.score
        return {"question": pair.question, "answer": pair.answer,
                "tokens": self.tok.convert_ids_to_tokens(list(pair.tokens[skip:])),
                "logprobs_document": doc_lp, "logprobs_summary": sum_lp,
                "ll_document": sum(doc_lp) / len(doc_lp), "ll_summary": ll_sum,
                "generation_score": pair.score, "generation_raw_score": pair.raw}


def config_dict(config: QualsConfig) -> dict:
    """The config as a plain dict (for run directories and cache keys)."""
    return asdict(config)
