"""FactCC training data (Kryscinski et al., EMNLP 2020): claims made from source sentences by
rule-based transformations, labelled consistent or not.

A claim starts as one sentence of the document. Label-preserving: the sentence itself, and
token noise (a random word duplicated or dropped), applied on top of any transformation with
``noise_prob``. Label-changing (``INCONSISTENT``): entity, number and date swaps, each taking
the new value from elsewhere in the same document; pronoun swap (he/she, his/her...); negation
of an auxiliary verb (``was`` -> ``was not``, ``was not`` -> ``was``). A transformation that does
not apply to a sentence (no entity, only one date in the document...) returns ``None``.

``paraphrase_prob`` stands in for FactCC's back-translation: with that probability a claim starts
as a paraphrase of the document's facts instead of one of its sentences. In the embedded world
the paraphrase is :func:`~lightning_modules.world.summary.stated_claim`, the document's stated
facts written in the summaries' words (rows must carry the world's ``facts``). Without it every
consistent claim is a verbatim source sentence, and the classifier learns to spot copies: on
summary-worded claims its corruption AUROC stayed at chance for every swap (docs/metrics.md,
"FactCC").

``counterfactual_prob`` (not in the paper) pairs a swap with its counterfactual document: the
document with the two swapped values exchanged everywhere, against which the swapped claim is
consistent and the original one is not. Each such claim then appears with both labels, so the
claim alone, in a world whose names fill the same roles across documents, tells nothing: the
label can only be read from the document.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import partial

import torch

from lightning_modules.data.datamodule import SummarizationDataModule
from lightning_modules.text import DATE, NUMBER, encode_pairs, find_names, split_sentences
from lightning_modules.world.inventory import name_type
from lightning_modules.world.summary import stated_claim

CONSISTENT, INCONSISTENT = 1, 0
PRONOUNS = {"he": "she", "she": "he", "him": "her", "his": "her", "her": "his",
            "himself": "herself", "herself": "himself", "they": "he", "their": "his"}
AUXILIARIES = ("is", "was", "are", "were", "has", "had", "have", "will", "would", "could",
               "can", "should", "did", "does", "do")
NEGATED = re.compile(rf"\b({'|'.join(AUXILIARIES)}) not\b|\b({'|'.join(AUXILIARIES)})n't\b")
AUXILIARY = re.compile(rf"\b({'|'.join(AUXILIARIES)})\b")


def _replace_one(claim: str, olds, news, kind, rng: random.Random) -> str | None:
    """Replace one of the claim's spans ``olds`` with one of ``news`` of the same ``kind``
    (a random pair), or ``None`` if no pair has one kind."""
    pairs = [(old, new) for old in olds for new in news if kind(old) == kind(new)]
    if not pairs:
        return None
    old, new = rng.choice(pairs)
    return claim.replace(old, new, 1)


def _swap(claim: str, source: str, spans_of, rng: random.Random, kind=lambda span: None
          ) -> str | None:
    """Replace one span of the claim with a different span of the same kind from the source
    (``kind``: the span's type, as FactCC swaps an entity for one of the same NER type)."""
    in_claim = [s for s in dict.fromkeys(spans_of(claim)) if s]
    others = [s for s in dict.fromkeys(spans_of(source)) if s and s not in in_claim]
    return _replace_one(claim, in_claim, others, kind, rng)


def number_kind(value: str) -> str:
    """The shape of a number: ``money`` (£), ``percent``, ``score`` (3-1), ``count`` (12,400)
    or ``integer``."""
    for mark, name in (("£", "money"), ("%", "percent"), ("-", "score"), (",", "count")):
        if mark in value:
            return name
    return "integer"


def entities(text: str) -> list[str]:
    """Names of ``text`` (runs of capitalised words), leaving out months, weekdays and single
    capitalised words that open a sentence ("Officials", "Reaction")."""
    dates = " ".join(m.group(0) for m in DATE.finditer(text))
    openers = {s.split()[0] for s in split_sentences(text) if s.split()}
    return [n for n in find_names(text) if n not in dates and not (" " not in n and n in openers)]


def entity_swap(claim: str, source: str, rng: random.Random) -> str | None:
    """Swap a name in the claim for another name of the source of the same type (the world's
    :func:`~lightning_modules.world.inventory.name_type`; names it cannot type swap among
    themselves)."""
    return _swap(claim, source, entities, rng, name_type)


def numbers(text: str) -> list[str]:
    """Numbers of ``text`` (money, percentages, counts), leaving out those inside dates."""
    dates = " ".join(m.group(0) for m in DATE.finditer(text))
    return [m.group(0).strip() for m in NUMBER.finditer(text) if m.group(0).strip() not in dates]


def dates(text: str) -> list[str]:
    """Dates of ``text``."""
    return [m.group(0) for m in DATE.finditer(text)]


def number_swap(claim: str, source: str, rng: random.Random) -> str | None:
    """Swap a number (money, percentage, count) in the claim for another of the same shape
    from the source."""
    return _swap(claim, source, numbers, rng, number_kind)


def date_swap(claim: str, source: str, rng: random.Random) -> str | None:
    """Swap a date in the claim for another date of the source."""
    return _swap(claim, source, dates, rng)


def pronoun_swap(claim: str, source: str, rng: random.Random) -> str | None:
    """Swap one pronoun for another of the other gender (keeping capitalisation)."""
    found = [m for m in re.finditer(r"\b\w+\b", claim) if m.group(0).lower() in PRONOUNS]
    if not found:
        return None
    m = rng.choice(found)
    new = PRONOUNS[m.group(0).lower()]
    new = new.capitalize() if m.group(0)[0].isupper() else new
    return claim[: m.start()] + new + claim[m.end():]


def negation(claim: str, source: str, rng: random.Random) -> str | None:
    """Negate an auxiliary verb, or remove an existing negation."""
    negated = list(NEGATED.finditer(claim))
    if negated:
        m = rng.choice(negated)
        return claim[: m.start()] + (m.group(1) or m.group(2)) + claim[m.end():]
    found = list(AUXILIARY.finditer(claim))
    if not found:
        return None
    m = rng.choice(found)
    return claim[: m.end()] + " not" + claim[m.end():]


def token_noise(claim: str, rng: random.Random) -> str:
    """Duplicate or drop one random word (label-preserving noise)."""
    words = claim.split()
    if len(words) < 3:
        return claim
    i = rng.randrange(len(words))
    words = words[:i] + [words[i]] + words[i:] if rng.random() < 0.5 else words[:i] + words[i + 1:]
    return " ".join(words)


def typed_values(text: str) -> list[tuple[str, str]]:
    """Every value of ``text`` that a swap can change, with its type."""
    return ([(d, "date") for d in dates(text)] + [(n, number_kind(n)) for n in numbers(text)]
            + [(e, name_type(e) or "name") for e in entities(text)])


def outside_swap(claim: str, source: str, rng: random.Random, outside: str) -> str | None:
    """Swap a value of the claim for one of the same type from ``outside`` (another document)
    that the source never mentions: an error no in-document swap makes (not in the paper)."""
    in_claim, pool = dict(typed_values(claim)), dict(typed_values(outside))
    news = [v for v in pool if v.lower() not in source.lower()]
    return _replace_one(claim, in_claim, news, {**pool, **in_claim}.get, rng)


TRANSFORMS = {"entity_swap": entity_swap, "number_swap": number_swap, "date_swap": date_swap,
              "pronoun_swap": pronoun_swap, "negation": negation}


@dataclass(frozen=True)
class ClaimExample:
    """A (document, claim) pair with its label and the transformation that made it."""

    document: str
    claim: str
    label: int
    transform: str


def swapped_pair(claim: str, changed: str) -> tuple[str, str] | None:
    """The two values that turned ``claim`` into ``changed``: one replaced by the other (a
    swap), or two of the claim's values exchanged (:func:`role_exchange`); ``None`` for any
    other change."""
    before, after = dict(typed_values(claim)), dict(typed_values(changed))
    old = [v for v in before if v not in after]
    new = [v for v in after if v not in before]
    if len(old) == 1 and len(new) == 1 and claim.replace(old[0], new[0], 1) == changed:
        return old[0], new[0]
    if old or new:
        return None
    return next(((a, b) for a in before for b in before
                 if a < b and exchange(claim, a, b) == changed), None)


def role_exchange(claim: str, source: str, rng: random.Random) -> str | None:
    """Exchange two values of the same type within the claim ("A beat B" -> "B beat A"): the
    world's role swap, which FactCC's transformations never make (not in the paper)."""
    values = typed_values(claim)
    pairs = [(a, b) for i, (a, kind) in enumerate(values) for b, other in values[i + 1:]
             if kind == other and a != b and a not in b and b not in a]
    if not pairs:
        return None
    return exchange(claim, *rng.choice(pairs))


def _whole(*values: str) -> re.Pattern:
    """A pattern for whole occurrences of any of ``values`` (longest first)."""
    pattern = "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)")


def exchange(text: str, a: str, b: str) -> str:
    """``text`` with every whole occurrence of ``a`` and ``b`` exchanged."""
    return _whole(a, b).sub(lambda m: b if m.group(0) == a else a, text)


def counterfactual(document: str, positive: str, negative: str, name: str
                   ) -> list[ClaimExample]:
    """The swap's counterfactual pair: in the document with the swapped values exchanged, the
    swapped claim is consistent and the original one is not (none if the swap is not one value
    exchanged for another that the document states)."""
    pair = swapped_pair(positive, negative)
    if pair is None or not all(_whole(v).search(document) for v in pair):
        return []
    flipped = exchange(document, *pair)
    return [ClaimExample(flipped, negative, CONSISTENT, "counterfactual"),
            ClaimExample(flipped, positive, INCONSISTENT, name)]


def claim_starts(document: str, facts: dict | None, rng: random.Random, count: int,
                 paraphrase_prob: float) -> list[str]:
    """Up to ``count`` consistent claims: sampled source sentences, each replaced with
    probability ``paraphrase_prob`` by a paraphrase of the document's ``facts``."""
    sentences = split_sentences(document)
    sentences = rng.sample(sentences, min(count, len(sentences)))
    if paraphrase_prob and facts is None:
        raise ValueError("paraphrase_prob > 0 needs rows with the world's 'facts' (set it to 0 "
                         "on other data)")
    return [stated_claim(facts, rng) if paraphrase_prob and rng.random() < paraphrase_prob else s
            for s in sentences]


def make_examples(document: str, rng: random.Random, claims_per_document: int = 2,
                  noise_prob: float = 0.2, facts: dict | None = None,
                  paraphrase_prob: float = 0.0, outside: str | None = None,
                  counterfactual_prob: float = 0.0, role_exchanges: bool = False
                  ) -> list[ClaimExample]:
    """Make balanced examples from one document: per consistent claim (a sampled sentence, or
    a paraphrase of ``facts``; see :func:`claim_starts`), the claim itself and one applicable
    label-changing transformation of it (inconsistent); with ``outside`` (another document's
    text), :func:`outside_swap` is one more transformation. With ``counterfactual_prob``, a
    swap of two values of the document also gives its :func:`counterfactual` pair;
    ``role_exchanges`` adds :func:`role_exchange` to the transformations."""
    transforms = dict(TRANSFORMS)
    if role_exchanges:
        transforms["role_exchange"] = role_exchange
    if outside is not None:
        transforms["outside_swap"] = partial(outside_swap, outside=outside)
    out = []
    for claim in claim_starts(document, facts, rng, claims_per_document, paraphrase_prob):
        names = list(transforms)
        rng.shuffle(names)
        changed = next(((n, c) for n in names
                        if (c := transforms[n](claim, document, rng)) and c != claim), None)
        if changed is None:
            continue
        positive, (name, negative) = claim, changed
        if rng.random() < noise_prob:
            positive = token_noise(positive, rng)
        if rng.random() < noise_prob:
            negative = token_noise(negative, rng)
        out += [ClaimExample(document, positive, CONSISTENT, "none"),
                ClaimExample(document, negative, INCONSISTENT, name)]
        if counterfactual_prob and rng.random() < counterfactual_prob:
            out += counterfactual(document, positive, negative, name)
    return out


def abstractive_share(rows: list[dict]) -> float:
    """The share of the references' sentences that are not copied from their document: how
    often a summary sentence is a paraphrase rather than a source sentence."""
    sentences = [(sentence, row["document"]) for row in rows
                 for sentence in split_sentences(row.get("summary") or "")]
    if not sentences:
        raise ValueError("paraphrase_prob 'auto' needs rows with reference summaries")
    return sum(sentence not in document for sentence, document in sentences) / len(sentences)


class FactCCDataModule(SummarizationDataModule):
    """(document, claim, label) examples made from a corpus's documents (see module docstring).

    Args:
        claims_per_document: source sentences sampled per document (each gives one consistent
            and one inconsistent claim where a transformation applies).
        noise_prob: probability of token noise on each claim.
        paraphrase_prob: probability that a claim starts as a paraphrase of the row's world
            ``facts`` rather than a source sentence (0, the paper's recipe, on other data);
            ``auto``: the train split's :func:`abstractive_share`, so claims are copies as
            often as the references' sentences are (xsum world 1.0, cnndm world about 0.3).
        outside_swaps: add :func:`outside_swap`, with values from the split's previous document
            (an ablation; not in the paper).
        counterfactual_prob: probability that a swap also gives its counterfactual pair (see
            module docstring; not in the paper): the document with the two values exchanged,
            against which the labels flip.
        role_exchanges: add :func:`role_exchange`, two of the claim's values exchanged (not
            in the paper; on in ``experiments/configs/factcc_synthetic.yaml``).
        seed: the examples of each split are a pure function of this seed and the corpus.
        **kwargs: see :class:`SummarizationDataModule` (``source``, ``data_dir``, ``limit``...).
    """

    def __init__(self, claims_per_document: int = 2, noise_prob: float = 0.2, seed: int = 0,
                 paraphrase_prob: float | str = 0.0, outside_swaps: bool = False,
                 counterfactual_prob: float = 0.0, role_exchanges: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.claims_per_document, self.noise_prob, self.seed = claims_per_document, noise_prob, seed
        self.paraphrase_prob, self.outside_swaps = paraphrase_prob, outside_swaps
        self.counterfactual_prob, self.role_exchanges = counterfactual_prob, role_exchanges
        self._auto_share: float | None = None

    def resolved_paraphrase_prob(self, train_rows: list[dict] | None = None) -> float:
        """``paraphrase_prob``, with ``auto`` measured once on the train split (``train_rows``
        when the caller has read them already)."""
        if self.paraphrase_prob != "auto":
            return float(self.paraphrase_prob)
        if self._auto_share is None:
            rows = train_rows if train_rows is not None else super().read_split("train")
            self._auto_share = abstractive_share(rows)
        return self._auto_share

    def read_split(self, split: str) -> list[dict]:
        """Return the split's claim examples as rows (``document``, ``claim``, ``label``...)."""
        source = super().read_split(split)
        paraphrase_prob = self.resolved_paraphrase_prob(source if split == "train" else None)
        rng, rows = random.Random(f"{self.seed}-{split}"), []
        for i, row in enumerate(source):
            outside = source[i - 1]["document"] if self.outside_swaps and len(source) > 1 else None
            try:
                examples = make_examples(row["document"], rng, self.claims_per_document,
                                         self.noise_prob, row.get("facts"), paraphrase_prob,
                                         outside, self.counterfactual_prob,
                                         self.role_exchanges)
            except ValueError as err:
                raise ValueError(f"{split} row {row['id']}: {err}") from None
            for ex in examples:
                rows.append({"id": row["id"], **ex.__dict__})
        return rows

    def collate(self, rows: list[dict]) -> dict:
        """Encoded (claim, document) pairs and their labels; the raw rows ride along."""
        enc = encode_pairs(self.tokenizer, [r["document"] for r in rows],
                           [r["claim"] for r in rows], self.hparams.max_source_length)
        return {**enc, "labels": torch.tensor([r["label"] for r in rows]), "rows": rows}
