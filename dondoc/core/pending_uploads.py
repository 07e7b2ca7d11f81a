"""Uploaded files kept between a preview and its confirmation, known only to one session.

An upload that passed its checks is written to ``MEDIA_ROOT/<folder>/<random token>.xlsx``
(mode 0600, never overwriting); the token and what it belongs to (the user, the object,
the file name…) are kept in the uploader's session under ``session_key``. A forged token,
someone else's, or one already used is "not found" (404), the same as a missing one. A
session keeps at most ``max_pending`` uploads (the oldest are dropped with their files),
and files abandoned for more than ``max_age_seconds`` are swept at the next upload, by
anyone. The task import (``dondoc.imports.views_import``) and the survey workbook upload
(``dondoc.surveys.views_excel``) use it.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils import timezone

TOKEN_PATTERN: Final = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class PendingUploads:
    """One kind of pending upload: where its files live and where its session keeps them."""

    folder: str  # under MEDIA_ROOT
    session_key: str
    max_pending: int = 5  # per session: older uploads are dropped
    max_age_seconds: int = 24 * 3600  # files left behind (abandoned previews) are swept
    sweep_glob: str = "*.xlsx"  # what the sweep may delete in the folder

    def directory(self) -> Path:
        return Path(settings.MEDIA_ROOT) / self.folder

    def path_of(self, token: str) -> Path:
        return self.directory() / f"{token}.xlsx"

    def sweep(self) -> None:
        """Delete the files abandoned for more than ``max_age_seconds`` (by anyone)."""
        limit = time.time() - self.max_age_seconds
        for path in self.directory().glob(self.sweep_glob):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < limit:
                    path.unlink()

    def pending(self, request: HttpRequest) -> dict[str, dict[str, Any]]:
        """This session's pending uploads, by token."""
        value = request.session.get(self.session_key)
        return dict(value) if isinstance(value, dict) else {}

    def store(self, request: HttpRequest, data: bytes, **entry: Any) -> str:
        """Keep ``data`` for this session's user and return its new token; ``entry`` is
        what the upload belongs to (checked by :meth:`entry`) and what the preview needs."""
        self.directory().mkdir(parents=True, exist_ok=True)
        token = secrets.token_urlsafe(24)
        descriptor = os.open(self.path_of(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        pending = self.pending(request)
        pending[token] = {"user": request.user.pk, **entry,
                          "created": timezone.now().isoformat()}
        while len(pending) > self.max_pending:
            oldest = min(pending, key=lambda key: str(pending[key].get("created", "")))
            pending.pop(oldest)
            self.path_of(oldest).unlink(missing_ok=True)
        request.session[self.session_key] = pending
        self.sweep()
        return token

    def entry(self, request: HttpRequest, token: str, **belongs_to: Any) -> dict[str, Any]:
        """The pending upload ``token`` of this session's user, belonging to
        ``belongs_to`` (e.g. ``document=pk``), or 404: someone else's token, a forged one,
        or one already used."""
        if not TOKEN_PATTERN.match(token):
            raise Http404
        entry = self.pending(request).get(token)
        if not isinstance(entry, dict) or entry.get("user") != request.user.pk:
            raise Http404
        if any(entry.get(key) != value for key, value in belongs_to.items()):
            raise Http404
        return entry

    def update(self, request: HttpRequest, token: str, **changes: Any) -> None:
        """Change what the session keeps of a pending upload (nothing if it is gone)."""
        pending = self.pending(request)
        if token in pending:
            pending[token] = {**pending[token], **changes}
            request.session[self.session_key] = pending

    def discard(self, request: HttpRequest, token: str) -> None:
        """Forget the upload and delete its file (after use, or on cancel)."""
        pending = self.pending(request)
        pending.pop(token, None)
        request.session[self.session_key] = pending
        self.path_of(token).unlink(missing_ok=True)
