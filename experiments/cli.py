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
    "reproduce": ("experiments.pipeline.reproduce", "main", "run the whole default pipeline end to end"),
    "meta-eval": ("experiments.studies.meta_eval", "main", "score QAGS-C/X with every metric beside human scores"),
    "benchmark": ("experiments.studies.benchmark", "main", "score the field's consistency benchmarks (AggreFact, LLM-AggreFact, SummaC, TRUE, FRANK, QAGS) from local files"),
    "analyze": ("analysis.analyze", "main", "tables, figures and a Markdown report from run dirs"),
    "seeds": ("analysis.seeds", "main", "headline figures of runs made with other seeds: values, mean, range"),
    "human-sheet": ("analysis.human_cli", "main", "blind pairwise sheet of two runs for a human study"),
    "sweep": ("experiments.studies.sweep", "main", "run an ablation grid from a YAML file"),
    "fit": ("experiments.lightning_cli", "main", "train a model from a LightningCLI YAML config"),
    "validate": ("experiments.lightning_cli", "main", "validate a model (LightningCLI)"),
    "test": ("experiments.lightning_cli", "main", "test a model (LightningCLI)"),
}
PASSTHROUGH = ("fit", "validate", "test")

GROUPS = {
    "pipeline": ("reproduce", "sweep", "corpus", "tokenizer", "tiny-hf", "candidates", "select"),
    "training": ("fit", "validate", "test"),
    "scoring": ("score", "judge", "meta-eval", "benchmark"),
    "analysis": ("analyze", "seeds", "correlate", "human-sheet"),
}
"""The top-level help's sections: every command of :data:`COMMANDS` in exactly one (a name
that is not a command is skipped; a command in no group is listed under "other")."""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps a command's description as written and appends ``(default: ...)`` to an option's
    help where the option has a default worth saying (not None, False or an empty list) and its
    help does not say it already."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        unsaid = default is None or default is False or default is argparse.SUPPRESS
        said = "%(default)" in text or "(default" in text
        if said or unsaid or default == [] or not action.option_strings:
            return text
        return f"{text} (default: %(default)s)" if text else "default: %(default)s"


def version() -> str:
    """The installed package's version (``importlib.metadata``), or ``unknown`` when the
    package is run from a source tree that was never installed."""
    from importlib.metadata import PackageNotFoundError, version as installed

    try:
        return installed("quals-bench")
    except PackageNotFoundError:
        return "unknown"


def overview() -> str:
    """The commands, grouped, one line each: the top-level help's body."""
    width = max(map(len, COMMANDS))
    grouped = {name for names in GROUPS.values() for name in names}
    sections = {**GROUPS, "other": tuple(name for name in COMMANDS if name not in grouped)}
    lines = []
    for group, names in sections.items():
        names = [name for name in names if name in COMMANDS]
        if names:
            lines += [f"{group}:", *(f"  {n:<{width}}  {COMMANDS[n][2]}" for n in names), ""]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser: a command name, ``--version`` and ``--help``."""
    parser = argparse.ArgumentParser(
        prog="quals-bench", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Factual-consistency workbench (QUALS, ConSeq).\n\n" + overview(),
        epilog="Run 'quals-bench COMMAND --help' for a command's options.")
    parser.add_argument("--version", action="version", version=f"quals-bench {version()}")
    parser.add_argument("command", choices=sorted(COMMANDS), metavar="COMMAND",
                        help="one of the commands above")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a subcommand; return its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or argv[0] in ("-h", "--help"):
        parser.print_help()
        return 0
    if argv[0] == "--version":
        print(f"quals-bench {version()}")
        return 0
    args = parser.parse_args(argv[:1])
    module, function, _ = COMMANDS[args.command]
    handler = getattr(importlib.import_module(module), function)
    rest = argv if args.command in PASSTHROUGH else argv[1:]
    from lightning_modules.models.checkpoints import UnsafeCheckpointError

    try:
        return handler(rest) or 0
    except UnsafeCheckpointError as error:  # a checkpoint whose pickle would run code
        raise SystemExit(f"error: {error}") from None


if __name__ == "__main__":
    sys.exit(main())
