"""The field's factual-consistency benchmarks, read from their released files (no torch).

- :mod:`~analysis.benchmark.fields`: records of CSV, JSON, JSONL and Parquet files, and the
  one-line :class:`~lightning_modules.data.readers.DataError` naming file, row and field of a
  value that breaks a format;
- :mod:`~analysis.benchmark.formats`: one loader per format (AggreFact, SummaC, TRUE, QAGS
  there; LLM-AggreFact in :mod:`~analysis.benchmark.llm_aggrefact`, FRANK in
  :mod:`~analysis.benchmark.frank`), each giving the examples the statistics read;
- :mod:`~analysis.benchmark.stats`: threshold tuning on a dev cut, balanced accuracy, AUROC,
  stratified bootstrap intervals and per-example credits for paired comparisons;
- :mod:`~analysis.benchmark.evaluate`: each benchmark's own statistics per dataset and scorer;
- :mod:`~analysis.benchmark.store`: the per-example ``scores.jsonl`` merged across runs;
- :mod:`~analysis.benchmark.report`: ``benchmark.md``, the printed table and ``benchmark.png``.

``quals-bench benchmark`` (:mod:`experiments.studies.benchmark`) runs them.
"""
