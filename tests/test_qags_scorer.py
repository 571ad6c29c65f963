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
