"""Random checkpoints of a named shape (``quals-bench tiny-hf --shape``): each shape's parameter
count, built on the meta device (no memory), equals the architecture's closed form and the
published sizes; the tiny shape writes what it always wrote; a given tokenizer folder is used,
with ``<qa_sep>`` added."""

import json

import pytest
import torch
from safetensors.torch import load_file
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

from experiments.random_hf import SHAPES, model_vocab_size, random_bart, random_bert
from experiments.tiny_hf import TinyHFConfig, build_tiny_hf, main, shape_config, tokenizer_texts
from lightning_modules.text import QA_SEP


class SizedTokenizer:
    """The parts of a tokenizer a fresh model reads: its size and special-token ids."""

    pad_token_id, bos_token_id, eos_token_id = 1, 0, 2

    def __init__(self, size: int):
        self.size = size

    def __len__(self) -> int:
        return self.size


def bart_parameters(V, d, layers, ffn, positions):
    """BartForConditionalGeneration: the shared embedding V*d (encoder, decoder and output layer
    tie to it; final_logits_bias is a buffer), learned positions with BART's offset of 2 in
    encoder and decoder, a layernorm_embedding each, and per layer attention 4 projections with
    bias (4d^2 + 4d), an FFN (d*f + f + f*d + d) and layer norms (2d each): two in an encoder
    layer; a decoder layer adds cross-attention and a third."""
    attention, ffn_params, norm = 4 * d * d + 4 * d, 2 * d * ffn + ffn + d, 2 * d
    encoder_layer = attention + ffn_params + 2 * norm
    decoder_layer = 2 * attention + ffn_params + 3 * norm
    return V * d + 2 * (positions + 2) * d + 2 * norm + layers * (encoder_layer + decoder_layer)


def bert_parameters(V, h, layers, intermediate, positions, labels=2):
    """BertForSequenceClassification: word, position and two token-type embeddings and their
    layer norm; per layer attention (4h^2 + 4h), its output layer norm, the intermediate and
    output projections and their layer norm; the pooler (h^2 + h) and the classifier."""
    embeddings = (V + positions + 2) * h + 2 * h
    layer = (4 * h * h + 4 * h) + 2 * h + (h * intermediate + intermediate) \
        + (intermediate * h + h) + 2 * h
    return embeddings + layers * layer + (h * h + h) + (h * labels + labels)


def count(model) -> int:
    """Parameters of ``model``, each tied tensor once."""
    return sum(p.numel() for p in model.parameters())


BART = {"tiny": (128, 2, 512), "base": (768, 6, 3072), "large": (1024, 12, 4096)}
BERT = {"tiny": (128, 2, 512), "base": (768, 12, 3072), "large": (1024, 24, 4096)}


@pytest.mark.parametrize("shape", SHAPES)
def test_bart_of_each_shape_has_the_closed_form_parameter_count(shape):
    # a 1000-token tokenizer, the models padded to BART's vocabulary (a full shape's default)
    positions, vocab = SHAPES[shape]["max_position_embeddings"], 50265
    with torch.device("meta"):
        model = random_bart(SizedTokenizer(1000), SHAPES[shape]["bart"], positions, vocab)
    assert count(model) == bart_parameters(vocab, *BART[shape], positions)
    assert model.config.vocab_size == vocab and model.final_logits_bias.shape == (1, vocab)
    assert model.lm_head.weight is model.model.shared.weight


@pytest.mark.parametrize("shape, published", [("base", 139_420_416), ("large", 406_291_456)])
def test_full_bart_shapes_have_facebooks_sizes(shape, published):
    """facebook/bart-base: 139M parameters, facebook/bart-large: 406M (V = 50265, 1024
    positions); the closed form gives them to the parameter."""
    assert bart_parameters(50265, *BART[shape], 1024) == published
    assert round(published / 1e6) == {"base": 139, "large": 406}[shape]


@pytest.mark.parametrize("shape", SHAPES)
def test_bert_of_each_shape_has_the_closed_form_parameter_count(shape):
    # BERT's own vocabulary and 512 positions (max_length 510: BERT's 2 extra rows)
    with torch.device("meta"):
        model = random_bert(SizedTokenizer(30522), SHAPES[shape]["bert"], 510, 30522)
    assert count(model) == bert_parameters(30522, *BERT[shape], 512)


def test_full_bert_shapes_have_the_published_sizes():
    """bert-base-uncased with a pair classifier: 109.5M (110M in the BERT paper); bert-large:
    335.1M (the paper's 340M counted differently; Hugging Face lists 335M)."""
    assert bert_parameters(30522, *BERT["base"], 512) == 109_483_778
    assert bert_parameters(30522, *BERT["large"], 512) == 335_143_938


def test_only_full_shapes_keep_the_vocabulary_asked_for():
    tok = SizedTokenizer(700)  # a BPE that learnt fewer tokens than asked
    assert model_vocab_size("tiny", 1000, tok) == 700
    assert model_vocab_size("large", 50265, tok) == 50265
    assert model_vocab_size("base", 1000, SizedTokenizer(50266)) == 50266


def test_shapes_name_the_presets_and_positions():
    assert shape_config("tiny") == TinyHFConfig()
    large = shape_config("large", vocab_size=50265, seed=3)
    assert (large.bart, large.bert, large.max_position_embeddings) == ("large", "large", 1024)
    assert (large.vocab_size, large.seed, large.tokenizer_docs) == (50265, 3, 200)


def test_the_tiny_shape_writes_what_it_wrote_before(tmp_path):
    """Before shapes: a BPE of ``vocab_size`` on the texts; per role, the seed ``seed + i``
    then ``build_model("tiny", tok, copy_head=False, max_position_embeddings=512)``; FactCC's
    BERT with seed ``seed + 4`` and ``max_length`` 512; the manifest's keys and config."""
    from lightning_modules.data.tokenizer import load_tokenizer
    from lightning_modules.models.config import build_model
    from lightning_modules.models.factcc import build_classifier

    texts = tokenizer_texts(None, 20)
    models = build_tiny_hf(tmp_path, shape_config("tiny"), texts)
    tok = load_tokenizer(tmp_path / "summarizer")
    for i, role in enumerate(("summarizer", "qagen", "qg", "qa")):
        torch.manual_seed(i)
        before = build_model("tiny", tok, copy_head=False, max_position_embeddings=512)
        assert_same_weights(before, tmp_path / role)
    torch.manual_seed(4)
    assert_same_weights(build_classifier("tiny", tok, max_length=512), tmp_path / "factcc")
    manifest = json.loads((tmp_path / "tiny_hf.json").read_text())
    assert manifest == {"models": models, "vocab_size": len(tok), "config": {
        "vocab_size": 1000, "bart": "tiny", "bert": "tiny", "max_position_embeddings": 512,
        "tokenizer_docs": 200, "seed": 0}}


def assert_same_weights(model, folder):
    """``folder``'s saved weights equal ``model``'s, tensor for tensor."""
    saved = load_file(folder / "model.safetensors")
    own = {k: v for k, v in model.state_dict().items() if k in saved}
    assert saved.keys() == own.keys()
    assert all(torch.equal(saved[k], own[k]) for k in saved)


def word_level_tokenizer(folder):
    """Save a BERT-style tokenizer ([CLS], [SEP], no ``<qa_sep>``) to ``folder``."""
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "mayor", "said"]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]",
                            cls_token="[CLS]", sep_token="[SEP]",
                            mask_token="[MASK]").save_pretrained(folder)
    return folder


def test_a_given_tokenizer_folder_is_used_with_qa_sep_added(tmp_path, capsys):
    from lightning_modules.data.tokenizer import load_tokenizer

    folder = word_level_tokenizer(tmp_path / "tok")
    assert main(["--out", str(tmp_path / "m"), "--tokenizer", str(folder)]) == 0
    manifest = json.loads((tmp_path / "m" / "tiny_hf.json").read_text())
    assert (manifest["vocab_size"], manifest["tokenizer"]) == (9, str(folder))
    for role in ("summarizer", "qagen", "qg", "qa", "factcc"):
        tok = load_tokenizer(tmp_path / "m" / role)
        config = json.loads((tmp_path / "m" / role / "config.json").read_text())
        assert tok.convert_tokens_to_ids(QA_SEP) == 8 and config["vocab_size"] == 9
        assert (tok.bos_token, tok.eos_token, tok.pad_token) == ("[CLS]", "[SEP]", "[PAD]")
    assert json.loads((tmp_path / "m" / "qa" / "config.json").read_text())["eos_token_id"] == 3


def test_a_folder_without_a_tokenizer_is_a_one_line_error(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path / "m"), "--tokenizer", str(tmp_path)])
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == (f"quals-bench tiny-hf: error: {tmp_path}: no tokenizer_config.json "
                    "(a save_pretrained tokenizer folder)")
