"""Reads of the audit log, scoped like everything else, and its wording for people.

Events store developer names (``plans.task``, ``deadline_kind``, ISO dates) so that the
hash chain never depends on a translation; the pages show the models' and fields'
verbose names in the reader's language and dates as dd/mm/yyyy.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from dondoc.audit.models import AuditEvent
from dondoc.core.text import fold
from dondoc.organization import scoping

# Objects that belong to a task: their stored label starts with the task's id.
_TASK_PARTS = {"progress.progressupdate", "plans.deadlineextension", "plans.completionrequest",
               "plans.suspension", "plans.leadunitchange"}
_LEADING_TASK_ID = re.compile(r"^(\d+)(?::| @)?\s+(.*)$", re.S)
_ISO_DAY = re.compile(
    r"\b(\d{4})-(\d{2})-(\d{2})(?P<time>[T ]\d{2}:\d{2}[0-9:.]*(?:[+-]\d{2}:\d{2}|Z)?)?")


def audit_events(*, user: Any, actor: str = "", action: str = "", object_type: str = "",
                 since: dt.date | None = None, until: dt.date | None = None,
                 ) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if not scoping.is_admin(user):
        events = events.filter(unit_id__in=scoping.units_visible_to(user).values("pk"))
    if actor:
        events = events.filter(actor_name__icontains=actor)
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if since:
        events = events.filter(created_at__date__gte=since)
    if until:
        events = events.filter(created_at__date__lte=until)
    return events.order_by("-seq")


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_choices() -> list[tuple[str, str]]:
    """(``app.model``, its name) for every kind of object dondoc records, by name."""
    choices = [
        (model._meta.label_lower, str(capfirst(model._meta.verbose_name)))
        for model in apps.get_models()
        if model.__module__.startswith("dondoc.") and model._meta.app_label != "audit"
    ]
    return sorted(choices, key=lambda choice: fold(choice[1]))


def object_type_label(object_type: str) -> str:
    model = _model(object_type)
    return str(capfirst(model._meta.verbose_name)) if model is not None else object_type


def _field(object_type: str, name: str) -> models.Field[Any, Any] | None:
    model = _model(object_type)
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def field_label(object_type: str, name: str) -> str:
    field = _field(object_type, name)
    if field is None:
        return name.replace("_", " ")
    related = field.related_model
    if not isinstance(field.verbose_name, Promise) and isinstance(related, type):
        # A relation without a (translated) name of its own is named after its model.
        return str(capfirst(related._meta.verbose_name))
    return str(capfirst(field.verbose_name))


def _local_moment(value: str) -> str:
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "d/m/Y H:i")


def readable_dates(text: str) -> str:
    """ISO dates (and moments, in local time) inside a stored text, as dd/mm/yyyy (hh:mm)."""
    def replace(match: re.Match[str]) -> str:
        year, month, day = match.group(1), match.group(2), match.group(3)
        if match.group("time"):
            try:
                return _local_moment(match.group(0))
            except ValueError:
                pass
        return f"{day}/{month}/{year}"
    return _ISO_DAY.sub(replace, text)


def _task_codes(events: Iterable[AuditEvent]) -> dict[int, str]:
    from dondoc.plans.models import Task

    ids = set()
    for event in events:
        if event.object_type in _TASK_PARTS and (match := _LEADING_TASK_ID.match(
                event.object_repr)):
            ids.add(int(match.group(1)))
    return dict(Task.objects.filter(pk__in=ids).values_list("pk", "code")) if ids else {}


def describe_events(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """The events with ``type_label``, ``label`` and ``field_labels`` set for a person to
    read (one query for the page's task codes)."""
    rows = list(events)
    codes = _task_codes(rows)
    for event in rows:
        label = event.object_repr
        match = _LEADING_TASK_ID.match(label) if event.object_type in _TASK_PARTS else None
        if match and int(match.group(1)) in codes:
            label = f"{codes[int(match.group(1))]} · {match.group(2)}"
        event.label = readable_dates(label)  # type: ignore[attr-defined]
        event.type_label = object_type_label(event.object_type)  # type: ignore[attr-defined]
        event.field_labels = [  # type: ignore[attr-defined]
            field_label(event.object_type, name) for name in (event.changes or {})]
        event.message_text = readable_dates(event.message)  # type: ignore[attr-defined]
    return rows


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def _related_names(field: models.Field[Any, Any], values: list[Any]) -> dict[Any, str]:
    model = field.related_model
    ids = set()
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, int):
                ids.add(item)
    if not ids or not isinstance(model, type):
        return {}
    return {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=ids)}


def _show(field: models.Field[Any, Any] | None, value: Any, names: dict[Any, str]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(_show(field, item, names) for item in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None:
        if field.is_relation:
            return names.get(value, f"#{value}")
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
    return readable_dates(str(value))


def describe_changes(event: AuditEvent) -> list[Change]:
    """The event's changes field by field, with names and values as the pages show them."""
    rows = []
    for name, values in (event.changes or {}).items():
        field = _field(event.object_type, name)
        pair = list(values) if isinstance(values, list | tuple) and len(values) == 2 else [
            None, values]
        names = _related_names(field, pair) if field is not None and field.is_relation else {}
        rows.append(Change(label=field_label(event.object_type, name),
                           before=_show(field, pair[0], names),
                           after=_show(field, pair[1], names)))
    return rows
