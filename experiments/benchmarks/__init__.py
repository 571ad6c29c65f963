"""Benchmark scripts: they print their figures; none is a timed test."""
