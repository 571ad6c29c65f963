"""Stages that do not read each other, run at the same time on the machine's cores.

The models of the embedded world are small: one training or scoring process uses two CPU
cores at about 60-70% of what two one-thread processes do together. So ``reproduce --jobs N``
runs up to ``N`` independent stages at once, each in a worker process with ``cores // N``
torch threads, and a stage that every other stage reads or is read by (the corpus, the
tokenizer, the reader: a *solo* stage) alone in this process on every core.

A stage's threads follow from the whole graph, never from timing, so a run gives the same
outputs however its stages happen to interleave; ``--jobs 1`` runs every stage in turn on every
core, as a stage's hash does not cover its threads (``docs/reproducibility.md``). Markers are
written here, after each stage's outputs, so a stopped run resumes as a sequential one does.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

from experiments.pipeline.stages import (Stage, finished, record, resolve, run_stages,
                                         stage_keys, timed_run)


def cores() -> int:
    """CPU cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def auto_jobs(cuda: bool | None = None) -> int:
    """Stages at once for ``--jobs auto``: two on a CPU machine with two cores or more, where
    two one-thread stages do 1.3-1.4x the work of one on two threads; one where a GPU is used
    (its stages would share it) or on one core."""
    if cuda is None:
        import torch

        cuda = torch.cuda.is_available()
    return 1 if cuda or cores() < 2 else 2


def jobs_argument(value: str) -> int | str:
    """``--jobs``: ``auto`` or a whole number of at least 1; anything else ends the command
    with a one-line error."""
    if value == "auto":
        return value
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"error: --jobs must be 'auto' or at least 1, not {value}")
    return int(value)


JOBS_HELP = ("run up to N stages that do not read each other at once, each on cores/N torch "
             "threads; 1: one stage at a time on every core (default auto: 2 on a CPU machine "
             "with 2 cores or more, 1 on a GPU)")
"""The ``--jobs`` help of the commands that run stages."""


def run_jobs(stages: list[Stage], out: Path, jobs: int | str,
             graph: list[Stage] | None = None, log=print) -> dict[str, dict]:
    """Run ``stages`` (a cut of ``graph``) one at a time on every core when ``jobs`` is 1, else
    up to ``jobs`` at once (``auto``: :func:`auto_jobs`); return their results."""
    jobs = auto_jobs() if jobs == "auto" else jobs
    if jobs > 1:
        return run_parallel(stages, out, jobs, graph, log=log)
    return run_stages(stages, out, log=log)


def lineage(stages: list[Stage]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Each stage's ancestors (the stages it reads, directly or not) and descendants."""
    names = [s.name for s in stages]
    ancestors: dict[str, set[str]] = {}
    for i, stage in enumerate(stages):
        direct = stage.inputs(names[:i])
        ancestors[stage.name] = set(direct).union(*(ancestors[n] for n in direct))
    descendants: dict[str, set[str]] = defaultdict(set)
    for name, above in ancestors.items():
        for a in above:
            descendants[a].add(name)
    return ancestors, descendants


def solo_stages(stages: list[Stage], family=None) -> set[str]:
    """Stages related to every other one (an ancestor or a descendant of each): nothing can
    run beside them, so they take every core (``family``: :func:`lineage` of ``stages``)."""
    ancestors, descendants = family or lineage(stages)
    return {n for n in ancestors if len(ancestors[n]) + len(descendants[n]) == len(stages) - 1}


def _set_threads(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)


def run_parallel(stages: list[Stage], out: Path, jobs: int, graph: list[Stage] | None = None,
                 log=print) -> dict[str, dict]:
    """Run ``stages`` (a cut of ``graph``, by default themselves) with up to ``jobs`` at once;
    return their results.

    Ready stages start in order of how many stages read them (then graph order), so the long
    chain to the ConSeq systems starts first. The first stage to fail stops new starts; the
    running ones finish and keep their markers, then its error is raised.
    """
    inputs, keys = stage_keys(stages, out)
    graph = graph or stages
    family = lineage(graph)
    solo, descendants = solo_stages(graph, family), family[1]
    position = {s.name: i for i, s in enumerate(stages, start=1)}
    pending = sorted(stages, key=lambda s: (-len(descendants[s.name]), position[s.name]))
    results: dict[str, dict] = {}
    running: dict[Future, Stage] = {}
    error: BaseException | None = None
    threads = max(1, cores() // jobs)
    prefix = lambda s: f"[{position[s.name]}/{len(stages)}] {s.name}"  # noqa: E731

    def done(stage: Stage, result: dict, seconds: float) -> None:
        record(stage, keys[stage.name], out, result, seconds)
        log(f"{prefix(stage)}: done in {seconds:.1f}s")
        results[stage.name] = result

    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_set_threads, initargs=(threads,)) as pool:
        while (pending and error is None) or running:
            ready = [] if error is not None else [
                s for s in pending if all(n in results for n in inputs[s.name])]
            if not ready and not running:
                raise RuntimeError("stages wait on stages that never ran: "
                                   + ", ".join(s.name for s in pending))
            for stage in ready:
                if len(running) >= jobs:
                    break
                if stage.name in solo and running:
                    continue  # waits for the stages beside it to finish
                pending.remove(stage)
                saved = finished(stage, keys[stage.name], out)
                if saved is not None:
                    log(f"{prefix(stage)}: finished earlier, skipped")
                    results[stage.name] = saved
                    continue
                settings = {**resolve(stage.settings, results), "stage_hash": keys[stage.name]}
                if stage.name in solo:
                    log(f"{prefix(stage)}: running")
                    done(stage, *timed_run(stage.run, settings))
                else:
                    log(f"{prefix(stage)}: running ({threads} thread{'s' * (threads > 1)})")
                    running[pool.submit(timed_run, stage.run, settings)] = stage
            if not running:
                continue
            finished_now, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished_now:
                stage = running.pop(future)
                try:
                    result, seconds = future.result()
                except BaseException as failure:  # noqa: BLE001 - raised once the others stop
                    error = error or failure
                    log(f"{prefix(stage)}: failed")
                    continue
                done(stage, result, seconds)
    if error is not None:
        raise error
    return results
