"""The NLI scorer (SummaC-ZS style) with a tiny random BERT NLI checkpoint saved here: its
max-over-document, mean-over-summary aggregation against the model's own probabilities
computed in the test; the entailment label found by name; ``quals-bench benchmark --metric
nli``."""

import json
import os

import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from lightning_modules.metrics.nli import NLIScorer, entailment_index  # noqa: E402

WORDS = ("[PAD] [UNK] [CLS] [SEP] [MASK] the cat sat on mat a dog ran it was red blue big "
         "small . , and").split()
LABELS = {0: "CONTRADICTION", 1: "neutral", 2: "Entailment"}


def save_nli(folder, id2label=LABELS):
    """A 1-layer BERT sequence classifier with ``id2label`` and a word-level tokenizer."""
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(WORDS), hidden_size=16, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=32, max_position_embeddings=64,
                        num_labels=len(id2label), id2label=id2label, initializer_range=0.5,
                        label2id={v: k for k, v in id2label.items()})
    BertForSequenceClassification(config).save_pretrained(folder)
    BertTokenizer(vocab={w: i for i, w in enumerate(WORDS)}).save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="module")
def nli_dir(tmp_path_factory):
    """The tiny NLI checkpoint, saved once for the module."""
    return save_nli(tmp_path_factory.mktemp("nli"))


def entailment(folder, premise: str, hypothesis: str) -> float:
    """P(entailment) of one pair, straight from the checkpoint."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    enc = AutoTokenizer.from_pretrained(folder)(premise, hypothesis, return_tensors="pt")
    with torch.no_grad():
        return torch.softmax(model(**enc).logits.float(), -1)[0, 2].item()


def test_max_over_document_sentences_mean_over_summary_sentences(nli_dir):
    document = "The cat sat on the mat. A dog ran. It was red."
    summary = "The dog was big. A cat sat."
    doc_sentences = ["The cat sat on the mat.", "A dog ran.", "It was red."]
    probs = [[entailment(nli_dir, d, s) for d in doc_sentences]
             for s in ("The dog was big.", "A cat sat.")]
    assert all(max(p) - min(p) > 1e-2 for p in probs)  # the maximum is not any mean
    best = [max(p) for p in probs]
    scorer = NLIScorer.from_pretrained(nli_dir, batch_size=2)  # batches cut across examples
    assert scorer.entailment == 2
    result = scorer.score([document, "A dog ran.", document], [summary, "", "It was blue."])
    assert result.scores["nli"][0] == pytest.approx(sum(best) / 2, abs=1e-6)
    assert result.scores["nli"][1] is None  # a summary without a sentence: no score
    alone = max(entailment(nli_dir, d, "It was blue.") for d in doc_sentences)
    assert result.scores["nli"][2] == pytest.approx(alone, abs=1e-6)
    first = result.explanations[0]["sentences"][0]
    assert first["p_entailment"] == pytest.approx(best[0], abs=1e-6)
    assert entailment(nli_dir, doc_sentences[first["document_sentence"]], "The dog was big.") \
        == pytest.approx(best[0], abs=1e-6)


def test_entailment_label_by_name():
    assert entailment_index({0: "entailment", 1: "not_entailment"}) == 0
    assert entailment_index({"0": "Non-Entailment", "1": "ENTAILMENT"}) == 1
    with pytest.raises(ValueError, match=r"^nli/x: no entailment label in config.id2label "
                                         r"\{0: 'LABEL_0', 1: 'LABEL_1'\}$"):
        entailment_index({0: "LABEL_0", 1: "LABEL_1"}, "nli/x")
    with pytest.raises(ValueError, match="more than one entailment label"):
        entailment_index({0: "entailment", 1: "entails"})


def test_benchmark_with_the_nli_metric(tmp_path, nli_dir):
    from experiments.studies.benchmark import main
    from tests.test_benchmark_cli import summac_folder

    folder = summac_folder(tmp_path / "summac")
    out = tmp_path / "out"
    assert main(["summac", str(folder), "--out", str(out), "--metric", "nli", "--model", nli_dir,
                 "--name", "tiny-nli", "--n-resamples", "20", "--chunk", "3"]) == 0
    report = json.loads((out / "benchmark.json").read_text())
    assert report["scorers"] == ["tiny-nli"]
    lines = [json.loads(l) for l in (out / "scores.jsonl").read_text().splitlines()]
    row = json.loads((folder / "polytope.jsonl").read_text().splitlines()[0])
    expected = NLIScorer.from_pretrained(nli_dir).score([row["document"]], [row["claim"]])
    assert lines[0]["scores"]["tiny-nli"] == pytest.approx(expected.scores["nli"][0], abs=1e-6)
    assert all(0 <= line["scores"]["tiny-nli"] <= 1 for line in lines)
    plain = save_nli(tmp_path / "plain", {0: "LABEL_0", 1: "LABEL_1"})
    with pytest.raises(SystemExit, match=r"^error: .*plain: no entailment label in config"):
        main(["summac", str(folder), "--out", str(out), "--metric", "nli", "--model", plain])


def test_score_command_with_the_nli_metric(tmp_path, nli_dir):
    """``quals-bench score --metric nli`` goes through the one scorer registry and writes the
    scorer's own values."""
    from experiments.score import main

    rows = [{"document": "Anna met Tom. They talked in Oslo.", "summary": "Anna met Tom."},
            {"document": "The firm grew.", "summary": "The firm shrank. It closed."}]
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["--metric", "nli", "--model", nli_dir, "--input", str(data),
                 "--out", str(tmp_path / "out.jsonl")]) == 0
    got = [json.loads(l)["score"] for l in (tmp_path / "out.jsonl").read_text().splitlines()]
    expected = NLIScorer.from_pretrained(nli_dir).score([r["document"] for r in rows],
                                                        [r["summary"] for r in rows])
    assert got == pytest.approx(expected.scores["nli"], abs=1e-6)
