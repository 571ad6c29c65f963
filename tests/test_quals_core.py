"""QUALS's filter, dedup/round-robin cap, formula and sentinel, on hand-made cases."""

import pytest

from lightning_modules.metrics.quals_core import (NO_PAIRS, QAPair, answer_in_summary,
                                                  filter_pairs, quals, select_pairs, split_qa)

SEP = "<qa_sep>"


@pytest.mark.parametrize("text, expected", [
    ("Who won?<qa_sep>Ashbury", ("Who won?", "Ashbury")),
    ("Who won? <qa_sep> Ashbury Rovers ", ("Who won?", "Ashbury Rovers")),
    ("Who won?", None),                       # no separator
    ("<qa_sep>Ashbury", None),                # empty question
    ("Who won?<qa_sep>  ", None),             # empty answer
    ("a<qa_sep>b<qa_sep>c", None),            # three parts
])
def test_split_qa(text, expected):
    assert split_qa(text, SEP) == expected


def test_answer_match_substring_is_official_and_word_is_stricter():
    summary = "Boris Johnson visited Kelton."
    assert answer_in_summary("son", summary)                 # the official quirk
    assert not answer_in_summary("son", summary, "word")
    assert answer_in_summary("boris johnson", summary, "word")
    assert not answer_in_summary("Ashbury", summary)
    with pytest.raises(ValueError):
        answer_in_summary("a", "a", "regex")


def test_filter_keeps_well_formed_answerable_pairs():
    generated = [("Who won?<qa_sep>Kelton", -1.0), ("Where?<qa_sep>Paris", -0.5),
                 ("broken text", -0.1), ("Who?<qa_sep>", -0.2)]
    kept = filter_pairs(generated, "Kelton won at home.", SEP)
    assert [(p.question, p.answer, p.score) for p in kept] == [("Who won?", "Kelton", -1.0)]


def test_round_robin_one_pair_per_answer_per_round_and_skips_repeated_questions():
    pairs = [QAPair("q1", "A", -0.1), QAPair("q1", "a", -0.2),   # same question, same answer
             QAPair("q2", "A", -0.3), QAPair("q3", "B", -0.15), QAPair("q4", "B", -0.4),
             QAPair("q5", "C", -0.9)]
    kept = select_pairs(pairs, max_pairs=10)
    # groups in score order: A (q1, q1-dup, q2), B (q3, q4), C (q5)
    # round 1: A:q1, B:q3, C:q5; round 2: A: q1 again is skipped -> q2, B:q4
    assert [(p.question, p.answer) for p in kept] == [("q1", "A"), ("q3", "B"), ("q5", "C"),
                                                      ("q2", "A"), ("q4", "B")]


def test_cap_stops_mid_round():
    pairs = [QAPair(f"q{i}", ans, -i) for i, ans in enumerate("ABCABCABC")]
    kept = select_pairs(pairs, max_pairs=4)
    assert [p.answer for p in kept] == ["A", "B", "C", "A"]
    assert len(select_pairs(pairs, max_pairs=100)) == 9


def test_formula_hand_computed_and_sentinel():
    # pair 1: doc -1.0, summary -0.5 -> -0.5 ; pair 2: doc -2.0, summary -0.25 -> -1.75
    assert quals([-1.0, -2.0], [-0.5, -0.25]) == pytest.approx(-1.125)
    assert quals([], []) is NO_PAIRS
    with pytest.raises(ValueError):
        quals([-1.0], [])


def test_shipped_quals_yaml_matches_the_config_defaults():
    import dataclasses

    import yaml

    from experiments import CONFIG_DIR
    from lightning_modules.metrics.quals import QualsConfig

    shipped = yaml.safe_load((CONFIG_DIR / "quals.yaml").read_text())
    assert shipped == dataclasses.asdict(QualsConfig())
    assert QualsConfig(**shipped).beam().num_beam_groups == 60
