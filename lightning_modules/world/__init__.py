"""The synthetic world: event types and their templates (``events``), name inventories
(``inventory``), structured summaries (``summary``), the corpus generator (``generator``), the
corruption operators (``corruption``) and the oracle that judges any summary against a
document's fact table (``oracle``). It depends on nothing else of the library but
``jsonl`` (atomic writing)."""
