"""Fault drills on the keyed audit chain: each tampering is caught by ``dondoc audit verify``.

The attacker of these drills can read and write the database (a DBA, a stolen dump, an SQL
injection) and knows the application's code, but not the audit key, which is kept outside
the database. See docs/security.md, "Threat model of the audit chain".
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dondoc.audit import checkpoints, keyring
from dondoc.audit.models import (
    GENESIS_HASH,
    SCHEME_HMAC,
    SCHEME_SHA256,
    AuditChainHead,
    AuditEvent,
)
from dondoc.audit.services import keyed_hash, record, sha256_hash, verify


@pytest.fixture
def chain(db, django_capture_on_commit_callbacks) -> Callable[[int], list[AuditEvent]]:
    """``chain(n)`` appends n events, each its own committed transaction (with checkpoint)."""

    def _append(count: int) -> list[AuditEvent]:
        events = []
        for _ in range(count):
            with django_capture_on_commit_callbacks(execute=True):
                n = AuditEvent.objects.count() + 1
                events.append(record(actor=None, action="other", message=f"event {n}"))
        return events

    return _append


def rewrite_from(seq: int, hasher: Callable[[AuditEvent], str], *, scheme: int | None = None,
                 message: str | None = None) -> None:
    """Edit event ``seq`` and recompute every following link, then move the head: what an
    attacker with the database and the code (but not the key) can do."""
    previous = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS_HASH
    last = None
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        if message is not None and event.seq == seq:
            event.message = message
        if scheme is not None:
            event.scheme = scheme
        event.prev_hash = previous
        event.hash = hasher(event)
        AuditEvent.objects.filter(pk=event.pk).update(
            message=event.message, scheme=event.scheme, prev_hash=event.prev_hash,
            hash=event.hash)
        previous, last = event.hash, event.seq
    AuditChainHead.objects.filter(pk=1).update(seq=last, hash=previous)


def assert_verify_fails_at(seq: int, *words: str) -> None:
    result = verify()
    assert not result.ok
    assert result.broken_seq == seq, result
    for word in words:
        assert word in result.reason, result.reason
    with pytest.raises(CommandError, match=f"BROKEN at event #{seq}:"):
        call_command("audit", "verify")


def test_an_untouched_keyed_chain_with_checkpoints_verifies(chain, capsys) -> None:
    chain(4)
    result = verify()
    assert result.ok, result
    assert (result.checked, result.keyed_from, result.checkpoints_checked) == (4, 1, 4)
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "audit chain intact: 4 events, keyed (HMAC-SHA256) from #1" in out
    assert "checkpoints: 4 matched in epoch 1 of 1" in out


def test_new_events_are_signed_with_the_key_not_a_plain_hash(chain) -> None:
    [event] = chain(1)
    key = keyring.load_key()
    assert key is not None
    assert event.scheme == SCHEME_HMAC
    assert event.hash == keyed_hash(event, key) != sha256_hash(event)


def test_drill_edit_and_recompute_with_the_apps_unkeyed_hash_is_caught(chain) -> None:
    chain(5)
    rewrite_from(3, sha256_hash, message="rewritten history")
    assert_verify_fails_at(3, "keyed hash")


def test_drill_edit_and_recompute_with_a_guessed_key_is_caught(chain) -> None:
    chain(5)
    rewrite_from(3, lambda event: keyed_hash(event, b"g" * 64), message="rewritten")
    assert_verify_fails_at(3, "keyed hash")


def test_drill_downgrading_events_to_the_unkeyed_scheme_is_caught(chain) -> None:
    chain(5)
    rewrite_from(3, sha256_hash, scheme=SCHEME_SHA256, message="rewritten")
    assert_verify_fails_at(3, "unkeyed event after keyed events")


def test_drill_rewriting_the_whole_chain_as_unkeyed_is_caught_by_the_checkpoints(chain) -> None:
    chain(5)
    rewrite_from(1, sha256_hash, scheme=SCHEME_SHA256, message="rewritten from the start")
    assert_verify_fails_at(1, "checkpoint")


def test_drill_truncating_across_a_checkpoint_is_caught(chain) -> None:
    events = chain(5)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq >= 4")
    AuditChainHead.objects.filter(pk=1).update(seq=3, hash=events[2].hash)
    assert_verify_fails_at(4, "truncated", "#5")


def test_drill_deleting_an_event_in_the_middle_is_caught(chain) -> None:
    chain(5)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 3")
    assert_verify_fails_at(3, "missing event")


def test_drill_a_forged_event_on_top_of_a_moved_head_is_caught(chain) -> None:
    events = chain(5)
    forged = AuditEvent(
        seq=6, created_at=events[-1].created_at, actor_name="system", action="other",
        message="forged approval", prev_hash=events[-1].hash, scheme=SCHEME_HMAC)
    forged.hash = sha256_hash(forged)
    forged.save()
    AuditChainHead.objects.filter(pk=1).update(seq=6, hash=forged.hash)
    assert_verify_fails_at(6, "keyed hash")


def test_drill_a_forged_head_hash_is_caught(chain) -> None:
    chain(5)
    AuditChainHead.objects.filter(pk=1).update(hash="f" * 64)
    assert_verify_fails_at(5, "forged head")


def test_drill_a_head_moved_back_without_deleting_events_is_caught(chain) -> None:
    events = chain(5)
    AuditChainHead.objects.filter(pk=1).update(seq=3, hash=events[2].hash)
    assert_verify_fails_at(4, "forged head")


def test_an_event_differing_from_its_checkpoint_is_caught(chain, settings) -> None:
    chain(3)
    path = checkpoints.checkpoint_file()
    lines = path.read_text().splitlines()
    entry = json.loads(lines[1])
    entry["hash"] = "0" * 64
    path.write_text("\n".join([lines[0], json.dumps(entry), lines[2]]) + "\n")
    assert_verify_fails_at(2, "checkpoint")


def test_pre_upgrade_events_keep_verifying_and_the_first_keyed_event_protects_them(
        chain) -> None:
    # Two events as the previous version wrote them: plain SHA-256, scheme 1.
    previous = GENESIS_HASH
    for seq in (1, 2):
        old = AuditEvent(seq=seq, created_at=dt.datetime(2025, 1, seq, 8, tzinfo=dt.UTC),
                         actor_name="system", action="other", message=f"old {seq}",
                         prev_hash=previous, scheme=SCHEME_SHA256)
        old.hash = sha256_hash(old)
        old.save()
        previous = old.hash
    AuditChainHead.objects.create(pk=1, seq=2, hash=previous)
    chain(2)
    result = verify()
    assert result.ok, result
    assert (result.checked, result.keyed_from) == (4, 3)
    # Rewriting an old event (and the old links after it) breaks the first keyed event.
    rewrite_from(1, sha256_hash, message="rewritten")
    assert_verify_fails_at(3, "keyed hash")


def test_without_the_key_verify_says_what_is_missing(chain) -> None:
    chain(2)
    keyring.key_file().unlink()
    result = verify()
    assert not result.ok and result.key_missing
    with pytest.raises(CommandError, match=r"cannot be verified.*DONDOC_AUDIT_KEY"):
        call_command("audit", "verify")


def test_a_keyed_chain_refuses_to_write_without_its_key_rather_than_fork(chain) -> None:
    chain(1)
    keyring.key_file().unlink()
    with pytest.raises(keyring.AuditKeyMissing, match="DONDOC_AUDIT_KEY"):
        record(actor=None, action="other")
    assert not keyring.key_file().exists()


def test_the_key_file_is_created_on_first_use_with_mode_0600(chain, settings,
                                                             tmp_path: Path) -> None:
    settings.DONDOC_AUDIT_KEY_FILE = tmp_path / "data" / "audit.key"
    chain(1)
    path = settings.DONDOC_AUDIT_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_text().strip()) == 64


def test_the_key_from_the_environment_wins_and_no_file_is_written(chain, settings,
                                                                   tmp_path: Path) -> None:
    settings.DONDOC_AUDIT_KEY = "k" * 40
    settings.DONDOC_AUDIT_KEY_FILE = tmp_path / "audit.key"
    [event] = chain(1)
    assert event.hash == keyed_hash(event, b"k" * 40)
    assert not (tmp_path / "audit.key").exists()
    settings.DONDOC_AUDIT_KEY = "short"
    with pytest.raises(ImproperlyConfigured, match="at least 32"):
        verify()


def test_truncation_without_any_checkpoint_file_is_only_a_warning(db) -> None:
    record(actor=None, action="other")  # no commit in this test: no checkpoint written
    result = verify()
    assert result.ok
    assert any("no checkpoint file" in warning for warning in result.warnings)


def _append_heads(worker: int) -> None:
    for n in range(200):
        checkpoints.append_head(worker * 1000 + n, f"{worker:02d}" * 32)


def test_checkpoint_lines_from_concurrent_processes_never_interleave(db) -> None:
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_append_heads, args=(w,)) for w in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    marks = checkpoints.read()
    assert marks.warnings == []
    assert sum(len(seqs) for seqs in marks.current.heads.values()) == 800
    assert all(hashes == {f"{seq // 1000:02d}" * 32}
               for seq, hashes in marks.current.heads.items())
