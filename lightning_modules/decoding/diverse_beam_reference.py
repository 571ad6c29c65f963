"""Diverse beam search the straightforward way: the reference the fast search must equal.

Today's first implementation, kept unchanged as the baseline of ``experiments.benchmarks.
quals_speed`` and the parity tests: every step runs the whole ``batch * num_beams`` rows through
the decoder (finished groups included), loops over the groups in Python, each group building
its candidate sequences and merging its finished hypotheses with full-vocabulary and
full-length tensor operations, and reorders the whole KV cache (self- and cross-attention).
The semantics are those documented in :mod:`lightning_modules.decoding.diverse_beam`.
"""

from __future__ import annotations

import torch
from transformers.modeling_outputs import ModelOutput

from lightning_modules.decoding.cache import returned_cache, step_kwargs
from lightning_modules.decoding.diverse_beam import NEG, DiverseBeamConfig, Hypothesis


def _expand(encoder_outputs: ModelOutput, times: int) -> ModelOutput:
    for key, value in encoder_outputs.items():
        if isinstance(value, torch.Tensor):
            encoder_outputs[key] = value.repeat_interleave(times, dim=0)
    return encoder_outputs


class _Search:
    """Search state for a batch, beams ordered group by group: beam ``b`` is in group ``b // w``."""

    def __init__(self, cfg: DiverseBeamConfig, batch: int, start: int, pad: int, device):
        self.cfg, self.n, self.w = cfg, batch, cfg.num_beams // cfg.num_beam_groups
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
        self.unsat = torch.ones((batch, cfg.num_beam_groups), dtype=torch.bool, device=device)

    def group_done(self, g: int) -> torch.Tensor:
        """``[batch]``: the group has all its hypotheses and early stopping is on."""
        sl = slice(g * self.w, (g + 1) * self.w)
        return self.fin_done[:, sl].all(-1) & self.cfg.early_stopping


def _step_group(s: _Search, g: int, logp, counts, cur_len, eos, new_seqs, new_pen, new_raw, src):
    """Advance group ``g`` by one token; write its running beams into the ``new_*`` buffers."""
    cfg, w, n = s.cfg, s.w, s.n
    sl = slice(g * w, (g + 1) * w)
    vocab = logp.size(-1)
    done_before = s.group_done(g)
    lp = logp[:, sl]
    cand_pen = (s.pen[:, sl, None] + lp - cfg.diversity_penalty * counts[:, None, :]).view(n, -1)
    cand_raw = (s.raw[:, sl, None] + lp).view(n, -1)
    top_pen, idx = torch.topk(cand_pen, 2 * w)
    top_raw = cand_raw.gather(1, idx)
    beam, tok = idx // vocab + g * w, idx % vocab
    hits = (tok == eos) | (cur_len + 1 >= cfg.max_length)
    cand_seqs = s.seqs.gather(1, beam[..., None].expand(-1, -1, cfg.max_length)).clone()
    cand_seqs[:, :, cur_len] = tok
    # running beams: the best non-finishing candidates
    keep = torch.topk(top_pen + hits * NEG, w).indices
    new_seqs[:, sl] = cand_seqs.gather(1, keep[..., None].expand(-1, -1, cfg.max_length))
    new_pen[:, sl] = (top_pen + hits * NEG).gather(1, keep)
    new_raw[:, sl] = (top_raw + hits * NEG).gather(1, keep)
    src[:, sl] = beam.gather(1, keep)
    chosen = tok.gather(1, keep).masked_fill(done_before[:, None], 0)
    counts.scatter_add_(1, chosen, (~done_before[:, None]).float().expand(-1, w).contiguous())
    # finished hypotheses: end candidates ranked within the top `w`, merged with earlier ones
    just = hits & (torch.arange(2 * w, device=hits.device) < w)
    norm = cur_len ** cfg.length_penalty
    add = top_pen / norm + (~just) * NEG + done_before[:, None] * NEG + (~s.unsat[:, g:g + 1]) * NEG
    merged = torch.cat([s.fin_pen[:, sl], add], 1)
    pick = torch.topk(merged, w).indices
    s.fin_pen[:, sl] = merged.gather(1, pick)
    s.fin_raw[:, sl] = torch.cat([s.fin_raw[:, sl], top_raw / norm], 1).gather(1, pick)
    lens = torch.full_like(tok, cur_len)
    s.fin_len[:, sl] = torch.cat([s.fin_len[:, sl], lens], 1).gather(1, pick)
    s.fin_done[:, sl] = torch.cat([s.fin_done[:, sl], just & (add > NEG / 2)], 1).gather(1, pick)
    seqs = torch.cat([s.fin_seqs[:, sl], cand_seqs], 1)
    s.fin_seqs[:, sl] = seqs.gather(1, pick[..., None].expand(-1, -1, cfg.max_length))
    return hits.all()


def _processed_log_probs(logits, cur_len, cfg, eos, forced_eos):
    """log-softmax, then transformers' min-length and forced-EOS processing (in that order)."""
    logp = torch.log_softmax(logits.float(), -1)
    if cur_len < cfg.min_length:
        logp[..., eos] = float("-inf")
    if forced_eos is not None and cur_len == cfg.max_length - 1:
        logp[...] = float("-inf")
        logp[..., forced_eos] = 0.0
    return logp


@torch.no_grad()
def reference_diverse_beam_search(model, input_ids, attention_mask, cfg: DiverseBeamConfig,
                        encoder_outputs: ModelOutput | None = None) -> list[list[Hypothesis]]:
    """Return, for each source, its finished hypotheses sorted by ``score`` (best first).

    ``encoder_outputs`` (for the un-expanded batch) may be passed to reuse an encoding.
    """
    config = model.config
    eos, pad = config.eos_token_id, config.pad_token_id
    forced_eos = getattr(model.generation_config, "forced_eos_token_id", None)
    n, beams = input_ids.size(0), cfg.num_beams
    if encoder_outputs is None:
        encoder_outputs = model.get_encoder()(input_ids=input_ids, attention_mask=attention_mask)
    encoder_outputs = _expand(type(encoder_outputs)(**encoder_outputs), beams)
    mask = attention_mask.repeat_interleave(beams, dim=0)
    s = _Search(cfg, n, config.decoder_start_token_id, pad, input_ids.device)
    cache = None
    offsets = (torch.arange(n, device=input_ids.device) * beams)[:, None]
    for cur_len in range(1, cfg.max_length):
        out = model(attention_mask=mask, encoder_outputs=encoder_outputs,
                    decoder_input_ids=s.seqs[:, :, cur_len - 1].reshape(-1, 1), use_cache=True,
                    **step_kwargs(model, cache))
        cache = returned_cache(out)
        logp = _processed_log_probs(out.logits[:, -1], cur_len, cfg, eos, forced_eos)
        logp = logp.view(n, beams, -1)
        counts = torch.zeros(n, logp.size(-1), device=logp.device)
        new_seqs, new_pen, new_raw = s.seqs.clone(), s.pen.clone(), s.raw.clone()
        src = torch.zeros((n, beams), dtype=torch.long, device=logp.device)
        all_hit = [_step_group(s, g, logp, counts, cur_len, eos, new_seqs, new_pen, new_raw, src)
                   for g in range(cfg.num_beam_groups)]
        s.seqs, s.pen, s.raw = new_seqs, new_pen, new_raw
        cache.reorder_cache((src + offsets).view(-1))
        if not _unfinished(s, cur_len + 1, all_hit):
            break
    return _collect(s)


def _unfinished(s: _Search, cur_len: int, all_hit: list) -> bool:
    """Update the early-stop heuristic; return whether any group can still change."""
    cfg, w = s.cfg, s.w
    best = s.pen[:, ::w] / ((cur_len - 1) ** cfg.length_penalty)
    fin = s.fin_pen.view(s.n, cfg.num_beam_groups, w)
    done = s.fin_done.view(s.n, cfg.num_beam_groups, w)
    worst = torch.where(done, fin.min(-1, keepdim=True).values, NEG)
    s.unsat &= (best[..., None] > worst).any(-1)
    open_beam = not (bool(s.fin_done.all()) and cfg.early_stopping)
    return bool(s.unsat.any()) and open_beam and not all(bool(h) for h in all_hit)


def _collect(s: _Search) -> list[list[Hypothesis]]:
    out = []
    for i in range(s.n):
        hyps = []
        for b in range(s.cfg.num_beams):
            if s.fin_pen[i, b] <= NEG / 2:
                continue
            length = int(s.fin_len[i, b])
            hyps.append(Hypothesis(tokens=s.fin_seqs[i, b, 1:length + 1].tolist(), group=b // s.w,
                                   score=float(s.fin_pen[i, b]), raw_score=float(s.fin_raw[i, b]),
                                   length=length))
        out.append(sorted(hyps, key=lambda h: -h.score))
    return out
