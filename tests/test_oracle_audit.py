"""The oracle against real model outputs labelled by reading them (tests/data/oracle_audit.jsonl;
guidelines in tests/data/oracle_audit_guidelines.md; drawn by
``python -m experiments.diagnostics.oracle_audit sample``)."""

import json
from pathlib import Path

import pytest

from experiments.diagnostics.oracle_audit import agreement

AUDIT = Path(__file__).parent / "data" / "oracle_audit.jsonl"


@pytest.fixture(scope="module")
def items():
    return [json.loads(line) for line in AUDIT.read_text(encoding="utf-8").splitlines()]


def test_the_audit_set_is_real_labelled_model_output(items):
    assert len(items) >= 150
    sources = {i["source"].split("/")[-1] for i in items}
    assert {"mle", "quals_conseq", "rouge_conseq", "candidates"} <= sources
    assert len({i["source"].split("/")[0] for i in items}) >= 2  # several checkpoints
    for item in items:
        label = item["label"]
        assert label["faithful"] == (label["readable"] and not label["intrinsic"]
                                     and not label["extrinsic"]), item["item"]
    # every kind of reading occurs: faithful, intrinsic, extrinsic, unreadable
    for key in ("faithful", "intrinsic", "extrinsic"):
        assert any(i["label"][key] for i in items), key
    assert any(not i["label"]["readable"] for i in items)


def test_the_oracle_agrees_with_the_readers(items):
    result = agreement(items)
    assert result["faithful"] >= 0.95, result["disagreements"]
    assert result["intrinsic"] >= 0.90 and result["extrinsic"] >= 0.90, result["disagreements"]
    assert result["all_labels"] >= 0.85
