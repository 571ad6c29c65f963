"""quals-bench correlate on JSON/JSONL/CSV tables; analysis/ never imports torch."""

import csv
import json
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from analysis.correlate_cli import main
from analysis.correlation import partial_correlation


def rows(n=60, seed=0):
    rng = np.random.default_rng(seed)
    human = rng.normal(size=n)
    return [{"human": float(h), "good": float(h + rng.normal(0, 0.3)), "bad": float(rng.normal()),
             "system": f"s{i % 3}"} for i, h in enumerate(human)]


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_outputs_per_metric_statistics_and_williams(tmp_path, fmt):
    data = rows()
    data.append({"human": "n/a", "good": 1.0, "bad": 0.0, "system": "s0"})  # dropped, counted
    path = tmp_path / f"t.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps(data))
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in data))
    else:
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(data[0]))
            writer.writeheader()
            writer.writerows(data)
    out = tmp_path / "out.json"
    assert main([str(path), "--human", "human", "--metrics", "good", "bad", "--control", "system",
                 "--out", str(out), "--n-resamples", "200"]) == 0
    result = json.loads(out.read_text())
    assert result["dropped"] == 1 and result["good"]["n"] == 60
    clean = rows()
    expected = stats.spearmanr([r["good"] for r in clean], [r["human"] for r in clean])
    assert result["good"]["spearman"] == pytest.approx(expected[0])
    assert result["good"]["spearman_p"] == pytest.approx(expected[1])
    for key in ("pearson_p", "kendall_p", "partial_pearson", "partial_pearson_p",
                "partial_spearman", "partial_spearman_p", "residual_spearman",
                "residual_spearman_p", "df"):
        assert key in result["bad"]
    partial = partial_correlation([r["good"] for r in clean], [r["human"] for r in clean],
                                  [r["system"] for r in clean])
    for key in ("partial_spearman", "residual_spearman"):
        assert result["good"][key] == pytest.approx(partial[key])
        assert result["good"][f"{key}_p"] == pytest.approx(partial[f"{key}_p"])
    assert result["williams"]["good>bad"] < 0.001 < 0.999 < result["williams"]["bad>good"]


def _reject(constant):
    raise ValueError(f"not strict JSON: {constant}")


def test_undefined_statistics_are_null_in_strict_json(tmp_path):
    data = [{**r, "flat": 0.5} for r in rows(12)]  # a constant metric: every r undefined
    path, out = tmp_path / "t.json", tmp_path / "out.json"
    path.write_text(json.dumps(data))
    assert main([str(path), "--human", "human", "--metrics", "good", "flat", "--control",
                 "system", "--out", str(out), "--n-resamples", "50"]) == 0
    result = json.loads(out.read_text(), parse_constant=_reject)
    assert result["flat"]["pearson"] is None and result["flat"]["pearson_ci"] == [None, None]
    for key in ("partial_pearson", "partial_spearman", "residual_spearman"):
        assert result["flat"][key] is None and result["flat"][f"{key}_p"] is None
    assert result["good"]["partial_spearman"] is not None


def test_analysis_does_not_import_torch():
    import pkgutil

    import analysis

    modules = ", ".join(f"analysis.{m.name}" for m in pkgutil.iter_modules(analysis.__path__))
    code = f"import sys, {modules}; sys.exit(1 if 'torch' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
