"""The synthetic world's oracle as an ordinary scorer (``metric: oracle``): the same interface as
ROUGE, FactCC, QAGS and QUALS, so the evaluation callback and ``quals-bench score`` treat it
like any other. (It lives with the scorers: ``metrics/`` reads the world, never the reverse.)

The oracle reads a summary against its document's fact table, which the text alone does not
give: the scorer looks each document up in the fact tables it was given, from corpus rows
(:meth:`OracleScorer.bind`, which the callback calls with the split it evaluates) or from a
corpus folder (``OracleConfig.corpus``). A document without a fact table is an error naming
the example, never a silent zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from lightning_modules.metrics.base import ScoreResult, check_inputs, column_means
from lightning_modules.world.oracle import (COUNTS, initial_entity, judge, judgement_counts,
                                            summary_rates)

INITIAL = ("supported", "wrong_entity", "invented_entity")
"""How a summary's opening name can read (:func:`initial_entity`), each a 1.0/0.0 column."""

COLUMNS = COUNTS + tuple(f"initial_{kind}" for kind in INITIAL)
"""The oracle's numeric per-example columns: labels and fact counts
(:data:`~lightning_modules.world.oracle.COUNTS`), then the opening name's reading."""


@dataclass(frozen=True)
class OracleConfig:
    """Where the fact tables come from: ``corpus``, a folder of ``{split}.jsonl`` with ``facts``
    (``None``: the rows given to :meth:`OracleScorer.bind`)."""

    corpus: str | None = None


def oracle_columns(judgement, summary: str) -> dict:
    """The oracle's per-example columns: verdict, labels, fact counts, how the opening name
    reads (as a kind and as 1.0/0.0 columns) and the errors read."""
    kind = initial_entity(judgement, summary)
    return {"oracle_verdict": judgement.verdict, **judgement_counts(judgement),
            **{f"initial_{k}": float(kind == k) for k in INITIAL},
            "initial_entity": kind,
            "oracle_errors": [[c.role, c.value, c.error] for c in judgement.claims if c.error]}


def initial_entity_shares(columns) -> dict[str, float]:
    """Shares of summaries whose opening name (:func:`initial_entity` of each) is supported / a
    wrong document entity / invented, from the ``initial_*`` columns (over all summaries; the
    rest open with no name or an unplaced one)."""
    n = max(len(columns["initial_supported"]), 1)
    return {f"initial_{k}": sum(columns[f"initial_{k}"]) / n for k in INITIAL}


def oracle_means(columns) -> dict[str, float | None]:
    """The oracle's figures from its per-example :data:`COLUMNS`:
    :func:`~lightning_modules.world.oracle.summary_rates` (summary shares, the share of asserted
    facts unsupported: a ratio of sums) and :func:`initial_entity_shares`; column means
    (``None``) when there are no examples. Sums only, so the columns of every process's shard
    give the figures of the whole split."""
    if not len(columns["hallucinated"]):
        return column_means(columns)
    return {**summary_rates(columns), **initial_entity_shares(columns)}


class OracleScorer:
    """Scores each summary by the oracle's reading of it against its document's fact table.

    Columns: :data:`COLUMNS` (1.0/0.0 labels and fact counts); explanations: the verdict, how
    the opening name reads and the errors. Its means are its ``reduction``,
    :func:`oracle_means` of the columns (the figures
    :func:`~lightning_modules.world.oracle.hallucination_rate` gives), not column means. It
    never returns a sentinel.
    """

    name = "oracle"
    sentinels = False
    reduction = staticmethod(oracle_means)

    def __init__(self, facts: Mapping[str, dict] | None = None):
        self.facts = dict(facts or {})

    @classmethod
    def from_config(cls, config: OracleConfig | None = None) -> "OracleScorer":
        """A scorer with the fact tables of ``config.corpus`` (every split), or none yet."""
        scorer = cls()
        if config is not None and config.corpus:
            from lightning_modules.data.readers import read_objects

            for path in sorted(Path(config.corpus).glob("*.jsonl")):
                scorer.bind(read_objects(path))
        return scorer

    def bind(self, rows: Iterable[dict]) -> None:
        """Add the fact tables of corpus ``rows`` (``document`` and ``facts`` fields)."""
        self.facts.update({r["document"]: r["facts"] for r in rows if "facts" in r})

    def score(self, documents: Sequence[str], summaries: Sequence[str],
              references: Sequence[str] | None = None) -> ScoreResult:
        """Judge each summary against its document's fact table."""
        check_inputs(documents, summaries)
        for i, document in enumerate(documents):
            if document not in self.facts:
                raise KeyError(f"example {i}: field 'document': no fact table for it (the oracle "
                               "reads only documents of a corpus with fact tables)")
        judgements = [judge(self.facts[d], s) for d, s in zip(documents, summaries)]
        rows = [oracle_columns(j, s) for j, s in zip(judgements, summaries)]
        return ScoreResult(scores={c: [r[c] for r in rows] for c in COLUMNS},
                           explanations=[{k: r[k] for k in ("oracle_verdict", "initial_entity",
                                                            "oracle_errors")} for r in rows],
                           reduction=oracle_means)
