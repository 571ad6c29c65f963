"""Candidate generation: shape, determinism, and resume after a simulated kill."""

import json

import pytest

from experiments.pipeline.candidates import CandidateConfig, generate_candidates


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


def test_pipeline_stages_run_their_predict_loops_on_one_device(tmp_path, monkeypatch, corpus_dir,
                                                               tokenizer_dir):
    """Inside `reproduce`, candidates and scoring must not use devices="auto": on a multi-GPU
    machine Lightning's DDP launcher would re-run the whole pipeline in each extra process."""
    import experiments.pipeline.candidates
    import experiments.score
    from experiments.pipeline.conseq_stages import candidates_stage, scoring_stage
    from lightning_modules.models.mle import MLEModule
    from lightning_modules.models.qagen import QAGenModule
    from tests.test_evaluation_callback import save_untrained

    devices = []
    for module in (experiments.pipeline.candidates, experiments.score):
        real = module.run_cached
        monkeypatch.setattr(module, "run_cached",
                            lambda *a, real=real, **k: devices.append(a[4]) or real(*a, **k))
    mle = save_untrained(MLEModule(tokenizer=str(tokenizer_dir)), tmp_path / "mle.ckpt")
    qagen = save_untrained(QAGenModule(tokenizer=str(tokenizer_dir)), tmp_path / "qagen.ckpt")
    candidates = tmp_path / "candidates.jsonl"
    candidates_stage({"corpus": str(corpus_dir), "docs": 2, "checkpoint": mle, "out": str(candidates),
                      "candidates": {"num_candidates": 2, "max_length": 8, "min_length": 2}})
    scoring_stage({"candidates": str(candidates), "out_dir": str(tmp_path / "scores"), "qagen": qagen,
                   "quals": {"num_beams": 2, "num_beam_groups": 2, "max_length": 8}})
    assert devices == [1, 1, 1]  # candidates, QUALS, ROUGE


def test_candidates_do_not_depend_on_the_model_id(tmp_path, corpus_dir, summarizer):
    """The model id (checkpoint path and time) keys the cache but not the sampling seed: the same
    model run from two folders draws the same candidates; another seed draws others."""
    rows = rows_of(corpus_dir, 4)
    cfg = CandidateConfig(num_candidates=2, max_length=12, min_length=3, batch_size=2)
    one, two, other = tmp_path / "one.jsonl", tmp_path / "two.jsonl", tmp_path / "other.jsonl"
    generate_candidates(summarizer, rows, cfg, one, "/runs/a/mle.ckpt@1", progress=False)
    generate_candidates(summarizer, rows, cfg, two, "/elsewhere/mle.ckpt@2", progress=False)
    assert one.read_text() == two.read_text()
    reseeded = CandidateConfig(num_candidates=2, max_length=12, min_length=3, batch_size=2, seed=1)
    generate_candidates(summarizer, rows, reseeded, other, "/runs/a/mle.ckpt@1", progress=False)
    assert other.read_text() != one.read_text()
