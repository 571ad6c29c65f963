"""The searches pass the key/value cache under the name the installed transformers takes: no
deprecated keyword reaches a model (deprecation warnings are errors here)."""

import warnings

import pytest
import torch

from lightning_modules.decoding.cache import NEW, OLD, cache_name
from lightning_modules.decoding.diverse_beam import DiverseBeamConfig, diverse_beam_search
from lightning_modules.decoding.diverse_beam_reference import reference_diverse_beam_search
from lightning_modules.models.config import build_model


@pytest.fixture(scope="module")
def model(tokenizer_dir):
    from lightning_modules.data.tokenizer import load_tokenizer

    torch.manual_seed(0)
    tok = load_tokenizer(str(tokenizer_dir))
    return build_model("tiny", tok, dropout=0.0).eval(), tok


class Takes:
    def forward(self, cache=None):
        pass


class TakesOld:
    def forward(self, past_key_values=None):
        pass


def test_the_name_follows_the_forward_signature():
    assert (cache_name(Takes()), cache_name(TakesOld), cache_name(TakesOld())) == (NEW, OLD, OLD)


@pytest.mark.parametrize("search", [diverse_beam_search, reference_diverse_beam_search])
def test_no_deprecated_keyword_reaches_the_model(model, search):
    net, tok = model
    batch = tok(["Anna Berg met Tom Lund in Oslo."], return_tensors="pt")
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        warnings.simplefilter("error", DeprecationWarning)
        hyps = search(net, batch.input_ids, batch.attention_mask,
                      DiverseBeamConfig(num_beams=4, num_beam_groups=2, max_length=6, min_length=2))
    assert len(hyps) == 1 and hyps[0]


def test_generate_runs_without_the_deprecated_keyword(model):
    net, tok = model
    batch = tok(["Anna Berg met Tom Lund in Oslo."], return_tensors="pt")
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        out = net.generate(**batch, num_beams=2, max_length=6)
    assert out.shape[0] == 1
