"""The workbench library: synthetic corpus, data modules, seq2seq models, decoding, metrics,
and three modules they share: ``text`` (text helpers and model input formats), ``jsonl``
(strict, atomic JSON writing) and ``selection`` (ConSeq's S+/S-).

Nothing here imports from ``experiments`` or ``analysis``.
"""
