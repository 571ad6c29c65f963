"""``quals-bench benchmark`` end to end on hand-made files of each format, every statistic
checked against a value worked out by hand; the QAGS files against meta-eval's path; runs
into one DIR merging their scorers; one-line errors; the help."""

import json
import math
from pathlib import Path

import pytest

from experiments.studies.benchmark import main
from tests.test_benchmark_formats import qags_line, write_csv, write_jsonl

QAGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "qags"
FAST = ["--n-resamples", "50"]


def _reject(constant):
    raise ValueError(f"not strict JSON: {constant}")


def run(fmt, path, out, *args):
    """Run the command; return benchmark.json read as strict JSON."""
    assert main([fmt, str(path), "--out", str(out), *FAST, *args]) == 0
    return json.loads((out / "benchmark.json").read_text(), parse_constant=_reject)


def aggrefact_rows():
    """D (cnndm): val 0.1/0, 0.35/0, 0.4/1, 0.8/1; test 0.2/0, 0.5/1, 0.38/0, 0.3/1, 0.9/1.
    E (cnndm): val 0.6/1, 0.2/0; test 0.7/1, 0.1/0, and one row without scores. N is M but
    for D's test row 0.3, which N scores 0.45."""
    cells = [("D", "val", 0.1, 0), ("D", "val", 0.35, 0), ("D", "val", 0.4, 1),
             ("D", "val", 0.8, 1), ("D", "test", 0.2, 0), ("D", "test", 0.5, 1),
             ("D", "test", 0.38, 0), ("D", "test", 0.3, 1), ("D", "test", 0.9, 1),
             ("E", "val", 0.6, 1), ("E", "val", 0.2, 0), ("E", "test", 0.7, 1),
             ("E", "test", 0.1, 0), ("E", "test", "", 1)]
    return [{"dataset": d, "origin": "cnndm", "id": str(i), "doc": f"Document {i}.",
             "summary": f"Summary {i}.", "model_name": "BART", "label": label, "cut": cut,
             "M_score": score, "N_score": 0.45 if (d, cut, score) == ("D", "test", 0.3) else score}
            for i, (d, cut, score, label) in enumerate(cells)]


def test_aggrefact_by_hand(tmp_path):
    path = write_csv(tmp_path / "aggre_fact_final.csv", aggrefact_rows())
    report = run("aggrefact", path, tmp_path / "out", "--score-columns", "M", "N")
    d, e, pooled = (report["results"][k]["M"] for k in ("D-cnndm", "E-cnndm", "AggreFact-CNN"))
    # D: val split best at 0.375; test predictions 0 1 1 0 1: recalls 2/3 and 1/2
    assert d["threshold"] == pytest.approx(0.375) and (d["n_val"], d["n_test"]) == (4, 5)
    assert d["balanced_accuracy"] == pytest.approx(7 / 12) and d["auroc"] == pytest.approx(5 / 6)
    # E: val 0.2/0, 0.6/1 split at 0.4; both test rows right
    assert e["threshold"] == pytest.approx(0.4) and e["balanced_accuracy"] == 1.0
    assert (e["n_test"], e["unscored"]) == (2, 1)
    # pooled: val separated at 0.375; test recalls 3/4 and 2/3; pairs won 11 of 12
    assert pooled["threshold"] == pytest.approx(0.375) and (pooled["n_val"], pooled["n_test"]) \
        == (6, 7)
    assert pooled["balanced_accuracy"] == pytest.approx(17 / 24)
    assert pooled["auroc"] == pytest.approx(11 / 12)
    lo, hi = d["balanced_accuracy_ci"]
    assert lo <= 7 / 12 <= hi
    # N gets D's 0.3 right too: recalls 1 and 1/2
    assert report["results"]["D-cnndm"]["N"]["balanced_accuracy"] == pytest.approx(0.75)
    change = report["comparisons"]["D-cnndm"]["N vs M"]["balanced_accuracy"]
    assert change["difference"] == pytest.approx(0.75 - 7 / 12) and change["n"] == 5
    out = tmp_path / "out"
    assert "| M |" in (out / "benchmark.md").read_text()
    assert (out / "benchmark.png").stat().st_size > 0
    lines = [json.loads(l) for l in (out / "scores.jsonl").read_text().splitlines()]
    assert len(lines) == 14 and lines[0]["scores"] == {"M": 0.1, "N": 0.1}
    assert lines[13]["scores"] == {"M": None, "N": None}


def llm_rows():
    """Datasets A and B, dev and test rows, one score column ``M``."""
    rows = [("A", "dev", 0.35, 1), ("A", "dev", 0.32, 0), ("A", "test", 0.6, 1),
            ("A", "test", 0.4, 1), ("A", "test", 0.3, 0), ("A", "test", 0.7, 0),
            ("B", "dev", 0.8, 1), ("B", "dev", 0.1, 0), ("B", "test", 0.9, 1),
            ("B", "test", 0.2, 0)]
    return [{"dataset": d, "doc": "Doc.", "claim": f"Claim {i}.", "label": label, "split": split,
             "M_score": score} for i, (d, split, score, label) in enumerate(rows)]


def test_llm_aggrefact_fixed_and_tuned_thresholds(tmp_path):
    path = write_csv(tmp_path / "llm.csv", llm_rows())
    fixed = run("llm-aggrefact", path, tmp_path / "a", "--score-columns", "M")
    # at 0.5, A's test predictions 1 0 0 1: recalls 1/2, 1/2; B's both right
    assert fixed["results"]["A"]["M"]["balanced_accuracy"] == pytest.approx(0.5)
    assert fixed["results"]["A"]["M"]["threshold"] == 0.5
    assert fixed["results"]["A"]["M"]["n_val"] == 0
    assert fixed["mean"]["M"]["balanced_accuracy"] == pytest.approx(0.75)
    tuned = run("llm-aggrefact", path, tmp_path / "b", "--score-columns", "M", "--dev-split", "dev")
    # A's dev: 0.32/0, 0.35/1 -> 0.335; test 1 1 0 1: recalls 1, 1/2. B's dev -> 0.45
    assert tuned["results"]["A"]["M"]["threshold"] == pytest.approx(0.335)
    assert tuned["results"]["A"]["M"]["balanced_accuracy"] == pytest.approx(0.75)
    assert tuned["results"]["B"]["M"]["threshold"] == pytest.approx(0.45)
    assert tuned["mean"]["M"]["balanced_accuracy"] == pytest.approx(0.875)
    other = run("llm-aggrefact", path, tmp_path / "c", "--score-columns", "M",
                "--threshold", "0.65")
    # A: 0 0 0 1 -> recalls 0 and 1/2
    assert other["results"]["A"]["M"]["balanced_accuracy"] == pytest.approx(0.25)
    assert other["mean"]["M"]["balanced_accuracy"] == pytest.approx(0.625)


def summac_folder(root):
    """Two SummaC datasets under ``root`` with one score column ``M``; return ``root``."""
    root.mkdir()
    rows = {"xsumfaith": [(0.2, 0, "val"), (0.6, 1, "val"), (0.5, 1, "test"), (0.3, 0, "test"),
                          (0.45, 0, "test")],
            "polytope": [(0.9, 1, "val"), (0.7, 1, "val"), (0.1, 0, "val"), (0.35, 1, "test"),
                         (0.5, 0, "test"), (0.95, 1, "test"), (0.05, 0, "test")]}
    for name, cells in rows.items():
        write_jsonl(root / f"{name}.jsonl", [
            {"document": f"The document of {name}. It says {i}.", "claim": f"It says {i}.",
             "label": label, "cut": cut, "M_score": score}
            for i, (score, label, cut) in enumerate(cells)])
    return root


def test_summac_by_hand(tmp_path):
    report = run("summac", summac_folder(tmp_path / "summac"), tmp_path / "out",
                 "--score-columns", "M")
    x, p = report["results"]["xsumfaith"]["M"], report["results"]["polytope"]["M"]
    # xsumfaith: threshold 0.4; test 1 0 1: recalls 1 and 1/2; 0.5 beats both negatives
    assert (x["threshold"], x["balanced_accuracy"], x["auroc"]) == pytest.approx((0.4, 0.75, 1))
    # polytope: val 0.1/0 | 0.7/1, 0.9/1 -> 0.4; test 0 1 1 0: recalls 1/2, 1/2; pairs 3 of 4
    assert (p["threshold"], p["balanced_accuracy"], p["auroc"]) == pytest.approx((0.4, 0.5, .75))
    assert report["mean"]["M"]["balanced_accuracy"] == pytest.approx(0.625)
    assert report["mean"]["M"]["auroc"] == pytest.approx(0.875)
    assert list(report["results"]) == ["polytope", "xsumfaith"]


def test_true_by_hand(tmp_path):
    (tmp_path / "true").mkdir()
    (tmp_path / "true" / "mnbm.csv").write_text(
        ",grounding,generated_text,label,M_score\n" + "".join(
            f"{i},Doc {i}.,Text {i}.,{label},{score}\n"
            for i, (score, label) in enumerate([(0.9, 1), (0.4, 1), (0.6, 0), (0.1, 0), (0.4, 0)])))
    (tmp_path / "true" / "paws.csv").write_text(
        "grounding,generated_text,label,M_score\nA.,B.,1,0.2\nC.,D.,0,0.8\n")
    report = run("true", tmp_path / "true", tmp_path / "out", "--score-columns", "M")
    # 0.9 beats 3 negatives, 0.4 beats 0.1 and ties 0.4: 4.5 of 6 pairs
    assert report["results"]["mnbm"]["M"]["auroc"] == pytest.approx(0.75)
    assert report["results"]["mnbm"]["M"]["n"] == 5
    assert report["results"]["paws"]["M"]["auroc"] == 0.0
    assert report["mean"]["M"]["auroc"] == pytest.approx(0.375)


def test_frank_by_hand(tmp_path):
    folder = tmp_path / "frank"
    folder.mkdir()
    cells = [("A", 1.0, 0.9), ("A", 0.5, 0.6), ("A", 0.0, 0.3), ("B", 1.0, 0.2), ("B", 0.0, 0.4),
             ("B", 0.5, 0.0)]
    (folder / "benchmark_data.json").write_text(json.dumps([
        {"hash": f"h{i}", "model_name": m, "article": f"Article {i}.", "summary": f"S {i}.",
         "reference": "R.", "M_score": score, "N_score": [0.1, 0.5, 0.2, 0.9, 0.3, 0.4][i]}
        for i, (m, _, score) in enumerate(cells)]))
    (folder / "human_annotations.json").write_text(json.dumps([
        {"hash": f"h{i}", "model_name": m, "dataset": "cnndm", "Factuality": human,
         "split": "test"} for i, (m, human, _) in enumerate(cells)]))
    report = run("frank", folder, tmp_path / "out", "--score-columns", "M", "N")
    m = report["results"]["all"]["M"]
    # raw: deviations x (.5 .2 -.1 -.2 0 -.4), y (.5 0 -.5 .5 -.5 0): 0.2 / sqrt(0.5 * 1)
    assert m["pearson"] == pytest.approx(0.2 / math.sqrt(0.5))
    # ranks x (6 5 3 2 4 1), y (5.5 3.5 1.5 5.5 1.5 3.5): 2 / sqrt(17.5 * 16)
    assert m["spearman"] == pytest.approx(2 / math.sqrt(280))
    # minus each system's mean: x (.3 0 -.3 0 .2 -.2), y (.5 0 -.5 .5 -.5 0): 0.2 / sqrt(.26)
    assert m["partial_pearson"] == pytest.approx(0.2 / math.sqrt(0.26))
    # ranks minus each system's mean rank: 2 / sqrt(28/3 * 16)
    assert m["partial_spearman"] == pytest.approx(2 / math.sqrt(448 / 3))
    assert report["results"]["cnndm"]["M"]["pearson"] == m["pearson"]
    tests = report["comparisons"]["all"]
    assert tests["williams"]["M>N"] + tests["williams"]["N>M"] == pytest.approx(1)
    assert tests["partial_williams"]["M>N"] + tests["partial_williams"]["N>M"] == pytest.approx(1)


def test_qags_by_hand(tmp_path):
    (tmp_path / "qags").mkdir()
    write_jsonl(tmp_path / "qags" / "mturk_cnndm.jsonl", [
        qags_line([("yes", "yes", "no")], M_score=0.8),                 # human 1
        qags_line([("yes", "yes", "no"), ("no", "no", "no")], M_score=0.5),  # 1/2
        qags_line([("no", "yes", "no")], M_score=0.1),                  # 0
        qags_line([("yes", "yes", "yes")], M_score=0.6)])               # 1
    m = run("qags", tmp_path / "qags", tmp_path / "out", "--score-columns", "M")[
        "results"]["mturk_cnndm"]["M"]
    # x - 0.5 = (.3 0 -.4 .1), y - .625 = (.375 -.125 -.625 .375): 0.4 / sqrt(.26 * .6875)
    assert m["pearson"] == pytest.approx(0.4 / math.sqrt(0.26 * 0.6875))
    # ranks (4 2 1 3) and (3.5 2 1 3.5): 4.5 / sqrt(5 * 4.5)
    assert m["spearman"] == pytest.approx(4.5 / math.sqrt(22.5))


class Length:
    """A scorer for meta-eval's path: the summary's length in words."""

    name = "len"

    def score(self, documents, summaries, references=None):
        """Words per summary."""
        from lightning_modules.metrics.base import ScoreResult

        return ScoreResult({"len": [float(len(s.split())) for s in summaries]})


def test_qags_files_give_meta_evals_correlations(tmp_path):
    if not QAGS.exists():
        pytest.skip("../shared/data/qags is not present")
    import numpy as np

    from analysis.correlate_cli import correlate
    from analysis.qags_data import read_qags
    from experiments.studies.meta_eval import score_rows

    (tmp_path / "qags").mkdir()
    for path in sorted(QAGS.glob("mturk_*.jsonl")):
        lines = [json.loads(l) for l in path.read_text().splitlines()]
        for line in lines:  # columns made here: the summary's length in words, in sentences
            line["len_score"] = len(" ".join(s["sentence"] for s in line["summary_sentences"])
                                    .split())
            line["sentences_score"] = len(line["summary_sentences"])
        write_jsonl(tmp_path / "qags" / path.name, lines)
    report = run("qags", tmp_path / "qags", tmp_path / "out", "--score-columns", "len",
                 "sentences")
    assert set(report["results"]) == {"mturk_cnndm", "mturk_xsum"}
    for path in sorted(QAGS.glob("mturk_*.jsonl")):  # meta-eval: score_rows, then correlate
        rows = read_qags(path)
        score_rows(rows, {"len": (Length(), "len")})
        for row in rows:
            row["sentences"] = len(row["sentences"])
        table = [{k: r[k] for k in ("id", "human", "len", "sentences")} for r in rows]
        expected = correlate(table, "human", ["len"], None, np.random.default_rng(0), 50)["len"]
        got = report["results"][path.stem]["len"]
        for statistic in ("n", "pearson", "spearman", "kendall", "pearson_p", "spearman_p",
                          "pearson_ci"):
            assert got[statistic] == expected[statistic], (path.stem, statistic)
        both = correlate(table, "human", ["len", "sentences"], None, np.random.default_rng(0), 50)
        got = {k: math.nan if v is None else v  # XSum: one sentence each, a constant column
               for k, v in report["comparisons"][path.stem]["williams"].items()}
        assert got == pytest.approx(both["williams"], nan_ok=True)


def test_a_later_run_adds_a_scorer_without_rescoring(tmp_path):
    folder = summac_folder(tmp_path / "summac")
    out = tmp_path / "out"
    first = run("summac", folder, out, "--score-columns", "M")
    for path in folder.glob("*.jsonl"):  # the column is gone: M must come from scores.jsonl
        rows = [json.loads(l) for l in path.read_text().splitlines()]
        write_jsonl(path, [{k: v for k, v in r.items() if k != "M_score"} for r in rows])
    second = run("summac", folder, out, "--metric", "rouge")
    assert second["scorers"] == ["M", "rouge1", "rouge2", "rougeL"]
    assert second["results"]["xsumfaith"]["M"] == first["results"]["xsumfaith"]["M"]
    from lightning_modules.metrics.rouge import RougeScorer

    lines = [json.loads(l) for l in (out / "scores.jsonl").read_text().splitlines()]
    rows = [json.loads(l) for l in (folder / "polytope.jsonl").read_text().splitlines()]
    expected = RougeScorer().score([r["document"] for r in rows], [r["claim"] for r in rows],
                                   [r["document"] for r in rows]).scores["rougeL"]
    assert [line["scores"]["rougeL"] for line in lines[:len(rows)]] == pytest.approx(expected)


@pytest.mark.parametrize("label, cut, message", [
    ("2", "val", "row 2: field 'label': expected 0 or 1, got '2'"),
    ("1", "", "row 2: field 'cut': missing"),
])
def test_format_errors_exit_with_one_line(tmp_path, label, cut, message):
    rows = [{"dataset": "D", "origin": "xsum", "id": "1", "doc": "D.", "summary": "S.",
             "model_name": "T5", "label": "1", "cut": "val", "M_score": "0.1"}] * 2
    path = write_csv(tmp_path / "aggre_fact_final.csv", [rows[0], {**rows[1], "label": label,
                                                                    "cut": cut}])
    with pytest.raises(SystemExit) as err:
        main(["aggrefact", str(path), "--out", str(tmp_path / "out"), "--score-columns", "M"])
    assert str(err.value) == f"error: {path}: {message}"
    write_csv(path, [{k: v for k, v in rows[0].items() if k != "doc"}])
    with pytest.raises(SystemExit, match=r"^error: .*: row 1: field 'doc': missing$"):
        main(["aggrefact", str(path), "--out", str(tmp_path / "out"), "--score-columns", "M"])


def test_nothing_to_report(tmp_path):
    folder = summac_folder(tmp_path / "summac")
    with pytest.raises(SystemExit, match="no scores: give --score-columns or --metric"):
        main(["summac", str(folder), "--out", str(tmp_path / "out")])


def test_help_documents_every_format_and_option(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for name in ("aggrefact", "llm-aggrefact", "summac", "true", "frank", "qags",
                 "aggre_fact_final.csv", "benchmark_data.json", "human_annotations.json",
                 "grounding", "generated_text", "claim, label, cut", "mturk_{cnndm,xsum}.jsonl"):
        assert name in text, name
    from experiments.studies.benchmark import build_parser

    for action in build_parser()._actions:
        if action.option_strings and action.dest != "help":
            assert "default" in (action.help or "") or action.required, action.dest
