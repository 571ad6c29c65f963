"""The QAGS scorer: aggregation over questions with known answers, filtering, the sentinel,
span selection of extractive QA, and the whole path with tiny seq2seq checkpoints."""

import pytest
import torch

from lightning_modules.metrics.qa_models import ExtractiveQA
from lightning_modules.metrics.qags import QagsConfig, QagsScorer


class LookupQA:
    """Answers by looking the question up per passage (a stand-in with known answers)."""

    def __init__(self, table):
        self.table = table

    def answer(self, questions, passages):
        return [self.table.get((q, p), "") for q, p in zip(questions, passages)]


def scorer_with(questions_by_source, qa_table, **cfg):
    scorer = QagsScorer.__new__(QagsScorer)
    scorer.cfg = QagsConfig(extractor="rules", **cfg)
    scorer.qg = lambda sources: [questions_by_source.get(s.split(" <qa_sep> ")[0], ["?"])
                                 for s in sources]
    scorer.qa = LookupQA(qa_table)
    scorer.timings = {}
    return scorer


def test_mean_f1_over_kept_questions():
    summary, document = "Kestrel Foundry bought Obsidian Textiles.", "Halcyon Energy bought Obsidian Textiles."
    qg = {"Kestrel Foundry": ["Who bought the firm? extra", "Who?"],
          "Obsidian Textiles": ["Which firm was bought?", "Which firm was bought?"]}
    qa = {("Who bought the firm?", summary): "Kestrel Foundry",
          ("Who bought the firm?", document): "Halcyon Energy",
          ("Which firm was bought?", summary): "Obsidian Textiles",
          ("Which firm was bought?", document): "the Obsidian Textiles"}
    scorer = scorer_with(qg, qa, questions_per_answer=2)
    scorer.timings = __import__("collections").defaultdict(float)
    result = scorer.score([document], [summary])
    kept = [q["question"] for q in result.explanations[0]["questions"]]
    assert kept == ["Who bought the firm?", "Which firm was bought?"]  # cut, short, duplicate
    assert result.scores["qags"][0] == pytest.approx((0.0 + 1.0) / 2)


def test_answer_consistency_filter_and_sentinel():
    summary, document = "Kestrel Foundry bought Obsidian Textiles.", "doc"
    qg = {"Kestrel Foundry": ["Who bought the firm?"], "Obsidian Textiles": ["Which firm was it?"]}
    qa = {("Who bought the firm?", summary): "Kestrel Foundry",
          ("Which firm was it?", summary): "Kestrel Foundry"}
    scorer = scorer_with(qg, qa, answer_consistency=0.5)
    scorer.timings = __import__("collections").defaultdict(float)
    result = scorer.score([document, document], [summary, "no answers here."])
    assert [q["question"] for q in result.explanations[0]["questions"]] == ["Who bought the firm?"]
    assert result.scores["qags"] == [0.0, None]


class ScoredQG:
    """QG with beam scores: ``scored`` returns each source's (question, score) list."""

    def __init__(self, table):
        self.table = table

    def scored(self, sources):
        return [self.table.get(s.split(" <qa_sep> ")[0], []) for s in sources]


def test_answer_first_filters_every_candidate_then_ranks_and_caps():
    """The original order: every generated question is answered from the summary, those with
    an empty or mismatched answer go, the rest are ranked by QG score across answers, cleaned,
    deduplicated and capped; only the kept ones are answered from the document."""
    summary, document = "Kestrel Foundry bought Obsidian Textiles.", "doc"
    qg = ScoredQG({"Kestrel Foundry": [("Who bought it?", -0.9), ("Who paid?", -0.1),
                                       ("Who bought it? no", -0.05)],
                   "Obsidian Textiles": [("Which firm was it?", -0.2), ("What was sold?", -0.3),
                                         ("Which was it?", -0.4)]})
    qa = {("Who bought it?", summary): "Kestrel Foundry",
          ("Who paid?", summary): "Obsidian Textiles",  # mismatch: dropped before the cap
          ("Who bought it? no", summary): "kestrel foundry",  # matches after normalisation
          ("Which firm was it?", summary): "Obsidian Textiles",
          ("What was sold?", summary): "",  # no answer: dropped
          ("Which was it?", summary): "Obsidian Textiles"}
    asked = []
    scorer = scorer_with({}, qa, filter_order="answer_first", max_questions=2)
    scorer.qg = qg
    answer = scorer.qa.answer
    scorer.qa.answer = lambda qs, ps: asked.append(list(zip(qs, ps))) or answer(qs, ps)
    scorer.timings = __import__("collections").defaultdict(float)
    result = scorer.score([document], [summary])
    kept = [q["question"] for q in result.explanations[0]["questions"]]
    # ranked: "Who bought it? no" (-0.05, cleaned to "Who bought it?"), "Which firm..." (-0.2),
    # then the cap; the later duplicate "Who bought it?" (-0.9) would have gone anyway
    assert kept == ["Who bought it?", "Which firm was it?"]
    assert len(asked[0]) == 6 and all(p == summary for _, p in asked[0])
    assert asked[1] == [("Who bought it?", document), ("Which firm was it?", document)]


def test_original_settings_and_a_bad_filter_order():
    cfg = QagsConfig.original()
    assert (cfg.qg_beams, cfg.questions_per_answer, cfg.max_answers, cfg.max_questions,
            cfg.batch_size, cfg.filter_order) == (10, 10, 10, 20, 1, "answer_first")
    assert QagsConfig.original(batch_size=8).batch_size == 8
    with pytest.raises(ValueError, match="filter_order"):
        QagsConfig(filter_order="later")


def test_extractive_span_respects_order_length_and_context():
    qa = ExtractiveQA(model=torch.nn.Linear(1, 1), tokenizer=None, max_answer_tokens=2)
    start = torch.tensor([9.0, 0.0, 5.0, 0.0, 0.0])
    end = torch.tensor([0.0, 2.0, 0.0, 1.0, 4.0])
    context = torch.tensor([False, True, True, True, True])  # token 0 is the question
    # best allowed: (2, 3) = 5 + 1; (2, 4) = 9 is 3 tokens long; (0, 1) = 11 starts in the question
    assert qa._best_span(start, end, context) == (2, 3)


def test_with_tiny_checkpoints(tmp_path, tokenizer_dir):
    from lightning_modules.models.qagen import QAGenModule
    from tests.test_evaluation_callback import save_untrained

    ckpt = save_untrained(QAGenModule(tokenizer=str(tokenizer_dir)), tmp_path / "m.ckpt")
    cfg = QagsConfig(extractor="rules", qg_beams=2, questions_per_answer=2, min_question_tokens=1,
                     qg_max_length=6, qa_max_length=4)
    scorer = QagsScorer.from_checkpoints(ckpt, ckpt, cfg)
    result = scorer.score(["Kestrel Foundry bought Obsidian Textiles for £53.9m."] * 2,
                          ["Kestrel Foundry paid £53.9m.", ""])
    assert result.scores["qags"][1] is None
    for q in result.explanations[0]["questions"]:
        assert 0.0 <= q["f1"] <= 1.0 and "?" not in q["question"][:-1]
    assert set(scorer.timings) >= {"extraction", "question_generation"}


def save_span_qa(path):
    """A tiny BertForQuestionAnswering whose start logit peaks on 'obsidian' and end logit on
    'textiles' (no encoder layers: hidden state = LayerNorm(word embedding)), with a WordPiece
    tokenizer, saved as a Hugging Face checkpoint."""
    from transformers import BertConfig, BertForQuestionAnswering, BertTokenizerFast

    words = ["who", "bought", "the", "firm", "?", "kestrel", "foundry", "obsidian", "textiles", "."]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]
    tok = BertTokenizerFast(vocab={w: i for i, w in enumerate(vocab)})
    config = BertConfig(vocab_size=len(words) + 5, hidden_size=4, num_hidden_layers=0,
                        num_attention_heads=1, intermediate_size=4, max_position_embeddings=64)
    model = BertForQuestionAnswering(config)
    with torch.no_grad():
        emb = model.bert.embeddings
        emb.word_embeddings.weight.copy_(torch.tensor([-1.0, -1.0, 3.0, -1.0]))
        emb.word_embeddings.weight[tok.convert_tokens_to_ids("obsidian")] = torch.tensor([3.0, -1, -1, -1])
        emb.word_embeddings.weight[tok.convert_tokens_to_ids("textiles")] = torch.tensor([-1.0, 3, -1, -1])
        emb.position_embeddings.weight.zero_()
        emb.token_type_embeddings.weight.zero_()
        model.qa_outputs.weight.copy_(torch.tensor([[1.0, 0, 0, 0], [0, 1.0, 0, 0]]))
        model.qa_outputs.bias.zero_()
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return path


def test_span_qa_checkpoint_loads_and_answers_from_the_passage(tmp_path, tokenizer_dir):
    """from_checkpoints recognises a ...ForQuestionAnswering checkpoint and answers with the
    passage's own characters (offsets), never from the question, whose 'obsidian' is masked."""
    from lightning_modules.models.qagen import QAGenModule
    from tests.test_evaluation_callback import save_untrained

    qg = save_untrained(QAGenModule(tokenizer=str(tokenizer_dir)), tmp_path / "qg.ckpt")
    scorer = QagsScorer.from_checkpoints(qg, str(save_span_qa(tmp_path / "span_qa")),
                                         QagsConfig(extractor="rules"))
    assert isinstance(scorer.qa, ExtractiveQA)
    answers = scorer.qa.answer(["Who bought the firm?", "Who bought Obsidian?"],
                               ["Kestrel Foundry bought Obsidian Textiles.",
                                "The firm Obsidian  Textiles bought Kestrel."])
    assert answers == ["Obsidian Textiles", "Obsidian  Textiles"]


def test_qa_searches_beams_to_the_end_and_qg_stops_early(tmp_path, tokenizer_dir):
    """QagsConfig's defaults reach the generators (QA: full search, QG: transformers' early
    stop), and the full search never returns a lower-scoring best beam than the early stop."""
    from lightning_modules.metrics.qa_models import Seq2SeqGenerator
    from lightning_modules.models.loading import load_seq2seq
    from lightning_modules.models.qagen import QAGenModule
    from tests.test_evaluation_callback import save_untrained

    torch.manual_seed(0)
    ckpt = save_untrained(QAGenModule(tokenizer=str(tokenizer_dir)), tmp_path / "m.ckpt")
    scorer = QagsScorer.from_checkpoints(ckpt, ckpt, QagsConfig(extractor="rules"))
    assert scorer.qa.generator.settings["early_stopping"] is False
    assert scorer.qg.settings["early_stopping"] is True
    model, tok = load_seq2seq(ckpt)
    enc = tok(["Who bought Obsidian Textiles? <qa_sep> Kestrel Foundry bought Obsidian Textiles.",
               "How much? <qa_sep> The fee is understood to be £53.9m."], padding=True,
              return_tensors="pt")
    best = {}
    for stop in (True, False):
        settings = Seq2SeqGenerator(model, tok, num_beams=4, max_length=12,
                                    early_stopping=stop).settings
        out = model.generate(**enc, **settings, output_scores=True, return_dict_in_generate=True)
        best[stop] = out.sequences_scores
    assert (best[False] >= best[True] - 1e-6).all()


def test_scored_generation_matches_plain_generation(tmp_path, tokenizer_dir):
    """``scored`` returns the same outputs as a plain call, best first, each with the beam's
    length-normalised log-probability (negative, non-increasing within a source)."""
    from lightning_modules.metrics.qa_models import Seq2SeqGenerator
    from lightning_modules.models.loading import load_seq2seq
    from lightning_modules.models.qagen import QAGenModule
    from tests.test_evaluation_callback import save_untrained

    torch.manual_seed(0)
    ckpt = save_untrained(QAGenModule(tokenizer=str(tokenizer_dir)), tmp_path / "m.ckpt")
    generator = Seq2SeqGenerator(*load_seq2seq(ckpt), num_beams=4, num_return=3, max_length=8,
                                 batch_size=2)
    sources = ["Kestrel Foundry <qa_sep> Kestrel Foundry bought Obsidian Textiles.",
               "£53.9m <qa_sep> The fee is £53.9m.", "Halley <qa_sep> It is based in Halley."]
    scored = generator.scored(sources)
    assert [[t for t, _ in outs] for outs in scored] == generator(sources)
    for outs in scored:
        scores = [s for _, s in outs]
        assert len(outs) == 3 and all(s < 0 for s in scores)
        assert scores == sorted(scores, reverse=True)
