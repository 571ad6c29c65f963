"""The validation-split diagnostic reads background attributes as the generator wrote them."""

from lightning_modules.world.generator import CorpusConfig, generate_split
from experiments.diagnostics.split_summaries import background_stated, read_split


def test_background_is_read_where_the_reference_states_it():
    cfg = CorpusConfig(num_docs=300, seed=3, background_prob=1.0, background_stated_prob=0.0,
                       reference_intrinsic_prob=0.0)
    rows = [r for r in generate_split("train", cfg)]
    refs = [background_stated(r, r["summary"], cfg.seed) for r in rows]
    plain = [background_stated(r, r["faithful_summary"], cfg.seed) for r in rows]
    # a few reference templates have no slot for the attribute
    assert sum(s["any"] and s["world_value"] for s in refs) >= 0.98 * len(rows)
    assert not any(s["any"] or s["world_value"] for s in plain)


def test_read_split_counts_shares_over_documents():
    cfg = CorpusConfig(num_docs=200, seed=3, background_prob=1.0, background_stated_prob=0.0,
                       reference_intrinsic_prob=0.0)
    rows = list(generate_split("train", cfg))[:20]
    summaries = [r["summary"] for r in rows[:5]] + [r["faithful_summary"] for r in rows[5:]]
    result = read_split(rows, summaries, cfg.seed)
    assert result["documents"] == 20
    assert result["background_any"] == result["extrinsic"] == 5 / 20
    assert result["faithful"] == 15 / 20
