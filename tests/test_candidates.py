"""Candidate generation: shape, determinism, and resume after a simulated kill."""

import json

import pytest

from experiments.candidates import CandidateConfig, generate_candidates


@pytest.fixture(scope="module")
def summarizer(tokenizer_dir):
    from lightning_modules.models.mle import MLEModule

    return MLEModule(tokenizer=str(tokenizer_dir))


def rows_of(corpus_dir, n):
    return [json.loads(l) for l in (corpus_dir / "train.jsonl").read_text().splitlines()[:n]]


def test_candidates_resume_after_a_kill_recomputes_nothing_finished(tmp_path, corpus_dir,
                                                                    summarizer):
    rows = rows_of(corpus_dir, 6)
    cfg = CandidateConfig(num_candidates=3, max_length=12, min_length=3, batch_size=2)
    straight = tmp_path / "a.jsonl"
    assert generate_candidates(summarizer, rows, cfg, straight, "m", progress=False)["computed"] == 6
    lines = [json.loads(l) for l in straight.read_text().splitlines()]
    assert [l["id"] for l in lines] == [r["id"] for r in rows]
    assert all(len(l["candidates"]) == 3 for l in lines)

    # a killed run: the first chunk finished, the second was cut mid-line, no output written
    killed = tmp_path / "b.jsonl"
    cache = (tmp_path / "a.jsonl.cache").read_text().splitlines()
    (tmp_path / "b.jsonl.cache").write_text(cache[0] + "\n" + cache[1] + "\n" + cache[2][:30])
    counts = generate_candidates(summarizer, rows, cfg, killed, "m", progress=False)
    assert counts["computed"] == 4 and counts["from_cache"] == 2
    assert killed.read_text() == straight.read_text()  # same candidates: content-seeded chunks
    again = generate_candidates(summarizer, rows, cfg, killed, "m", progress=False)
    assert again["computed"] == 0
