"""The shared reader: role tags laid over tokens, weights handed on, and the pipeline's use."""

import json
import math

import torch

from lightning_modules.data.reader_data import (IGNORE, TAG_IDS, TAGS, ReaderDataModule,
                                                mention_spans, token_tags)
from lightning_modules.models.config import sinusoidal_table


def test_mention_spans_take_whole_words_and_longest_values_first():
    doc = "Norborough Town beat Ely. Ely Norborough scored. Norborough fans cheered."
    facts = {"roles": {"winner": "Norborough Town", "scorer": "Ely Norborough"},
             "distractors": {"d_place": "Norborough", "d_person": "Ely"}}
    spans = [(doc[s:e], tag) for s, e, tag in mention_spans(doc, facts)]
    assert spans == [("Norborough Town", "winner"), ("Ely", "d_person"),
                     ("Ely Norborough", "scorer"), ("Norborough", "d_place")]


def test_token_tags_from_offsets():
    spans = [(4, 16, "prize")]
    offsets = [(0, 0), (0, 3), (3, 9), (9, 16), (16, 21), (0, 0)]
    assert token_tags(offsets, spans) == [IGNORE, 0, TAG_IDS["prize"], TAG_IDS["prize"], 0,
                                          IGNORE]


def test_reader_batch_tags_every_role_and_distractor_token(corpus_dir, tokenizer_dir):
    dm = ReaderDataModule(data_dir=str(corpus_dir), tokenizer=str(tokenizer_dir))
    rows = dm.read_split("train")[:8]
    batch = dm.collate(rows)
    assert batch["tags"].shape == batch["input_ids"].shape
    assert (batch["tags"][batch["attention_mask"] == 0] == IGNORE).all()
    for i, row in enumerate(rows):
        tagged = {TAGS[t] for t in batch["tags"][i].tolist() if t > 0}
        mentioned = {tag for _, _, tag in mention_spans(row["document"], row["facts"])}
        assert tagged == mentioned and "O" not in tagged
        for role, value in row["facts"]["roles"].items():
            if value in row["document"]:
                # the tokens tagged with the role decode to the role's value
                ids = [t for t, g in zip(batch["input_ids"][i].tolist(), batch["tags"][i].tolist())
                       if g == TAG_IDS[role]]
                assert value in dm.tokenizer.decode(ids)


def test_sinusoidal_table_values():
    table = sinusoidal_table(5, 8)
    assert torch.allclose(table[0], torch.tensor([0.0, 1.0] * 4))
    assert math.isclose(table[3, 0].item(), math.sin(3.0), abs_tol=1e-6)
    assert math.isclose(table[3, 3].item(), math.cos(3.0 / 10000 ** (2 / 8)), abs_tol=1e-6)


def _weights(module):
    return {k: v.clone() for k, v in module.state_dict().items()}


def test_models_start_from_the_reader_and_load_without_it(smoke, tmp_path):
    """The smoke pipeline's QA model was fitted from the reader; a trained checkpoint loads
    without the reader file (moved run folders keep working)."""
    import shutil

    from lightning_modules.models.factcc import FactCCModule
    from lightning_modules.models.qagen import QAGenModule
    from lightning_modules.models.reader import ReaderModule

    reader_ckpt = smoke / "runs" / "reader" / "checkpoints" / "last.ckpt"
    saved = torch.load(smoke / "runs" / "qa" / "checkpoints" / "last.ckpt", weights_only=False)
    assert saved["hyper_parameters"]["init_checkpoint"] == str(reader_ckpt)
    assert saved["hyper_parameters"]["model"] == "tiny"

    reader = ReaderModule.load_from_checkpoint(reader_ckpt, map_location="cpu")
    fresh = QAGenModule(tokenizer=str(smoke / "tokenizer"), init_checkpoint=str(reader_ckpt))
    before = _weights(fresh.model)
    fresh.setup("fit")
    after = _weights(fresh.model)
    expected = _weights(reader.model)
    assert all(torch.equal(after[k], expected[k]) for k in expected)
    assert any(not torch.equal(before[k], after[k]) for k in after)

    cc = FactCCModule(model="bart_tiny", tokenizer=str(smoke / "tokenizer"),
                      init_checkpoint=str(reader_ckpt))
    cc.setup("fit")
    assert torch.equal(cc.model.encoder.layers[0].fc1.weight,
                       reader.model.model.encoder.layers[0].fc1.weight)

    moved = tmp_path / "qa.ckpt"
    shutil.copyfile(smoke / "runs" / "qa" / "checkpoints" / "last.ckpt", moved)
    saved["hyper_parameters"]["init_checkpoint"] = str(tmp_path / "gone.ckpt")
    torch.save(saved, moved)
    loaded = QAGenModule.load_from_checkpoint(moved, map_location="cpu")
    assert torch.equal(loaded.model.lm_head.weight, saved["state_dict"]["model.lm_head.weight"])


def test_encoder_classifier_ignores_token_types_and_pools_real_tokens(smoke):
    from lightning_modules.models.factcc import FactCCModule

    module = FactCCModule(model="bart_tiny", tokenizer=str(smoke / "tokenizer"), dropout=0.0).eval()
    enc = module.tokenizer(["A won."], ["A won the cup. B lost."], return_tensors="pt")
    logits = module.model(**enc).logits
    assert logits.shape == (1, 2)
    assert torch.equal(logits, module.model(enc["input_ids"], enc["attention_mask"]).logits)
    padded = module.tokenizer(["A won.", "A won."], ["A won the cup. B lost.", "A won the cup. B lost. C drew."],
                              padding=True, return_tensors="pt")
    assert torch.allclose(module.model(**padded).logits[0], logits[0], atol=1e-5)
    stage = json.loads((smoke / ".stages" / "reader.json").read_text())
    assert stage["result"]["checkpoint"].endswith("reader/checkpoints/last.ckpt")


def _fit_reader(corpus_dir, tokenizer_dir, stop_accuracy):
    import pytorch_lightning as pl

    from lightning_modules.models.reader import ReaderModule

    pl.seed_everything(0)
    module = ReaderModule(model="tiny", tokenizer=str(tokenizer_dir), stop_accuracy=stop_accuracy)
    data = ReaderDataModule(data_dir=str(corpus_dir), tokenizer=str(tokenizer_dir), batch_size=4)
    trainer = pl.Trainer(max_epochs=3, limit_train_batches=2, limit_val_batches=1,
                         logger=False, enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, num_sanity_val_steps=0)
    trainer.fit(module, data)
    return trainer


def test_reader_stops_at_its_accuracy_threshold_and_not_before(corpus_dir, tokenizer_dir):
    """Any accuracy reaches a threshold of 1e-9 (the fit stops after its first epoch); none
    reaches one above 1 (it trains every epoch), and without a threshold it trains every epoch."""
    assert _fit_reader(corpus_dir, tokenizer_dir, 1e-9).current_epoch == 1
    assert _fit_reader(corpus_dir, tokenizer_dir, None).current_epoch == 3
    assert _fit_reader(corpus_dir, tokenizer_dir, 1.0 + 1e-9).current_epoch == 3
