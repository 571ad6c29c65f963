"""The tokenizer round trip and the label-smoothed loss against torch and a hand computation."""

import math

import torch
import pytest
import torch.nn.functional as F

from lightning_modules.data.tokenizer import QA_SEP, SPECIAL_TOKENS, load_tokenizer
from lightning_modules.models.losses import label_smoothed_nll


def test_tokenizer_round_trip_and_special_tokens(tokenizer_dir, corpus_dir):
    tok = load_tokenizer(tokenizer_dir)
    assert [tok.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS] == list(range(6))
    text = "Ashbury Rovers lost 3-1 to Kelton City, for £4.5m — café."
    ids = tok(text)["input_ids"]
    assert ids[0] == tok.bos_token_id and ids[-1] == tok.eos_token_id
    assert tok.decode(ids, skip_special_tokens=True) == text
    sep = tok.convert_tokens_to_ids(QA_SEP)
    assert sep not in tok("who won the question separator")["input_ids"]


def test_label_smoothed_nll_matches_torch_cross_entropy():
    torch.manual_seed(0)
    logits = torch.randn(3, 5, 11)
    labels = torch.randint(0, 11, (3, 5))
    labels[0, 3:] = -100
    total, n = label_smoothed_nll(logits, labels, epsilon=0.1)
    ref = F.cross_entropy(logits.reshape(-1, 11), labels.reshape(-1), ignore_index=-100,
                          label_smoothing=0.1, reduction="sum")
    assert n == 13
    assert torch.allclose(total, ref, atol=1e-5)


def test_label_smoothed_nll_hand_computed():
    # two classes, p = (0.25, 0.75) for a target of class 1
    logits = torch.log(torch.tensor([[[0.25, 0.75]]]))
    total, n = label_smoothed_nll(logits, torch.tensor([[1]]), epsilon=0.2)
    expected = 0.8 * -math.log(0.75) + 0.2 * (-(math.log(0.25) + math.log(0.75)) / 2)
    assert n == 1 and abs(total.item() - expected) < 1e-6


def test_unlikelihood_by_hand():
    import math

    from lightning_modules.models.losses import unlikelihood

    probs = torch.tensor([[[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]]])
    logits = probs.log()
    labels = torch.tensor([[0, -100]])
    loss, n = unlikelihood(logits, labels, epsilon=0.0)
    assert n == 1 and loss.item() == pytest.approx(-math.log(0.5), rel=1e-5)
    labels = torch.tensor([[1, 1]])
    loss, n = unlikelihood(logits, labels, epsilon=0.3)
    smooth0 = -(math.log(0.5) + 2 * math.log(0.75)) / 3
    smooth1 = -(2 * math.log(0.9) + math.log(0.2)) / 3
    expected = 0.7 * (-math.log(0.75)) + 0.3 * smooth0 + 0.7 * (-math.log(0.2)) + 0.3 * smooth1
    assert n == 2 and loss.item() == pytest.approx(expected, rel=1e-5)


def test_unlikelihood_is_finite_for_a_certain_token():
    from lightning_modules.models.losses import unlikelihood

    logits = torch.tensor([[[50.0, 0.0]]])
    loss, _ = unlikelihood(logits, torch.tensor([[0]]), epsilon=0.0)
    assert torch.isfinite(loss) and loss.item() == pytest.approx(-math.log(1e-5), rel=1e-4)


def test_conseq_loss_normalises_by_all_tokens():
    from lightning_modules.models.losses import conseq_loss, label_smoothed_nll, unlikelihood

    torch.manual_seed(0)
    pl_, nl_ = torch.randn(2, 3, 5), torch.randn(2, 4, 5)
    plab = torch.tensor([[1, 2, -100], [3, -100, -100]])          # 3 tokens
    nlab = torch.tensor([[1, 1, 1, 1], [2, 2, -100, -100]])       # 6 tokens
    loss, parts = conseq_loss(pl_, plab, nl_, nlab, epsilon=0.1)
    nll, _ = label_smoothed_nll(pl_, plab, 0.1)
    ul, _ = unlikelihood(nl_, nlab, 0.1)
    assert loss.item() == pytest.approx(((nll + ul) / 9).item(), rel=1e-6)
    only_pos, _ = conseq_loss(pl_, plab, None, None)
    assert only_pos.item() == pytest.approx((nll / 3).item(), rel=1e-6)
    with pytest.raises(ValueError):
        conseq_loss(None, None, None, None)
