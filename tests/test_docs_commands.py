"""The docs stay true: every ``quals-bench`` command line in the README and ``docs/*.md`` names
a real subcommand and only options its parser accepts; the README stays short and keeps the two
commands ``.ci/run`` relies on; and outside the experiment log no file tells how the workbench
was made (development rounds, tracker numbers, internal run names)."""

import contextlib
import importlib
import io
import re
from functools import lru_cache
from pathlib import Path

import pytest

from experiments.cli import COMMANDS, GROUPS, PASSTHROUGH, build_parser

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
LOG = ROOT / "docs" / "experiment-log.md"
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]

PARSERS = {
    "score": "experiments.score:build_parser",
    "candidates": "experiments.stage_commands:build_candidates_parser",
    "select": "experiments.stage_commands:build_select_parser",
    "corpus": "experiments.commands:build_corpus_parser",
    "tokenizer": "experiments.commands:build_tokenizer_parser",
    "judge": "experiments.commands:build_judge_parser",
    "meta-eval": "experiments.studies.meta_eval:build_parser",
    "sweep": "experiments.studies.sweep:build_parser",
    "analyze": "analysis.analyze:build_parser",
    "seeds": "analysis.seeds:build_parser",
    "correlate": "analysis.correlate_cli:build_parser",
    "human-sheet": "analysis.human_cli:build_parser",
}
"""Commands whose parser is built without running them; every other command's options are read
from its ``--help`` text."""

HISTORY = re.compile(r"sess[i]on [0-9]|sess[i]on's|sess[i]ons|iss[u]e [0-9]|iss[u]e 1|xs[u]m[0-9]",
                     re.IGNORECASE)
"""How the project was made, in words no file outside the experiment log may use (written with
character classes so that this file does not match itself)."""
LOG_HISTORY = re.compile(r"sess[i]on [0-9]|sess[i]on's|sess[i]ons|iss[u]e [0-9]|iss[u]e 1",
                         re.IGNORECASE)
SKIPPED_DIRS = {"runs", "build", "dist", "wandb", "lightning_logs", "__pycache__"}


def command_texts(markdown: str) -> list[str]:
    """The code of a Markdown text: each line of its fenced blocks (a line ending in ``\\``
    joined with the next) and each inline code span (line breaks read as spaces)."""
    texts, prose, pending, fenced = [], [], "", False
    for line in markdown.splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            prose.append(line)
        elif line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
        else:
            texts.append(pending + line)
            pending = ""
    spans = re.findall(r"`([^`]+)`", "\n".join(prose))
    return texts + [span.replace("\n", " ") for span in spans]


def invocations(text: str) -> list[list[str]]:
    """The arguments after ``quals-bench`` of each command in a line of code (comments cut,
    commands split at ``&&``, ``;`` and ``|``, leading ``NAME=value`` settings skipped)."""
    found = []
    for part in re.split(r"&&|;|\|", re.split(r"\s#", text)[0]):
        tokens = part.split()
        while tokens and re.fullmatch(r"[A-Z_]+=\S*", tokens[0]):
            tokens.pop(0)
        if tokens and tokens[0] == "quals-bench":
            found.append(tokens[1:])
    return found


def option_names(arguments: list[str]) -> list[str]:
    """The option names among a command's arguments (``[--json OUT]`` gives ``--json``)."""
    names = []
    for token in arguments:
        token = token.strip("[]")
        if token.startswith("-") and len(token) > 1 and not re.fullmatch(r"-[\d.e-]+", token):
            names.append(token.split("=")[0].rstrip("]"))
    return names


def help_text(command: str) -> str:
    """What ``quals-bench COMMAND --help`` prints, got by calling the command's function."""
    module, function, _ = COMMANDS[command]
    handler = getattr(importlib.import_module(module), function)
    argv = [command, "--help"] if command in PASSTHROUGH else ["--help"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exit_info:
        handler(argv)
    assert exit_info.value.code in (0, None), f"quals-bench {command} --help failed"
    return out.getvalue()


@lru_cache(maxsize=None)
def accepted(command: str) -> frozenset[str]:
    """The option names ``command`` accepts."""
    if command in PARSERS:
        module, function = PARSERS[command].split(":")
        parser = getattr(importlib.import_module(module), function)()
        return frozenset(parser._option_string_actions)
    text = help_text(command)
    usage = text.split("\n\n", 1)[0]
    options = re.split(r"^(?:options|optional arguments):$", text, maxsplit=1, flags=re.MULTILINE)
    listed = usage + (options[1] if len(options) > 1 else text)  # not the description
    return frozenset(re.findall(r"(?<![\w-])(--?[A-Za-z][\w.-]*)", listed))


def accepts(command: str, option: str) -> bool:
    """Whether ``command`` takes ``option``; a LightningCLI command takes any init argument of
    the model or data class it is given (``--model.init_args.NAME``)."""
    names = accepted(command)
    if option in names:
        return True
    head = option.split(".")[0]
    return command in PASSTHROUGH and head in ("--model", "--data") and head in names


def documented_commands() -> list[tuple[str, list[str]]]:
    """(file, arguments after ``quals-bench``) of every command in the README and docs."""
    return [(path.relative_to(ROOT).as_posix(), arguments)
            for path in DOCS for text in command_texts(path.read_text(encoding="utf-8"))
            for arguments in invocations(text)]


def test_the_docs_show_commands():
    files = {name for name, _ in documented_commands()}
    assert {"README.md", "docs/getting-started.md", "docs/real-data.md"} <= files


@pytest.mark.parametrize("where,arguments", documented_commands(),
                         ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_documented_command_names_a_command_and_its_options(where, arguments):
    if not arguments or arguments[0].startswith("-"):  # quals-bench --help / --version
        top = set(build_parser()._option_string_actions)
        assert set(option_names(arguments)) <= top, f"{where}: quals-bench {' '.join(arguments)}"
        return
    command, options = arguments[0], option_names(arguments[1:])
    if command == "COMMAND":  # the placeholder of "quals-bench COMMAND --help"
        assert options == ["--help"], f"{where}: quals-bench {' '.join(arguments)}"
        return
    assert command in COMMANDS, f"{where}: no command {command!r} in experiments.cli.COMMANDS"
    wrong = [o for o in options if not accepts(command, o)]
    assert not wrong, f"{where}: quals-bench {command} does not take {', '.join(wrong)}"


def test_command_texts_find_fenced_continued_and_inline_commands():
    text = ("Run `quals-bench seeds A B\n--json out.json` first.\n\n```bash\n"
            "HF_HUB_OFFLINE=0 quals-bench score --metric rouge \\\n    --input a --out b  # note\n"
            "pip install x && quals-bench --version\n```\n")
    found = [a for t in command_texts(text) for a in invocations(t)]
    assert ["score", "--metric", "rouge", "--input", "a", "--out", "b"] in found
    assert ["--version"] in found and ["seeds", "A", "B", "--json", "out.json"] in found
    assert option_names(["x", "[--json", "OUT]", "--set", "a.b=-1", "-3e-6"]) == ["--json", "--set"]


def test_wrong_options_and_commands_are_caught():
    assert not accepts("score", "--nope") and accepts("score", "--output")
    assert accepts("seeds", "--json") and not accepts("seeds", "--out")
    assert "nope" not in COMMANDS


def test_readme_is_short_and_keeps_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci == 'pip install torch==2.13.0 && pip install -e ".[test]" && python -m pytest -q'
    for line in (ci, "pip install torch==2.13.0 && pip install -e . && "
                     "quals-bench reproduce --out runs/default"):
        assert line in text.splitlines()


def test_readme_lists_every_command_and_every_command_has_a_group():
    grouped = [name for names in GROUPS.values() for name in names]
    assert len(grouped) == len(set(grouped))
    assert set(COMMANDS) <= set(grouped)
    table = README.read_text(encoding="utf-8").split("## Commands", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([a-z-]+)`", table))
    assert set(COMMANDS) <= listed, f"README's command table lacks {set(COMMANDS) - listed}"


def project_files() -> list[Path]:
    """The project's Python, YAML and Markdown files (no virtual environment, VCS metadata or
    run outputs)."""
    files = []
    for path in ROOT.rglob("*"):
        parts = path.relative_to(ROOT).parts
        if any(p.startswith(".") or p in SKIPPED_DIRS or p.endswith(".egg-info") for p in parts[:-1]):
            continue
        if path.is_file() and path.suffix in (".py", ".yaml", ".md"):
            files.append(path)
    return files


def test_no_file_outside_the_log_tells_how_the_project_was_made():
    hits = []
    for path in project_files():
        if path == LOG:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if HISTORY.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not hits, "\n".join(hits)


def test_the_log_is_dated_and_names_no_development_rounds():
    text = LOG.read_text(encoding="utf-8")
    assert not LOG_HISTORY.search(text)
    dates = re.findall(r"^## (\d{4}-\d{2}-\d{2})", text, flags=re.MULTILINE)
    assert dates and dates == sorted(dates)
