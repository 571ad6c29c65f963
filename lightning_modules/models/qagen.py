"""QAGen: one model that reads a passage and writes "question <qa_sep> answer" (QUALS's model).

Training is label-smoothed MLE on QA targets (:class:`QAGenDataModule` builds them), so QAGen
is the MLE module on other data. A pretrained tokenizer without the separator (for example
``facebook/bart-large``'s) gets it added as a special token, and the embeddings are resized.
"""

from __future__ import annotations

from lightning_modules.models.mle import MLEModule
from lightning_modules.text import QA_SEP


class QAGenModule(MLEModule):
    """A passage-to-QA-pair generator on the shared seq2seq base (see :class:`MLEModule`)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if QA_SEP not in self.tokenizer.get_vocab():
            self.tokenizer.add_special_tokens({"additional_special_tokens": [QA_SEP]})
            self.model.resize_token_embeddings(len(self.tokenizer))

    @property
    def separator_id(self) -> int:
        """Token id of the question-answer separator."""
        return self.tokenizer.convert_tokens_to_ids(QA_SEP)
