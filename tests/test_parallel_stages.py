"""``reproduce --jobs N``: stages that do not read each other run at once, in worker processes
with ``cores // N`` threads; a stage related to every other one runs alone, here, on every
core; results, markers and resumption are those of the sequential run."""

import json
import os

import pytest
import torch

from experiments.pipeline.parallel import cores, run_parallel, solo_stages
from experiments.pipeline.stages import Ref, Stage, run_stages
from parallel_stage_fns import fail, interval

quiet = {"log": lambda *_: None}


def diamond(sleep=0.0, middle=interval, meet=None):
    """a -> (b, c) -> d: b and c are independent; a and d are related to every stage. With
    ``meet`` (a folder), b and c each wait until the other has started."""
    return [Stage("a", interval, {"sleep": 0.0}, needs=()),
            Stage("b", middle, {"sleep": sleep, "read": Ref("a", "pid"),
                                "meet": meet and [meet, "b", "c"]}, needs=("a",)),
            Stage("c", interval, {"sleep": sleep, "meet": meet and [meet, "c", "b"]},
                  needs=("a",)),
            Stage("d", interval, {"sleep": 0.0, "read": Ref("b", "threads")},
                  needs=("b", "c"))]


def test_solo_stages_are_those_related_to_every_other_stage():
    assert solo_stages(diamond()) == {"a", "d"}
    chain = [Stage(n, interval, {}, needs=(p,) if p else ()) for n, p in
             (("x", None), ("y", "x"), ("z", "y"))]
    assert solo_stages(chain) == {"x", "y", "z"}


def test_independent_stages_overlap_in_workers_and_solo_stages_run_here(tmp_path):
    (tmp_path / "meet").mkdir()
    results = run_parallel(diamond(meet=str(tmp_path / "meet")), tmp_path / "run", 2, **quiet)
    a, b, c, d = (results[n] for n in "abcd")
    assert a["pid"] == d["pid"] == os.getpid()           # solo: this process
    assert a["threads"] == torch.get_num_threads()        # on every core
    assert {b["pid"], c["pid"]}.isdisjoint({os.getpid()})
    assert b["threads"] == c["threads"] == max(1, cores() // 2)
    assert b["start"] < c["end"] and c["start"] < b["end"]   # at the same time (they met)
    assert d["start"] >= max(b["end"], c["end"])          # after what it reads
    assert b["read"] == a["pid"] and d["read"] == b["threads"]   # Refs resolved


def test_parallel_markers_are_those_of_a_sequential_run(tmp_path):
    parallel, sequential = tmp_path / "parallel", tmp_path / "sequential"
    run_parallel(diamond(), parallel, 2, **quiet)
    run_stages(diamond(), sequential, **quiet)
    for name in "abcd":
        saved = [json.loads((run / ".stages" / f"{name}.json").read_text())["hash"]
                 for run in (parallel, sequential)]
        assert saved[0] == saved[1]
    lines = []
    run_parallel(diamond(), parallel, 2, log=lines.append)   # nothing left to run
    assert lines == [f"[{i}/4] {n}: finished earlier, skipped" for i, n in
                     ((1, "a"), (2, "b"), (3, "c"), (4, "d"))]


def test_a_failing_stage_stops_new_starts_and_keeps_what_finished(tmp_path):
    with pytest.raises(ValueError, match="train.jsonl, line 3"):
        run_parallel(diamond(0.3, middle=fail), tmp_path, 2, **quiet)
    markers = {p.stem for p in (tmp_path / ".stages").glob("*.json")}
    assert markers == {"a", "c"}                          # c finished beside b; d never ran
    results = run_parallel(diamond(), tmp_path, 2, **quiet)   # fixed: resumes
    assert set(results) == {"a", "b", "c", "d"}


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_reproduce_refuses_a_bad_job_count_in_one_line_and_writes_nothing(tmp_path, value):
    from experiments.pipeline.reproduce import main

    with pytest.raises(SystemExit, match=f"^error: --jobs must be 'auto' or at least 1, not {value}$"):
        main(["--out", str(tmp_path / "run"), "--preset", "smoke", "--jobs", value])
    assert not (tmp_path / "run").exists()


def test_auto_jobs_runs_two_stages_on_a_multicore_cpu_and_one_on_a_gpu(monkeypatch):
    from experiments.pipeline import parallel

    monkeypatch.setattr(parallel, "cores", lambda: 2)
    assert (parallel.auto_jobs(cuda=False), parallel.auto_jobs(cuda=True)) == (2, 1)
    monkeypatch.setattr(parallel, "cores", lambda: 1)
    assert parallel.auto_jobs(cuda=False) == 1
