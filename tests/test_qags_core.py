"""QAGS pieces on hand-made cases: token F1, question filtering, answer extraction."""

import pytest

from lightning_modules.metrics.answers import extract_answers
from lightning_modules.metrics.qags_core import (clean_question, filter_questions,
                                                 normalize_answer, qags, token_f1)


def test_normalize_answer():
    assert normalize_answer("The  Bank of England!") == "bank of england"
    assert normalize_answer("an apple, a pear") == "apple pear"


@pytest.mark.parametrize("pred,gold,f1", [
    ("Kestrel Foundry", "kestrel foundry.", 1.0),
    ("the Kestrel Foundry group", "Kestrel Foundry", 2 * (2 / 3) * 1 / (2 / 3 + 1)),
    ("Obsidian", "Kestrel Foundry", 0.0),
    ("", "", 1.0),
    ("the", "a", 1.0),           # both empty after normalisation
    ("", "Kestrel", 0.0),
    ("x b b", "b b c", 2 / 3),   # counts: common = 2, precision 2/3, recall 2/3
    ("a b b", "b b c", 0.8),     # "a" is an article: "b b" vs "b b c", P 1, R 2/3
])
def test_token_f1(pred, gold, f1):
    assert token_f1(pred, gold) == pytest.approx(f1)


def test_clean_and_filter_questions():
    assert clean_question(" Who won the cup? Who lost?") == "Who won the cup?"
    kept = filter_questions([("Who won the cup? extra", "A"), ("Who won?", "B"),
                             ("who won the CUP?", "C"), ("When was the final held?", "D"),
                             ("Where was it?", "E")], min_tokens=3, max_questions=2)
    assert kept == [("Who won the cup?", "A"), ("When was the final held?", "D")]


def test_qags_mean_and_sentinel():
    assert qags([1.0, 0.0, 0.5]) == pytest.approx(0.5)
    assert qags([]) is None


def test_rule_based_answers():
    text = ("Kestrel Foundry bought Obsidian Textiles for £53.9m in Halley on 5 July 2019, "
            "putting 12,100 jobs at risk, its chief executive Mark Carney said.")
    answers = extract_answers(text, extractor="rules")
    assert answers[:2] == ["5 July 2019", "£53.9m"]
    for span in ("12,100 jobs", "Kestrel Foundry", "Obsidian Textiles", "Halley", "Mark Carney",
                 "its chief executive"):
        assert span in answers
    assert "5" not in answers and "2019" not in answers      # inside the date
    assert all(a in text for a in answers)                   # spans of the text
    assert len(extract_answers(text, max_answers=3, extractor="rules")) == 3


def test_sentence_initial_common_word_is_not_a_name():
    answers = extract_answers("The court jailed Dmitri Walcott. He appealed.", extractor="rules")
    assert "The" not in answers and "He" not in answers and "Dmitri Walcott" in answers
    assert "The court" in answers


def test_spacy_extractor_absent_is_a_clear_error():
    from lightning_modules.metrics.answers import _spacy_pipeline

    if _spacy_pipeline() is not None:
        pytest.skip("spaCy's en_core_web_sm is installed here")
    with pytest.raises(RuntimeError, match="en_core_web_sm"):
        extract_answers("Kestrel won.", extractor="spacy")
