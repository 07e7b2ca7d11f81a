"""The audit key: the HMAC key of the chain, kept outside the database and out of backups.

Taken from ``DONDOC_AUDIT_KEY`` when set, else from the key file (``DONDOC_AUDIT_KEY_FILE``,
by default ``audit.key`` in the data folder). The file is created with mode 0600 the first
time the chain is written to, unless the chain is already keyed: then a missing key is an
error, because a new key would fork the chain and make the old events unverifiable.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_KEY_LENGTH = 32


class AuditKeyMissing(ImproperlyConfigured):
    """The chain is keyed but no key is configured on this machine."""


def key_file() -> Path:
    return Path(settings.DONDOC_AUDIT_KEY_FILE)


def where_to_put_it() -> str:
    return (f"set DONDOC_AUDIT_KEY, or copy the key file to {key_file()} "
            f"(chmod 600, owned by the user that runs dondoc)")


def load_key(*, create: bool = False) -> bytes | None:
    """The key, or None when there is none (and ``create`` is false)."""
    given = str(getattr(settings, "DONDOC_AUDIT_KEY", "") or "").strip()
    if given:
        if len(given) < MIN_KEY_LENGTH:
            raise ImproperlyConfigured(
                f"DONDOC_AUDIT_KEY must be at least {MIN_KEY_LENGTH} characters long")
        return given.encode("utf-8")
    path = key_file()
    if not path.exists():
        if not create:
            return None
        _create_key_file(path)
    text = path.read_text(encoding="utf-8").strip()
    if len(text) < MIN_KEY_LENGTH:
        raise ImproperlyConfigured(
            f"the audit key file {path} is empty or too short ({MIN_KEY_LENGTH} characters "
            f"at least); restore it from your key copy: {where_to_put_it()}")
    return text.encode("utf-8")


def _create_key_file(path: Path) -> None:
    """Write a fresh random key; safe when several processes race to do it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (secrets.token_hex(32) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(partial, path)  # fails if another process was first: keep theirs
    except FileExistsError:
        pass
    finally:
        partial.unlink()


def key_id(key: bytes) -> str:
    """A short public fingerprint of the key (written in backups; reveals nothing of it)."""
    return hmac.new(key, b"dondoc audit key id", hashlib.sha256).hexdigest()[:16]
