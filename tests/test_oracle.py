"""The oracle judge: corruption labels, hand-made cases, and arbitrary input."""

import random
import string

import pytest

from lightning_modules.world.corruption import OPERATORS
from lightning_modules.world.generator import CorpusConfig, generate_split
from lightning_modules.world.oracle import VERDICTS, error_counts, hallucination_rate, judge

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
        errors = r["reference_errors"]
        expected = "both" if len(errors) == 2 else (errors[0] if errors else "faithful")
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
    ("Kelton Rangers beat Rosley Albion 3-1.", "extrinsic"),      # invented club as winner
    ("Kelton Rangers beat Rosley Albion 4-0.", "both"),
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


def test_hallucination_rate_counts_summaries_and_facts():
    js = [judge(FACTS, s) for s in ["Walby Town beat Rosley Albion 3-1.",
                                    "Norborough Town beat Rosley Albion 3-1.", "", "x",
                                    "Kelton Rangers beat Rosley Albion 4-0."]]
    rates = hallucination_rate(js)
    assert rates["intrinsic"] == 2 / 5 and rates["extrinsic"] == 1 / 5
    assert rates["hallucination_rate"] == 2 / 5 and rates["faithful"] == 1 / 5
    assert rates["unverifiable"] == 2 / 5 and rates["not_faithful"] == 4 / 5
    # role facts: winner (wrong), loser, score | winner, loser, score | invented winner,
    # loser, wrong score -> 9 asserted, 3 not supported
    assert rates["facts_per_summary"] == 9 / 5
    assert rates["hallucinated_fact_rate"] == 3 / 9 and rates["fact_precision"] == 6 / 9
    assert hallucination_rate([judge(FACTS, "")])["hallucinated_fact_rate"] is None
    assert error_counts(js)["wrong_entity"] == 1 and error_counts(js)["invented_entity"] == 1


# one hand-written summary per error class: (summary, role, error, intrinsic, extrinsic)
ERROR_CLASSES = [
    ("Walby Town beat Rosley Albion 3-1.", "winner", "wrong_entity", True, False),
    ("Rosley Albion beat Norborough Town 3-1.", "winner", "wrong_entity", True, False),
    ("Norborough Town beat Rosley Albion 3-1 on 9 September.", "date", "wrong_value", True, False),
    ("Norborough Town beat Rosley Albion 5-2.", "score", "wrong_value", True, False),
    ("Norborough Town did not beat Rosley Albion 3-1.", "event", "negation", True, False),
    ("Kelton Rangers beat Rosley Albion 3-1.", "winner", "invented_entity", False, True),
    ("Norborough Town beat Rosley Albion 3-1 under coach Chen Carvalho.", "coach",
     "unstated_role", False, True),
    ("Norborough Town beat Rosley Albion 3-1 as Zara Quill watched.", None, "invented_entity",
     False, True),
    ("Norborough Town beat Rosley Albion 3-1 before 41 people.", None, "invented_value",
     False, True),
    # the venue's name with a club's suffix is another, invented club, not the venue
    ("Norborough Town beat Lindminster Rovers 3-1.", "loser", "invented_entity", False, True),
    # a date where the score should stand: read by the relaxed parse as a wrong value
    ("Norborough Town beat Rosley Albion 7 September.", "score", "wrong_value", True, False),
]


@pytest.mark.parametrize("summary, role, error, intrinsic, extrinsic", ERROR_CLASSES)
def test_each_error_class_and_its_label(summary, role, error, intrinsic, extrinsic):
    j = judge(FACTS, summary)
    assert (role, error) in {(c.role, c.error) for c in j.claims}, j.claims
    assert (j.intrinsic, j.extrinsic, j.hallucinated) == (intrinsic, extrinsic, True)


def test_an_unparsed_summary_is_never_faithful():
    # the main clause does not read: a document entity ends up unplaced
    j = judge(FACTS, "Norborough Town and Rosley Albion 3-1 at Lindminster.")
    assert j.verdict == "unverifiable" and not j.parsed
    assert ("unplaced", "Norborough Town") in {(c.error, c.value) for c in j.claims}
    # a faithful clause followed by a document entity nothing places
    j = judge(FACTS, "Norborough Town beat Rosley Albion 3-1 Dmitri Merriman.")
    assert j.parsed and j.verdict == "unverifiable"
    # garbled model output made of document words
    for garbled in ("Norborough Norborough Town Town beat beat Albion",
                    "beat Rosley Albion Lindminster 7 September the the"):
        assert judge(FACTS, garbled).verdict == "unverifiable"


def test_a_person_in_a_club_slot_is_read_by_the_relaxed_parse():
    # the example: a person as the loser, the real loser as the winner
    j = judge(FACTS, "Dmitri Merriman lost 3-1 to Rosley Albion with a goal from Chen Carvalho.")
    claims = {(c.role, c.value, c.error) for c in j.claims}
    assert ("loser", "Dmitri Merriman", "wrong_entity") in claims
    assert ("winner", "Rosley Albion", "wrong_entity") in claims
    assert j.verdict == "intrinsic" and j.parsed


def test_judge_command_counts_labels(tmp_path, capsys):
    import json

    from experiments.commands import judge_file

    lines = [{"facts": FACTS, "document": "d", "summary": s} for s in
             ("Walby Town beat Rosley Albion 3-1.", "Kelton Rangers beat Rosley Albion 4-0.",
              "the the the")]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    assert judge_file(["--input", str(path)]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["verdicts"] == {"intrinsic": 1, "both": 1, "unverifiable": 1}
    assert out["rates"]["intrinsic"] == 2 / 3 and out["rates"]["extrinsic"] == 1 / 3
    assert out["claims"]["wrong_value"] == 1 and out["claims"]["invented_entity"] == 1
