"""``quals-bench reproduce --preset tiny_hf --data DIR`` end to end on a small XSum-shaped
folder made here (document and summary fields, no fact tables), offline: as JSONL files and as
a ``save_to_disk`` folder; and bad data through ``reproduce``, each a one-line error."""

import json

import pytest

from experiments.pipeline.reproduce import main
from experiments.pipeline.graph import build_stages

SYSTEMS = ("mle", "rouge_conseq", "quals_conseq")
METRICS = ("rouge1", "rouge2", "rougeL", "factcc", "qags", "quals")
ORACLE_KEYS = ("hallucination_rate", "intrinsic", "extrinsic", "unverifiable", "faithful",
               "not_faithful", "hallucinated_fact_rate", "facts_per_summary", "fact_precision",
               "initial_supported", "initial_wrong_entity", "initial_invented_entity")
SIZES = {"train": 24, "validation": 6, "test": 6}


@pytest.fixture(scope="module")
def xsum_rows(corpus_dir):
    """XSum-shaped rows per split: only ``document`` and ``summary`` of the fixture corpus's
    documents (no ids, no fact tables)."""
    lines = [json.loads(line) for line in (corpus_dir / "train.jsonl").open()]
    rows, start = {}, 0
    for split, n in SIZES.items():
        rows[split] = [{"document": r["document"], "summary": r["summary"]}
                       for r in lines[start:start + n]]
        start += n
    return rows


def write_jsonl_folder(root, rows):
    """``{split}.jsonl`` files of ``rows`` in the folder ``root``; return it."""
    root.mkdir()
    for split, split_rows in rows.items():
        (root / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in split_rows))
    return root


def reproduce(data, out, *sets):
    """Run ``reproduce --preset tiny_hf`` on ``data``; return results.json."""
    argv = ["--preset", "tiny_hf", "--data", str(data), "--out", str(out), "--wandb", "disabled"]
    assert main([*argv, *(a for s in sets for a in ("--set", s))]) == 0
    return json.loads((out / "results.json").read_text())


def check_schema(results, out):
    """Every system has the six metrics (a number, or null with a sentinel count), and no
    oracle figure is there, not even as a placeholder."""
    assert set(results["systems"]) == set(SYSTEMS)
    for name, system in results["systems"].items():
        for metric in METRICS:
            value = system[metric]
            assert isinstance(value, float) or (value is None and system[f"{metric}_sentinel"])
        assert not set(ORACLE_KEYS) & set(system), name
        assert set(system["ci"]) == set(METRICS)
    assert not {"metric_auroc", "metric_auroc_system_outputs", "metric_auroc_test_outputs",
                "reading_probe",
                "reference"} & set(results)
    assert results["skipped"] == ["validity", "system_validity", "reading_probe", "reference"]
    assert results["data"]["rows"] == SIZES and not results["data"]["has_facts"]
    assert set(results["significance_vs_mle"]) == {"rouge_conseq", "quals_conseq"}
    md = (out / "results.md").read_text()
    assert md.startswith("| system |") and "Skipped on " in md and "no fact tables" in md
    for name in SYSTEMS:
        rows = [json.loads(l) for l in (out / "eval" / name / "scores" / "test.jsonl").open()]
        assert len(rows) == SIZES["test"] and "oracle_verdict" not in rows[0]


def test_tiny_hf_on_jsonl_files(tmp_path, xsum_rows):
    data = write_jsonl_folder(tmp_path / "xsum", xsum_rows)
    results = reproduce(data, tmp_path / "out")
    check_schema(results, tmp_path / "out")
    assert (results["preset"], results["data"]["source"]) == ("tiny_hf", "jsonl")
    corpus = [json.loads(l) for l in (tmp_path / "out" / "corpus" / "test.jsonl").open()]
    assert [(r["document"], r["summary"]) for r in corpus] == \
        [(r["document"], r["summary"]) for r in xsum_rows["test"]]
    manifest = json.loads((tmp_path / "out" / "models" / "tiny_hf.json").read_text())
    assert sorted(manifest["models"]) == ["factcc", "qa", "qagen", "qg", "summarizer"]
    assert (tmp_path / "out" / "config.yaml").read_text().startswith(
        f"# quals-bench reproduce --preset tiny_hf --world xsum --data {data}")
    from analysis.analyze import main as analyze

    assert analyze([str(tmp_path / "out"), "--out", str(tmp_path / "report")]) == 0
    assert "## Results" in (tmp_path / "report" / "report.md").read_text()


def test_tiny_hf_on_a_save_to_disk_folder_with_the_summarizer_as_it_is(tmp_path, xsum_rows):
    import datasets

    data = tmp_path / "xsum_disk"
    datasets.DatasetDict({split: datasets.Dataset.from_list(rows)
                          for split, rows in xsum_rows.items()}).save_to_disk(data)
    out = tmp_path / "out"
    results = reproduce(data, out, "training.mle_epochs=0")
    check_schema(results, out)
    assert results["data"]["source"] == "hf"
    marker = json.loads((out / ".stages" / "mle.json").read_text())
    assert marker["result"]["trained"] is False


def _error(argv) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(["--preset", "tiny_hf", "--wandb", "disabled", *argv])
    message = str(exit_info.value.code)
    assert message.startswith("error: ") and "\n" not in message
    return message.removeprefix("error: ")


def test_bad_data_through_reproduce_is_one_line(tmp_path, xsum_rows):
    out = ["--out", str(tmp_path / "out")]
    root = write_jsonl_folder(tmp_path / "nosplit", xsum_rows)
    (root / "validation.jsonl").unlink()
    assert _error(["--data", str(root), *out]) == (
        f"{root}/validation.jsonl: missing split 'validation' (expected train.jsonl, "
        f"validation.jsonl, test.jsonl in {root})")
    rows = {**xsum_rows, "train": [*xsum_rows["train"][:2], {"summary": "A summary."}]}
    root = write_jsonl_folder(tmp_path / "nodoc", rows)
    assert _error(["--data", str(root), *out]) == f"{root}/train.jsonl:3: field 'document': missing"
    rows = {**xsum_rows, "test": [xsum_rows["test"][0], {"document": "A text.", "summary": " "}]}
    root = write_jsonl_folder(tmp_path / "nosum", rows)
    assert _error(["--data", str(root), *out]) == f"{root}/test.jsonl:2: field 'summary': empty text"
    good = write_jsonl_folder(tmp_path / "good", xsum_rows)
    missing = tmp_path / "models" / "qagen"
    assert _error(["--data", str(good), *out, "--set", f"data.models.qagen={missing}"]) == (
        f"data.models.qagen: {missing}: no such file or folder")


def test_the_tiny_hf_preset_needs_data(tmp_path):
    assert _error(["--out", str(tmp_path / "out")]) == (
        "presets/tiny_hf.yaml: data.path: missing: models and tiny_hf are for your own data "
        "(--data DIR)")


def test_a_workbench_checkpoint_as_the_summarizer(tmp_path, tokenizer_dir):
    """A ``.ckpt`` summarizer gives the MLE and ConSeq stages its own model settings and
    tokenizer; the MLE starts from its weights, ConSeq from the MLE's."""
    from experiments.presets import load_config
    from experiments.pipeline.training_stages import training_args
    from lightning_modules.models.mle import MLEModule
    from tests.test_evaluation_callback import save_untrained

    ckpt = save_untrained(MLEModule(tokenizer=str(tokenizer_dir)), tmp_path / "mle.ckpt")
    cfg = load_config("tiny_hf", data=str(tmp_path / "data"),
                      sets=[f"data.models.summarizer={ckpt}"])
    from experiments.pipeline.settings import checkpoint
    from experiments.pipeline.stages import resolve

    built = build_stages(tmp_path / "out", cfg, "disabled")
    made = {s.name: {"checkpoint": checkpoint(tmp_path / "out", s.name)} for s in built}
    stages = {s.name: resolve(s.settings, made) for s in built}
    mle, conseq = training_args(stages["mle"]), training_args(stages["quals_conseq"])

    def value(args, key):
        return args[args.index(f"--{key}") + 1]

    assert value(mle, "model.init_args.init_checkpoint") == ckpt
    assert value(conseq, "model.init_args.init_checkpoint").endswith("runs/mle/checkpoints/last.ckpt")
    for args in (mle, conseq):
        assert value(args, "model.init_args.model") == "tiny"
        assert value(args, "model.init_args.copy_head") == "true"
        assert value(args, "model.init_args.tokenizer") == str(tokenizer_dir)
    assert stages["scores"]["qagen"] == str(tmp_path / "out" / "models" / "qagen")
