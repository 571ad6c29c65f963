"""Training losses as pure tensor functions."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def label_smoothed_nll(logits: torch.Tensor, labels: torch.Tensor, epsilon: float = 0.1,
                       ignore_index: int = -100) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (summed label-smoothed NLL, number of target tokens), in nats.

    Per token: ``(1 - eps) * -log p(y) + eps * mean_v(-log p(v))``, the smoothing of fairseq's
    ``label_smoothed_cross_entropy`` (with ``eps_i = eps / V``) that BART fine-tuning uses.
    Positions where ``labels == ignore_index`` contribute nothing.
    """
    return _smoothed(F.log_softmax(logits.float(), dim=-1), labels, epsilon, ignore_index)


def _smoothed(log_scores: torch.Tensor, labels: torch.Tensor, epsilon: float,
              ignore_index: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Sum over target tokens of ``(1 - eps) * -s(y) + eps * mean_v(-s(v))``, and the count."""
    mask = labels != ignore_index
    target = labels.masked_fill(~mask, 0).unsqueeze(-1)
    nll = -log_scores.gather(-1, target).squeeze(-1)
    smooth = -log_scores.mean(dim=-1)
    loss = ((1.0 - epsilon) * nll + epsilon * smooth) * mask
    return loss.sum(), mask.sum()


def unlikelihood(logits: torch.Tensor, labels: torch.Tensor, epsilon: float = 0.1,
                 ignore_index: int = -100, min_complement: float = 1e-5
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (summed label-smoothed token unlikelihood, number of target tokens), in nats.

    Per token: ``(1 - eps) * -log(1 - p(y)) + eps * mean_v(-log(1 - p(v)))``: the label-smoothed
    NLL of :func:`label_smoothed_nll` with ``log p`` replaced by ``log(1 - p)``, as ConSeq pushes
    down negative summaries. ``1 - p`` is clamped below at ``min_complement`` so that a token
    the model is certain of gives a large finite loss rather than infinity.
    """
    probs = F.softmax(logits.float(), dim=-1)
    log_complement = torch.log((1.0 - probs).clamp(min=min_complement))
    return _smoothed(log_complement, labels, epsilon, ignore_index)


def sequence_unlikelihood(logits: torch.Tensor, labels: torch.Tensor, ignore_index: int = -100,
                          min_complement: float = 1e-5) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (summed sequence unlikelihood, number of target tokens), in nats.

    Per summary ``-log(1 - p(s|x))``, with ``p(s|x)`` the product of its token probabilities:
    ConSeq's negative term written on the whole summary. A negative the model finds unlikely
    adds almost nothing; one it would generate is pushed down, every token by the same factor
    ``p / (1 - p)``. ``1 - p`` is clamped below at ``min_complement``.
    """
    complement = -torch.expm1(sequence_logprob(logits, labels, ignore_index=ignore_index))
    # 1 - p(s|x), exact for small p
    return -torch.log(complement.clamp(min=min_complement)).sum(), (labels != ignore_index).sum()


def sequence_logprob(logits: torch.Tensor, labels: torch.Tensor, normalise: bool = False,
                     ignore_index: int = -100) -> torch.Tensor:
    """``[batch]``: each summary's log-probability ``log p(s|x)``, the sum over its target
    tokens (with ``normalise``, the mean)."""
    mask = labels != ignore_index
    log_probs = F.log_softmax(logits.float(), dim=-1)
    token = log_probs.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1) * mask
    total = token.sum(-1)
    return total / mask.sum(-1).clamp(min=1) if normalise else total


def pair_preference(pos_logp: torch.Tensor, neg_logp: torch.Tensor, pos_ref: torch.Tensor,
                    neg_ref: torch.Tensor, beta: float = 1.0) -> torch.Tensor:
    """Return the summed pairwise preference loss over (S+, S-) pairs of the same document:
    ``-log sigmoid(beta * [(log p(S+|x) - log p_ref(S+|x)) - (log p(S-|x) - log p_ref(S-|x))])``
    with ``p_ref`` a frozen reference model (the MLE summarizer ConSeq starts from). Each
    argument is ``[pairs]``."""
    margin = beta * ((pos_logp - pos_ref) - (neg_logp - neg_ref))
    return -F.logsigmoid(margin).sum()


def span_unlikelihood(logits: torch.Tensor, labels: torch.Tensor, token_diff: torch.Tensor,
                      threshold: float, ignore_index: int = -100, min_complement: float = 1e-5
                      ) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (summed unlikelihood over flagged tokens, number of target tokens), in nats.

    Per token of a negative, ``-log(1 - p(y))`` only where ``token_diff`` (the QUALS difference
    of the flagged answer span the token lies in, ``inf`` outside every span) is below
    ``threshold``: the summary tokens QUALS finds unsupported are pushed down, the rest of the
    negative, which a good summary shares, is left alone. The count is every target token, as
    :func:`unlikelihood`'s is.
    """
    mask = labels != ignore_index
    flagged = mask & (token_diff < threshold)
    probs = F.softmax(logits.float(), dim=-1).gather(-1, labels.clamp(min=0).unsqueeze(-1))
    log_complement = torch.log((1.0 - probs.squeeze(-1)).clamp(min=min_complement))
    return -(log_complement * flagged).sum(), mask.sum()


NEGATIVE_LOSSES = ("token", "sequence", "pair", "span")
"""ConSeq's S- terms: token-level unlikelihood (:func:`unlikelihood`), the whole summary's
(:func:`sequence_unlikelihood`), a pairwise preference of S+ over S- against the frozen MLE
(:func:`pair_preference`), or the unlikelihood of the tokens QUALS flags
(:func:`span_unlikelihood`)."""


def conseq_loss(pos_logits: torch.Tensor | None, pos_labels: torch.Tensor | None,
                neg_logits: torch.Tensor | None, neg_labels: torch.Tensor | None,
                epsilon: float = 0.1, positive_weight: float = 1.0, negative_weight: float = 1.0,
                negative_loss: str = "token", neg_span_diff: torch.Tensor | None = None,
                span_threshold: float = -1.0) -> tuple[torch.Tensor, dict]:
    """ConSeq's loss: smoothed NLL on positives plus, on negatives, the smoothed token
    unlikelihood (``negative_loss="token"``), the sequence unlikelihood (``"sequence"``) or the
    unlikelihood of QUALS's flagged tokens (``"span"``: ``neg_span_diff`` below
    ``span_threshold``); the sum normalised by the positive plus negative token counts; either
    side may be ``None``."""
    if negative_loss not in ("token", "sequence", "span"):
        raise ValueError(f"negative_loss must be token, sequence or span here (pair: "
                         f"pair_conseq_loss), got {negative_loss!r}")
    total, tokens, parts = 0.0, 0, {}
    if pos_logits is not None:
        nll, n = label_smoothed_nll(pos_logits, pos_labels, epsilon)
        total, tokens, parts["positive_nll"] = total + positive_weight * nll, tokens + n, nll / n.clamp(min=1)
    if neg_logits is not None:
        if negative_loss == "token":
            ul, n = unlikelihood(neg_logits, neg_labels, epsilon)
        elif negative_loss == "span":
            ul, n = span_unlikelihood(neg_logits, neg_labels, neg_span_diff, span_threshold)
        else:
            ul, n = sequence_unlikelihood(neg_logits, neg_labels)
        total, tokens, parts["negative_ul"] = total + negative_weight * ul, tokens + n, ul / n.clamp(min=1)
    if isinstance(tokens, int):
        raise ValueError("conseq_loss needs positives or negatives")
    return total / tokens.clamp(min=1), {k: v.detach() for k, v in parts.items()}


def pair_conseq_loss(pos_logits: torch.Tensor | None, pos_labels: torch.Tensor | None,
                     pair_logp: tuple[torch.Tensor, torch.Tensor] | None,
                     pair_ref: tuple[torch.Tensor, torch.Tensor] | None, epsilon: float = 0.1,
                     positive_weight: float = 1.0, negative_weight: float = 1.0,
                     beta: float = 1.0) -> tuple[torch.Tensor, dict]:
    """ConSeq with the ``pair`` S- term: the smoothed NLL on positives per target token, plus
    ``negative_weight`` times the mean :func:`pair_preference` over the batch's (S+, S-) pairs
    (``pair_logp``: the policy's ``(log p(S+|x), log p(S-|x))``, ``pair_ref`` the reference's);
    either side may be ``None``."""
    total, parts = 0.0, {}
    if pos_logits is not None:
        nll, n = label_smoothed_nll(pos_logits, pos_labels, epsilon)
        parts["positive_nll"] = nll / n.clamp(min=1)
        total = total + positive_weight * parts["positive_nll"]
    if pair_logp is not None and pair_logp[0].numel():
        pref = pair_preference(*pair_logp, *pair_ref, beta) / pair_logp[0].numel()
        parts["negative_pair"] = pref
        total = total + negative_weight * pref
    if not parts:
        raise ValueError("pair_conseq_loss needs positives or pairs")
    return total, {k: v.detach() for k, v in parts.items()}
