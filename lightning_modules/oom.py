"""Out of memory as one line that names the setting to lower, not an allocator's traceback.

``with explain_oom("quals.batch_size", 64, "QUALS scoring"): ...`` turns an out-of-memory
error raised inside the block into :class:`OutOfMemory`::

    error: out of memory in QUALS scoring at batch size 64: lower quals.batch_size
    (--set quals.batch_size=32)

(one line). Out of memory is ``torch.OutOfMemoryError`` (CUDA), a ``RuntimeError`` whose
message says so (the CPU and MPS allocators: "out of memory", "not enough memory", "can't
allocate memory") or Python's ``MemoryError``. :class:`OutOfMemory` is a ``SystemExit``, so a
command ends with its message and status 1 wherever it is raised, Lightning's loops included;
other errors pass through unchanged. Also a decorator: ``@explain_oom("candidates.batch_size")``.
"""

from __future__ import annotations

from contextlib import contextmanager

OOM_MESSAGES = ("out of memory", "not enough memory", "can't allocate memory")
"""Phrases of the allocators' messages (CUDA, MPS, CPU) that mean the memory ran out."""

SET_SYNTAX = "--set {setting}={value}"
"""How a pipeline setting is given on the command line (``quals-bench reproduce``)."""

CLI_SYNTAX = "--{setting} {value}"
"""How a LightningCLI setting is given (``quals-bench fit``)."""


class OutOfMemory(SystemExit):
    """The memory ran out in ``what`` at ``setting`` = ``value``; ``str()`` is the one-line
    message (``error: out of memory in ...``), which is also the exit message."""

    def __init__(self, message: str, setting: str, value: int | None = None):
        super().__init__(message)
        self.setting, self.value = setting, value

    def __str__(self) -> str:
        return str(self.code)


def is_out_of_memory(error: BaseException) -> bool:
    """Whether ``error`` says that memory ran out (see the module docstring)."""
    if isinstance(error, MemoryError) or type(error).__name__ == "OutOfMemoryError":
        return True
    if not isinstance(error, RuntimeError):
        return False
    text = str(error).lower()
    return any(phrase in text for phrase in OOM_MESSAGES)


def oom_message(setting: str, value: int | None = None, what: str = "this step",
                hint: str | None = None, syntax: str = SET_SYNTAX) -> str:
    """The one-line message: where the memory ran out, at which batch size, the setting to lower
    and how (half of ``value``); at batch size 1, ``hint`` (what else to lower) instead."""
    at = "" if value is None else f" at batch size {value}"
    if value is None:
        advice = f"lower {setting}"
    elif value > 1:
        advice = f"lower {setting} ({syntax.format(setting=setting, value=max(1, value // 2))})"
    else:
        advice = f"{setting} is already 1"
    if hint and (value is None or value <= 1):
        advice += f"; {hint}"
    return f"error: out of memory in {what}{at}: {advice}"


@contextmanager
def explain_oom(setting: str, value: int | None = None, what: str = "this step",
                hint: str | None = None, syntax: str = SET_SYNTAX):
    """Raise :class:`OutOfMemory` (:func:`oom_message`) in place of an out-of-memory error
    raised inside the block; other errors, and an :class:`OutOfMemory` raised by an inner
    block, pass through unchanged."""
    try:
        yield
    except OutOfMemory:
        raise
    except BaseException as error:
        if not is_out_of_memory(error):
            raise
        raise OutOfMemory(oom_message(setting, value, what, hint, syntax), setting,
                          value) from None
