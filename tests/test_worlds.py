"""The two world presets (xsum, cnndm): schema, determinism, calibrated noise rates, and the
properties that make the xsum world's noise learnable."""

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from lightning_modules.world.background import background_value
from lightning_modules.world.events import EVENT_TYPES
from lightning_modules.world.generator import CorpusConfig, generate_split
from lightning_modules.world.oracle import hallucination_rate, judge
from lightning_modules.world.parse import template_words

WORLDS = Path(__file__).parents[1] / "experiments" / "configs" / "worlds"


def world(name: str, **overrides) -> CorpusConfig:
    """The corpus settings of a world YAML, with overrides."""
    section = yaml.safe_load((WORLDS / f"{name}.yaml").read_text())["corpus"]
    return CorpusConfig(**{**section, **overrides})


@pytest.fixture(scope="module")
def rows():
    return {name: list(generate_split("train", world(name, num_docs=2200, seed=21)))
            for name in ("xsum", "cnndm")}


def test_world_files_are_the_corpus_defaults_for_xsum():
    assert world("xsum") == CorpusConfig()
    assert world("cnndm") != CorpusConfig()


@pytest.mark.parametrize("name", ["xsum", "cnndm"])
def test_worlds_are_deterministic(name):
    a = list(generate_split("test", world(name, num_docs=60, seed=4)))
    assert a == list(generate_split("test", world(name, num_docs=60, seed=4)))
    assert a != list(generate_split("test", world(name, num_docs=60, seed=5)))


def test_reference_noise_matches_the_calibration(rows):
    """The oracle's reading of the references lands within 0.03 of what the settings imply."""
    for name, records in rows.items():
        cfg = world(name)
        rates = hallucination_rate([judge(r["facts"], r["summary"]) for r in records])
        expected = cfg.background_prob * (1 - cfg.background_stated_prob)
        assert abs(rates["extrinsic"] - expected) < 0.03, name
        assert abs(rates["intrinsic"] - cfg.reference_intrinsic_prob) < 0.03, name
        faithful = hallucination_rate([judge(r["facts"], r["faithful_summary"])
                                       for r in records[:400]])
        assert faithful["faithful"] == 1.0, name


@pytest.mark.parametrize("name", ["xsum", "cnndm"])
def test_background_attribute_is_a_standing_fact(rows, name):
    """An entity's background value is the same wherever a document states it or a reference
    adds it, and the recurring entities come back often enough to be learned: in both worlds,
    as the cnndm world's calibration relies on it too."""
    seen, mentions = defaultdict(set), defaultdict(int)
    for r in rows[name]:
        event = EVENT_TYPES[r["event_type"]]
        attribute, holder = event.background
        entity = r["facts"]["roles"][holder]
        mentions[entity] += 1
        standing = background_value(event.optional[attribute], entity, 21)
        if attribute in r["facts"]["roles"]:
            seen[entity, attribute].add(r["facts"]["roles"][attribute])
        elif r["summary"] != r["faithful_summary"] and standing in r["summary"]:
            seen[entity, attribute].add(standing)
    assert len(seen) > 200 and all(len(values) == 1 for values in seen.values())
    assert sum(n >= 20 for n in mentions.values()) >= 30


def test_xsum_references_add_what_the_document_leaves_out(rows):
    added = [r for r in rows["xsum"]
             if EVENT_TYPES[r["event_type"]].background[0] not in r["facts"]["roles"]
             and r["summary"] != r["faithful_summary"]]
    assert len(added) / len(rows["xsum"]) > 0.7
    assert all(len(r["summary"].split(". ")) == 1 for r in rows["xsum"])


def test_cnndm_highlights_copy_document_sentences(rows):
    for r in rows["cnndm"][:500]:
        first, *copied = r["faithful_summary"].split(". ")
        assert 1 <= len(copied) <= 2
        for sentence in copied:
            assert sentence.rstrip(".") + "." in r["document"]


def test_sentence_templates_never_read_as_names():
    assert {"supporters", "officers", "thieves", "unions", "coach"} <= template_words()
    assert not {"media", "prize", "league"} & template_words()  # parts of names
