"""The audit log page: filtered, paginated, scoped to the reader's units."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dondoc.audit import selectors
from dondoc.audit.models import Action
from dondoc.core.paging import paginate, querystring_without
from dondoc.organization import scoping
from dondoc.organization.views import _parse_day


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not scoping.can_read_audit(request.user):
        raise PermissionDenied
    events = selectors.audit_events(
        user=request.user,
        actor=request.GET.get("actor", "").strip(),
        action=request.GET.get("action", ""),
        object_type=request.GET.get("type", ""),
        since=_parse_day(request.GET.get("since")),
        until=_parse_day(request.GET.get("until")),
    )
    page = paginate(request, events, default_size=50)
    page.object_list = selectors.describe_events(page.object_list)
    return render(request, "audit/audit_list.html", {
        "page": page,
        "actions": Action.choices,
        "types": selectors.object_type_choices(),
        "qs": querystring_without(request, "page"),
    })


@login_required
def audit_detail(request: HttpRequest, seq: int) -> HttpResponse:
    if not scoping.can_read_audit(request.user):
        raise PermissionDenied
    event = scoping.get_visible_or_404(selectors.audit_events(user=request.user), seq=seq)
    selectors.describe_events([event])
    return render(request, "audit/audit_detail.html", {
        "event": event, "changes": selectors.describe_changes(event)})
