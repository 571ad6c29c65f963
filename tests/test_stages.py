"""Resumable stages: finished stages are skipped, a changed stage re-runs what follows it."""

from experiments.stages import Stage, run_stages


def make(calls, a_setting):
    def run(name):
        def fn(settings):
            calls.append(name)
            return {"value": settings}
        return fn
    return [Stage("a", run("a"), {"x": a_setting}), Stage("b", run("b"), {"y": 1}),
            Stage("c", run("c"), {"z": 2})]


def test_rerun_skips_and_upstream_change_invalidates_downstream(tmp_path):
    calls = []
    first = run_stages(make(calls, 1), tmp_path, log=lambda *_: None)
    assert calls == ["a", "b", "c"] and first["b"] == {"value": {"y": 1}}
    run_stages(make(calls, 1), tmp_path, log=lambda *_: None)
    assert calls == ["a", "b", "c"]                      # all skipped
    run_stages(make(calls, 2), tmp_path, log=lambda *_: None)
    assert calls == ["a", "b", "c", "a", "b", "c"]       # a changed: b and c re-run too


def test_a_stage_killed_before_its_marker_runs_again(tmp_path):
    calls = []

    def dies(settings):
        calls.append("b")
        raise RuntimeError("killed")

    stages = make(calls, 1)
    stages[1] = Stage("b", dies, {"y": 1})
    try:
        run_stages(stages, tmp_path, log=lambda *_: None)
    except RuntimeError:
        pass
    assert not (tmp_path / ".stages" / "b.json").exists()
    calls.clear()
    run_stages(make(calls, 1), tmp_path, log=lambda *_: None)
    assert calls == ["b", "c"]                           # a was finished, b and c were not
