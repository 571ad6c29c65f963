"""Diverse beam search: parity with transformers' beam search, and the Hamming penalty."""

import pytest
import torch

from lightning_modules.data.tokenizer import load_tokenizer
from lightning_modules.decoding.diverse_beam import DiverseBeamConfig, diverse_beam_search
from lightning_modules.models.config import build_model

TEXTS = ["Ashbury Rovers beat Kelton City 3-1 at home on 3 May.", "Short one.",
         "Police arrested Omar Keane after a raid."]


@pytest.fixture(scope="module")
def tok(tokenizer_dir):
    return load_tokenizer(tokenizer_dir)


def model_and_batch(tok, copy_head, seed=1):
    torch.manual_seed(seed)
    model = build_model("tiny", tok, dropout=0.0, copy_head=copy_head).eval()
    return model, tok(TEXTS, padding=True, return_tensors="pt")


def strip(seq, pad):
    while seq and seq[-1] == pad:
        seq = seq[:-1]
    return seq


@pytest.mark.parametrize("copy_head", [False, True])
@pytest.mark.parametrize("beams, min_len, max_len, lp", [(4, 3, 12, 1.0), (3, 1, 9, 0.0),
                                                         (5, 6, 14, 2.0)])
def test_one_group_equals_transformers_beam_search(tok, copy_head, beams, min_len, max_len, lp):
    model, enc = model_and_batch(tok, copy_head)
    cfg = DiverseBeamConfig(num_beams=beams, num_beam_groups=1, diversity_penalty=0.5,
                            max_length=max_len, min_length=min_len, length_penalty=lp)
    ours = diverse_beam_search(model, enc["input_ids"], enc["attention_mask"], cfg)
    ref = model.generate(**enc, num_beams=beams, num_return_sequences=beams, max_length=max_len,
                         min_length=min_len, length_penalty=lp, early_stopping=True,
                         output_scores=True, return_dict_in_generate=True)
    seqs = ref.sequences.view(len(TEXTS), beams, -1)
    scores = ref.sequences_scores.view(len(TEXTS), beams)
    for i in range(len(TEXTS)):
        assert len(ours[i]) == beams
        for j, hyp in enumerate(ours[i]):
            assert hyp.tokens == strip(seqs[i, j, 1:].tolist(), tok.pad_token_id)
            assert hyp.score == pytest.approx(scores[i, j].item(), abs=1e-4)
            assert hyp.raw_score == pytest.approx(hyp.score, abs=1e-6)  # one group: no penalty


def test_zero_penalty_makes_every_width_one_group_greedy(tok):
    model, enc = model_and_batch(tok, copy_head=True, seed=2)
    cfg = DiverseBeamConfig(num_beams=4, num_beam_groups=4, diversity_penalty=0.0,
                            max_length=10, min_length=3)
    greedy = model.generate(**enc, num_beams=1, do_sample=False, max_length=10, min_length=3)
    for i, hyps in enumerate(diverse_beam_search(model, enc["input_ids"], enc["attention_mask"], cfg)):
        assert len(hyps) == 4
        for hyp in hyps:
            assert hyp.tokens == strip(greedy[i, 1:].tolist(), tok.pad_token_id)


def test_hamming_penalty_counts_tokens_shared_with_earlier_groups(tok):
    model, enc = model_and_batch(tok, copy_head=True, seed=3)
    penalty = 0.5
    cfg = DiverseBeamConfig(num_beams=6, num_beam_groups=6, diversity_penalty=penalty,
                            max_length=12, min_length=3)
    for hyps in diverse_beam_search(model, enc["input_ids"], enc["attention_mask"], cfg):
        by_group = {h.group: h for h in hyps}
        assert by_group[0].score == pytest.approx(by_group[0].raw_score, abs=1e-5)
        for h in hyps:
            shared = (h.raw_score - h.score) * h.length ** cfg.length_penalty / penalty
            assert shared == pytest.approx(round(shared), abs=1e-3) and round(shared) >= 0
            assert round(shared) <= h.group * h.length  # at most one hit per earlier group and step
        # later groups are pushed away from what earlier groups wrote: more distinct outputs
        assert len({tuple(h.tokens) for h in hyps}) > 1


def test_strong_penalty_makes_width_one_groups_start_differently(tok):
    model, enc = model_and_batch(tok, copy_head=True, seed=4)
    cfg = DiverseBeamConfig(num_beams=3, num_beam_groups=3, diversity_penalty=1e4,
                            max_length=8, min_length=3)
    for hyps in diverse_beam_search(model, enc["input_ids"], enc["attention_mask"], cfg):
        firsts = [h.tokens[0] for h in sorted(hyps, key=lambda h: h.group)]
        assert len(set(firsts)) == 3


def test_config_rejects_uneven_groups():
    with pytest.raises(ValueError, match="multiple"):
        DiverseBeamConfig(num_beams=10, num_beam_groups=3)


SOURCES = ["Ashbury Rovers beat Kelton City 3-1 at home on 3 May before a crowd of 9,000.",
           "Short one.", "Police arrested Omar Keane after a raid.",
           "Nina Osei scored twice as the visitors lost in Redfield on Sunday."]


def eos_leaning_model(tok, seed, eos_bias):
    """A tiny copy-head model whose beams end at scattered lengths (groups finish apart)."""
    torch.manual_seed(seed)
    model = build_model("tiny", tok, dropout=0.0).eval()
    model.final_logits_bias[0, tok.eos_token_id] = eos_bias
    return model


@pytest.mark.parametrize("beams, groups, penalty, min_len, max_len, lp, eos_bias", [
    (60, 60, 0.5, 8, 24, 1.0, 1.5),    # the paper's beams and groups (width 1)
    (12, 6, 0.5, 3, 16, 1.0, 2.0),     # width 2: beams move between rows, cache reordered
    (12, 4, 1.5, 2, 14, 2.0, 2.0),
    (9, 3, 0.5, 4, 12, 0.0, 2.0),
])
def test_fast_search_equals_the_straightforward_reference(tok, beams, groups, penalty, min_len,
                                                          max_len, lp, eos_bias):
    from lightning_modules.decoding.diverse_beam_reference import reference_diverse_beam_search

    model = eos_leaning_model(tok, beams + groups, eos_bias)
    enc = tok(SOURCES, padding=True, return_tensors="pt")
    cfg = DiverseBeamConfig(num_beams=beams, num_beam_groups=groups, diversity_penalty=penalty,
                            max_length=max_len, min_length=min_len, length_penalty=lp)
    fast = diverse_beam_search(model, enc["input_ids"], enc["attention_mask"], cfg)
    ref = reference_diverse_beam_search(model, enc["input_ids"], enc["attention_mask"], cfg)
    lengths = {h.length for hyps in ref for h in hyps}
    assert min(lengths) < max_len - 1 and len(lengths) > 2  # groups finish at different steps
    for ours, theirs in zip(fast, ref):
        assert [(h.tokens, h.group, h.length) for h in ours] == \
            [(h.tokens, h.group, h.length) for h in theirs]
        assert [h.score for h in ours] == pytest.approx([h.score for h in theirs], abs=1e-5)
        assert [h.raw_score for h in ours] == pytest.approx([h.raw_score for h in theirs], abs=1e-5)


@pytest.mark.parametrize("width,groups", [(1, 12), (2, 5), (3, 3)])
def test_groups_solved_together_equal_the_in_order_loop(width, groups):
    """The fixed-point rounds give the in-order loop's choices exactly, with finished groups,
    the end token and the last step; where they do not settle, ``_select`` falls back."""
    from lightning_modules.decoding import diverse_beam as db

    gen = torch.Generator().manual_seed(width * 100 + groups)
    cfg = DiverseBeamConfig(num_beams=width * groups, num_beam_groups=groups, max_length=10)
    for trial in range(20):
        n, vocab = 3, 6                      # a small vocabulary: many groups share tokens
        s = db._Search(cfg, n, 0, 1, "cpu")
        k = 2 * width + width * width * (groups - 1)
        c = db._Candidates(pen=torch.randn(n * groups, k, generator=gen).sort(-1, True).values,
                           raw=torch.zeros(n * groups, k),
                           tok=torch.randint(0, vocab, (n * groups, k), generator=gen),
                           beam=torch.zeros(n * groups, k, dtype=torch.long))
        done = torch.rand(n, groups, generator=gen) < 0.2
        last = trial % 5 == 0
        expected = db._select_in_order(s, c, done, last, 2, vocab)
        together = db._select_together(s, c, done, last, 2, 16)
        if together is not None:
            assert all(torch.equal(a, b) for a, b in zip(together, expected))
        assert all(torch.equal(a, b) for a, b in zip(db._select(s, c, done, last, 2, vocab),
                                                     expected))


def test_the_selection_rule_follows_the_device(monkeypatch):
    """By default a CPU runs the in-order loop (it measured faster there) and an accelerator
    the fixed-point rounds; a set ``FIXED_POINT_ROUNDS`` holds on every device."""
    from lightning_modules.decoding import diverse_beam as db

    assert db.fixed_point_rounds(torch.device("cpu")) == 0
    assert db.fixed_point_rounds(torch.device("cuda")) == db.ACCELERATOR_ROUNDS == 16
    monkeypatch.setattr(db, "FIXED_POINT_ROUNDS", 3)
    assert [db.fixed_point_rounds(torch.device(d)) for d in ("cpu", "cuda")] == [3, 3]


def test_select_falls_back_when_the_rounds_do_not_settle(monkeypatch):
    from lightning_modules.decoding import diverse_beam as db

    monkeypatch.setattr(db, "FIXED_POINT_ROUNDS", 1)
    cfg = DiverseBeamConfig(num_beams=4, num_beam_groups=4, max_length=10)
    s = db._Search(cfg, 1, 0, 1, "cpu")
    c = db._Candidates(pen=torch.tensor([[0.0, -0.1, -5.0, -6.0, -7.0]] * 4),
                       raw=torch.zeros(4, 5), tok=torch.tensor([[3, 4, 5, 6, 7]] * 4),
                       beam=torch.zeros(4, 5, dtype=torch.long))
    done = torch.zeros(1, 4, dtype=torch.bool)
    assert db._select_together(s, c, done, False, 2, 1) is None
    _, pick, keep = db._select(s, c, done, False, 2, 8)
    kept = c.tok.view(1, 4, -1).gather(-1, pick).gather(-1, keep)
    assert kept.view(-1).tolist() == [3, 4, 3, 4]      # 3; 4 (3 penalised); 3; 4 (3 twice)
