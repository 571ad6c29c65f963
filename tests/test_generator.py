"""The synthetic corpus: determinism, schema, and the properties the issue asks for."""

import json
import random
import re

import pytest

from lightning_modules.world.events import EVENT_TYPES
from lightning_modules.world.generator import CorpusConfig, generate_split, write_corpus
from lightning_modules.world.inventory import entity_type

FIELDS = {"id", "event_type", "document", "summary", "reference_hallucinated", "reference_errors",
          "faithful_summary", "facts", "qa_document", "qa_summary", "corruptions"}


def sentences(text):
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def test_same_seed_same_files_and_other_seed_differs(tmp_path):
    cfg = CorpusConfig(num_docs=40, seed=7)
    write_corpus(cfg, tmp_path / "a")
    write_corpus(cfg, tmp_path / "b")
    write_corpus(CorpusConfig(num_docs=40, seed=8), tmp_path / "c")
    for split in ("train", "validation", "test"):
        a = (tmp_path / "a" / f"{split}.jsonl").read_bytes()
        assert a == (tmp_path / "b" / f"{split}.jsonl").read_bytes()
        assert a != (tmp_path / "c" / f"{split}.jsonl").read_bytes()
    assert not list(tmp_path.glob("*/*.tmp"))


def test_split_sizes_sum_to_num_docs(corpus_dir):
    counts = {s: sum(1 for _ in open(corpus_dir / f"{s}.jsonl")) for s in ("train", "validation", "test")}
    assert counts == {"train": 96, "validation": 12, "test": 12}


def test_schema_and_document_shape():
    records = list(generate_split("train", CorpusConfig(num_docs=400, seed=1)))
    assert {r["event_type"] for r in records} == set(EVENT_TYPES)
    assert len(EVENT_TYPES) >= 8
    for r in records:
        assert set(r) == FIELDS
        assert 5 <= len(sentences(r["document"])) <= 15
        assert len(sentences(r["summary"])) == 1
        json.dumps(r)
        # every fact and distractor the table lists is written in the document
        for value in [*r["facts"]["roles"].values(), *r["facts"]["distractors"].values()]:
            assert value in r["document"]
        for qa, text in [(q, r["document"]) for q in r["qa_document"]] + \
                        [(q, r["summary"]) for q in r["qa_summary"]]:
            start = qa["answer_start"]
            assert text[start:start + len(qa["answer"])] == qa["answer"]
            assert qa["question"].endswith("?")


def test_distractors_share_types_with_true_entities():
    """The "wrong boxer": each distractor has the type of a role of the event.

    (A person distractor may compete with an optional person role the document leaves out,
    such as an acquisition's chief executive.)"""
    for r in generate_split("train", CorpusConfig(num_docs=200, seed=2)):
        event = EVENT_TYPES[r["event_type"]]
        role_types = {entity_type(k) for k in {**event.roles, **event.optional}.values()}
        for name in r["facts"]["distractors"]:
            assert entity_type(event.kinds[name]) in role_types


def test_facts_are_not_all_in_the_first_sentence():
    records = list(generate_split("train", CorpusConfig(num_docs=300, seed=4)))
    in_first = [all(v in sentences(r["document"])[0] for v in r["facts"]["roles"].values())
                for r in records]
    assert not any(in_first)


def test_invented_role_rate_follows_config():
    for prob in (0.0, 0.25, 0.6):
        records = list(generate_split("train", CorpusConfig(
            num_docs=2000, seed=5, hallucination_prob=prob, background_prob=0.0,
            reference_intrinsic_prob=0.0)))
        rate = sum(r["reference_hallucinated"] for r in records) / len(records)
        assert abs(rate - prob) < 0.04
        for r in records:
            assert (r["summary"] != r["faithful_summary"]) == r["reference_hallucinated"]


def test_entities_outside_the_background_role_rarely_repeat():
    records = list(generate_split("train", CorpusConfig(num_docs=2000, seed=6)))
    people = [v for r in records for role, v in r["facts"]["roles"].items()
              if entity_type(EVENT_TYPES[r["event_type"]].kinds[role]) == "person"
              and role != EVENT_TYPES[r["event_type"]].background[1]]
    assert len(set(people)) / len(people) > 0.9


def test_generation_is_pure_function_of_seed_not_global_random():
    random.seed(123)
    a = list(generate_split("test", CorpusConfig(num_docs=30, seed=9)))
    random.seed(456)
    b = list(generate_split("test", CorpusConfig(num_docs=30, seed=9)))
    assert a == b


def test_documents_without_distractors_when_asked():
    from lightning_modules.world.events import EVENT_TYPES
    from lightning_modules.world.generator import CorpusConfig, generate_split

    rows = list(generate_split("train", CorpusConfig(num_docs=200, seed=5, distractor_prob=0.0,
                                                     min_distractors=0)))
    assert all(r["facts"]["distractors"] == {} for r in rows)
    assert all(d not in r["document"] for r in rows
               for d in ("had also shown interest", "missed a penalty", "Last year's winner"))
    with pytest.raises(ValueError, match="min_distractors"):
        CorpusConfig(min_distractors=min(len(e.distract) for e in EVENT_TYPES.values()) + 1)
