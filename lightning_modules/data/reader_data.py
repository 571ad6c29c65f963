"""Reading-comprehension pretraining data: each document token tagged with the role it fills.

The synthetic corpus knows, for every document, which entity fills which role and which are
distractors (``facts``). The reader's pretraining target is that table laid over the tokens:
a token inside a mention of a role's value gets the role's tag (``winner``, ``date``...), a
token inside a distractor's mention gets the distractor's tag (``d_person``...), every other
token ``O``. A model that predicts the tags has bound each name to its role from the words
around it, which is the skill the summarizer and the evaluators lack when trained from scratch
(see ``lightning_modules.models.reader``).
"""

from __future__ import annotations

import re
from pathlib import Path

import torch

from lightning_modules.data.datamodule import SummarizationDataModule
from lightning_modules.data.readers import first_rows
from lightning_modules.world.events import EVENT_TYPES

IGNORE = -100


def role_tags() -> list[str]:
    """Every tag, ``O`` first: the roles and distractors of all event types, sorted."""
    names = {name for event in EVENT_TYPES.values() for name in event.kinds}
    return ["O", *sorted(names)]


TAGS = role_tags()
TAG_IDS = {tag: i for i, tag in enumerate(TAGS)}


def mention_spans(document: str, facts: dict) -> list[tuple[int, int, str]]:
    """Return ``(start, end, tag)`` of every whole-word mention of a role's or distractor's value.

    Longer values are laid first, so a value inside a longer one ("Norborough" inside
    "Norborough Town") does not take the longer one's characters.
    """
    values = [(v, role) for role, v in facts.get("roles", {}).items() if v]
    values += [(v, name) for name, v in facts.get("distractors", {}).items() if v]
    spans, taken = [], [False] * len(document)
    for value, tag in sorted(values, key=lambda pair: -len(pair[0])):
        for match in re.finditer(rf"(?<!\w){re.escape(value)}(?!\w)", document):
            if not any(taken[match.start():match.end()]):
                spans.append((match.start(), match.end(), tag))
                taken[match.start():match.end()] = [True] * (match.end() - match.start())
    return sorted(spans)


def token_tags(offsets: list[tuple[int, int]], spans: list[tuple[int, int, str]]) -> list[int]:
    """Tag id of each token from its character ``offsets``; special tokens ``(0, 0)`` are ignored."""
    tags = []
    for start, end in offsets:
        if start == end:
            tags.append(IGNORE)
            continue
        tag = next((t for s, e, t in spans if start < e and end > s), "O")
        tags.append(TAG_IDS[tag])
    return tags


class ReaderDataModule(SummarizationDataModule):
    """Synthetic documents with per-token role tags (``tags``, ``-100`` on special and pad tokens).

    Args:
        **kwargs: see :class:`SummarizationDataModule` (``data_dir`` is a synthetic corpus).
    """

    def read_split(self, split: str) -> list[dict]:
        """Return the documents of one split with their fact tables."""
        rows = self.reader.read_jsonl_raw(Path(self.hparams.data_dir) / f"{split}.jsonl")
        return first_rows(rows, self.hparams.limit)

    def collate(self, rows: list[dict]) -> dict:
        """Tokenize a batch of documents and tag every token."""
        enc = self.tokenizer([r["document"] for r in rows], max_length=self.hparams.max_source_length,
                             truncation=True, padding=True, return_offsets_mapping=True)
        tags = torch.full((len(rows), len(enc["input_ids"][0])), IGNORE, dtype=torch.long)
        for i, row in enumerate(rows):
            spans = mention_spans(row["document"], row.get("facts", {}))
            mask = enc["attention_mask"][i]
            row_tags = token_tags([o for o, m in zip(enc["offset_mapping"][i], mask) if m], spans)
            tags[i, : len(row_tags)] = torch.tensor(row_tags)
        return {"input_ids": torch.tensor(enc["input_ids"]),
                "attention_mask": torch.tensor(enc["attention_mask"]), "tags": tags, "rows": rows}
