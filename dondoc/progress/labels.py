"""Status labels, colours and icons: the same everywhere (pages, dashboards, exports)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dondoc.progress.engine import Status


@dataclass(frozen=True)
class StatusStyle:
    label: Promise
    icon: str  # a Bootstrap Icons name
    colour: str  # hex, for exports and charts


STATUS_STYLES: dict[str, StatusStyle] = {
    Status.COMPLETED_ON_TIME: StatusStyle(_("Completed on time"), "bi-check-circle-fill", "#1e7b34"),
    Status.COMPLETED_LATE: StatusStyle(_("Completed late"), "bi-check-circle", "#6b7a1a"),
    Status.IN_PROGRESS_ON_TIME: StatusStyle(_("In progress, on time"), "bi-arrow-repeat", "#1f5fbf"),
    Status.IN_PROGRESS_OVERDUE: StatusStyle(_("In progress, overdue"), "bi-exclamation-octagon-fill", "#b3261e"),
    Status.AWAITING_CONFIRMATION: StatusStyle(_("Awaiting confirmation"), "bi-hourglass-split", "#6f42c1"),
    Status.STANDING: StatusStyle(_("Standing task"), "bi-infinity", "#5c636a"),
    Status.SUSPENDED: StatusStyle(_("Suspended"), "bi-pause-circle-fill", "#343a40"),
}
DUE_SOON = StatusStyle(_("Due soon"), "bi-alarm", "#b35900")
# In progress on time with the deadline still to be set (deadline kind "none"): grey.
NO_DEADLINE = StatusStyle(_("No deadline yet"), "bi-calendar-x", "#5c636a")

# The order used by filters, legends and statistics tables.
STATUS_ORDER = [
    Status.IN_PROGRESS_OVERDUE, Status.IN_PROGRESS_ON_TIME, Status.AWAITING_CONFIRMATION,
    Status.COMPLETED_ON_TIME, Status.COMPLETED_LATE, Status.STANDING, Status.SUSPENDED,
]


def status_label(status: str) -> str:
    style = STATUS_STYLES.get(status)
    return str(style.label) if style else status


def status_choices() -> list[tuple[str, str]]:
    """Filter choices: every status plus the 'due soon' warning and 'no deadline yet'."""
    choices = [(status.value, str(STATUS_STYLES[status].label)) for status in STATUS_ORDER]
    choices.insert(2, ("due_soon", str(DUE_SOON.label)))
    choices.insert(3, ("no_deadline", str(NO_DEADLINE.label)))
    return choices
