"""Stage functions for ``test_parallel_stages.py``, importable by spawned worker processes."""

import os
import time


def interval(settings: dict) -> dict:
    """Sleep ``settings["sleep"]`` seconds, or with ``settings["meet"] = [folder, me, other]``
    wait (60 s at most) until stage ``other`` has started too; return when, where and on how
    many threads it ran."""
    import torch

    start = time.time()
    time.sleep(settings.get("sleep", 0.0))
    if settings.get("meet"):
        folder, me, other = settings["meet"]
        open(os.path.join(folder, me), "w").close()
        while not os.path.exists(os.path.join(folder, other)):
            if time.time() - start > 60:
                raise TimeoutError(f"stage {me} never ran beside stage {other}")
            time.sleep(0.01)
    return {"start": start, "end": time.time(), "pid": os.getpid(),
            "threads": torch.get_num_threads(), "read": settings.get("read")}


def fail(settings: dict) -> dict:
    """A stage that stops with an error naming its input."""
    raise ValueError("train.jsonl, line 3, field 'summary': empty")
