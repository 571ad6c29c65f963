"""A quiet console: a pipeline stage builds its LightningCLI without the "args and command line"
warning (its arguments are its command line), Lightning's tips are dropped, and the process's
own command line is left as it was."""

import logging
import sys
import warnings

from experiments.lightning_cli import NoTips, build_cli, quiet_lightning
from tests.test_mle import cli_args


def test_no_args_warning_and_the_command_line_is_restored(tmp_path, corpus_dir, tokenizer_dir,
                                                          monkeypatch):
    monkeypatch.setattr(sys, "argv", ["quals-bench", "reproduce", "--out", "somewhere"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cli = build_cli(cli_args(tmp_path, corpus_dir, tokenizer_dir,
                                 "--trainer.max_epochs", "1"), run=False)
    assert not [w for w in caught if "not recommended to provide both" in str(w.message)]
    assert cli.trainer.max_epochs == 1
    assert sys.argv == ["quals-bench", "reproduce", "--out", "somewhere"]


def test_tips_are_dropped_and_other_lines_kept():
    quiet_lightning()
    keep = NoTips()
    tip = logging.LogRecord("pytorch_lightning", logging.INFO, "", 0, "💡 Tip: install x", None, None)
    line = logging.LogRecord("pytorch_lightning", logging.INFO, "", 0, "GPU available: False",
                             None, None)
    assert not keep.filter(tip) and keep.filter(line)
    assert any(isinstance(f, NoTips) for f in logging.getLogger("pytorch_lightning").filters)
