"""A byte-level BPE tokenizer trained on the corpus, saved as a Hugging Face fast tokenizer.

The special tokens follow BART (``<s>``, ``<pad>``, ``</s>``, ``<unk>``, ``<mask>``), plus
``<qa_sep>`` (``lightning_modules.text.QA_SEP``), the separator QAGen writes between question
and answer: a special token never produced by encoding text.

Every text gets a prefix space before byte-level BPE (``add_prefix_space``, as BART's
tokenizer offers), so a word has the same tokens wherever it stands: "Kestrel" opening a
summary, an answer or a question is ``ĠKestrel``, as it is inside the document. Without it the
first word of every target has other ids than in the source, and a copy head can never produce
it. Decoded text then starts with a space, which every caller strips.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import AutoTokenizer, PreTrainedTokenizerFast

from lightning_modules.text import QA_SEP

SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>", QA_SEP]


def train_tokenizer(texts: Iterable[str], vocab_size: int = 4096, min_frequency: int = 2
                    ) -> PreTrainedTokenizerFast:
    """Train a byte-level BPE tokenizer on ``texts``; ids 0-5 are ``SPECIAL_TOKENS``."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_frequency,
                                  special_tokens=SPECIAL_TOKENS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    bos, eos = tok.token_to_id("<s>"), tok.token_to_id("</s>")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>",
        unk_token="<unk>", mask_token="<mask>", additional_special_tokens=[QA_SEP])


def load_tokenizer(name_or_path: str | Path) -> PreTrainedTokenizerFast:
    """Load a tokenizer saved here, or any Hugging Face tokenizer by name or local path."""
    return AutoTokenizer.from_pretrained(str(name_or_path))
