"""Read what an offline W&B run logged, from its ``run-<id>.wandb`` file, with no network.

The file is a LevelDB-style log (a 7-byte W&B header, then 32 KiB blocks of records, each with a
7-byte header: CRC, length, type FULL/FIRST/MIDDLE/LAST) of ``wandb_internal_pb2.Record``
protobufs. :func:`logged_history` returns the ``history`` rows (what ``wandb.log`` and
Lightning's ``log_dict`` wrote) as dicts of key -> decoded JSON value.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

BLOCK = 32768
FILE_HEADER = 7
RECORD_HEADER = 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


def records(path: str | Path) -> list[bytes]:
    """Return the raw record payloads of a ``.wandb`` file, in order."""
    data = Path(path).read_bytes()
    if data[:4] != b":W&B":
        raise ValueError(f"{path}: not a W&B run file (bad header)")
    out, parts, pos = [], [], FILE_HEADER
    while pos + RECORD_HEADER <= len(data):
        left = BLOCK - pos % BLOCK
        if left < RECORD_HEADER:  # block trailer padding
            pos += left
            continue
        length, kind = struct.unpack("<HB", data[pos + 4:pos + 7])
        payload = data[pos + RECORD_HEADER:pos + RECORD_HEADER + length]
        pos += RECORD_HEADER + length
        if kind == 0 and length == 0:
            continue
        parts.append(payload)
        if kind in (FULL, LAST):
            out.append(b"".join(parts))
            parts = []
    return out


def logged_history(path: str | Path) -> list[dict]:
    """Return every history row logged to the run (key -> value)."""
    from wandb.proto import wandb_internal_pb2 as pb

    rows = []
    for payload in records(path):
        record = pb.Record()
        record.ParseFromString(payload)
        if record.WhichOneof("record_type") == "history":
            rows.append({item.key or "/".join(item.nested_key): json.loads(item.value_json)
                         for item in record.history.item})
    return rows


def logged_keys(run_dir: str | Path) -> dict:
    """Return the last logged value of every key of the offline run(s) under ``run_dir``."""
    last: dict = {}
    for path in sorted(Path(run_dir).glob("**/offline-run-*/run-*.wandb")):
        for row in logged_history(path):
            last.update(row)
    return last
