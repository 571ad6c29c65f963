"""One scorer registry: each metric's name, the checkpoints it needs, its settings and its scorer.

The evaluation callback, ``quals-bench score``, metric validity and meta-evaluation all build
their scorers here. Checkpoints are named by role: ``qagen`` (QUALS), ``factcc`` (FactCC),
``qg`` and ``qa`` (QAGS), ``nli`` (any Hugging Face NLI classifier, SummaC-ZS style); settings are the fields of ``QualsConfig`` / ``QagsConfig`` /
``OracleConfig`` (the synthetic world's oracle, ``metric: oracle``).
"""

from __future__ import annotations

CHECKPOINTS = {"rouge": (), "factcc": ("factcc",), "qags": ("qg", "qa"), "quals": ("qagen",),
               "oracle": (), "nli": ("nli",)}
"""The metrics, and the checkpoints each needs (the synthetic world's oracle needs fact tables
instead: ``OracleConfig.corpus``, or the rows the callback binds)."""


def missing_checkpoints(metric: str, checkpoints: dict) -> list[str]:
    """The checkpoint roles ``metric`` needs that ``checkpoints`` does not give."""
    if metric not in CHECKPOINTS:
        raise ValueError(f"unknown metric {metric!r}; available: {sorted(CHECKPOINTS)}")
    return [role for role in CHECKPOINTS[metric] if not checkpoints.get(role)]


def require_checkpoints(metric: str, checkpoints: dict) -> None:
    """Raise ``ValueError`` naming the checkpoints ``metric`` needs that are not given."""
    missing = missing_checkpoints(metric, checkpoints)
    if missing:
        raise ValueError(f"metric {metric!r} needs a checkpoint: set {', '.join(missing)}")


def metric_config(metric: str, settings: dict | None = None):
    """The settings dataclass of ``metric`` (``QualsConfig``, ``QagsConfig``), or ``None`` for a
    metric without settings (which then takes none)."""
    if metric == "quals":
        from lightning_modules.metrics.quals import QualsConfig

        return QualsConfig(**(settings or {}))
    if metric == "qags":
        from lightning_modules.metrics.qags import QagsConfig

        return QagsConfig(**(settings or {}))
    if metric == "oracle":
        from lightning_modules.metrics.oracle import OracleConfig

        return OracleConfig(**(settings or {}))
    if settings:
        raise ValueError(f"metric {metric!r} takes no settings, got {sorted(settings)}")
    return None


def build_scorer(metric: str, checkpoints: dict, config=None):
    """Return the scorer of ``metric`` from its ``checkpoints`` (role -> path or hub name) and
    ``config`` (from :func:`metric_config`; ``None``: the defaults)."""
    require_checkpoints(metric, checkpoints)
    config = config if config is not None else metric_config(metric)
    if metric == "quals":
        from lightning_modules.metrics.quals import QualsScorer

        return QualsScorer.from_checkpoint(checkpoints["qagen"], config)
    if metric == "qags":
        from lightning_modules.metrics.qags import QagsScorer

        return QagsScorer.from_checkpoints(checkpoints["qg"], checkpoints["qa"], config)
    if metric == "factcc":
        from lightning_modules.metrics.factcc import FactCCScorer

        return FactCCScorer.from_checkpoint(checkpoints["factcc"])
    if metric == "nli":
        from lightning_modules.metrics.nli import NLIScorer

        return NLIScorer.from_pretrained(checkpoints["nli"])
    if metric == "oracle":
        from lightning_modules.metrics.oracle import OracleScorer

        return OracleScorer.from_config(config)
    from lightning_modules.metrics.rouge import RougeScorer

    return RougeScorer()
