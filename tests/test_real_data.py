"""The real-data path: a user's splits in every form, checkpoint resolution, the tiny Hugging
Face checkpoints, and ConSeq stage by stage (candidates, select), all offline."""

import csv
import json

import pytest

from lightning_modules.data.readers import DataError
from lightning_modules.data.splits import SPLITS, load_splits

ROWS = {split: [{"id": f"{split}-{i}", "document": f"The {split} document {i}. It goes on.",
                 "summary": f"Summary {i} of {split}."} for i in range(3)] for split in SPLITS}


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def write_form(root, form: str, rows=ROWS, fields=("document", "summary")):
    """Write ``rows`` as a ``form`` folder (jsonl, csv, disk) with the given field names."""
    rename = lambda r: {"id": r["id"], fields[0]: r["document"], fields[1]: r["summary"],  # noqa
                        **({"facts": r["facts"]} if "facts" in r else {})}
    root.mkdir()
    if form == "disk":
        import datasets

        datasets.DatasetDict({s: datasets.Dataset.from_list([rename(r) for r in rs])
                              for s, rs in rows.items()}).save_to_disk(root)
    for split, split_rows in rows.items():
        if form == "jsonl":
            write_jsonl(root / f"{split}.jsonl", [rename(r) for r in split_rows])
        elif form == "csv":
            with open(root / f"{split}.csv", "w", newline="") as f:
                writer = csv.DictWriter(f, ["id", *fields])
                writer.writeheader()
                writer.writerows(rename(r) for r in split_rows)
    return root


@pytest.mark.parametrize("form, fields", [("jsonl", ("document", "summary")),
                                          ("csv", ("article", "highlights")),
                                          ("disk", ("text", "abstract"))])
def test_every_form_gives_the_same_rows(tmp_path, form, fields):
    root = write_form(tmp_path / "data", form, fields=fields)
    data = load_splits(str(root), document_field=fields[0], summary_field=fields[1])
    assert data.source == {"disk": "hf"}.get(form, form)
    assert data.rows == ROWS
    assert data.report() == {"data": str(root), "source": data.source,
                             "rows": {"train": 3, "validation": 3, "test": 3},
                             "facts": {"train": 0, "validation": 0, "test": 0},
                             "has_facts": False, "skipped": {}}
    assert load_splits(str(root), fields[0], fields[1], splits=("test",), limit=2).rows == \
        {"test": ROWS["test"][:2]}


def test_fact_tables_are_kept_and_reported(tmp_path, corpus_dir):
    rows = {s: [{**r, "facts": {"roles": {}}} for r in rs] for s, rs in ROWS.items()}
    rows["test"][1].pop("facts")
    data = load_splits(str(write_form(tmp_path / "data", "jsonl", rows)))
    assert data.rows["train"][0]["facts"] == {"roles": {}}
    assert data.facts() == {"train": 3, "validation": 3, "test": 2} and not data.has_facts
    assert load_splits(str(corpus_dir), limit=4).has_facts  # the synthetic corpus has them all


def test_a_hub_name_goes_through_load_dataset(monkeypatch):
    """A name that is no local folder is loaded with ``datasets.load_dataset`` (its local cache
    when offline), with the dataset's known config and field names."""
    import datasets

    calls = []
    table = datasets.Dataset.from_dict({"article": ["A text."], "highlights": ["A."]})
    monkeypatch.setattr(datasets, "load_dataset",
                        lambda *a, **k: calls.append((a, k)) or table)
    data = load_splits("abisee/cnn_dailymail")
    assert calls == [(("abisee/cnn_dailymail", "3.0.0"), {"split": s}) for s in SPLITS]
    assert data.rows["test"] == [{"id": "0", "document": "A text.", "summary": "A."}]


def _message(data, **kwargs) -> str:
    with pytest.raises(DataError) as err:
        load_splits(str(data), **kwargs)
    assert "\n" not in str(err.value)
    return str(err.value)


def test_bad_data_is_one_line_naming_file_line_and_field(tmp_path):
    assert _message(tmp_path / "nope") == f"{tmp_path}/nope: no such folder"
    (tmp_path / "empty").mkdir()
    assert _message(tmp_path / "empty") == (
        f"{tmp_path}/empty: no train/validation/test .jsonl or .csv files, and no "
        "dataset_dict.json (a datasets save_to_disk folder)")
    root = write_form(tmp_path / "nosplit", "jsonl")
    (root / "validation.jsonl").unlink()
    assert _message(root) == (f"{root}/validation.jsonl: missing split 'validation' (expected "
                              f"train.jsonl, validation.jsonl, test.jsonl in {root})")
    root = write_form(tmp_path / "nodoc", "jsonl")
    write_jsonl(root / "train.jsonl", [ROWS["train"][0], {"id": "x", "summary": "S."}])
    assert _message(root) == f"{root}/train.jsonl:2: field 'document': missing"
    root = write_form(tmp_path / "nosum", "csv", fields=("article", "highlights"))
    (root / "test.csv").write_text('id,article,highlights\n1,"A text.","A."\n2,"B text.", \n')
    assert _message(root, document_field="article", summary_field="highlights") == \
        f"{root}/test.csv:3: field 'highlights': empty text"
    root = write_form(tmp_path / "disk", "disk", {"train": ROWS["train"], "test": ROWS["test"]})
    assert _message(root) == f"{root}: missing split 'validation'"


def test_an_uncached_hub_name_offline_is_one_line():
    assert _message("no-such-dataset-xyz", splits=("train",)) == (
        "no-such-dataset-xyz: split 'train': no such folder, and datasets.load_dataset failed: "
        "Couldn't reach 'no-such-dataset-xyz' on the Hub (OfflineModeIsEnabled)")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, corpus_dir):
    """``quals-bench tiny-hf`` with its tokenizer trained on the fixture corpus."""
    from experiments.tiny_hf import main

    out = tmp_path_factory.mktemp("tiny_hf")
    assert main(["--out", str(out), "--data", str(corpus_dir), "--vocab-size", "400"]) == 0
    return out


def test_tiny_hf_writes_checkpoints_the_modules_and_scorers_load(tiny):
    from lightning_modules.metrics.registry import build_scorer, metric_config
    from lightning_modules.models.factcc import FactCCModule
    from lightning_modules.models.loading import load_summarizer, resolve_model
    from lightning_modules.text import QA_SEP

    manifest = json.loads((tiny / "tiny_hf.json").read_text())
    models = manifest["models"]
    assert sorted(models) == ["factcc", "qa", "qagen", "qg", "summarizer"]
    assert all(resolve_model(path) == "folder" for path in models.values())
    summarizer = load_summarizer(models["summarizer"])
    assert type(summarizer.model).__name__ == "BartForConditionalGeneration"
    assert QA_SEP in summarizer.tokenizer.get_vocab() and len(summarizer.tokenizer) == 400
    texts = summarizer.summarize(["A firm bought a mill.", "Rain fell."], num_beams=1,
                                 max_length=6, min_length=2)
    assert len(texts) == 2 and all(isinstance(t, str) for t in texts)
    factcc = FactCCModule(model=models["factcc"], tokenizer=models["factcc"])
    assert type(factcc.model).__name__ == "BertForSequenceClassification"
    quals = metric_config("quals", dict(num_beams=2, num_beam_groups=2, max_length=8))
    qags = metric_config("qags", dict(max_answers=1, qg_beams=1, questions_per_answer=1,
                                      qg_max_length=6, qa_max_length=4, extractor="rules"))
    for metric, config in (("quals", quals), ("qags", qags), ("factcc", None)):
        got = build_scorer(metric, models, config).score(["A firm bought a mill."], ["A mill."])
        assert len(got.scores[metric]) == 1, metric


def test_checkpoint_resolution_names_what_is_missing(tmp_path, tokenizer_dir, monkeypatch):
    from lightning_modules.models.loading import load_summarizer, resolve_model
    from lightning_modules.models.mle import MLEModule
    from tests.test_evaluation_callback import save_untrained

    cases = {str(tmp_path / "mle.ckpt"): "no such checkpoint file",
             str(tmp_path / "runs" / "bart"): "no such file or folder",
             "runs/paper/xsum_mle": "no such file or folder",
             str(tmp_path): "not a Hugging Face checkpoint folder (no config.json)",
             "facebook/bart-nonexistent": "no such local folder, and not in the Hugging Face "
                                          "cache (offline); set HF_HUB_OFFLINE=0 to download "
                                          "it"}
    for spec, problem in cases.items():
        with pytest.raises(FileNotFoundError) as err:
            resolve_model(spec)
        assert str(err.value) == f"{spec}: {problem}"
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")  # online, a hub name is left to the hub
    assert resolve_model("facebook/bart-nonexistent") == "hub"
    ckpt = save_untrained(MLEModule(tokenizer=str(tokenizer_dir)), tmp_path / "mle.ckpt")
    assert resolve_model(ckpt) == "lightning"
    assert isinstance(load_summarizer(ckpt), MLEModule)


def test_load_summarizer_reads_a_conseq_checkpoint_in_a_fresh_process(tmp_path, tokenizer_dir):
    import subprocess
    import sys

    from lightning_modules.models.conseq import ConSeqModule
    from tests.test_evaluation_callback import save_untrained

    ckpt = save_untrained(ConSeqModule(tokenizer=str(tokenizer_dir)), tmp_path / "conseq.ckpt")
    import torch

    saved = torch.load(ckpt, weights_only=False)  # as a LightningCLI run saves it: its class named
    saved["hyper_parameters"].update(_class_path="lightning_modules.models.conseq.ConSeqModule",
                                     _instantiator="pytorch_lightning.cli.instantiate_module")
    torch.save(saved, ckpt)
    code = ("from lightning_modules.models.loading import load_summarizer; "
            f"print(type(load_summarizer({str(ckpt)!r})).__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ConSeqModule"


def _cli_json(capsys, argv) -> dict:
    from experiments.cli import main

    assert main(argv) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_candidates_command_end_to_end_and_resumes(tmp_path, capsys, tiny, corpus_dir):
    out = tmp_path / "conseq" / "candidates.jsonl"
    argv = ["candidates", "--model", str(tiny / "summarizer"), "--input",
            str(corpus_dir / "train.jsonl"), "--out", str(out), "--limit", "3",
            "--num-candidates", "2", "--max-length", "6", "--min-length", "2",
            "--batch-size", "2", "--devices", "1"]
    first = _cli_json(capsys, argv)
    assert first == {"documents": 3, "computed": 3, "from_cache": 0, "candidates": str(out),
                     "to_score": str(tmp_path / "conseq" / "candidates.to_score.jsonl")}
    lines = [json.loads(l) for l in out.read_text().splitlines()]
    train = [json.loads(l) for l in (corpus_dir / "train.jsonl").read_text().splitlines()[:3]]
    assert [(l["id"], l["reference"]) for l in lines] == [(r["id"], r["summary"]) for r in train]
    assert all(len(l["candidates"]) == 2 for l in lines)
    to_score = [json.loads(l) for l in open(first["to_score"])]
    assert [r["summary"] for r in to_score[:3]] == [lines[0]["reference"], *lines[0]["candidates"]]
    cache = out.with_name("candidates.jsonl.cache").read_text()
    for source in (["--input", str(corpus_dir / "train.jsonl")], ["--data", str(corpus_dir)]):
        again = _cli_json(capsys, [*argv[:3], *source, *argv[5:]])
        assert again["computed"] == 0 and again["from_cache"] == 3  # a re-run samples nothing
    assert out.with_name("candidates.jsonl.cache").read_text() == cache
    assert [json.loads(l) for l in out.read_text().splitlines()] == lines


# Three documents with two candidates each; QUALS scores (reference first, then candidates)
# chosen so the selection can be checked by hand: negatives are each document's second
# candidate (0.2, 0.4, 0.3), the bottom half by np.quantile is A and C; positives are the
# references (0.9, 0.5, 0.1), the top half is A and B. Intersection: A; union: A, B, C.
CANDIDATES = [{"id": d, "document": f"Document {d}.", "reference": f"Reference {d}.",
               "candidates": [f"Good {d}.", f"Bad {d}."]} for d in "ABC"]
QUALS = {"A": (0.9, 0.8, 0.2), "B": (0.5, 0.6, 0.4), "C": (0.1, 0.7, 0.3)}


def scored_folder(root):
    """Candidates, their scoring input, QUALS scores by hand and ROUGE by the real scorer."""
    from experiments.pipeline.conseq_stages import scoring_input
    from experiments.score import score_file
    from lightning_modules.metrics.rouge import RougeScorer

    root.mkdir()
    write_jsonl(root / "candidates.jsonl", CANDIDATES)
    scoring_input(root / "candidates.jsonl", root / "to_score.jsonl")
    lines = [json.loads(l) for l in open(root / "to_score.jsonl")]
    values = [v for d in "ABC" for v in QUALS[d]]
    (root / "scores").mkdir()
    write_jsonl(root / "scores" / "quals.jsonl",
                [{**l, "score": v, "scores": {"quals": v}} for l, v in zip(lines, values)])
    score_file(RougeScorer(), {"metric": "rouge"}, root / "to_score.jsonl",
               root / "scores" / "rouge.jsonl", log=lambda *_: None, devices=1)
    return root


def test_select_command_end_to_end(tmp_path, capsys):
    root = scored_folder(tmp_path / "conseq")
    common = ["select", "--candidates", str(root / "candidates.jsonl"),
              "--scores", str(root / "scores"), "--quantile", "0.5"]
    result = _cli_json(capsys, [*common, "--out", str(root / "paper")])
    assert result["quals"] == {"documents": 3, "rows": 1, "positives": 1, "negatives": 1,
                               "pairs_path": str(root / "paper" / "quals" / "pairs.jsonl")}
    pairs = [json.loads(l) for l in open(result["quals"]["pairs_path"])]
    assert pairs == [{"id": "A", "document": "Document A.", "positive": "Reference A.",
                      "negative": "Bad A.", "negative_spans": []}]  # no QUALS pair found in it
    assert result["rouge"]["documents"] == 3 and (root / "paper" / "rouge" / "table.jsonl").exists()
    union = _cli_json(capsys, [*common, "--mode", "union", "--ranker", "quals",
                               "--out", str(root / "union")])
    assert set(union) == {"quals"}
    pairs = [json.loads(l) for l in open(union["quals"]["pairs_path"])]
    assert [(p["id"], p["positive"], p["negative"]) for p in pairs] == [
        ("A", "Reference A.", "Bad A."), ("B", "Reference B.", None), ("C", None, "Bad C.")]
