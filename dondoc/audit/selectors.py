"""Reads of the audit log, scoped like everything else."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dondoc.audit.models import AuditEvent
from dondoc.organization import scoping

OBJECT_TYPES = [
    ("organization.unit", _("Unit")),
    ("organization.user", _("User")),
]


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
