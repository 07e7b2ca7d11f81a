"""Where a unit's period report stands on a day: pure, so it is pinned by a table of cases.

* **due**: not submitted yet and the deadline has not passed;
* **missing**: not submitted by the deadline (the day after the deadline, still nothing);
* **submitted** (on time or late), **accepted**, **returned**: the report's state, once it
  was first submitted on or before the day. Late = first submitted after the deadline.
"""

from __future__ import annotations

import datetime as dt
import enum

from django.utils.translation import gettext_lazy as _


class Cell(enum.StrEnum):
    DUE = "due"
    MISSING = "missing"
    SUBMITTED = "submitted"
    SUBMITTED_LATE = "submitted_late"
    ACCEPTED = "accepted"
    RETURNED = "returned"


CELL_LABELS = {
    Cell.DUE: _("Due"),
    Cell.MISSING: _("Missing"),
    Cell.SUBMITTED: _("Submitted on time"),
    Cell.SUBMITTED_LATE: _("Submitted late"),
    Cell.ACCEPTED: _("Accepted"),
    Cell.RETURNED: _("Returned"),
}
# The palette of the task statuses (UI.md) and an icon, never colour alone.
CELL_TONES = {
    Cell.DUE: ("in_progress_on_time", "bi-hourglass"),
    Cell.MISSING: ("in_progress_overdue", "bi-x-octagon-fill"),
    Cell.SUBMITTED: ("awaiting_confirmation", "bi-send-check"),
    Cell.SUBMITTED_LATE: ("completed_late", "bi-send-exclamation"),
    Cell.ACCEPTED: ("completed_on_time", "bi-check-circle-fill"),
    Cell.RETURNED: ("due_soon", "bi-arrow-return-left"),
}
# Filter values of the matrix beyond the states themselves.
PROBLEM_CELLS = {Cell.MISSING, Cell.SUBMITTED_LATE}


def cell_state(*, deadline: dt.date, as_of: dt.date, state: str | None,
               first_submitted_on: dt.date | None) -> Cell:
    """The report's standing on ``as_of`` (``state`` None: no report started)."""
    if first_submitted_on is None or first_submitted_on > as_of or state in (None, "draft"):
        return Cell.MISSING if as_of > deadline else Cell.DUE
    if state == "accepted":
        return Cell.ACCEPTED
    if state == "returned":
        return Cell.RETURNED
    return Cell.SUBMITTED_LATE if first_submitted_on > deadline else Cell.SUBMITTED


def is_late(*, deadline: dt.date, as_of: dt.date, first_submitted_on: dt.date | None) -> bool:
    """Late on ``as_of``: submitted after the deadline, or still missing past it."""
    if first_submitted_on is not None and first_submitted_on <= as_of:
        return first_submitted_on > deadline
    return as_of > deadline
