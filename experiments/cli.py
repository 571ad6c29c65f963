"""``quals-bench``: the workbench's command line. Subcommands import their code lazily."""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> (module, function, one-line help); the module is imported only when run.
COMMANDS = {
    "corpus": ("experiments.commands", "corpus", "generate the synthetic news corpus"),
    "tokenizer": ("experiments.commands", "tokenizer", "train the byte-level BPE tokenizer"),
    "judge": ("experiments.commands", "judge_file", "oracle verdicts for summaries of a corpus split"),
    "candidates": ("experiments.stage_commands", "candidates",
                   "sample ConSeq candidate summaries of a split with a summarizer (resumable)"),
    "score": ("experiments.score", "main", "score a JSONL file with a metric (resumable)"),
    "select": ("experiments.stage_commands", "select",
               "ConSeq's S+/S- pairs from scored candidates, per ranker (QUALS, ROUGE)"),
    "tiny-hf": ("experiments.tiny_hf", "main",
                "tiny random Hugging Face checkpoints of every model, built offline"),
    "correlate": ("analysis.correlate_cli", "main", "correlate metric columns with human scores"),
    "reproduce": ("experiments.pipeline", "main", "run the whole default pipeline end to end"),
    "meta-eval": ("experiments.meta_eval", "main", "score QAGS-C/X with every metric beside human scores"),
    "analyze": ("analysis.analyze", "main", "tables, figures and a Markdown report from run dirs"),
    "seeds": ("analysis.seeds", "main", "headline figures of runs made with other seeds: values, mean, range"),
    "human-sheet": ("analysis.human_cli", "main", "blind pairwise sheet of two runs for a human study"),
    "sweep": ("experiments.sweep", "main", "run an ablation grid from a YAML file"),
    "fit": ("experiments.lightning_cli", "main", "train a model from a LightningCLI YAML config"),
    "validate": ("experiments.lightning_cli", "main", "validate a model (LightningCLI)"),
    "test": ("experiments.lightning_cli", "main", "test a model (LightningCLI)"),
}
PASSTHROUGH = ("fit", "validate", "test")


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a subcommand; return its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="quals-bench", description="Factual-consistency workbench (QUALS, ConSeq).",
        epilog="Run 'quals-bench COMMAND --help' for a command's options.")
    parser.add_argument("command", choices=sorted(COMMANDS), metavar="COMMAND",
                        help="; ".join(f"{k}: {v[2]}" for k, v in COMMANDS.items()))
    if not argv or argv[0] in ("-h", "--help"):
        parser.print_help()
        return 0
    args = parser.parse_args(argv[:1])
    module, function, _ = COMMANDS[args.command]
    handler = getattr(importlib.import_module(module), function)
    rest = argv if args.command in PASSTHROUGH else argv[1:]
    return handler(rest) or 0


if __name__ == "__main__":
    sys.exit(main())
