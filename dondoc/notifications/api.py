"""Notifications in the JSON API (``/api/v1/notifications``): one's own, in one's language."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from dondoc.api.common import PageQuery, paginate, responses, user
from dondoc.api.schemas import Body, ObjectId, PageMeta
from dondoc.notifications import selectors, services
from dondoc.notifications.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    summary: str = Field(description="The notification's sentence, in your language.")
    object_type: str = Field(description="`app_label.model` of the object, e.g. plans.task.")
    object_id: int
    task: int | None
    url: str = Field(description="The page of the object.")
    created_at: dt.datetime
    read_at: dt.datetime | None
    digest: int | None = Field(description="The daily digest this reminder belongs to.")


class NotificationPage(PageMeta):
    unread: int = Field(description="Your unread notifications (the bell's number).")
    results: list[NotificationOut]


class NotificationQuery(PageQuery):
    unread: bool = Field(False, description="Only the unread ones.")
    digest: int | None = Field(None, ge=1, le=2**62,
                               description="The reminders of this daily digest.")


class MarkReadIn(Body):
    ids: Annotated[list[Annotated[int, Field(ge=1, le=2**62)]],
                   Field(min_length=1, max_length=500)] | None = Field(
        None, description="The notifications to mark read; all of yours when omitted.")


class MarkedOut(Schema):
    marked: int


def present(row: Notification) -> dict[str, Any]:
    return {"id": row.pk, "kind": row.kind, "kind_label": row.kind_label,
            "summary": row.summary, "object_type": row.object_label,
            "object_id": row.object_id, "task": row.task_id,
            "url": services.object_url(row), "created_at": row.created_at,
            "read_at": row.read_at, "digest": row.digest_id}


@router.get("/notifications", response=responses({200: NotificationPage}),
            summary="My notifications")
def notification_list(request: HttpRequest, query: Query[NotificationQuery]) -> dict[str, Any]:
    """Your notifications, newest first, with their sentence in your language. A daily
    digest stands for its reminders: list them with `digest`. Notifications about what
    you can no longer see are left out."""
    caller = user(request)
    digest = (selectors.own_notification(user=caller, pk=query.digest)
              if query.digest else None)
    rows = selectors.notifications_of(user=caller, unread_only=query.unread, digest=digest)
    page = paginate(rows, query, lambda items: [
        present(row) for row in selectors.without_hidden(caller, items)])
    page["unread"] = selectors.unread_count(user=caller)
    return page


@router.post("/notifications/read", response=responses({200: MarkedOut}),
             summary="Mark notifications read")
def notification_mark_read(request: HttpRequest, payload: MarkReadIn) -> dict[str, int]:
    """Mark the given notifications read (a digest with its reminders), or all of yours.
    Ids that are not yours change nothing."""
    caller = user(request)
    return {"marked": services.notifications_mark_read(user=caller, ids=payload.ids)}


@router.post("/notifications/{notification_id}/read", response=responses({200: NotificationOut}),
             summary="Mark one notification read")
def notification_read(request: HttpRequest, notification_id: ObjectId) -> dict[str, Any]:
    """Mark one of your notifications read; another person's answers 404."""
    caller = user(request)
    row = selectors.own_notification(user=caller, pk=notification_id)
    services.notifications_mark_read(user=caller, ids=[row.pk])
    row.refresh_from_db()
    return present(row)
