"""The checkpoint file: chain heads and restore epochs, appended outside the database.

One JSON object per line, in ``DONDOC_AUDIT_CHECKPOINT_FILE`` (data folder):

* ``{"type": "head", "seq": N, "hash": H, "at": T}`` after every audited transaction;
* ``{"type": "epoch", "backup": ID, "seq": N, "hash": H, "at": T, "source": NAME}`` when a
  backup is restored: the chain head that came back with it starts a new epoch.

Each line is written with one ``write()`` on a descriptor opened with ``O_APPEND``, so lines
from several processes (gunicorn workers) never interleave. The file only grows; it is not
part of backups (it belongs to the machine, like the key).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

MAX_LINE = 4096  # a single append of up to PIPE_BUF bytes is never split


def checkpoint_file() -> Path:
    return Path(settings.DONDOC_AUDIT_CHECKPOINT_FILE)


def _append(entry: dict[str, Any]) -> None:
    data = (json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            + "\n").encode("utf-8")
    if len(data) > MAX_LINE:
        raise ValueError("checkpoint line too long")
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        written = os.write(fd, data)
    finally:
        os.close(fd)
    if written != len(data):  # pragma: no cover - disk full
        raise OSError(f"short write to {path}")


def append_head(seq: int, hash_: str) -> None:
    """Called on commit of every audited transaction. Never raises: the data is committed."""
    try:
        _append({"type": "head", "seq": seq, "hash": hash_, "at": timezone.now().isoformat()})
    except OSError:
        logger.exception("could not write the audit checkpoint for event #%s", seq)


def append_epoch(*, backup_id: str, seq: int, hash_: str, source: str) -> None:
    """A restore: the chain now continues from the restored head (seq, hash)."""
    _append({"type": "epoch", "backup": backup_id, "seq": seq, "hash": hash_,
             "source": source[:200], "at": timezone.now().isoformat()})


@dataclass
class Epoch:
    """The checkpoints written between two restores (the first epoch: since installation)."""

    number: int
    backup_id: str = ""
    source: str = ""
    started_at: str = ""
    restored_seq: int = 0
    restored_hash: str = ""
    heads: dict[int, set[str]] = field(default_factory=dict)

    @property
    def highest_seq(self) -> int:
        return max([self.restored_seq, *self.heads])

    def describe(self) -> str:
        if not self.backup_id:
            return f"epoch {self.number}"
        return (f"epoch {self.number} (restore of backup {self.backup_id} "
                f"on {self.started_at[:19]}, restored head #{self.restored_seq})")


@dataclass
class Checkpoints:
    exists: bool
    epochs: list[Epoch]
    warnings: list[str]

    @property
    def current(self) -> Epoch:
        return self.epochs[-1]


def read() -> Checkpoints:
    path = checkpoint_file()
    epochs = [Epoch(number=1)]
    warnings: list[str] = []
    if not path.exists():
        return Checkpoints(False, epochs, warnings)
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                entry = json.loads(raw)
                kind, seq, hash_ = entry["type"], int(entry["seq"]), str(entry["hash"])
            except (ValueError, KeyError, TypeError):
                warnings.append(f"{path}: line {number} is unreadable and was skipped")
                continue
            if kind == "epoch":
                epochs.append(Epoch(
                    number=len(epochs) + 1, backup_id=str(entry.get("backup", "")),
                    source=str(entry.get("source", "")), started_at=str(entry.get("at", "")),
                    restored_seq=seq, restored_hash=hash_))
            elif kind == "head":
                epochs[-1].heads.setdefault(seq, set()).add(hash_)
            else:
                warnings.append(f"{path}: line {number} has an unknown type and was skipped")
    return Checkpoints(True, epochs, warnings)
