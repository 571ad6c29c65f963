"""Decoding algorithms implemented in the project (transformers 5 dropped group beam search)."""
