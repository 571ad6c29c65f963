"""The QUALS scorer: batched scoring equals the naive reference, the formula, sentinel, input."""

import pytest
import torch

from lightning_modules.data.qa_data import qa_target_ids
from lightning_modules.data.tokenizer import load_tokenizer
from lightning_modules.decoding.diverse_beam import Hypothesis
from lightning_modules.metrics.quals import QualsConfig, QualsScorer, _Pair
from lightning_modules.metrics.quals_naive import NaiveQualsScorer
from lightning_modules.models.config import build_model
from lightning_modules.text import QA_SEP

DOCS = ["Ashbury Rovers beat Kelton City 3-1 at home. Nina Osei scored twice.",
        "Police arrested Omar Keane in Redfield after a raid on a shop."]
SUMS = ["Ashbury Rovers beat Kelton City 3-1.", "Omar Keane was arrested in Redfield."]
QAS = [[("Who beat Kelton City?", "Ashbury Rovers"), ("What was the score?", "3-1")],
       [("Who was arrested?", "Omar Keane")]]


@pytest.fixture(scope="module")
def parts(tokenizer_dir):
    torch.manual_seed(0)
    tok = load_tokenizer(tokenizer_dir)
    return tok, build_model("tiny", tok, dropout=0.0).eval()


def handmade(tok):
    def generate_pairs(summaries):
        out = []
        for s in summaries:
            qas = QAS[SUMS.index(s)]
            out.append(([_Pair(q, a, -1.0 - k, tuple(qa_target_ids(tok, q, a)), -1.0 - k)
                         for k, (q, a) in enumerate(qas)], len(qas)))
        return out
    return generate_pairs


def test_batched_scores_equal_naive_reference(parts, monkeypatch):
    tok, model = parts
    fast, naive = QualsScorer(model, tok), NaiveQualsScorer(model, tok)
    for scorer in (fast, naive):
        monkeypatch.setattr(scorer, "generate_pairs", handmade(tok))
    a, b = fast.score(DOCS, SUMS), naive.score(DOCS, SUMS)
    assert a.scores["quals"] == pytest.approx(b.scores["quals"], abs=1e-5)
    for ea, eb in zip(a.explanations, b.explanations):
        for pa, pb in zip(ea["pairs"], eb["pairs"]):
            assert pa["ll_document"] == pytest.approx(pb["ll_document"], abs=1e-5)
            assert pa["ll_summary"] == pytest.approx(pb["ll_summary"], abs=1e-5)


LONG_DOCS = DOCS + ["Rain fell in Kelton.", "The Crown Laurel went to Elif Delacroix on 17 October "
                    "in Lindbury, ahead of Mateo Castellano."]
LONG_SUMS = SUMS + ["Rain in Kelton.", "Elif Delacroix won the Crown Laurel in Lindbury on 17 "
                    "October ahead of Mateo Castellano."]
LONG_QAS = QAS + [[("Where did it rain?", "Kelton")],
                  [("Who won the Crown Laurel?", "Elif Delacroix"), ("When?", "17 October"),
                   ("Where?", "Lindbury"), ("Who was runner-up?", "Mateo Castellano")]]


@pytest.fixture(scope="module")
def qagen(tokenizer_dir):
    """A tiny QAGen overfitted for 60 steps on the pairs of ``LONG_QAS``: it writes well-formed,
    varied pairs of different lengths, so groups finish apart and many pairs are kept."""
    torch.manual_seed(0)
    tok = load_tokenizer(tokenizer_dir)
    model = build_model("tiny", tok, dropout=0.0)
    pairs = [(s, qa_target_ids(tok, q, a)) for s, qas in zip(LONG_SUMS, LONG_QAS) for q, a in qas]
    enc = tok([s for s, _ in pairs], padding=True, return_tensors="pt")
    labels = torch.full((len(pairs), max(len(t) for _, t in pairs)), -100)
    for k, (_, ids) in enumerate(pairs):
        labels[k, : len(ids)] = torch.tensor(ids)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(60):
        optimizer.zero_grad()
        model(**enc, labels=labels).loss.backward()
        optimizer.step()
    return tok, model.eval()


@pytest.mark.parametrize("beams, groups", [(12, 12), (20, 10)])
def test_fast_scorer_keeps_the_same_pairs_and_scores_as_the_straightforward_one(qagen, beams,
                                                                                 groups):
    tok, model = qagen
    cfg = QualsConfig(num_beams=beams, num_beam_groups=groups, max_length=20, min_length=4,
                      batch_size=3)
    fast = QualsScorer(model, tok, cfg).score(LONG_DOCS, LONG_SUMS)
    naive = NaiveQualsScorer(model, tok, cfg).score(LONG_DOCS, LONG_SUMS)
    assert None not in fast.scores["quals"]
    assert fast.scores["quals"] == pytest.approx(naive.scores["quals"], abs=1e-5)
    kept = [[(p["question"], p["answer"]) for p in e["pairs"]] for e in fast.explanations]
    assert kept == [[(p["question"], p["answer"]) for p in e["pairs"]] for e in naive.explanations]
    assert sum(map(len, kept)) >= 2 * len(LONG_SUMS)
    for ea, eb in zip(fast.explanations, naive.explanations):
        for pa, pb in zip(ea["pairs"], eb["pairs"]):
            assert pa["ll_document"] == pytest.approx(pb["ll_document"], abs=1e-5)
            assert pa["ll_summary"] == pytest.approx(pb["ll_summary"], abs=1e-5)


def test_formula_from_independent_teacher_forcing(parts, monkeypatch):
    tok, model = parts
    scorer = QualsScorer(model, tok)
    monkeypatch.setattr(scorer, "generate_pairs", handmade(tok))
    result = scorer.score(DOCS, SUMS)
    diffs = []
    for q, a in QAS[0]:
        ids = qa_target_ids(tok, q, a)
        lls = []
        for passage in (DOCS[0], SUMS[0]):
            enc = tok(passage, return_tensors="pt")
            labels = torch.tensor([ids])
            with torch.no_grad():
                logp = model(**enc, labels=labels).logits.log_softmax(-1)[0]
            token_lp = logp[torch.arange(len(ids)), labels[0]][1:]  # leave out <s>
            lls.append(token_lp.mean().item())
        diffs.append(lls[0] - lls[1])
    assert result.scores["quals"][0] == pytest.approx(sum(diffs) / len(diffs), abs=1e-5)
    pair = result.explanations[0]["pairs"][0]
    assert len(pair["logprobs_document"]) == len(pair["tokens"]) == len(qa_target_ids(tok, *QAS[0][0])) - 1
    assert pair["tokens"][-1] == tok.eos_token


def test_keep_parses_tokens_filters_and_dedups(parts):
    tok, model = parts
    scorer = QualsScorer(model, tok, QualsConfig(max_pairs=2))
    good = qa_target_ids(tok, "Who won?", "Ashbury Rovers")
    dup = qa_target_ids(tok, "Who won?", "ashbury rovers")
    absent = qa_target_ids(tok, "Who lost?", "Paris")
    no_sep = [t for t in good if t != tok.convert_tokens_to_ids(QA_SEP)]
    other = qa_target_ids(tok, "What was the score?", "3-1")
    hyps = [Hypothesis(ids, 0, -k, -k, len(ids)) for k, ids in
            enumerate([good, dup, absent, no_sep, other])]
    kept = scorer._keep(SUMS[0], hyps)
    assert [(p.question, p.answer) for p in kept] == [("Who won?", "Ashbury Rovers"),
                                                      ("What was the score?", "3-1")]


def test_untrained_model_gives_the_sentinel_and_counts_it(parts):
    tok, model = parts
    cfg = QualsConfig(num_beams=4, num_beam_groups=4, max_length=10, min_length=3)
    result = QualsScorer(model, tok, cfg).score(DOCS + ["A document."], SUMS + [""])
    assert result.scores["quals"] == [None, None, None]
    assert [e["status"] for e in result.explanations] == ["no QA pair", "no QA pair", "empty input"]
    assert result.explanations[0]["num_generated"] == 4


def test_bad_input_names_example_and_field(parts):
    tok, model = parts
    with pytest.raises(TypeError, match=r"example 1: field 'summary'"):
        QualsScorer(model, tok).score(DOCS, [SUMS[0], None])
    with pytest.raises(ValueError, match="2 documents but 1 summaries"):
        QualsScorer(model, tok).score(DOCS, SUMS[:1])
