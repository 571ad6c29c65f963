"""FactCC's claim-against-document classifier: inputs, pooling over padding, starting weights."""

import pytest
import torch

DOC = "Kestrel Foundry bought Obsidian Textiles. The deal was announced on 3 May."


def _module(smoke, **kwargs):
    from lightning_modules.models.factcc import FactCCModule

    return FactCCModule(model="cross_tiny", tokenizer=str(smoke / "tokenizer"), dropout=0.0,
                        **kwargs)


def test_document_goes_to_the_encoder_and_the_claim_to_the_decoder(smoke):
    module = _module(smoke)
    enc = module.model.encode(module.tokenizer, [DOC], ["The deal was announced."])
    assert module.tokenizer.decode(enc["input_ids"][0], skip_special_tokens=True).strip() == DOC
    assert module.tokenizer.decode(enc["decoder_input_ids"][0],
                                   skip_special_tokens=True).strip() == "The deal was announced."


def test_padding_changes_no_logit(smoke):
    module = _module(smoke).eval()
    claims = ["Kestrel Foundry bought Obsidian Textiles.", "The deal was announced on 3 May."]
    alone = [module.model(**module.model.encode(module.tokenizer, [d], [c])).logits[0]
             for d, c in zip([DOC, DOC + " It was a big deal."], claims)]
    batch = module.model(**module.model.encode(module.tokenizer, [DOC, DOC + " It was a big deal."],
                                               claims)).logits
    assert torch.allclose(batch, torch.stack(alone), atol=1e-5)


def test_starts_from_a_seq2seq_checkpoint_and_scores_like_its_forward(smoke):
    from lightning_modules.metrics.factcc import FactCCScorer
    from lightning_modules.models.qagen import QAGenModule

    qa_ckpt = smoke / "runs" / "qa" / "checkpoints" / "last.ckpt"
    module = _module(smoke, init_checkpoint=str(qa_ckpt))
    module.setup("fit")
    qa = QAGenModule.load_from_checkpoint(qa_ckpt, map_location="cpu")
    assert torch.equal(module.model.seq2seq.model.decoder.layers[0].fc1.weight,
                       qa.model.model.decoder.layers[0].fc1.weight)
    module.eval()
    rows = [{"document": DOC, "claim": "The deal was announced on 3 May.", "label": 1}]
    expected = torch.softmax(module({"rows": rows}), -1)[0, 1].item()
    scorer = FactCCScorer(module.model, module.tokenizer)
    assert scorer.probabilities([DOC], [rows[0]["claim"]])[0] == pytest.approx(expected, abs=1e-6)


def test_surprise_features_by_hand():
    from lightning_modules.models.cross_classifier import claim_log_probs, surprise_features

    # two claims of 3 and 2 real tokens; position t predicts token t + 1
    log_p = torch.log(torch.tensor([[[0.5, 0.5], [0.9, 0.1], [0.5, 0.5]],
                                    [[0.2, 0.8], [0.5, 0.5], [0.5, 0.5]]]))
    ids = torch.tensor([[0, 0, 1], [0, 1, 0]])
    real = torch.tensor([[True, True, True], [True, True, False]])
    features = surprise_features(claim_log_probs(log_p, ids), real)
    expected = torch.tensor([[torch.log(torch.tensor(0.1)), (torch.log(torch.tensor(0.5))
                                                              + torch.log(torch.tensor(0.1))) / 2],
                             [torch.log(torch.tensor(0.8))] * 2])
    assert torch.allclose(features, expected, atol=1e-6)


def test_likelihood_features_are_the_seq2seq_models_own_claim_log_probs(smoke):
    from lightning_modules.models.cross_classifier import claim_log_probs, surprise_features

    module = _module(smoke, likelihood_features=True,
                     init_checkpoint=str(smoke / "runs" / "qa" / "checkpoints" / "last.ckpt"))
    module.setup("fit")
    module.eval()
    model = module.model
    enc = model.encode(module.tokenizer, [DOC, DOC], ["Kestrel Foundry bought it.", "It was."])
    assert model.head[0].in_features == 2 * model.seq2seq.config.d_model + 2
    captured = {}
    model.head.register_forward_hook(lambda m, inp, out: captured.update(x=inp[0]))
    out = model(**enc)
    full = model.seq2seq(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                         decoder_input_ids=enc["decoder_input_ids"],
                         decoder_attention_mask=enc["decoder_attention_mask"]).logits
    log_probs = claim_log_probs(full, enc["decoder_input_ids"])
    expected = surprise_features(log_probs, enc["decoder_attention_mask"].bool())
    assert torch.allclose(captured["x"][:, -2:], expected, atol=1e-5)
    assert torch.allclose(out.claim_log_probs, log_probs, atol=1e-5)
    assert (expected <= 0).all() and (expected[:, 0] <= expected[:, 1]).all()


def test_claim_lm_loss_counts_only_consistent_claims_real_tokens():
    from lightning_modules.models.cross_classifier import claim_log_probs
    from lightning_modules.models.factcc import consistent_claim_nll

    log_dist = torch.log(torch.tensor([[[0.25, 0.75], [0.5, 0.5], [0.9, 0.1]],
                                       [[0.1, 0.9], [0.1, 0.9], [0.1, 0.9]]]))
    inputs = {"decoder_input_ids": torch.tensor([[0, 1, 0], [0, 0, 0]]),
              "decoder_attention_mask": torch.tensor([[1, 1, 0], [1, 1, 1]])}
    # row 0 consistent, one real predicted token (p = 0.75); row 1 inconsistent: left out
    log_probs = claim_log_probs(log_dist, inputs["decoder_input_ids"])
    nll = consistent_claim_nll(log_probs, inputs, torch.tensor([1, 0]))
    assert nll.item() == pytest.approx(-torch.log(torch.tensor(0.75)).item(), abs=1e-6)
    with pytest.raises(ValueError, match="likelihood_features"):
        consistent_claim_nll(None, inputs, torch.tensor([1, 0]))


def test_training_loss_adds_the_weighted_claim_lm_loss(smoke):
    import torch.nn.functional as F

    from lightning_modules.models.factcc import consistent_claim_nll

    module = _module(smoke, likelihood_features=True, claim_lm_weight=0.5).eval()
    module.log = lambda *a, **k: None
    rows = [{"document": DOC, "claim": "Kestrel Foundry bought Obsidian Textiles."},
            {"document": DOC, "claim": "Obsidian Textiles bought Kestrel Foundry."}]
    batch = {"rows": rows, "labels": torch.tensor([1, 0])}
    out, inputs = module.outputs(batch)
    expected = (F.cross_entropy(out.logits, batch["labels"])
                + 0.5 * consistent_claim_nll(out.claim_log_probs, inputs, batch["labels"]))
    assert module.training_step(batch, 0).item() == pytest.approx(expected.item(), abs=1e-5)
    assert torch.equal(module(batch), out.logits)
