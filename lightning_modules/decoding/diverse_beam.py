"""Diverse (group) beam search with a Hamming diversity penalty (Vijayakumar et al., 2018).

transformers 5 removed group beam search from its core (it now fetches code from the hub), so
the workbench implements it over the model's own KV cache, encoding each source once.

``num_beams`` beams are split into ``num_beam_groups`` groups of equal width. At each step the
groups are decoded in order; group ``i`` subtracts ``diversity_penalty * n(v)`` from the log-
probability of token ``v``, where ``n(v)`` counts the earlier groups' running beams that chose
``v`` at this step (a group that has finished no longer counts). Within a group it is exactly
transformers 5's beam search: ``2 * width`` candidates, an end-of-sequence candidate finishes a
hypothesis only if it ranks within the top ``width``, finished scores are divided by
``generated_length ** length_penalty`` (end token included), the same early-stop rule, and the
same ``min_length`` / ``forced_eos_token_id`` processing (lengths count the decoder start
token, as in transformers). With one group it equals ``model.generate(num_beams=...)``.

Every hypothesis carries two scores: ``score`` ranks the search and includes the diversity
penalty (as the official QUALS code's scores do); ``raw_score`` is the same sequence's length-
normalised log-probability without it, the model's own likelihood of what it wrote.

It equals the straightforward implementation kept in ``diverse_beam_reference`` (tested: same
hypotheses, scores within float rounding; only candidates with exactly equal scores could be
ordered differently) and is faster in four ways:

- Only the groups' dependency on each other is a Python loop, and it works on ``k``
  candidates per group instead of the vocabulary. The penalty only lowers tokens that earlier
  groups chose (at most ``width * (groups - 1)`` tokens, each in ``width`` beams), so a group's
  top ``2 * width`` penalised candidates lie within its top ``k = 2 * width + width ** 2 *
  (groups - 1)`` unpenalised ones, which one ``topk`` finds for every group; the penalty reads
  a running count of the earlier groups' tokens.
- Running beams, finished hypotheses and sequences of all groups advance together with
  batched tensor operations.
- A finished group (early stopping) leaves the decoder batch: its rows are dropped from the
  KV cache and the encoder states once they are at least ``COMPACT_FRACTION`` of the rows.
- The KV cache is reordered only when a beam moved (never with one beam per group), and the
  cross-attention cache only when rows are dropped (the beams of a source share it).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from transformers.modeling_outputs import ModelOutput

from lightning_modules.decoding.cache import returned_cache, step_kwargs

NEG = -1.0e9
COMPACT_FRACTION = 1 / 8
"""Drop finished groups' rows from the decoder batch once they are this share of it."""


@dataclass(frozen=True)
class DiverseBeamConfig:
    """Settings of diverse beam search; the defaults are QUALS's (official implementation)."""

    num_beams: int = 60
    num_beam_groups: int = 60
    diversity_penalty: float = 0.5
    max_length: int = 60
    min_length: int = 8
    length_penalty: float = 1.0
    early_stopping: bool = True

    def __post_init__(self):
        if self.num_beams % self.num_beam_groups:
            raise ValueError("num_beams must be a multiple of num_beam_groups")
        if self.diversity_penalty < 0:
            raise ValueError("diversity_penalty must be >= 0")
        if not 1 < self.max_length:
            raise ValueError("max_length must exceed 1 (it counts the decoder start token)")


@dataclass
class Hypothesis:
    """A finished sequence: generated ids (end token included), group and scores."""

    tokens: list[int]
    group: int
    score: float       # sum of penalised log-probs / length ** length_penalty
    raw_score: float   # sum of log-probs without the diversity penalty / same denominator
    length: int        # generated tokens, end token included


def _expanded_rows(encoder_outputs: ModelOutput, rows: torch.Tensor) -> ModelOutput:
    """The encoder outputs of source ``rows[j]`` for each decoder row ``j``."""
    return type(encoder_outputs)(**{k: v.index_select(0, rows) for k, v in encoder_outputs.items()
                                    if isinstance(v, torch.Tensor)})


class _Search:
    """Search state for a batch, beams ordered group by group: beam ``b`` is in group ``b // w``."""

    def __init__(self, cfg: DiverseBeamConfig, batch: int, start: int, pad: int, device):
        self.cfg, self.n, self.g = cfg, batch, cfg.num_beam_groups
        self.w = cfg.num_beams // cfg.num_beam_groups
        beams, length = cfg.num_beams, cfg.max_length
        self.seqs = torch.full((batch, beams, length), pad, dtype=torch.long, device=device)
        self.seqs[:, :, 0] = start
        first = torch.arange(beams, device=device) % self.w == 0
        self.pen = torch.where(first, 0.0, NEG).expand(batch, beams).clone()
        self.raw = self.pen.clone()
        self.fin_seqs = self.seqs.clone()
        self.fin_pen = torch.full((batch, beams), NEG, device=device)
        self.fin_raw = self.fin_pen.clone()
        self.fin_len = torch.zeros((batch, beams), dtype=torch.long, device=device)
        self.fin_done = torch.zeros((batch, beams), dtype=torch.bool, device=device)
        self.unsat = torch.ones((batch, self.g), dtype=torch.bool, device=device)

    def done(self) -> torch.Tensor:
        """``[batch, groups]``: the group has all its hypotheses and early stopping is on."""
        return self.fin_done.view(self.n, self.g, self.w).all(-1) & self.cfg.early_stopping

    def grouped(self, x: torch.Tensor) -> torch.Tensor:
        """View a ``[batch, beams, ...]`` tensor as ``[batch, groups, width, ...]``."""
        return x.view(self.n, self.g, self.w, *x.shape[2:])


@dataclass
class _Candidates:
    """Each group's top ``k`` of ``running score + log p`` over (beam in group, token).

    Rows are ``batch * groups``; groups not in the decoder batch hold ``NEG`` scores.
    """

    pen: torch.Tensor    # running penalised score + log p, no penalty of this step yet
    raw: torch.Tensor    # running raw score + log p
    tok: torch.Tensor    # token id
    beam: torch.Tensor   # beam within the group


def _candidates(s: _Search, logp: torch.Tensor, groups: torch.Tensor, k: int) -> _Candidates:
    """Top-``k`` candidates of the decoder batch's ``groups`` (flat ``example * G + group``)."""
    w, vocab = s.w, logp.size(-1)
    rows = (groups[:, None] * w + torch.arange(w, device=logp.device)).view(-1)
    lp = logp.view(-1, w * vocab)
    pen, idx = (s.pen.view(-1)[rows, None] + logp).view(-1, w * vocab).topk(k)
    beam, tok = idx // vocab, idx % vocab
    raw = s.raw.view(-1)[rows].view(-1, w).gather(1, beam) + lp.gather(1, idx)

    def full(x, fill):
        return torch.full((s.n * s.g, k), fill, dtype=x.dtype, device=x.device).index_copy_(
            0, groups, x)

    return _Candidates(full(pen, NEG), full(raw, NEG), full(tok, 0), full(beam, 0))


FIXED_POINT_ROUNDS: int | None = None
"""Rounds of :func:`_select_together` before a step falls back to the group-by-group loop;
``None``: by device, :data:`ACCELERATOR_ROUNDS` on an accelerator and none on a CPU, where the
loop measured 5-23% faster (docs/performance.md). Both give equal results."""

ACCELERATOR_ROUNDS = 16
"""The fixed-point rounds used on an accelerator when :data:`FIXED_POINT_ROUNDS` is None."""


def fixed_point_rounds(device: torch.device) -> int:
    """The rounds of :func:`_select_together` to try on ``device``."""
    if FIXED_POINT_ROUNDS is not None:
        return FIXED_POINT_ROUNDS
    return 0 if device.type == "cpu" else ACCELERATOR_ROUNDS


def _select(s: _Search, c: _Candidates, done, last: bool, eos: int, vocab: int):
    """The groups in order: each takes its top ``2w`` penalised candidates and keeps the best
    ``w`` that do not finish as running beams, whose tokens then count against later groups.

    Returns ``top`` (penalised scores ``[batch, groups, 2w]``), ``pick`` (their indices among
    the group's ``k`` candidates) and ``keep`` (indices of the running beams among the ``2w``).
    All groups are solved together (:func:`_select_together`) where that settles within
    :func:`fixed_point_rounds` rounds, else group by group (:func:`_select_in_order`).
    """
    rounds = fixed_point_rounds(c.pen.device)
    together = _select_together(s, c, done, last, eos, rounds) if rounds else None
    return together if together is not None else _select_in_order(s, c, done, last, eos, vocab)


def _choose(s: _Search, pen, tok, counts, last: bool, eos: int):
    """Each group's top ``2w`` penalised candidates and the ``w`` it keeps running."""
    top, pick = (pen - s.cfg.diversity_penalty * counts).topk(2 * s.w)
    chosen = tok.gather(-1, pick)
    keep = (top + ((chosen == eos) | last) * NEG).topk(s.w).indices
    return top, pick, keep, chosen.gather(-1, keep)


def _select_together(s: _Search, c: _Candidates, done, last: bool, eos: int, rounds: int):
    """:func:`_select_in_order`'s result, computed for all groups at once by fixed-point
    rounds; ``None`` if they do not settle within ``rounds``.

    Round ``r`` gives every group the choice it makes against the tokens the earlier groups
    kept in round ``r - 1``. Group ``g``'s choice depends only on groups before it, so after
    round ``r`` the first ``r`` groups are final; when a round changes no group's kept tokens,
    every group's choice is the one the in-order loop makes (by induction over groups), with
    the same arithmetic (counts are exact integers), so the results are equal.
    """
    n, g = s.n, s.g
    pen, tok = c.pen.view(n, g, -1), c.tok.view(n, g, -1)
    earlier = torch.arange(g, device=pen.device)
    counted = (earlier[None, :, None] > earlier[None, None, :]) & ~done[:, None, :]  # [n, g, h]
    kept, counts = None, torch.zeros_like(pen)
    for _ in range(rounds):
        top, pick, keep, new = _choose(s, pen, tok, counts, last, eos)
        if kept is not None and torch.equal(new, kept):
            return top, pick, keep
        kept = new
        same = tok[:, :, :, None, None] == kept[:, None, None, :, :]      # [n, g, k, h, w]
        counts = (same & counted[:, :, None, :, None]).sum((-1, -2)).to(pen.dtype)
    return None


def _select_in_order(s: _Search, c: _Candidates, done, last: bool, eos: int, vocab: int):
    """:func:`_select` as a loop over the groups in order (the definition)."""
    n, w = s.n, s.w
    pen, tok = c.pen.view(n, s.g, -1), c.tok.view(n, s.g, -1)
    counts = torch.zeros(n, vocab, device=pen.device)
    weight = (~done).float()
    tops, picks, keeps = [], [], []
    for g in range(s.g):
        top, pick = (pen[:, g] - s.cfg.diversity_penalty * counts.gather(1, tok[:, g])).topk(2 * w)
        chosen = tok[:, g].gather(1, pick)
        keep = (top + ((chosen == eos) | last) * NEG).topk(w).indices
        counts.scatter_add_(1, chosen.gather(1, keep), weight[:, g, None].expand(-1, w))
        tops.append(top), picks.append(pick), keeps.append(keep)
    return torch.stack(tops, 1), torch.stack(picks, 1), torch.stack(keeps, 1)


def _advance(s: _Search, c: _Candidates, top, pick, keep, done, cur_len: int, eos: int):
    """Update running beams and finished hypotheses of all groups at once; return each new
    beam's source beam (``[batch, beams]``, indices within the example)."""
    n, g, w, length = s.n, s.g, s.w, s.cfg.max_length
    tok = c.tok.view(n, g, -1).gather(-1, pick)
    beam = c.beam.view(n, g, -1).gather(-1, pick) + torch.arange(g, device=tok.device)[:, None] * w
    top_raw = c.raw.view(n, g, -1).gather(-1, pick)
    hits = (tok == eos) | (cur_len + 1 >= length)
    cand_seqs = s.seqs.gather(1, beam.view(n, -1, 1).expand(-1, -1, length)).clone()
    cand_seqs[:, :, cur_len] = tok.view(n, -1)
    cand_seqs = cand_seqs.view(n, g, 2 * w, length)
    s.seqs = cand_seqs.gather(2, keep[..., None].expand(-1, -1, -1, length)).view(n, -1, length)
    s.pen = (top + hits * NEG).gather(-1, keep).view(n, -1)
    s.raw = (top_raw + hits * NEG).gather(-1, keep).view(n, -1)
    _finish(s, top, top_raw, hits, cand_seqs, done, cur_len)
    return beam.gather(-1, keep).view(n, -1)


def _finish(s: _Search, top, top_raw, hits, cand_seqs, done, cur_len: int) -> None:
    """Merge the end candidates ranked within each group's top ``w`` into its finished ones."""
    w, length = s.w, s.cfg.max_length
    just = hits & (torch.arange(2 * w, device=hits.device) < w)
    norm = cur_len ** s.cfg.length_penalty
    add = top / norm + (~just) * NEG + done[..., None] * NEG + (~s.unsat[..., None]) * NEG
    merged = torch.cat([s.grouped(s.fin_pen), add], -1)
    pick = torch.topk(merged, w).indices

    def merge(old, new):
        return torch.cat([s.grouped(old), new], 2).gather(2, pick).view(s.n, -1)

    s.fin_pen = merged.gather(-1, pick).view(s.n, -1)
    s.fin_raw = merge(s.fin_raw, top_raw / norm)
    s.fin_len = merge(s.fin_len, torch.full_like(hits, cur_len, dtype=torch.long))
    s.fin_done = merge(s.fin_done, just & (add > NEG / 2))
    seqs = torch.cat([s.grouped(s.fin_seqs), cand_seqs], 2)
    s.fin_seqs = seqs.gather(2, pick[..., None].expand(-1, -1, -1, length)).view(s.n, -1, length)


def _processed_log_probs(logits, cur_len, cfg, eos, forced_eos):
    """log-softmax, then transformers' min-length and forced-EOS processing (in that order)."""
    logp = torch.log_softmax(logits.float(), -1)
    if cur_len < cfg.min_length:
        logp[..., eos] = float("-inf")
    if forced_eos is not None and cur_len == cfg.max_length - 1:
        logp[...] = float("-inf")
        logp[..., forced_eos] = 0.0
    return logp


class _DecoderBatch:
    """The rows the decoder runs: whole groups, finished ones dropped once enough have
    finished; owns the KV cache and the per-row encoder outputs and mask."""

    def __init__(self, s: _Search, encoder_outputs: ModelOutput, attention_mask):
        self.s, self.encoded, self.source_mask = s, encoder_outputs, attention_mask
        self.groups = torch.arange(s.n * s.g, device=attention_mask.device)
        self.cache = None
        self._select_sources(None)

    def _select_sources(self, index) -> None:
        source = self.groups // self.s.g
        self.rows_encoded = _expanded_rows(self.encoded, source.repeat_interleave(self.s.w))
        self.mask = self.source_mask.index_select(0, source).repeat_interleave(self.s.w, 0)
        if index is not None:
            self.cache.reorder_cache(index)

    def step(self, model, cur_len: int) -> torch.Tensor:
        """Run the decoder one token; return the logits of the rows (group by group)."""
        rows = (self.groups[:, None] * self.s.w + torch.arange(self.s.w, device=self.groups.device)).view(-1)
        last = self.s.seqs.view(-1, self.s.cfg.max_length)[rows, cur_len - 1:cur_len]
        out = model(attention_mask=self.mask, encoder_outputs=self.rows_encoded,
                    decoder_input_ids=last, use_cache=True, **step_kwargs(model, self.cache))
        self.cache = returned_cache(out)
        return out.logits[:, -1]

    def reorder(self, src: torch.Tensor, done: torch.Tensor) -> None:
        """Point each row's cache at its source beam; drop finished groups when at least
        :data:`COMPACT_FRACTION` of the rows belong to them."""
        s, w = self.s, self.s.w
        beams = s.cfg.num_beams
        flat_src = (src + torch.arange(s.n, device=src.device)[:, None] * beams).view(-1)
        position = torch.full((s.n * beams,), -1, dtype=torch.long, device=src.device)
        old_rows = (self.groups[:, None] * w + torch.arange(w, device=src.device)).view(-1)
        position[old_rows] = torch.arange(old_rows.numel(), device=src.device)
        alive = ~done.view(-1)[self.groups]
        if (~alive).sum() >= max(1, COMPACT_FRACTION * self.groups.numel()):
            self.groups = self.groups[alive]
            rows = (self.groups[:, None] * w + torch.arange(w, device=src.device)).view(-1)
            self._select_sources(position[flat_src[rows]])
        elif w > 1:
            cache = getattr(self.cache, "self_attention_cache", self.cache)
            cache.reorder_cache(position[flat_src[old_rows]])


@torch.inference_mode()
def diverse_beam_search(model, input_ids, attention_mask, cfg: DiverseBeamConfig,
                        encoder_outputs: ModelOutput | None = None) -> list[list[Hypothesis]]:
    """Return, for each source, its finished hypotheses sorted by ``score`` (best first).

    ``encoder_outputs`` (for the un-expanded batch) may be passed to reuse an encoding.
    """
    config = model.config
    eos, pad = config.eos_token_id, config.pad_token_id
    forced_eos = getattr(model.generation_config, "forced_eos_token_id", None)
    if encoder_outputs is None:
        encoder_outputs = model.get_encoder()(input_ids=input_ids, attention_mask=attention_mask)
    s = _Search(cfg, input_ids.size(0), config.decoder_start_token_id, pad, input_ids.device)
    batch = _DecoderBatch(s, encoder_outputs, attention_mask)
    for cur_len in range(1, cfg.max_length):
        logp = _processed_log_probs(batch.step(model, cur_len), cur_len, cfg, eos, forced_eos)
        vocab = logp.size(-1)
        k = min(2 * s.w + s.w * s.w * (s.g - 1), s.w * vocab)
        c = _candidates(s, logp, batch.groups, k)
        done = s.done()
        last = cur_len + 1 >= cfg.max_length
        top, pick, keep = _select(s, c, done, last, eos, vocab)
        src = _advance(s, c, top, pick, keep, done, cur_len, eos)
        if not _unfinished(s, cur_len + 1, last):
            break
        batch.reorder(src, s.done())
    return _collect(s)


def _unfinished(s: _Search, cur_len: int, last: bool) -> bool:
    """Update the early-stop heuristic; return whether any group can still change."""
    cfg, w = s.cfg, s.w
    best = s.pen[:, ::w] / ((cur_len - 1) ** cfg.length_penalty)
    fin = s.grouped(s.fin_pen)
    worst = torch.where(s.grouped(s.fin_done), fin.min(-1, keepdim=True).values, NEG)
    s.unsat &= (best[..., None] > worst).any(-1)
    open_beam = not (bool(s.fin_done.all()) and cfg.early_stopping)
    return bool(s.unsat.any()) and open_beam and not last


def _collect(s: _Search) -> list[list[Hypothesis]]:
    seqs, pen, raw = s.fin_seqs.tolist(), s.fin_pen.tolist(), s.fin_raw.tolist()
    lengths = s.fin_len.tolist()
    out = []
    for i in range(s.n):
        hyps = [Hypothesis(tokens=seqs[i][b][1:lengths[i][b] + 1], group=b // s.w,
                           score=pen[i][b], raw_score=raw[i][b], length=lengths[i][b])
                for b in range(s.cfg.num_beams) if pen[i][b] > NEG / 2]
        out.append(sorted(hyps, key=lambda h: -h.score))
    return out
