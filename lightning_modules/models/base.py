"""The one seq2seq base module: model, tokenizer, generation, optimizer and schedule.

Training regimes (MLE, ConSeq, QAGen...) subclass it and override ``compute_loss`` only.
"""

from __future__ import annotations

import pytorch_lightning as pl
import torch

from lightning_modules.data.tokenizer import load_tokenizer
from lightning_modules.models.config import build_model
from lightning_modules.models.checkpoints import checkpoint_state
from lightning_modules.models.optim import adamw_with_schedule


def load_model_weights(model: torch.nn.Module, checkpoint: str) -> list[str]:
    """Load the ``model.*`` weights of a workbench Lightning checkpoint into ``model``.

    A head ``model`` has and the checkpoint lacks (the copy head's history term on a model that
    starts from the reader) keeps its fresh initialisation; its names are returned. A weight
    the checkpoint has and ``model`` lacks is an error: the two are different models.
    """
    weights = {k.removeprefix("model."): v for k, v in checkpoint_state(checkpoint).items()
               if k.startswith("model.")}
    missing, unexpected = model.load_state_dict(weights, strict=False)
    if unexpected:
        raise ValueError(f"init_checkpoint {checkpoint}: weights this model lacks: {unexpected}")
    return missing


class Seq2SeqModule(pl.LightningModule):
    """A seq2seq LightningModule; subclasses define ``compute_loss(batch, outputs)``.

    Args:
        model: ``tiny`` / ``small`` (fresh BART), or a HF checkpoint name or folder.
        tokenizer: tokenizer folder or name.
        learning_rate, weight_decay, warmup_steps: AdamW and schedule settings.
        scheduler: any ``transformers.get_scheduler`` name (``linear``, ``polynomial``...).
        dropout: model dropout.
        copy_head: give a ``tiny``/``small`` preset a pointer-generator copy head.
        num_beams, max_length, min_length, length_penalty: beam-search settings for summaries.
        max_source_length: documents are truncated to this many tokens when summarizing, as
            the data module truncates them in training (its ``max_source_length``).
        position_init: start a fresh preset's position embeddings from the sinusoidal table at
            this scale (0: BART's random start).
        init_checkpoint: a workbench checkpoint (``.ckpt``) whose model weights training starts
            from: the MLE model for ConSeq, the shared reader for the summarizer and evaluators.
            They are loaded when fitting begins (``setup``), before Lightning restores a resumed
            run, and never by ``load_from_checkpoint``: a trained model does not need the file.
        no_repeat_ngram_size: when above 0, generation (beam search and sampling) never repeats
            an n-gram of this size (fairseq BART's summaries used 3; 0 turns it off).
        copy_history: give the copy head its history term, against copying one name twice.
    """

    def __init__(self, model: str = "tiny", tokenizer: str = "runs/default/tokenizer",
                 learning_rate: float = 1e-3, weight_decay: float = 0.01,
                 warmup_steps: int = 200, scheduler: str = "linear", dropout: float = 0.1,
                 num_beams: int = 4, max_length: int = 64, min_length: int = 5,
                 length_penalty: float = 1.0, copy_head: bool = True,
                 max_source_length: int = 256, position_init: float = 0.0,
                 init_checkpoint: str | None = None, no_repeat_ngram_size: int = 0,
                 copy_history: bool = False):
        super().__init__()
        self.save_hyperparameters()
        self.tokenizer = load_tokenizer(tokenizer)
        self.model = build_model(model, self.tokenizer, dropout=dropout, copy_head=copy_head,
                                 position_init=position_init, copy_history=copy_history)

    def setup(self, stage: str) -> None:
        """Start fitting from ``init_checkpoint``'s weights, if one is given."""
        if stage == "fit" and self.hparams.get("init_checkpoint"):
            load_model_weights(self.model, self.hparams.init_checkpoint)

    def forward(self, input_ids, attention_mask, labels):
        """Return the model outputs with teacher-forced decoder inputs from ``labels``."""
        return self.model(input_ids=input_ids, attention_mask=attention_mask, labels=labels)

    def compute_loss(self, batch: dict, outputs) -> tuple[torch.Tensor, dict]:
        """Return (loss to minimise, extra values to log); subclasses override this."""
        raise NotImplementedError

    def model_step(self, batch: dict, stage: str) -> torch.Tensor:
        """Shared step of train/val/test: forward, loss, logging under ``{stage}/``."""
        outputs = self(batch["input_ids"], batch["attention_mask"], batch["labels"])
        loss, extras = self.compute_loss(batch, outputs)
        size = batch["input_ids"].size(0)
        self.log(f"{stage}/loss", loss, prog_bar=True, batch_size=size, sync_dist=stage != "train")
        for name, value in extras.items():
            self.log(f"{stage}/{name}", value, batch_size=size, sync_dist=stage != "train")
        return loss

    def training_step(self, batch, batch_idx):
        return self.model_step(batch, "train")

    def validation_step(self, batch, batch_idx):
        return self.model_step(batch, "val")

    def test_step(self, batch, batch_idx):
        return self.model_step(batch, "test")

    def generation_settings(self) -> dict:
        """The module's ``generate`` settings: beams, lengths, length penalty, n-gram blocking."""
        hp = self.hparams
        settings = dict(num_beams=hp.num_beams, max_length=hp.max_length,
                        min_length=hp.min_length, length_penalty=hp.length_penalty,
                        early_stopping=True)
        if hp.get("no_repeat_ngram_size", 0) > 0:
            settings["no_repeat_ngram_size"] = hp.no_repeat_ngram_size
        return settings

    @torch.no_grad()
    def generate(self, input_ids, attention_mask, **overrides) -> list[str]:
        """Return beam-search summaries (decoded text) for a batch of encoded documents."""
        settings = {**self.generation_settings(), **overrides}
        out = self.model.generate(input_ids=input_ids, attention_mask=attention_mask, **settings)
        return self.tokenizer.batch_decode(out, skip_special_tokens=True)

    def summarize(self, documents: list[str], batch_size: int = 32, **overrides) -> list[str]:
        """Return a summary for each document, in order."""
        was_training = self.training
        self.eval()
        summaries = []
        for i in range(0, len(documents), batch_size):
            enc = self.tokenizer(documents[i:i + batch_size], truncation=True, padding=True,
                                 max_length=self.hparams.get("max_source_length", 256),
                                 return_tensors="pt").to(self.device)
            summaries += self.generate(enc["input_ids"], enc["attention_mask"], **overrides)
        self.train(was_training)
        return [s.strip() for s in summaries]

    def configure_optimizers(self):
        """AdamW without decay on biases and norms, and a per-step schedule."""
        hp = self.hparams
        return adamw_with_schedule(self, hp.learning_rate, hp.weight_decay, hp.warmup_steps,
                                   hp.scheduler)
