"""The summarization LightningDataModule: synthetic corpus, local files or Hugging Face data."""

from __future__ import annotations

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader

from lightning_modules.data.readers import RowReader, first_rows
from lightning_modules.data.splits import default_fields, split_rows
from lightning_modules.data.tokenizer import load_tokenizer

SOURCES = ("synthetic", "jsonl", "csv", "hf")
SPLIT_NAMES = {"fit": ("train", "validation"), "validate": ("validation",),
               "test": ("test",), "predict": ("test",)}


class SummarizationDataModule(pl.LightningDataModule):
    """Document-summary pairs from the synthetic corpus, JSONL/CSV files or a HF dataset.

    Args:
        source: ``synthetic`` (a corpus folder from ``quals-bench corpus``), ``jsonl`` or
            ``csv`` (``{split}.jsonl`` / ``{split}.csv`` files in ``data_dir``), or ``hf``
            (a dataset name such as ``xsum``, or a ``save_to_disk`` folder, in ``data_dir``).
        data_dir: folder or dataset name.
        tokenizer: tokenizer folder or name.
        document_field, summary_field: field names in the rows (default: the dataset's own
            for known HF datasets, else ``document`` and ``summary``).
        on_bad_row: ``raise`` (default) or ``skip`` (skipped rows are counted and reported).
        max_source_length, max_target_length: truncation lengths in tokens.
        limit: use at most this many rows per split (None: all).
        shuffle: shuffle the training split each epoch.
    """

    def __init__(self, source: str = "synthetic", data_dir: str = "runs/default/corpus",
                 tokenizer: str = "runs/default/tokenizer", document_field: str | None = None,
                 summary_field: str | None = None, on_bad_row: str = "raise",
                 batch_size: int = 32, eval_batch_size: int = 64, max_source_length: int = 256,
                 max_target_length: int = 64, num_workers: int = 0, limit: int | None = None,
                 hf_config: str | None = None, shuffle: bool = True):
        super().__init__()
        if source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
        self.save_hyperparameters()
        doc_f, sum_f = default_fields(source, data_dir)
        self.reader = RowReader(document_field or doc_f, summary_field or sum_f, on_bad_row)
        self.splits: dict[str, list[dict]] = {}
        self._tokenizer = None

    @property
    def tokenizer(self):
        """The tokenizer, loaded on first use."""
        if self._tokenizer is None:
            self._tokenizer = load_tokenizer(self.hparams.tokenizer)
        return self._tokenizer

    def read_split(self, split: str) -> list[dict]:
        """Return the rows of one split (``train``, ``validation`` or ``test``)."""
        hp = self.hparams
        return first_rows(split_rows(hp.source, hp.data_dir, split, self.reader, hp.hf_config),
                          hp.limit)

    def setup(self, stage: str | None = None) -> None:
        """Read the splits the stage needs."""
        for split in SPLIT_NAMES.get(stage or "fit", ("train", "validation", "test")):
            if split not in self.splits:
                self.splits[split] = self.read_split(split)

    def collate(self, rows: list[dict]) -> dict:
        """Tokenize a batch; ``labels`` are padded with -100; the raw rows ride along."""
        hp = self.hparams
        tok = self.tokenizer
        source = tok([r["document"] for r in rows], max_length=hp.max_source_length,
                     truncation=True, padding=True, return_tensors="pt")
        target = tok([r["summary"] for r in rows], max_length=hp.max_target_length,
                     truncation=True, padding=True, return_tensors="pt")
        labels = target["input_ids"].masked_fill(target["attention_mask"] == 0, -100)
        return {"input_ids": source["input_ids"], "attention_mask": source["attention_mask"],
                "labels": labels, "rows": rows}

    def _loader(self, split: str, shuffle: bool) -> DataLoader:
        size = self.hparams.batch_size if split == "train" else self.hparams.eval_batch_size
        return DataLoader(self.splits[split], batch_size=size, shuffle=shuffle,
                          collate_fn=self.collate, num_workers=self.hparams.num_workers)

    def train_dataloader(self) -> DataLoader:
        return self._loader("train", shuffle=self.hparams.shuffle)

    def val_dataloader(self) -> DataLoader:
        return self._loader("validation", shuffle=False)

    def test_dataloader(self) -> DataLoader:
        return self._loader("test", shuffle=False)

    def predict_dataloader(self) -> DataLoader:
        return self._loader("test", shuffle=False)

    def transfer_batch_to_device(self, batch, device, dataloader_idx):
        """Move tensors, leave the raw rows where they are."""
        return {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}

    def skipped_report(self) -> dict[str, int]:
        """Return how many bad rows were skipped, by problem."""
        return dict(self.reader.skipped)
