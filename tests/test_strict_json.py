"""Every JSON and JSON Lines file the workbench writes is strict JSON (no NaN, no Infinity): the
writers in ``lightning_modules/jsonl.py`` by hand, then every file of a smoke run and sweep."""

import json
import math

import numpy as np
import pytest
import torch
import yaml

from experiments.pipeline.cached_predict import append_cache, load_cache
from experiments.pipeline.stages import write_json_atomic
from lightning_modules.jsonl import dumps, strict, write_json, write_jsonl


def _reject(constant):
    raise ValueError(f"not strict JSON: {constant}")


def load_strict(text: str):
    """Parse JSON text, raising on NaN, Infinity and -Infinity."""
    return json.loads(text, parse_constant=_reject)


def test_strict_turns_sentinels_to_null_and_scalars_to_python_numbers():
    got = strict({"nan": float("nan"), "inf": [np.inf, -math.inf], "f64": np.float64(0.935),
                  "f32": np.float32(0.5), "t": torch.tensor(0.25), "t_nan": torch.tensor(math.nan),
                  "i": np.int64(187), "b": np.bool_(True), "pair": (1, np.float64("nan"))})
    assert got == {"nan": None, "inf": [None, None], "f64": 0.935, "f32": 0.5, "t": 0.25,
                   "t_nan": None, "i": 187, "b": True, "pair": [1, None]}
    assert type(got["f64"]) is float and type(got["i"]) is int and type(got["b"]) is bool
    assert dumps({"mean": float("nan"), "sentinel": 6}) == '{"mean": null, "sentinel": 6}'


@pytest.mark.parametrize("value", [object(), np.array([1.0, 2.0]), torch.tensor([1.0]), {1, 2}])
def test_a_value_json_cannot_hold_is_an_error_not_a_string(tmp_path, value):
    for write in (lambda p: write_json(p, {"x": value}), lambda p: write_jsonl(p, [{"x": value}]),
                  lambda p: write_json_atomic(p, {"x": value})):
        path = tmp_path / "out.json"
        path.write_text('{"old": 1}')
        with pytest.raises(TypeError):
            write(path)
        assert path.read_text() == '{"old": 1}'  # the old file is left as it was
        assert list(tmp_path.iterdir()) == [path]  # and no temporary file behind


def test_writers_produce_strict_json(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", [{"score": np.float64("nan"), "id": "é"}, {"score": 1.5}])
    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    assert [load_strict(line) for line in lines] == [{"score": None, "id": "é"}, {"score": 1.5}]
    write_json_atomic(tmp_path / "b.json", {"z": np.float32(2.0), "a": [np.inf]})
    text = (tmp_path / "b.json").read_text()
    assert load_strict(text) == {"a": [None], "z": 2.0} and text.index('"a"') < text.index('"z"')
    append_cache(tmp_path / "c.cache", [{"key": "k", "score": float("nan")}])
    assert load_strict((tmp_path / "c.cache").read_text()) == {"key": "k", "score": None}
    assert load_cache(tmp_path / "c.cache") == {"k": {"key": "k", "score": None}}


def assert_tree_is_strict_json(root) -> int:
    """Parse every JSON, JSONL and cache file under ``root`` strictly; return how many."""
    paths = sorted(p for pattern in ("*.json", "*.jsonl", "*.cache") for p in root.rglob(pattern))
    for path in paths:
        text = path.read_text(encoding="utf-8")
        docs = [text] if path.suffix == ".json" else [l for l in text.splitlines() if l.strip()]
        for number, doc in enumerate(docs, start=1):
            try:
                load_strict(doc)
            except ValueError as err:
                raise AssertionError(f"{path.relative_to(root)}:{number}: {err}") from None
    return len(paths)



def test_every_file_of_a_smoke_run_and_sweep_is_strict_json(smoke, tmp_path):
    from experiments.studies.sweep import main as sweep

    spec = {"name": "quantile", "base": str(smoke), "out": str(tmp_path / "sweep"),
            "preset": "smoke", "grid": {"selection.quantile": [0.5]}, "split": "validation"}
    (tmp_path / "q.yaml").write_text(yaml.safe_dump(spec))
    assert sweep([str(tmp_path / "q.yaml"), "--wandb", "disabled"]) == 0
    point = load_strict((tmp_path / "sweep" / "sweep.json").read_text())["runs"][0]
    assert point["split"] == "validation" and "vs_mle" in point["metrics"]
    validation = list((tmp_path / "sweep").rglob("scores/validation.jsonl"))
    assert len(validation) == 2 and not list((tmp_path / "sweep").rglob("scores/test.jsonl"))
    assert assert_tree_is_strict_json(smoke) >= 20
    assert assert_tree_is_strict_json(tmp_path / "sweep") >= 5
    results = load_strict((smoke / "results.json").read_text())
    for system in results["systems"].values():
        for key in ("rougeL", "factcc", "qags", "quals", "hallucination_rate"):
            assert system[key] is None or type(system[key]) is float
