"""Metric validity's items and settings: the split it reads and the run settings it takes."""

import json
from argparse import Namespace


def test_items_read_the_named_split_with_one_faithful_row_per_document(corpus_dir):
    from experiments.studies.metric_validity import items

    for split in ("test", "validation"):
        docs = [json.loads(line) for line in (corpus_dir / f"{split}.jsonl").open()][:3]
        rows = items(corpus_dir, 3, split)
        faithful = [r for r in rows if r["type"] == "faithful"]
        assert [r["document"] for r in faithful] == [d["document"] for d in docs]
        assert len(rows) == sum(1 + len(d["corruptions"]) for d in docs)
        assert {r["label"] for r in rows if r["type"] != "faithful"} == {1}


def test_wrong_documents_pair_each_summary_with_the_next_document(corpus_dir):
    from experiments.studies.metric_validity import items

    docs = [json.loads(line) for line in (corpus_dir / "test.jsonl").open()][:3]
    right, wrong = items(corpus_dir, 3), items(corpus_dir, 3, wrong_documents=True)
    assert [r["summary"] for r in wrong] == [r["summary"] for r in right]
    faithful = [r for r in wrong if r["type"] == "faithful"]
    assert [r["document"] for r in faithful] == [docs[1]["document"], docs[2]["document"],
                                                 docs[0]["document"]]
    assert [r["reference"] for r in faithful] == [d["summary"] for d in docs]


def test_settings_come_from_a_run_config_and_the_qg_format_overrides(tmp_path, monkeypatch):
    import experiments.studies.metric_validity as mv

    from experiments.config_tree import plain
    from experiments.presets import load_config, write_config

    seen = {}
    monkeypatch.setattr(mv, "load_scorers", lambda *args, **kw: seen.update(kw) or {})
    run = load_config("default", sets=["quals.num_beams=10", "quals.num_beam_groups=10",
                                       "qags.qg_beams=4"])
    config = tmp_path / "config.yaml"
    write_config(run, config, header="a run's resolved config")
    base = dict(qagen=None, factcc=None, qg=None, qa=None, quals_beams=60)
    mv.build_scorers(Namespace(**base, config=str(config), qg_format="{answer} | {passage}"))
    assert seen["quals"] == plain(run.quals) and seen["quals"]["num_beams"] == 10
    assert seen["qags"] == {**plain(run.qags), "qg_format": "{answer} | {passage}"}
    assert seen["qags"]["qg_beams"] == 4
    mv.build_scorers(Namespace(**base, config=None, qg_format=None))
    assert seen["quals"] == {"num_beams": 60, "num_beam_groups": 60} and seen["qags"] is None
