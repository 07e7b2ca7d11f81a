"""A task's timeline: updates, directions, requests, decisions and events in date order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dondoc.plans.models import RequestStatus, Task


@dataclass(frozen=True)
class Entry:
    when: dt.datetime
    day: dt.date
    kind: str  # update, direction, completion, extension, event
    who: str
    title: str
    obj: Any


def _at(day: dt.date, fallback: dt.datetime | None = None) -> dt.datetime:
    if fallback is not None and timezone.localdate(fallback) == day:
        return fallback
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def timeline_for(task: Task) -> list[Entry]:
    """All that happened to ``task``, newest first (uses the prefetched relations)."""
    entries: list[Entry] = []
    for update in task.updates.all():
        entries.append(Entry(_at(update.reported_on, update.created_at), update.reported_on,
                             "update", _name(update.author),
                             str(_("Progress report: %(percent)d%%") % {"percent": update.percent}),
                             update))
    for direction in task.directions.all():
        entries.append(Entry(direction.created_at, timezone.localdate(direction.created_at),
                             "direction", _name(direction.author), str(_("Direction")), direction))
    for request in task.completion_requests.all():
        entries.append(Entry(_at(request.submitted_on, request.created_at), request.submitted_on,
                             "completion", _name(request.submitted_by),
                             str(_("Completion requested")), request))
        if request.status != RequestStatus.PENDING and request.decided_on:
            if request.status == RequestStatus.APPROVED:
                title = _("Completion confirmed")
            elif request.status == RequestStatus.WITHDRAWN:
                title = _("Completion request withdrawn")
            else:
                title = _("Returned for rework")
            entries.append(Entry(_at(request.decided_on), request.decided_on, "decision",
                                 _name(request.decided_by), str(title), request))
    for extension in task.extensions.all():
        if extension.sets_deadline and extension.decided_on:
            entries.append(Entry(_at(extension.decided_on, extension.created_at),
                                 extension.decided_on, "extension",
                                 _name(extension.decided_by), str(_("Deadline set")), extension))
            continue
        entries.append(Entry(_at(extension.requested_on, extension.created_at),
                             extension.requested_on, "extension", _name(extension.requested_by),
                             str(_("Extension requested")), extension))
        if extension.status != RequestStatus.PENDING and extension.decided_on:
            if extension.status == RequestStatus.APPROVED:
                title = _("Extension approved")
            elif extension.status == RequestStatus.WITHDRAWN:
                title = _("Extension request withdrawn")
            else:
                title = _("Extension refused")
            entries.append(Entry(_at(extension.decided_on), extension.decided_on, "decision",
                                 _name(extension.decided_by), str(title), extension))
    for event in task.events.all():
        if event.kind in {"completion", "extension"}:
            continue  # shown from the request records above
        entries.append(Entry(event.at, timezone.localdate(event.at), "event", _name(event.actor),
                             event.summary, event))
    for urged in task.urging_records.all():  # urging letters (dondoc.urging)
        letter = urged.letter
        entries.append(Entry(_at(letter.letter_date, letter.created_at), letter.letter_date,
                             "urging", _name(letter.created_by),
                             str(_("Urged by letter No. %(number)s") % {"number": letter.number}),
                             urged))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries
