"""ROUGE through torchmetrics equals the rouge-score package on real text, with no NLTK download."""

import json
from pathlib import Path

import pytest
from rouge_score import rouge_scorer

from lightning_modules.metrics.rouge import RougeMetric, RougeScorer, newline_sentences

QAGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "qags"
KEYS = ("rouge1", "rouge2", "rougeL", "rougeLsum")


def real_pairs(limit=60):
    """(summary with one sentence per line, reference = the article's first sentences)."""
    pairs = []
    for name in ("mturk_cnndm.jsonl", "mturk_xsum.jsonl"):
        path = QAGS / name
        if not path.exists():
            pytest.skip(f"{path} is not present")
        for line in path.read_text().splitlines()[: limit // 2]:
            row = json.loads(line)
            summary = "\n".join(s["sentence"] for s in row["summary_sentences"])
            reference = "\n".join(row["article"].split(". ")[:3])
            pairs.append((summary, reference))
    return pairs


@pytest.fixture
def no_nltk_download(monkeypatch):
    import nltk

    def refuse(*args, **kwargs):
        raise AssertionError("NLTK download attempted")

    monkeypatch.setattr(nltk, "download", refuse)
    monkeypatch.setattr(nltk, "sent_tokenize", refuse)


@pytest.mark.parametrize("use_stemmer", [True, False])
def test_parity_with_rouge_score_on_real_text(use_stemmer, no_nltk_download):
    pairs = real_pairs()
    reference = rouge_scorer.RougeScorer(list(KEYS), use_stemmer=use_stemmer)
    metric = RougeMetric(KEYS, use_stemmer=use_stemmer)
    metric.update([s for s, _ in pairs], [r for _, r in pairs])
    for key in KEYS:
        ours = metric.per_example(key)
        theirs = [reference.score(r, s)[key].fmeasure for s, r in pairs]
        assert max(abs(a - b) for a, b in zip(ours, theirs)) < 1e-6, key
    means = metric.compute()
    expected = sum(reference.score(r, s)["rougeL"].fmeasure for s, r in pairs) / len(pairs)
    assert abs(float(means["rougeL_fmeasure"]) - expected) < 1e-6


def test_stemming_matches_rouge_score():
    reference = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    metric = RougeMetric(["rouge1"])
    pairs = [("he gave generously", "generous gifts"), ("the dying lies", "die and lie")]
    metric.update([s for s, _ in pairs], [r for _, r in pairs])
    for (s, r), ours in zip(pairs, metric.per_example("rouge1")):
        assert ours == pytest.approx(reference.score(r, s)["rouge1"].fmeasure, abs=1e-7)
    assert metric.per_example("rouge1")[1] == pytest.approx(2 / 3)  # dying/die, lies/lie


def test_lsum_splits_on_newlines_only():
    assert newline_sentences("a b.\n\nc d") == ["a b.", "c d"]
    metric = RougeMetric(["rougeLsum", "rougeL"])
    metric.update(["b a\nc"], ["a b c"])
    # Lsum: the union of the LCSs of "b a" and of "c" with "a b c" covers 2 of 3 tokens;
    # plain L over "b a c" vs "a b c" is also 2 of 3.
    lsum, l_ = metric.per_example("rougeLsum")[0], metric.per_example("rougeL")[0]
    assert lsum == pytest.approx(2 / 3) and l_ == pytest.approx(2 / 3)


def test_scorer_columns_and_hand_value():
    result = RougeScorer().score(["doc"], ["the cat sat"], ["the cat ran"])
    assert result.scores["rouge1"] == [pytest.approx(2 / 3)]
    assert result.scores["rouge2"] == [pytest.approx(1 / 2)]
    with pytest.raises(ValueError, match="references"):
        RougeScorer().score(["doc"], ["x"])
