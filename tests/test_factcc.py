"""FactCC: each transformation changes the claim as its label says; the classifier and scorer."""

import random

import pytest


from lightning_modules.data.factcc_data import (CONSISTENT, INCONSISTENT, TRANSFORMS,
                                                counterfactual, date_swap, entity_swap, exchange,
                                                make_examples, negation, number_swap,
                                                pronoun_swap, role_exchange, swapped_pair,
                                                token_noise)
from lightning_modules.text import split_sentences

DOC = ("Kestrel Foundry bought Obsidian Textiles for £53.9m. The deal was announced on 5 July. "
       "Talks began on 12 August. Halcyon Energy had made a rival offer of £40.1m. "
       "He said the firm was not for sale.")


def rng():
    return random.Random(0)


def test_split_sentences():
    assert split_sentences(DOC)[:2] == ["Kestrel Foundry bought Obsidian Textiles for £53.9m.",
                                        "The deal was announced on 5 July."]


def test_entity_swap_uses_another_source_name():
    claim = "Kestrel Foundry bought Obsidian Textiles for £53.9m."
    out = entity_swap(claim, DOC, rng())
    assert out != claim and "Halcyon Energy" in out  # the only name not already in the claim
    assert entity_swap("The deal was done.", DOC, rng()) is None


def test_number_and_date_swaps_take_values_from_the_source():
    out = number_swap("Kestrel Foundry bought Obsidian Textiles for £53.9m.", DOC, rng())
    assert out == "Kestrel Foundry bought Obsidian Textiles for £40.1m."
    assert date_swap("The deal was announced on 5 July.", DOC, rng()) == \
        "The deal was announced on 12 August."
    assert date_swap("The deal was announced on 5 July.", "On 5 July.", rng()) is None


def test_swaps_keep_the_type():
    doc = DOC + " Ashbury was quiet. Aisha Abbott spoke. 12,400 jobs stay."
    claim = "Kestrel Foundry bought Obsidian Textiles in Ashbury."
    for seed in range(20):  # the only org not in the claim; the only place
        out = entity_swap(claim, doc, random.Random(seed))
        assert out in (claim.replace("Kestrel Foundry", "Halcyon Energy"),
                       claim.replace("Obsidian Textiles", "Halcyon Energy"))
    assert entity_swap("Kestrel Foundry met Ashbury.", "Kestrel Foundry met Ashbury.",
                       rng()) is None
    # money swaps with money, never with a count
    assert number_swap("Halcyon Energy paid £40.1m.", doc, rng()) == "Halcyon Energy paid £53.9m."


def test_outside_swap_brings_a_value_the_source_never_mentions():
    from lightning_modules.data.factcc_data import outside_swap

    outside = "Aisha Abbott left on 3 May. Halcyon Energy paid £12.5m. Ashbury cheered."
    claim = "Kestrel Foundry bought Obsidian Textiles for £53.9m on 5 July."
    outs = {outside_swap(claim, DOC, random.Random(seed), outside) for seed in range(30)}
    # Halcyon Energy is in DOC, so it never comes in; a date for a date, money for money
    assert outs == {claim.replace("5 July", "3 May"), claim.replace("£53.9m", "£12.5m")}
    assert outside_swap(claim, DOC, rng(), "Nothing here.") is None


def test_auto_paraphrase_share_is_the_references_abstractive_share():
    from lightning_modules.data.factcc_data import abstractive_share

    rows = [{"document": DOC, "summary": "The deal was announced on 5 July. It was big."},
            {"document": DOC, "summary": "Talks began on 12 August."}]
    assert abstractive_share(rows) == pytest.approx(1 / 3)  # 2 of 3 sentences are copies
    with pytest.raises(ValueError, match="reference"):
        abstractive_share([{"document": DOC, "summary": ""}])


def test_number_kind_and_name_type():
    from lightning_modules.data.factcc_data import number_kind
    from lightning_modules.world.inventory import name_type

    assert [number_kind(v) for v in ("£4.5m", "52%", "3-1", "12,400", "34")] == [
        "money", "percent", "score", "count", "integer"]
    assert [name_type(n) for n in ("Aisha Abbott", "Kestrel Foundry", "Ashbury Rovers",
                                   "Ashbury", "Crown Laurel", "Green Front", "Analyst Anna")] == [
        "person", "org", "org", "place", "thing", "org", None]


def test_paraphrased_claims_state_only_document_facts(corpus_dir):
    import json

    from lightning_modules.world.oracle import judge

    rows = [json.loads(l) for l in (corpus_dir / "train.jsonl").read_text().splitlines()[:20]]
    r = random.Random(0)
    examples = [(row, e) for row in rows for e in make_examples(
        row["document"], r, noise_prob=0, facts=row["facts"], paraphrase_prob=1.0)]
    positives = [(row, e) for row, e in examples if e.label == CONSISTENT]
    assert len(positives) > 20 and not any(e.claim in row["document"] for row, e in positives)
    judgements = [judge(row["facts"], e.claim) for row, e in positives]
    assert all(j.parsed and not j.hallucinated for j in judgements)  # faithful, by the oracle
    with pytest.raises(ValueError, match="facts"):
        make_examples(DOC, r, facts=None, paraphrase_prob=0.5)


def test_pronoun_swap_and_negation():
    assert pronoun_swap("He said his firm was sold.", DOC, random.Random(1)) in (
        "She said his firm was sold.", "He said her firm was sold.")
    assert pronoun_swap("The firm was sold.", DOC, rng()) is None
    assert negation("The deal was announced.", DOC, rng()) == "The deal was not announced."
    assert negation("The firm was not for sale.", DOC, rng()) == "The firm was for sale."
    assert negation("Kestrel bought it.", DOC, rng()) is None


def test_token_noise_keeps_the_words_but_one():
    claim = "The deal was announced on 5 July."
    out = token_noise(claim, rng())
    assert abs(len(out.split()) - len(claim.split())) == 1


def test_examples_are_balanced_and_transformed_as_labelled(corpus_dir):
    import json

    rows = [json.loads(l) for l in (corpus_dir / "train.jsonl").read_text().splitlines()[:30]]
    r = random.Random(0)
    examples = [(row, e) for row in rows for e in make_examples(row["document"], r, noise_prob=0)]
    labels = [e.label for _, e in examples]
    assert labels.count(CONSISTENT) == labels.count(INCONSISTENT) > 20
    for row, e in examples:
        if e.label == CONSISTENT:
            assert e.claim in row["document"]
        else:
            assert e.claim not in row["document"] and e.transform in TRANSFORMS


def test_exchange_and_swapped_pair():
    assert exchange("A Co beat A Co Two; A Co won.", "A Co", "A Co Two") == \
        "A Co Two beat A Co; A Co Two won."
    assert exchange("£5m, not £5.5m", "£5m", "£5.5m") == "£5.5m, not £5m"
    claim = "Kestrel Foundry bought Obsidian Textiles on 5 July."
    assert swapped_pair(claim, claim.replace("5 July", "12 August")) == ("5 July", "12 August")
    assert swapped_pair(claim, claim.replace("bought", "sold")) is None  # no value exchanged
    assert swapped_pair(claim, claim.replace("bought", "sold").replace("5 July", "6 July")) is None


def test_role_exchange_and_its_counterfactual_document():
    claim = "Kestrel Foundry bought Obsidian Textiles on 5 July."
    out = role_exchange(claim, DOC, rng())
    assert out == "Obsidian Textiles bought Kestrel Foundry on 5 July."  # the one same-type pair
    assert swapped_pair(claim, out) == ("Kestrel Foundry", "Obsidian Textiles")
    assert role_exchange("The deal was announced on 5 July.", DOC, rng()) is None
    consistent, inconsistent = counterfactual(DOC, claim, out, "role_exchange")
    assert consistent.document.startswith("Obsidian Textiles bought Kestrel Foundry for £53.9m.")
    assert (consistent.claim, inconsistent.claim) == (out, claim)


def test_counterfactual_pair_flips_the_labels_with_the_document():
    claim = "Kestrel Foundry bought Obsidian Textiles for £53.9m."
    swapped = claim.replace("Obsidian Textiles", "Halcyon Energy")
    consistent, inconsistent = counterfactual(DOC, claim, swapped, "entity_swap")
    assert consistent.document == inconsistent.document == DOC.replace(
        "Obsidian Textiles", "@").replace("Halcyon Energy", "Obsidian Textiles").replace(
        "@", "Halcyon Energy")
    assert (consistent.claim, consistent.label) == (swapped, CONSISTENT)
    assert (inconsistent.claim, inconsistent.label) == (claim, INCONSISTENT)
    assert counterfactual(DOC, claim, claim.replace("bought", "sold"), "x") == []
    outside = claim.replace("Obsidian Textiles", "Nowhere Mills")  # not in the document
    assert counterfactual(DOC, claim, outside, "entity_swap") == []


def test_counterfactual_examples_keep_every_claim_ambiguous_alone(corpus_dir):
    import json

    rows = [json.loads(l) for l in (corpus_dir / "train.jsonl").read_text().splitlines()[:30]]
    r = random.Random(0)
    examples = [e for row in rows for e in make_examples(
        row["document"], r, noise_prob=0, facts=row["facts"], paraphrase_prob=1.0,
        counterfactual_prob=1.0)]
    flipped = [e for e in examples if e.transform == "counterfactual"]
    assert len(flipped) > 10
    labels = [e.label for e in examples]
    assert labels.count(CONSISTENT) == labels.count(INCONSISTENT)
    by_claim = {}
    for e in examples:
        by_claim.setdefault(e.claim, set()).add(e.label)
    assert all(by_claim[e.claim] == {CONSISTENT, INCONSISTENT} for e in flipped)


def test_scorer_averages_sentence_probabilities(corpus_dir, tokenizer_dir, tmp_path):
    from lightning_modules.metrics.factcc import FactCCScorer
    from lightning_modules.models.factcc import FactCCModule

    module = FactCCModule(tokenizer=str(tokenizer_dir))
    scorer = FactCCScorer(module.model, module.tokenizer)
    docs = [DOC, DOC]
    summaries = ["Kestrel Foundry bought Obsidian Textiles. The deal was announced.", ""]
    result = scorer.score(docs, summaries)
    probs = [s["p_consistent"] for s in result.explanations[0]["sentences"]]
    assert len(probs) == 2 and result.scores["factcc"][0] == pytest.approx(sum(probs) / 2)
    assert result.scores["factcc"][1] is None
    direct = scorer.probabilities([DOC], ["The deal was announced."])[0]
    assert probs[1] == pytest.approx(direct, abs=1e-5)
