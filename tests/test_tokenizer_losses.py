"""The tokenizer round trip and the label-smoothed loss against torch and a hand computation."""

import math

import torch
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
