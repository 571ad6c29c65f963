"""Every figure renders from small fixture data, as PNG and PDF."""

import numpy as np
import pytest

from analysis import figures


def written(png):
    assert png.exists() and png.with_suffix(".pdf").exists()
    assert png.stat().st_size > 5000  # an image with content, not an empty canvas
    return png


def test_token_probabilities(tmp_path):
    pair = {"question": "Who won?", "answer": "Kestrel", "tokens": ["Who", "Ġwon", "?", "<qa_sep>", "ĠKestrel", "</s>"],
            "logprobs_summary": list(np.log([0.9, 0.8, 0.95, 0.9, 0.7, 0.99])),
            "logprobs_document": list(np.log([0.9, 0.8, 0.95, 0.9, 0.05, 0.99]))}
    written(figures.token_probabilities(pair, tmp_path / "a"))


def test_token_labels_mark_word_continuations():
    bpe = ["W", "ho", "Ġlaunched", "Ġthe", "worth", "?", "<qa_sep>", "ĠClay", "stead", "</s>"]
    assert figures.token_labels(bpe) == ["W", "##ho", "launched", "the", "##worth", "?", "<qa_sep>",
                                         "Clay", "##stead", "</s>"]
    assert figures.token_labels(["▁New", "▁Y", "ork"]) == ["New", "Y", "##ork"]
    assert figures.token_labels(["play", "##ing"]) == ["play", "##ing"]  # WordPiece as it is


def test_metric_bars_curves_distributions_scatter_human(tmp_path):
    table = {s: {m: {"mean": v, "ci_low": v - 0.05, "ci_high": v + 0.05} for m, v in
                 (("rougeL", 0.5 + i / 10), ("quals", -0.3 + i / 10))} for i, s in enumerate(("mle", "b"))}
    written(figures.metric_bars(table, ["rougeL", "quals"], tmp_path / "b"))
    written(figures.ablation_curves({"quals": [(10, -0.3, -0.35, -0.25), (20, -0.2, -0.25, -0.15),
                                               (60, -0.1, -0.2, 0.0)]}, "QA beams", "QUALS (nats/token)", tmp_path / "c"))
    rng = np.random.default_rng(0)
    written(figures.distributions({"S+": list(rng.normal(0, 1, 50)), "S-": list(rng.normal(-1, 1, 50))},
                                  "QUALS", tmp_path / "d"))
    written(figures.distributions({"faithful": [0.1, 0.2], "corrupted": list(rng.normal(-1, 1, 50))},
                                  "QUALS (nats/token)", tmp_path / "d_share", share=True))
    x = rng.random(40)
    written(figures.scatter_human(list(x + rng.normal(0, 0.1, 40)), list(x), "quals", 0.9, tmp_path / "e"))
    written(figures.human_study({"factual_consistency": {"better": 30, "equal": 50, "worse": 20},
                                 "informativeness": {"better": 20, "equal": 60, "worse": 20}},
                                "mle", "quals_conseq", tmp_path / "f"))


def test_log_to_wandb_needs_a_run(tmp_path):
    with pytest.raises(RuntimeError, match="no W&B run"):
        figures.log_to_wandb([tmp_path / "x.png"])
