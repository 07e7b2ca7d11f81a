"""Writing and verifying the audit chain."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from dondoc.audit import checkpoints, keyring
from dondoc.audit.context import client_address
from dondoc.audit.models import (
    GENESIS_HASH,
    SCHEME_HMAC,
    SCHEME_SHA256,
    Action,
    AuditChainHead,
    AuditEvent,
)
from dondoc.core.bulk import insert_rows, prepare_rows


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, list | tuple | set):
        return [_jsonable(item) for item in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The values of ``fields`` (default: every concrete, editable field) as JSON values."""
    names = list(fields) if fields is not None else [
        f.name for f in obj._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in {"password", "search_text"}
    ]
    values = {}
    for name in names:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(_jsonable(list(getattr(obj, name).all())))
        elif field.is_relation:
            values[name] = getattr(obj, field.attname)  # type: ignore[union-attr]
        else:
            values[name] = _jsonable(getattr(obj, name))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for every field whose value changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _event_payload(event: AuditEvent) -> str:
    fields: list[Any] = [
        event.seq, event.created_at.isoformat(), event.actor_id, event.actor_name,
        event.action, event.object_type, event.object_id, event.object_repr,
        event.unit_id, event.changes, event.message, event.ip_address, event.prev_hash,
    ]
    if event.scheme != SCHEME_SHA256:
        fields.insert(0, event.scheme)  # the scheme is signed too: no silent downgrade
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)


def sha256_hash(event: AuditEvent) -> str:
    """The unkeyed hash (scheme 1): anyone can compute it, so it proves nothing alone."""
    return hashlib.sha256(_event_payload(event).encode("utf-8")).hexdigest()


def keyed_hash(event: AuditEvent, key: bytes) -> str:
    """HMAC-SHA256 of the event with the audit key (scheme 2)."""
    return hmac.new(key, _event_payload(event).encode("utf-8"), hashlib.sha256).hexdigest()


def _signing_key(head: AuditChainHead) -> bytes:
    """The key to sign with; created on first use unless the chain is already keyed."""
    key = keyring.load_key()
    if key is not None:
        return key
    if head.seq and AuditEvent.objects.filter(seq=head.seq, scheme=SCHEME_HMAC).exists():
        raise keyring.AuditKeyMissing(
            "the audit chain is keyed but the audit key is missing on this machine; "
            f"refusing to write (a new key would fork the chain): {keyring.where_to_put_it()}")
    created = keyring.load_key(create=True)
    assert created is not None
    return created


def _checkpoint_on_commit(event: AuditEvent) -> None:
    seq, hash_ = event.seq, event.hash
    transaction.on_commit(lambda: checkpoints.append_head(seq, hash_))


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    unit_id: int | None = None,
    changes: dict[str, Any] | None = None,
    message: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    The chain head is locked while appending, so concurrent writers queue up and every
    event links to exactly one predecessor.
    """
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
        )
        is_user = actor is not None and getattr(actor, "is_authenticated", False)
        event = AuditEvent(
            seq=head.seq + 1,
            created_at=timezone.now(),
            actor_id=actor.pk if is_user else None,
            actor_name=(actor.get_username() if is_user else "system")[:150],
            action=action,
            object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
            object_id=object_id or (str(obj.pk) if obj is not None else ""),
            object_repr=(object_repr or (str(obj) if obj is not None else ""))[:255],
            unit_id=unit_id,
            changes=_jsonable_dict(changes or {}),
            message=message[:255],
            ip_address=client_address.get(),
            prev_hash=head.hash,
            scheme=SCHEME_HMAC,
        )
        event.hash = keyed_hash(event, _signing_key(head))
        event.save()
        AuditChainHead.objects.filter(pk=head.pk).update(seq=event.seq, hash=event.hash)
        _checkpoint_on_commit(event)
    return event


def _jsonable_dict(changes: dict[str, Any]) -> dict[str, Any]:
    # Round-trip through JSON so the stored value hashes the same after reloading.
    result: dict[str, Any] = json.loads(json.dumps(changes, default=str, ensure_ascii=False))
    return result


@dataclass(frozen=True)
class PendingEvent:
    """An event to append with :func:`record_many`."""

    action: str
    obj: models.Model
    unit_id: int | None
    changes: dict[str, Any]
    message: str = ""


def record_many(*, actor: Any, events: Iterable[PendingEvent]) -> int:
    """Append many events at once (bulk imports): one lock, one insert per batch.

    The chain is the same as if :func:`record` had been called for each in turn.
    """
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS_HASH})
        key = _signing_key(head)
        is_user = actor is not None and getattr(actor, "is_authenticated", False)
        now = timezone.now()
        address = client_address.get()
        rows: list[AuditEvent] = []
        seq, previous = head.seq, head.hash
        for pending in events:
            seq += 1
            event = AuditEvent(
                seq=seq, created_at=now, actor_id=actor.pk if is_user else None,
                actor_name=(actor.get_username() if is_user else "system")[:150],
                action=pending.action, object_type=pending.obj._meta.label_lower,
                object_id=str(pending.obj.pk), object_repr=str(pending.obj)[:255],
                unit_id=pending.unit_id, changes=_jsonable_dict(pending.changes),
                message=pending.message[:255], ip_address=address, prev_hash=previous,
                scheme=SCHEME_HMAC,
            )
            event.hash = keyed_hash(event, key)
            previous = event.hash
            rows.append(event)
        # Values converted and inserted with prepared statements: a large import holds
        # the chain's lock (and SQLite's write lock) as briefly as possible.
        insert_rows(prepare_rows(AuditEvent, rows))
        AuditChainHead.objects.filter(pk=head.pk).update(seq=seq, hash=previous)
        if rows:
            _checkpoint_on_commit(rows[-1])
    return len(rows)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    warnings: tuple[str, ...] = ()
    key_missing: bool = False
    keyed_from: int | None = None
    checkpoints_checked: int = 0
    epoch: str = ""
    epochs: int = 1


def verify(*, chunk_size: int = 5000) -> VerifyResult:
    """Check the chain against the audit key and the checkpoint file.

    Reports the first event that is missing, whose link or signature does not match, that
    differs from a checkpoint, or that follows the last event still in the database although
    a checkpoint saw it. Only the current epoch (since the last restore) is compared with the
    database: earlier epochs describe chains a restore has replaced.
    """
    key = keyring.load_key()
    marks = checkpoints.read()
    epoch = marks.current
    warnings = list(marks.warnings)
    if not marks.exists:
        warnings.append(
            f"no checkpoint file at {checkpoints.checkpoint_file()}: deleting the latest "
            f"events cannot be detected until the next audited write creates it")
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    checkpoints_checked = 0
    keyed_from: int | None = None

    def broken(seq: int, reason: str, *, key_missing: bool = False) -> VerifyResult:
        return VerifyResult(False, checked, seq, reason, tuple(warnings), key_missing,
                            keyed_from, checkpoints_checked, epoch.describe(),
                            len(marks.epochs))

    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            return broken(expected_seq, "missing event (gap in sequence)")
        if event.prev_hash != expected_prev:
            return broken(event.seq, "link to previous event broken")
        if event.scheme == SCHEME_HMAC:
            if key is None:
                return broken(event.seq, "the audit key is missing, so keyed events cannot "
                              f"be checked: {keyring.where_to_put_it()}", key_missing=True)
            if not hmac.compare_digest(keyed_hash(event, key), event.hash):
                return broken(event.seq, "content does not match its keyed hash (HMAC): "
                              "edited or forged without the audit key")
            if keyed_from is None:
                keyed_from = event.seq
        elif event.scheme == SCHEME_SHA256:
            if keyed_from is not None:
                return broken(event.seq, f"unkeyed event after keyed events (the chain is "
                              f"keyed from #{keyed_from}): downgraded or forged")
            if sha256_hash(event) != event.hash:
                return broken(event.seq, "content does not match its hash")
        else:
            return broken(event.seq, f"unknown hash scheme {event.scheme}")
        seen = epoch.heads.get(event.seq)
        if seen is not None:
            if seen != {event.hash}:
                return broken(event.seq, f"differs from the checkpoint written after it was "
                              f"recorded ({epoch.describe()})")
            checkpoints_checked += 1
        if epoch.backup_id:
            if event.seq == epoch.restored_seq and event.hash != epoch.restored_hash:
                return broken(event.seq, f"differs from the head restored in {epoch.describe()}")
            if event.seq == epoch.restored_seq + 1 and (
                    event.action != Action.RESTORE
                    or (event.changes or {}).get("backup") != epoch.backup_id):
                return broken(event.seq, f"should record the restore of backup "
                              f"{epoch.backup_id} ({epoch.describe()})")
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    if epoch.backup_id and checked <= epoch.restored_seq:
        return broken(checked + 1, f"events up to #{epoch.restored_seq + 1} are missing: "
                      f"the chain is shorter than after {epoch.describe()}")
    if epoch.heads and epoch.highest_seq > checked:
        return broken(checked + 1, f"events #{checked + 1}–#{epoch.highest_seq} are missing: "
                      f"a checkpoint saw the chain reach #{epoch.highest_seq} (truncated)")
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        if checked:
            return broken(checked, "the chain head row is missing (deleted or forged head)")
    elif head.seq > checked:
        return broken(checked + 1, f"events #{checked + 1}–#{head.seq} are missing: the "
                      f"chain head points past the last event")
    elif head.seq < checked:
        return broken(head.seq + 1, f"the chain head points to #{head.seq}, not to the last "
                      f"event #{checked} (forged head)")
    elif head.hash != expected_prev:
        return broken(checked, f"the chain head's hash is not that of event #{checked} "
                      f"(forged head)")
    return VerifyResult(True, checked, None, "", tuple(warnings), False, keyed_from,
                        checkpoints_checked, epoch.describe(), len(marks.epochs))
