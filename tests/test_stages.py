"""Resumable stages as a graph: a finished stage is skipped, a changed stage re-runs itself and
the stages that read it, a copied run folder re-runs nothing, and a training stage resumes only
a run folder its own settings wrote."""

import json
import shutil

import pytest

from experiments.pipeline.stages import Ref, Stage, local, portable, run_stages, upstream
from experiments.pipeline.training_stages import claim_run_dir

quiet = {"log": lambda *_: None}


def recorder(calls, name):
    def fn(settings):
        calls.append(name)
        return {"value": {k: v for k, v in settings.items() if k != "stage_hash"}}
    return fn


def chain(calls, a_setting):
    return [Stage("a", recorder(calls, "a"), {"x": a_setting}),
            Stage("b", recorder(calls, "b"), {"y": 1}),
            Stage("c", recorder(calls, "c"), {"z": 2})]


def graph(calls, a=1, b=1, out="OUT"):
    """a -> b -> d and a -> c: d reads b through a Ref, c reads a by ``needs``."""
    return [Stage("a", recorder(calls, "a"), {"x": a, "path": f"{out}/a.txt"}, needs=()),
            Stage("b", recorder(calls, "b"), {"y": b}, needs=("a",)),
            Stage("c", recorder(calls, "c"), {"z": 2}, needs=("a",)),
            Stage("d", recorder(calls, "d"), {"from_b": Ref("b", "value")})]


def test_rerun_skips_and_upstream_change_invalidates_downstream_of_a_chain(tmp_path):
    calls = []
    first = run_stages(chain(calls, 1), tmp_path, **quiet)
    assert calls == ["a", "b", "c"] and first["b"] == {"value": {"y": 1}}
    run_stages(chain(calls, 1), tmp_path, **quiet)
    assert calls == ["a", "b", "c"]                      # all skipped
    run_stages(chain(calls, 2), tmp_path, **quiet)
    assert calls == ["a", "b", "c", "a", "b", "c"]       # a changed: b and c re-run too


def test_a_change_re_runs_its_stage_and_what_reads_it_only(tmp_path):
    calls = []
    run_stages(graph(calls, out=str(tmp_path)), tmp_path, **quiet)
    assert calls == ["a", "b", "c", "d"]
    calls.clear()
    results = run_stages(graph(calls, b=2, out=str(tmp_path)), tmp_path, **quiet)
    assert calls == ["b", "d"]                           # c reads a only: skipped
    assert results["d"] == {"value": {"from_b": {"y": 2}}}   # the Ref read b's new result


def test_a_copied_run_folder_re_runs_nothing_and_names_its_own_paths(tmp_path):
    calls, first, copy = [], tmp_path / "first", tmp_path / "copy"
    run_stages(graph(calls, out=str(first)), first, **quiet)
    shutil.copytree(first, copy)
    calls.clear()
    results = run_stages(graph(calls, out=str(copy)), copy, **quiet)
    assert calls == []
    assert results["a"]["value"]["path"] == f"{copy}/a.txt"
    marker = json.loads((copy / ".stages" / "a.json").read_text())
    assert marker["result"]["value"]["path"] == "${run}/a.txt"


def test_portable_paths_round_trip_and_other_paths_stay():
    obj = {"p": "runs/x/ckpt", "q": ["runs/x", "runs/xy/z", "/abs"], "r": Ref("mle")}
    moved = portable(obj, "runs/x")
    assert moved == {"p": "${run}/ckpt", "q": ["${run}", "runs/xy/z", "/abs"],
                     "r": {"ref": "mle.checkpoint"}}
    assert local(moved, "elsewhere")["p"] == "elsewhere/ckpt"


def test_a_stage_cannot_read_a_later_stage(tmp_path):
    stages = [Stage("a", recorder([], "a"), {"m": Ref("b")}), Stage("b", recorder([], "b"), {})]
    with pytest.raises(ValueError, match="stage 'a' reads \\['b'\\]"):
        run_stages(stages, tmp_path, **quiet)


def test_a_stage_killed_before_its_marker_runs_again(tmp_path):
    calls = []

    def dies(settings):
        calls.append("b")
        raise RuntimeError("killed")

    stages = chain(calls, 1)
    stages[1] = Stage("b", dies, {"y": 1})
    with pytest.raises(RuntimeError):
        run_stages(stages, tmp_path, **quiet)
    assert not (tmp_path / ".stages" / "b.json").exists()
    calls.clear()
    run_stages(chain(calls, 1), tmp_path, **quiet)
    assert calls == ["b", "c"]                           # a was finished, b and c were not


def test_a_run_folder_resumes_only_for_the_settings_that_wrote_it(tmp_path):
    run = tmp_path / "runs" / "mle"
    assert claim_run_dir(str(run), "h1") is None                  # new: train afresh
    (run / "checkpoints").mkdir()
    (run / "checkpoints" / "last.ckpt").write_text("h1's")
    assert claim_run_dir(str(run), "h1") == str(run / "checkpoints" / "last.ckpt")  # killed: resume
    assert claim_run_dir(str(run), "h2") is None                  # other settings: afresh
    assert (tmp_path / "runs" / "mle.h1" / "checkpoints" / "last.ckpt").read_text() == "h1's"
    assert not (run / "checkpoints").exists()
    assert json.loads((run / "stage.json").read_text()) == {"hash": "h2"}


def test_a_run_folder_without_a_record_is_moved_aside(tmp_path):
    run = tmp_path / "mle"
    (run / "checkpoints").mkdir(parents=True)
    (run / "checkpoints" / "last.ckpt").write_text("old")
    assert claim_run_dir(str(run), "h") is None
    assert (tmp_path / "mle.unrecorded" / "checkpoints" / "last.ckpt").exists()
    run2 = tmp_path / "mle"
    assert claim_run_dir(str(run2), "g") is None                  # h's folder moved aside too
    assert (tmp_path / "mle.h").is_dir()


def test_until_keeps_a_stage_and_what_it_reads_through_needs_and_refs(tmp_path):
    calls = []
    stages = graph(calls)
    assert [s.name for s in upstream(stages, "d")] == ["a", "b", "d"]  # d reads b by Ref
    assert [s.name for s in upstream(stages, "c")] == ["a", "c"]
    assert [s.name for s in upstream(chain(calls, 1), "b")] == ["a", "b"]  # a chain's earlier
    run_stages(upstream(stages, "d"), tmp_path, **quiet)
    assert calls == ["a", "b", "d"]
    calls.clear()  # the full graph later reuses the stages that ran and runs c alone
    run_stages(graph(calls), tmp_path, **quiet)
    assert calls == ["c"]
    with pytest.raises(ValueError, match="no stage 'e'; the stages are: a, b, c, d"):
        upstream(stages, "e")
