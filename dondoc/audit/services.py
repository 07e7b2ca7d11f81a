"""Writing and verifying the audit chain."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from dondoc.audit.context import client_address
from dondoc.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
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
    return json.dumps(
        [
            event.seq, event.created_at.isoformat(), event.actor_id, event.actor_name,
            event.action, event.object_type, event.object_id, event.object_repr,
            event.unit_id, event.changes, event.message, event.ip_address, event.prev_hash,
        ],
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_event_payload(event).encode("utf-8")).hexdigest()


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
        )
        event.hash = compute_hash(event)
        event.save()
        AuditChainHead.objects.filter(pk=head.pk).update(seq=event.seq, hash=event.hash)
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
            )
            event.hash = compute_hash(event)
            previous = event.hash
            rows.append(event)
        # Values converted and inserted with prepared statements: a large import holds
        # the chain's lock (and SQLite's write lock) as briefly as possible.
        insert_rows(prepare_rows(AuditEvent, rows))
        AuditChainHead.objects.filter(pk=head.pk).update(seq=seq, hash=previous)
    return len(rows)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify(*, chunk_size: int = 5000) -> VerifyResult:
    """Recompute the chain; report the first event whose link or content does not match."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, "missing event (gap in sequence)")
        if event.prev_hash != expected_prev:
            return VerifyResult(False, checked, event.seq, "link to previous event broken")
        if compute_hash(event) != event.hash:
            return VerifyResult(False, checked, event.seq, "content does not match its hash")
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.seq != checked:
        return VerifyResult(False, checked, checked + 1, "events after the last one are missing")
    return VerifyResult(True, checked)
