"""Data for ConSeq: training rows ``{id, document, positive, negative}`` (either side may be
null) from a pairs JSONL file; validation and test are the plain corpus splits."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from lightning_modules.data.datamodule import SummarizationDataModule
from lightning_modules.data.readers import DataError


class ConSeqDataModule(SummarizationDataModule):
    """(S+, S-) training pairs beside the corpus's validation and test splits.

    Args:
        pairs: JSONL of ``{id, document, positive, negative}`` rows (``quals-bench reproduce``
            writes ``<out>/conseq/<ranker>/pairs.jsonl``).
        **kwargs: see :class:`SummarizationDataModule` (``data_dir`` holds the corpus).
    """

    def __init__(self, pairs: str = "runs/default/conseq/quals/pairs.jsonl", **kwargs):
        super().__init__(**kwargs)
        self.pairs = pairs

    def read_split(self, split: str) -> list[dict]:
        """The pairs for ``train``; the corpus split otherwise."""
        if split != "train":
            return super().read_split(split)
        rows = []
        with open(self.pairs, encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                row = json.loads(line)
                for name in ("document", "positive", "negative"):
                    if name not in row:
                        raise DataError(f"{self.pairs}:{number}: field {name!r}: missing")
                if row["positive"] is None and row["negative"] is None:
                    raise DataError(f"{self.pairs}:{number}: field 'positive': both sides null")
                rows.append(row)
        if not rows:
            raise DataError(f"{self.pairs}: no training pairs (selection kept no document)")
        return rows

    def _labels(self, texts: list[str | None]) -> tuple[torch.Tensor, torch.Tensor]:
        present = torch.tensor([t is not None for t in texts])
        target = self.tokenizer([t or "" for t in texts], max_length=self.hparams.max_target_length,
                                truncation=True, padding=True, return_tensors="pt")
        labels = target["input_ids"].masked_fill(target["attention_mask"] == 0, -100)
        return labels, present

    def collate(self, rows: list[dict]) -> dict:
        """Plain rows as in the base class; pair rows get ``pos_labels``/``neg_labels`` and
        ``has_pos``/``has_neg`` masks."""
        if "positive" not in rows[0]:
            return super().collate(rows)
        source = self.tokenizer([r["document"] for r in rows], truncation=True, padding=True,
                                max_length=self.hparams.max_source_length, return_tensors="pt")
        pos, has_pos = self._labels([r["positive"] for r in rows])
        neg, has_neg = self._labels([r["negative"] for r in rows])
        return {"input_ids": source["input_ids"], "attention_mask": source["attention_mask"],
                "pos_labels": pos, "has_pos": has_pos, "neg_labels": neg, "has_neg": has_neg,
                "neg_span_diff": self._span_differences(rows, neg.shape), "rows": rows}

    def _span_differences(self, rows: list[dict], shape) -> torch.Tensor:
        """``[batch, target length]``: for each negative token, the lowest QUALS difference of
        the flagged-answer spans it lies in (``negative_spans``, written by selection), else
        ``inf`` (``lightning_modules.flagged_spans``), aligned with ``neg_labels``."""
        from lightning_modules.flagged_spans import NO_FLAG, token_differences

        out = torch.full(shape, NO_FLAG)
        texts = [r["negative"] or "" for r in rows]
        if not any(r.get("negative_spans") for r in rows):
            return out
        offsets = self.tokenizer(texts, max_length=self.hparams.max_target_length,
                                 truncation=True, padding=True,
                                 return_offsets_mapping=True)["offset_mapping"]
        for i, row in enumerate(rows):
            diffs = token_differences(offsets[i], row.get("negative_spans") or [])
            out[i, : len(diffs)] = torch.tensor(diffs)
        return out
