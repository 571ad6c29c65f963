"""Experiments: the ``quals-bench`` command, YAML configs, pipelines and benchmarks."""

from pathlib import Path

CONFIG_DIR = Path(__file__).parent / "configs"
