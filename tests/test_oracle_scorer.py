"""The oracle as an ordinary scorer: parity with ``judge``, its aggregates, the registry and
``quals-bench score``."""

import json

import pytest

from lightning_modules.metrics.registry import build_scorer, metric_config
from lightning_modules.world.generator import CorpusConfig, generate_split, write_corpus
from lightning_modules.world.oracle import hallucination_rate, judge
from lightning_modules.metrics.oracle import OracleScorer


@pytest.fixture(scope="module")
def rows():
    return list(generate_split("test", CorpusConfig(num_docs=400, seed=9)))[:30]


def test_columns_and_means_match_the_oracle(rows):
    summaries = [r["summary"] for r in rows]
    scorer = OracleScorer()
    scorer.bind(rows)
    result = scorer.score([r["document"] for r in rows], summaries)
    judgements = [judge(r["facts"], s) for r, s in zip(rows, summaries)]
    assert result.scores["hallucinated"] == [float(j.hallucinated) for j in judgements]
    assert result.scores["hallucinated_facts"] == [j.unsupported_facts() for j in judgements]
    assert [e["oracle_verdict"] for e in result.explanations] == [j.verdict for j in judgements]
    means = result.mean()
    for key, value in hallucination_rate(judgements).items():
        assert means[key] == value
    # the share of unsupported facts is a ratio of sums, not a mean of per-summary ratios
    assert means["hallucinated_fact_rate"] == (sum(result.scores["hallucinated_facts"])
                                               / sum(result.scores["facts"]))
    assert 0.0 <= means["initial_supported"] <= 1.0


def test_a_document_without_fact_table_is_an_error(rows):
    scorer = OracleScorer()
    scorer.bind(rows[:1])
    with pytest.raises(KeyError, match="example 1: field 'document': no fact table"):
        scorer.score([rows[0]["document"], "Some other text."], ["a", "b"])


def test_registry_builds_it_from_a_corpus_folder(tmp_path, rows):
    write_corpus(CorpusConfig(num_docs=40, seed=2), tmp_path / "corpus")
    test = [json.loads(l) for l in (tmp_path / "corpus" / "test.jsonl").read_text().splitlines()]
    scorer = build_scorer("oracle", {}, metric_config("oracle", {"corpus": str(tmp_path / "corpus")}))
    result = scorer.score([r["document"] for r in test], [r["faithful_summary"] for r in test])
    assert result.scores["hallucinated"] == [0.0] * len(test)
