"""The human-annotated QAGS-C (CNN/DM) and QAGS-X (XSUM) files (Wang et al., 2020).

Each line: ``article`` and ``summary_sentences`` = [{sentence, responses: [{worker_id,
response: yes|no}]}] with three votes per sentence. A sentence is consistent when the majority of
its votes say yes; a summary's human score is the share of its sentences judged consistent.
"""

from __future__ import annotations

import json
from pathlib import Path


def majority(responses: list[dict], where: str) -> int:
    """1 if most votes say ``yes``; ties (an even number of votes, split) count as 0."""
    votes = [r.get("response") for r in responses]
    if not votes or any(v not in ("yes", "no") for v in votes):
        raise ValueError(f"{where}: field 'responses': expected yes/no votes, got {votes!r}")
    return int(votes.count("yes") > len(votes) / 2)


def read_qags(path: str | Path) -> list[dict]:
    """Return ``{id, document, summary, sentences, labels, human}`` per summary."""
    out = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{path}:{number}"
        row = json.loads(line)
        if "article" not in row or not row.get("summary_sentences"):
            raise ValueError(f"{where}: field 'article' or 'summary_sentences': missing")
        sentences = [s["sentence"] for s in row["summary_sentences"]]
        labels = [majority(s["responses"], where) for s in row["summary_sentences"]]
        out.append({"id": f"{Path(path).stem}-{number - 1}", "document": row["article"],
                    "summary": " ".join(sentences), "sentences": sentences, "labels": labels,
                    "human": sum(labels) / len(labels)})
    return out
