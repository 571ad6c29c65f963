"""The tokenizer round trip and the label-smoothed loss against torch and a hand computation."""

import json
import math
import re

import torch
import pytest
import torch.nn.functional as F

from lightning_modules.data.tokenizer import SPECIAL_TOKENS, load_tokenizer
from lightning_modules.models.losses import label_smoothed_nll
from lightning_modules.text import QA_SEP


def test_tokenizer_round_trip_and_special_tokens(tokenizer_dir, corpus_dir):
    tok = load_tokenizer(tokenizer_dir)
    assert [tok.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS] == list(range(6))
    text = "Ashbury Rovers lost 3-1 to Kelton City, for £4.5m — café."
    ids = tok(text)["input_ids"]
    assert ids[0] == tok.bos_token_id and ids[-1] == tok.eos_token_id
    assert tok.decode(ids, skip_special_tokens=True) == " " + text  # the prefix space
    sep = tok.convert_tokens_to_ids(QA_SEP)
    assert sep not in tok("who won the question separator")["input_ids"]


def _name_ids(tok, text: str, name: str) -> list[int] | None:
    """The ids of the tokens covering the first whole-word occurrence of ``name`` in ``text``."""
    start = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)
    if start is None:
        return None
    begin, end = start.start(), start.end()
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    return [i for i, (s, e) in zip(enc["input_ids"], enc["offset_mapping"])
            if s < end and e > begin]


def _contains(ids: list[int], part: list[int]) -> bool:
    return any(ids[i:i + len(part)] == part for i in range(len(ids) - len(part) + 1))


def test_every_name_in_a_target_has_its_source_ids(tokenizer_dir, corpus_dir):
    """Summaries, answers and questions start with names (winner, buyer...); each name must be
    tokenized as in the document, or a copy head can never produce it."""
    tok = load_tokenizer(tokenizer_dir)
    checked = initial = 0
    for line in (corpus_dir / "train.jsonl").read_text().splitlines():
        row = json.loads(line)
        document = tok(row["document"], add_special_tokens=False)["input_ids"]
        names = [*row["facts"]["roles"].values(), *row["facts"]["distractors"].values()]
        targets = [row["summary"]] + [q[k] for q in row["qa_document"] for k in ("question", "answer")]
        for target in targets:
            for name in names:
                ids = _name_ids(tok, target, name)
                if ids is None or _name_ids(tok, row["document"], name) is None:
                    continue
                assert _contains(document, ids), (target, name, tok.convert_ids_to_tokens(ids))
                checked += 1
                initial += target.startswith(name)
    assert checked > 500 and initial > 50  # target-initial names are among those checked


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


def test_sequence_unlikelihood_by_hand():
    from lightning_modules.models.losses import conseq_loss, sequence_unlikelihood

    probs = torch.tensor([[[0.5, 0.25, 0.25], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]],
                          [[0.9, 0.05, 0.05], [0.3, 0.3, 0.4], [0.5, 0.25, 0.25]]])
    labels = torch.tensor([[0, 1, -100], [0, -100, -100]])
    loss, n = sequence_unlikelihood(probs.log(), labels)
    # p(s1) = 0.5 * 0.8 = 0.4, p(s2) = 0.9: -log(0.6) - log(0.1)
    assert n == 3 and loss.item() == pytest.approx(-math.log(0.6) - math.log(0.1), rel=1e-5)
    total, _ = conseq_loss(None, None, probs.log(), labels, negative_loss="sequence")
    assert total.item() == pytest.approx(loss.item() / 3, rel=1e-6)
    with pytest.raises(ValueError, match="negative_loss"):
        conseq_loss(None, None, probs.log(), labels, negative_loss="nonsense")


def test_sequence_unlikelihood_barely_pushes_an_unlikely_summary():
    from lightning_modules.models.losses import sequence_unlikelihood

    logits = torch.zeros(1, 20, 50, requires_grad=True)   # p(s) = 50 ** -20
    loss, _ = sequence_unlikelihood(logits, torch.zeros(1, 20, dtype=torch.long))
    loss.backward()
    assert loss.item() < 1e-20 and logits.grad.abs().max().item() < 1e-20
