"""The pointer-generator copy head: a distribution, cache-consistent, and copying by construction."""

import pytest
import torch
from transformers.models.bart.modeling_bart import shift_tokens_right

from lightning_modules.data.tokenizer import load_tokenizer
from lightning_modules.models.config import build_model


@pytest.fixture(scope="module")
def setup(tokenizer_dir):
    torch.manual_seed(0)
    tok = load_tokenizer(tokenizer_dir)
    model = build_model("tiny", tok, dropout=0.0).eval()
    enc = tok(["Ashbury Rovers beat Kelton City 3-1 at home.", "Short one."], padding=True,
              return_tensors="pt")
    labels = tok(["Ashbury Rovers won.", "Short."], padding=True, return_tensors="pt")["input_ids"]
    return tok, model, enc, labels


def test_logits_are_log_probabilities(setup):
    tok, model, enc, labels = setup
    logits = model(**enc, labels=labels).logits
    assert torch.allclose(logits.exp().sum(-1), torch.ones(logits.shape[:2]), atol=1e-4)


def test_loss_is_mean_nll_of_the_mixture(setup):
    tok, model, enc, labels = setup
    out = model(**enc, labels=labels)
    picked = out.logits.gather(-1, labels.unsqueeze(-1)).squeeze(-1)
    assert torch.allclose(out.loss, -picked[labels != -100].mean(), atol=1e-5)


def test_inference_mixture_has_the_training_mixtures_bits(setup):
    """Without gradients the mixture is computed in place; its log-probabilities equal the
    differentiable path's bit for bit (so scores and samples do not move), and the
    differentiable path still trains."""
    tok, model, enc, labels = setup
    with torch.no_grad():
        fast = model(**enc, labels=labels).logits
    slow = model(**enc, labels=labels)
    assert slow.logits.requires_grad and torch.equal(fast, slow.logits.detach())
    with torch.inference_mode():
        assert torch.equal(model(**enc, labels=labels).logits, fast)


def full_and_incremental(model, tok, enc, labels, history: bool = False):
    """Teacher-forced logits, and the same logits decoded one step at a time with the cache
    (passing ``decoder_history`` as generate does when ``history``)."""
    dec = shift_tokens_right(labels, tok.pad_token_id, model.config.decoder_start_token_id)
    full = model(**enc, decoder_input_ids=dec).logits
    encoded = model.get_encoder()(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
    cache, steps = None, []
    for t in range(dec.size(1)):
        extra = {"decoder_history": dec[:, :t + 1]} if history else {}
        out = model(attention_mask=enc["attention_mask"], decoder_input_ids=dec[:, t:t + 1],
                    encoder_outputs=encoded, past_key_values=cache, use_cache=True, **extra)
        cache = out.past_key_values
        steps.append(out.logits)
    return full, torch.cat(steps, 1)


def test_incremental_decoding_matches_full_pass(setup):
    tok, model, enc, labels = setup
    full, stepped = full_and_incremental(model, tok, enc, labels)
    assert torch.allclose(stepped, full, atol=1e-5)


def test_closed_gate_puts_all_mass_on_source_tokens(setup):
    tok, model, enc, labels = setup
    with torch.no_grad():
        model.copy_gate.weight.zero_()
        model.copy_gate.bias.fill_(-50.0)  # g = 0: copy only
        probs = model(**enc, labels=labels).logits.exp()
    for b in range(2):
        source = set(enc["input_ids"][b][enc["attention_mask"][b] == 1].tolist())
        mass = probs[b][:, sorted(source)].sum(-1)
        assert torch.allclose(mass, torch.ones_like(mass), atol=1e-4)


def test_generate_with_beams_copies_source_tokens_only_when_gate_closed(setup):
    tok, model, enc, labels = setup
    with torch.no_grad():
        model.copy_gate.weight.zero_()
        model.copy_gate.bias.fill_(-50.0)
    out = model.generate(**enc, num_beams=3, max_length=8, min_length=2)
    source = set(enc["input_ids"].flatten().tolist())
    generated = set(out[:, 1:].flatten().tolist()) - {tok.pad_token_id}
    assert generated <= source


def test_without_copy_head_the_preset_is_plain_bart(tokenizer_dir):
    from transformers import BartForConditionalGeneration

    model = build_model("tiny", load_tokenizer(tokenizer_dir), copy_head=False)
    assert type(model) is BartForConditionalGeneration


def test_continuation_term_prefers_the_token_after_the_previous_one(setup):
    """With copy-only output and flat copy attention, a strong continuation bonus puts the
    copy mass on the source token that follows the previous output token."""
    tok, model, enc, labels = setup
    with torch.no_grad():
        model.copy_gate.weight.zero_()
        model.copy_gate.bias.fill_(-50.0)
        model.copy_query.weight.zero_()  # uniform attention over the source
        model.copy_continue.weight.zero_()
        model.copy_continue.bias.fill_(30.0)
        source = enc["input_ids"][:1]
        previous = source[:, 1:2]  # the first word's token: the next source token should win
        out = model(input_ids=source, attention_mask=enc["attention_mask"][:1],
                    decoder_input_ids=previous)
    assert out.logits[0, 0].argmax().item() == source[0, 2].item()
    assert out.logits[0, 0].exp()[source[0, 2]].item() > 0.99


def test_local_hf_checkpoint_loads_through_from_pretrained(tmp_path, tokenizer_dir):
    """Any HF seq2seq checkpoint (here a plain tiny BART saved locally) takes the same path."""
    from lightning_modules.models.mle import MLEModule

    tok = load_tokenizer(tokenizer_dir)
    saved = build_model("tiny", tok, copy_head=False)
    saved.save_pretrained(tmp_path / "bart")
    module = MLEModule(model=str(tmp_path / "bart"), tokenizer=str(tokenizer_dir))
    assert type(module.model).__name__ == "BartForConditionalGeneration"
    for key, value in saved.state_dict().items():
        assert torch.equal(value, module.model.state_dict()[key]), key


def test_emitted_marks_source_tokens_already_decoded():
    from lightning_modules.models.copy_bart import emitted

    source = torch.tensor([[5, 6, 7, 5]])
    history = torch.tensor([[2, 6, 9, 5]])
    seen = emitted(source, history, steps=4)[0].tolist()
    assert seen == [[0, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0], [1, 1, 0, 1]]
    assert emitted(source, history, steps=1)[0].tolist() == [[1, 1, 0, 1]]


def test_history_term_is_cache_consistent_and_used_by_generate(tokenizer_dir):
    """Incremental decoding with ``decoder_history`` (what generate passes) gives the
    teacher-forced logits; a strong negative history weight stops generate repeating a token."""
    torch.manual_seed(0)
    tok = load_tokenizer(tokenizer_dir)
    model = build_model("tiny", tok, dropout=0.0, copy_history=True).eval()
    enc = tok(["Ashbury Rovers beat Kelton City 3-1 at home."], return_tensors="pt")
    labels = tok(["Ashbury Rovers beat Ashbury Rovers."], return_tensors="pt")["input_ids"]
    full, stepped = full_and_incremental(model, tok, enc, labels, history=True)
    assert torch.allclose(stepped, full, atol=1e-5)
    with torch.no_grad():
        model.copy_gate.weight.zero_()
        model.copy_gate.bias.fill_(-50.0)  # copy only
        model.copy_repeat.weight.zero_()
        model.copy_repeat.bias.fill_(-50.0)  # never copy a token already decoded
    out = model.generate(**enc, num_beams=2, max_length=8, min_length=8)[0, 1:].tolist()
    assert len(out) == len(set(out))


def test_no_repeat_ngram_size_reaches_generation(tokenizer_dir):
    """The module's ``no_repeat_ngram_size`` is applied: no bigram twice in any summary."""
    from lightning_modules.models.mle import MLEModule

    torch.manual_seed(0)
    module = MLEModule(tokenizer=str(tokenizer_dir), dropout=0.0, no_repeat_ngram_size=2,
                       min_length=20, max_length=20)
    with torch.no_grad():  # copy only, from a short source: repeats would be forced
        module.model.copy_gate.weight.zero_()
        module.model.copy_gate.bias.fill_(-50.0)
    enc = module.tokenizer(["Ashbury Rovers beat Kelton City.", "Ely won."], padding=True,
                           return_tensors="pt")
    for do_sample in (False, True):
        out = module.model.generate(**enc, **{**module.generation_settings(), "do_sample": do_sample})
        for ids in out.tolist():
            ids = [i for i in ids if i != module.tokenizer.pad_token_id]
            bigrams = list(zip(ids, ids[1:]))
            assert len(bigrams) == len(set(bigrams))
