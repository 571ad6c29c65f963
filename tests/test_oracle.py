"""The oracle judge: corruption labels, hand-made cases, and arbitrary input."""

import random
import string

import pytest

from lightning_modules.data.corruption import OPERATORS
from lightning_modules.data.generator import CorpusConfig, generate_split
from lightning_modules.data.oracle import VERDICTS, hallucination_rate, judge

FACTS = {
    "event_type": "sports_result",
    "roles": {"winner": "Norborough Town", "loser": "Rosley Albion", "score": "3-1",
              "venue": "Lindminster", "date": "7 September", "scorer": "Dmitri Merriman"},
    "distractors": {"d_org": "Walby Town", "d_person": "Chen Carvalho", "d_place": "Woodford"},
}


@pytest.fixture(scope="module")
def records():
    return list(generate_split("train", CorpusConfig(num_docs=1500, seed=11)))


def test_faithful_and_reference_verdicts(records):
    for r in records:
        assert judge(r["facts"], r["faithful_summary"]).verdict == "faithful"
        expected = "extrinsic" if r["reference_hallucinated"] else "faithful"
        assert judge(r["facts"], r["summary"]).verdict == expected


def test_every_corruption_changes_the_verdict_as_labelled(records):
    seen = {name: 0 for name in OPERATORS}
    for r in records:
        for c in r["corruptions"]:
            assert c["summary"] != r["faithful_summary"]
            assert judge(r["facts"], c["summary"]).verdict == c["label"], (c, r["facts"])
            seen[c["type"]] += 1
    assert all(n > 1000 for n in seen.values()), seen


@pytest.mark.parametrize("summary, verdict", [
    ("Norborough Town beat Rosley Albion 3-1 at Lindminster.", "faithful"),
    ("Rosley Albion lost 3-1 to Norborough Town on 7 September.", "faithful"),
    ("Walby Town beat Rosley Albion 3-1.", "intrinsic"),          # the wrong boxer
    ("Rosley Albion beat Norborough Town 3-1.", "intrinsic"),     # role swap
    ("Norborough Town beat Rosley Albion 4-0.", "intrinsic"),     # number
    ("Norborough Town did not beat Rosley Albion 3-1.", "intrinsic"),
    ("Norborough Town beat Rosley Albion 3-1 in front of 20,400 fans.", "extrinsic"),
    ("Norborough Town beat Rosley Albion 3-1 under coach Omar Keane.", "extrinsic"),
    ("Norborough Town beat Rosley Albion 3-1 with a goal from Chen Carvalho.", "intrinsic"),
    ("Kelton Rangers beat Rosley Albion 3-1.", "intrinsic"),      # unknown club as winner
    ("Norborough Town beat Rosley Albion 3-1 and Zara Quill was there.", "extrinsic"),
    ("", "unverifiable"),
    ("the the the", "unverifiable"),
])
def test_hand_made_cases(summary, verdict):
    assert judge(FACTS, summary).verdict == verdict


def test_claims_name_roles_and_statuses():
    j = judge(FACTS, "Walby Town beat Rosley Albion 3-1 at Lindminster.")
    claims = {(c.role, c.value, c.status) for c in j.claims}
    assert ("winner", "Walby Town", "contradicted") in claims
    assert ("loser", "Rosley Albion", "supported") in claims
    assert ("venue", "Lindminster", "supported") in claims
    assert ("event", "affirmed", "supported") in claims
    assert j.parsed


def test_case_and_spacing_of_model_output_do_not_matter():
    assert judge(FACTS, "norborough town  beat rosley albion 3-1 at lindminster").verdict == "faithful"


ADVERSARIAL = [None, 42, 3.5, ["a"], {"x": 1}, "\x00\x01", "£££", "3-1-2-4 ,,, %%%",
               "{winner} beat {loser}", "<s></s><pad>", "Ä" * 5000, "beat beat beat to to",
               "Norborough Town " * 200, "Ünïcödé Nàmé beat Öther", "12 Smarch", "?" * 100,
               "did not not not", "\n\n\t", "Rosley Albion lost to"]


@pytest.mark.parametrize("summary", ADVERSARIAL)
def test_adversarial_input_gets_a_verdict(summary):
    assert judge(FACTS, summary).verdict in VERDICTS


def test_random_strings_get_a_verdict():
    rng = random.Random(0)
    alphabet = string.printable + "£éü—’"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        assert judge(FACTS, text).verdict in VERDICTS


def test_hallucination_rate_counts_verdicts():
    js = [judge(FACTS, s) for s in ["Walby Town beat Rosley Albion 3-1.",
                                    "Norborough Town beat Rosley Albion 3-1.", "", "x"]]
    rates = hallucination_rate(js)
    assert rates["intrinsic"] == 0.25 and rates["faithful"] == 0.25
    assert rates["unverifiable"] == 0.5 and rates["hallucination_rate"] == 0.25
    # role facts: winner (wrong), loser, score | winner, loser, score -> 5 of 6 supported
    assert rates["fact_precision"] == 5 / 6
