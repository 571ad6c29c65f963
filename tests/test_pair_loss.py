"""The ``pair`` S- term: sequence log-probabilities and the preference loss by hand, its
gradients, and ConSeq's module starting at log 2 per pair (the policy equals its frozen
reference) with no gradient reaching the reference."""

import math

import pytest
import torch

from lightning_modules.models.losses import (pair_conseq_loss, pair_preference,
                                            sequence_logprob)


def test_sequence_logprob_by_hand():
    probs = torch.tensor([[[0.5, 0.25, 0.25], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]]])
    labels = torch.tensor([[0, 1, -100]])
    total = math.log(0.5) + math.log(0.8)
    assert sequence_logprob(probs.log(), labels).item() == pytest.approx(total, abs=1e-6)
    assert sequence_logprob(probs.log(), labels, normalise=True).item() == pytest.approx(
        total / 2, abs=1e-6)


def test_pair_preference_value_and_gradients_by_hand():
    pos, neg = torch.tensor([-1.0], requires_grad=True), torch.tensor([-2.0], requires_grad=True)
    ref_pos, ref_neg = torch.tensor([-1.5]), torch.tensor([-1.5])
    loss = pair_preference(pos, neg, ref_pos, ref_neg, beta=2.0)
    margin = 2.0 * ((-1.0 + 1.5) - (-2.0 + 1.5))                     # 2.0
    assert loss.item() == pytest.approx(math.log1p(math.exp(-margin)), abs=1e-6)
    loss.backward()
    push = 2.0 * (1 / (1 + math.exp(margin)))                        # beta * sigmoid(-margin)
    assert pos.grad.item() == pytest.approx(-push, abs=1e-6)
    assert neg.grad.item() == pytest.approx(push, abs=1e-6)


def test_pair_conseq_loss_adds_the_mean_pair_term_to_the_positive_nll():
    logp = (torch.tensor([-1.0, -2.0]), torch.tensor([-1.0, -1.0]))
    loss, parts = pair_conseq_loss(None, None, logp, logp, negative_weight=0.5)
    assert parts["negative_pair"].item() == pytest.approx(math.log(2), abs=1e-6)
    assert loss.item() == pytest.approx(0.5 * math.log(2), abs=1e-6)
    with pytest.raises(ValueError):
        pair_conseq_loss(None, None, None, None)


def test_the_module_starts_at_log_2_and_leaves_the_reference_alone(tokenizer_dir):
    from lightning_modules.models.conseq import ConSeqModule

    torch.manual_seed(0)
    module = ConSeqModule(model="tiny", tokenizer=str(tokenizer_dir), negative_loss="pair",
                          pair_beta=0.5, dropout=0.0)
    module.setup("fit")
    tok = module.tokenizer
    source = tok(["Anna Berg met Tom Lund.", "Oslo hosts the talks."], return_tensors="pt",
                 padding=True)
    pos = tok(["Anna met Tom.", "Talks in Oslo."], return_tensors="pt", padding=True)
    neg = tok(["Tom met Oslo.", "Anna in Berg."], return_tensors="pt", padding=True)
    label = lambda t: t.input_ids.masked_fill(t.attention_mask == 0, -100)  # noqa: E731
    batch = {"input_ids": source.input_ids, "attention_mask": source.attention_mask,
             "pos_labels": label(pos), "neg_labels": label(neg),
             "has_pos": torch.tensor([True, True]), "has_neg": torch.tensor([True, False])}
    logged = {}
    module.log = lambda name, value, **_: logged.__setitem__(name, float(value))
    module.model_step(batch, "train").backward()
    assert logged["train/negative_pair"] == pytest.approx(math.log(2), abs=1e-5)
    assert all(p.grad is None for p in module._reference.parameters())
    assert any(p.grad is not None for p in module.model.parameters())
    assert not any(k.startswith("_reference") for k in module.state_dict())


def test_a_batch_of_lone_negatives_takes_no_step_and_is_counted(tokenizer_dir):
    """Under ``pair`` an S- without its document's S+ has no pair: a batch made only of such
    rows returns no loss (Lightning then skips the step) and is counted, not failed on."""
    from lightning_modules.models.conseq import ConSeqModule

    module = ConSeqModule(model="tiny", tokenizer=str(tokenizer_dir), negative_loss="pair")
    module.setup("fit")
    tok = module.tokenizer
    source = tok(["Anna Berg met Tom Lund."], return_tensors="pt")
    neg = tok(["Tom met Oslo."], return_tensors="pt")
    batch = {"input_ids": source.input_ids, "attention_mask": source.attention_mask,
             "pos_labels": torch.full_like(neg.input_ids, -100), "neg_labels": neg.input_ids,
             "has_pos": torch.tensor([False]), "has_neg": torch.tensor([True])}
    logged = {}
    module.log = lambda name, value, **kw: logged.__setitem__(name, (float(value), kw["reduce_fx"]))
    assert module.model_step(batch, "train") is None
    assert logged == {"train/skipped_batches": (1.0, "sum")}
