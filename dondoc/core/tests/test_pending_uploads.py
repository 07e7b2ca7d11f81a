"""The pending-upload store shared by the task import and the survey workbook upload."""

from __future__ import annotations

import datetime as dt
import os
import stat
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import Http404, HttpRequest
from django.test import RequestFactory

from dondoc.core.pending_uploads import PendingUploads

STORE = PendingUploads(folder="uploads-under-test", session_key="test_pending")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path / STORE.folder


def visitor(user_pk: int = 7) -> HttpRequest:
    """A request of a user with a session of its own."""
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.user = SimpleNamespace(pk=user_pk)  # type: ignore[assignment]
    return request


def test_an_upload_is_kept_privately_and_found_again_by_its_session() -> None:
    request = visitor()
    token = STORE.store(request, b"workbook", document=12, name="phu-luc.xlsx")

    path = STORE.path_of(token)
    assert path.read_bytes() == b"workbook"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    entry = STORE.entry(request, token, document=12)
    assert entry["user"] == 7
    assert entry["name"] == "phu-luc.xlsx"


def test_another_session_cannot_read_the_upload_even_with_its_token() -> None:
    token = STORE.store(visitor(), b"workbook", document=12)
    with pytest.raises(Http404):
        STORE.entry(visitor(), token, document=12)


def test_the_upload_belongs_to_its_user_and_object() -> None:
    request = visitor()
    token = STORE.store(request, b"workbook", document=12)
    with pytest.raises(Http404):
        STORE.entry(request, token, document=13)
    request.user = SimpleNamespace(pk=8)  # type: ignore[assignment]
    with pytest.raises(Http404):
        STORE.entry(request, token, document=12)


@pytest.mark.parametrize("forged", [
    "../../etc/passwd", "short", "x" * 65, "a" * 32, "token with spaces " + "a" * 20,
])
def test_a_tampered_or_unknown_token_is_not_found(forged: str) -> None:
    request = visitor()
    STORE.store(request, b"workbook", document=12)
    with pytest.raises(Http404):
        STORE.entry(request, forged, document=12)


def test_a_token_with_one_character_changed_is_not_found() -> None:
    request = visitor()
    token = STORE.store(request, b"workbook", document=12)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(Http404):
        STORE.entry(request, tampered, document=12)


def test_the_file_is_deleted_and_the_token_forgotten_after_use() -> None:
    request = visitor()
    token = STORE.store(request, b"workbook", document=12)
    STORE.discard(request, token)
    assert not STORE.path_of(token).exists()
    with pytest.raises(Http404):
        STORE.entry(request, token, document=12)
    STORE.discard(request, token)  # twice (a double click) is harmless


def test_an_update_changes_what_the_session_keeps() -> None:
    request = visitor()
    token = STORE.store(request, b"workbook", document=12, fingerprint="old")
    STORE.update(request, token, fingerprint="new")
    assert STORE.entry(request, token, document=12)["fingerprint"] == "new"
    STORE.update(request, "gone" * 6, fingerprint="x")  # a forgotten token: nothing
    assert set(STORE.pending(request)) == {token}


def test_beyond_the_limit_the_oldest_upload_is_dropped_with_its_file() -> None:
    request = visitor()
    tokens = []
    with time_machine.travel(START, tick=False) as clock:
        for index in range(STORE.max_pending + 1):
            tokens.append(STORE.store(request, b"workbook", document=index))
            clock.shift(dt.timedelta(minutes=1))
    oldest, kept = tokens[0], tokens[1:]
    assert set(STORE.pending(request)) == set(kept)
    assert not STORE.path_of(oldest).exists()
    assert all(STORE.path_of(token).is_file() for token in kept)
    with pytest.raises(Http404):
        STORE.entry(request, oldest, document=0)


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_files_abandoned_for_longer_than_the_limit_are_swept_at_the_next_upload(
        media: Path) -> None:
    abandoned = STORE.store(visitor(), b"old", document=1)
    recent = STORE.store(visitor(), b"recent", document=2)
    _age(STORE.path_of(abandoned), STORE.max_age_seconds + 60)
    _age(STORE.path_of(recent), STORE.max_age_seconds - 60)
    other = media / "notes.txt"  # not an upload of this store's kind: left alone
    other.write_text("keep")
    _age(other, STORE.max_age_seconds + 60)

    STORE.store(visitor(), b"new", document=3)  # by anyone

    assert not STORE.path_of(abandoned).exists()
    assert STORE.path_of(recent).is_file()
    assert other.is_file()


def test_a_store_may_sweep_every_file_of_its_folder(media: Path) -> None:
    store = PendingUploads(folder=STORE.folder, session_key="other", sweep_glob="*")
    token = store.store(visitor(), b"x", document=1)
    claimed = media / f"{token}.job1-1.claimed"  # left by a killed import
    store.path_of(token).rename(claimed)
    _age(claimed, store.max_age_seconds + 60)

    store.store(visitor(), b"y", document=2)

    assert not claimed.exists()
