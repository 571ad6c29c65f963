"""The workbench library: synthetic corpus, data modules, seq2seq models, decoding, metrics.

Nothing here imports from ``experiments`` or ``analysis``.
"""
