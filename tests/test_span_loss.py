"""The ``span`` S- term: QUALS's flagged answers as summary spans, their tokens, and the
unlikelihood of those tokens alone, by hand; a token outside every flagged span gets no
gradient."""

import math

import pytest
import torch

from lightning_modules.flagged_spans import NO_FLAG, answer_spans, token_differences
from lightning_modules.models.losses import conseq_loss, span_unlikelihood

SUMMARY = "Anna Berg met Tom Lund in Oslo."
EXPLANATION = {"pairs": [
    {"answer": "Tom Lund", "ll_document": -3.0, "ll_summary": -1.0},
    {"answer": "oslo", "ll_document": -1.0, "ll_summary": -1.5},
    {"answer": "Anna", "ll_document": float("nan"), "ll_summary": -1.0},
    {"answer": "Bergen", "ll_document": -5.0, "ll_summary": -1.0}]}


def test_answer_spans_by_hand():
    assert answer_spans(EXPLANATION, SUMMARY) == [[14, 22, -2.0], [26, 30, 0.5]]
    assert answer_spans(None, SUMMARY) == []


def test_token_differences_take_the_lowest_overlapping_span():
    offsets = [(0, 0), (0, 4), (14, 17), (17, 22), (22, 25), (26, 30), (30, 31)]
    spans = [[14, 22, -2.0], [16, 30, 0.5]]
    assert token_differences(offsets, spans) == [NO_FLAG, NO_FLAG, -2.0, -2.0, 0.5, 0.5, NO_FLAG]


def test_span_unlikelihood_by_hand_and_no_gradient_outside():
    probs = torch.tensor([[[0.5, 0.25, 0.25], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]]])
    logits = probs.log().requires_grad_(True)
    labels = torch.tensor([[0, 1, 2]])
    diff = torch.tensor([[NO_FLAG, -2.0, 0.5]])
    loss, n = span_unlikelihood(logits, labels, diff, threshold=-1.0)
    assert n == 3 and loss.item() == pytest.approx(-math.log(1 - 0.8), rel=1e-5)
    loss.backward()
    assert torch.all(logits.grad[0, 0] == 0) and torch.all(logits.grad[0, 2] == 0)
    assert logits.grad[0, 1].abs().sum() > 0
    total, _ = conseq_loss(None, None, logits.detach(), labels, negative_loss="span",
                           neg_span_diff=diff, span_threshold=1.0)   # both spans flagged
    assert total.item() == pytest.approx((-math.log(0.2) - math.log(0.4)) / 3, rel=1e-5)


def test_the_batch_carries_each_negative_token_s_difference(tokenizer_dir, tmp_path):
    from lightning_modules.data.conseq_data import ConSeqDataModule

    data = ConSeqDataModule(pairs=str(tmp_path / "p.jsonl"), tokenizer=str(tokenizer_dir),
                            data_dir=str(tmp_path))
    rows = [{"id": "a", "document": "Tom Lund met Anna Berg in Oslo.", "positive": None,
             "negative": SUMMARY, "negative_spans": answer_spans(EXPLANATION, SUMMARY)},
            {"id": "b", "document": "x", "positive": "y", "negative": None}]
    batch = data.collate(rows)
    diff, labels = batch["neg_span_diff"], batch["neg_labels"]
    assert diff.shape == labels.shape
    tokens = data.tokenizer.convert_ids_to_tokens(labels[0][labels[0] >= 0].tolist())
    flagged = [t for t, d in zip(tokens, diff[0].tolist()) if d == -2.0]
    assert "".join(flagged).replace("Ġ", " ").strip() == "Tom Lund"
    assert torch.all(diff[1] == NO_FLAG)
