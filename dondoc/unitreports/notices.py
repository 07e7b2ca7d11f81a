"""Who is told of unit period reports, through the notification centre (issue 11/12).

Connected in ``UnitReportsConfig.ready``:

- a report **submitted**: the staff who may accept or return it
  (``scoping.unit_reports_decidable_by``);
- a report **returned** or **accepted**: the reporting unit (its managers) and the person
  who submitted it;
- **report due** (reminders, in the daily digest): the reporting unit 7, 3 and 1 days
  before the deadline and on the day; once the deadline has passed without a submission,
  the day after and then weekly; a returned report, every 3 days until it is submitted
  again. The pass of a day writes each reminder once (the notification's unique key).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dondoc.notifications import kinds as registry
from dondoc.notifications.services import after_commit, notify
from dondoc.organization.models import Role, Unit, User
from dondoc.unitreports import signals
from dondoc.unitreports.models import ReportingObligation, UnitReport
from dondoc.unitreports.states import Cell

UNIT_REPORT_SUBMITTED = "unit_report_submitted"
UNIT_REPORT_RETURNED = "unit_report_returned"
UNIT_REPORT_ACCEPTED = "unit_report_accepted"
DUE_DAYS_BEFORE = (7, 3, 1, 0)
MISSING_EVERY_DAYS = 7
RETURNED_EVERY_DAYS = 3

_KINDS = [
    registry.Kind(UNIT_REPORT_SUBMITTED, _("Period report submitted"),
                  _("%(unit)s submitted its report for %(period)s"), icon="file-earmark-arrow-up"),
    registry.Kind(UNIT_REPORT_RETURNED, _("Period report returned"),
                  _("The report of %(unit)s for %(period)s was returned: %(reason)s"),
                  icon="arrow-return-left"),
    registry.Kind(UNIT_REPORT_ACCEPTED, _("Period report accepted"),
                  _("The report of %(unit)s for %(period)s was accepted"), icon="check-circle"),
]


def _params(report: UnitReport) -> dict[str, Any]:
    return {"unit": report.unit.label, "period": _period_label(report),
            "reason": (report.return_reason or "")[:200]}


def _period_label(report: UnitReport) -> str:
    from dondoc.progress.periods import period_between

    return str(period_between(report.period_start, report.period_end).label)


def _deciders(report: UnitReport) -> list[User]:
    from dondoc.organization import scoping

    unit = report.obligation.owner_unit
    step = Unit.steplen
    ancestors = [unit.path[: step * depth] for depth in range(1, len(unit.path) // step + 1)]
    root = (Unit.objects.filter(path__in=ancestors, is_scope_root=True).order_by("-depth")
            .values_list("path", flat=True).first()) or unit.path
    candidates = User.objects.filter(role=Role.STAFF, is_active=True,
                                     unit__path__startswith=root).select_related("unit")
    return [user for user in candidates
            if scoping.unit_reports_decidable_by(user).filter(pk=report.pk).exists()]


def _fresh(report: UnitReport) -> UnitReport:
    return UnitReport.objects.select_related("unit", "obligation__owner_unit",
                                             "submitted_by").get(pk=report.pk)


def on_submitted(sender: Any, report: UnitReport, actor: Any = None, **kwargs: Any) -> None:
    def work() -> None:
        fresh = _fresh(report)
        notify(_deciders(fresh), UNIT_REPORT_SUBMITTED, fresh, _params(fresh), actor=actor,
               key=f"{UNIT_REPORT_SUBMITTED}:{fresh.version}")
    after_commit(work)


def _tell_unit(report: UnitReport, kind: str, actor: Any) -> None:
    def work() -> None:
        fresh = _fresh(report)
        recipients: list[Any] = [fresh.unit]
        if fresh.submitted_by is not None:
            recipients.append(fresh.submitted_by)
        notify(recipients, kind, fresh, _params(fresh), actor=actor,
               key=f"{kind}:{fresh.version}")
    after_commit(work)


def on_returned(sender: Any, report: UnitReport, actor: Any = None, **kwargs: Any) -> None:
    _tell_unit(report, UNIT_REPORT_RETURNED, actor)


def on_accepted(sender: Any, report: UnitReport, actor: Any = None, **kwargs: Any) -> None:
    _tell_unit(report, UNIT_REPORT_ACCEPTED, actor)


def _reminded_on(state: Cell, deadline: dt.date, day: dt.date) -> bool:
    from dondoc.notifications import reminders

    if state in (Cell.DUE, Cell.MISSING):  # due: not yet late; missing: late
        return reminders.deadline_reminder_day((deadline - day).days, before=DUE_DAYS_BEFORE,
                                               late_every=MISSING_EVERY_DAYS)
    return state == Cell.RETURNED  # then every few days from the return (below)


def report_due_source(day: dt.date) -> list[Any]:
    """The reminder pass's source of "report due" notices (see the module docstring).

    It writes them itself (a report that has not been started yet is known by its
    obligation) and returns no task reminders.
    """
    from dondoc.unitreports.selectors import reports_due

    reports = {report.pk: report for report in UnitReport.objects.filter(
        pk__in=[item.report_id for item in reports_due(day) if item.report_id])}
    for item in reports_due(day):
        if not _reminded_on(item.state, item.deadline, day):
            continue
        report = reports.get(item.report_id) if item.report_id else None
        if item.state == Cell.RETURNED:
            returned_on = getattr(report, "decided_at", None) or getattr(report, "updated_at",
                                                                         None)
            returned_day = returned_on.date() if returned_on else day
            if (day - returned_day).days % RETURNED_EVERY_DAYS != 0:
                continue
        target: Any = report or item.obligation
        params = {"unit": item.unit.label, "period": str(item.period.label),
                  "day": item.deadline.strftime("%d/%m/%Y")}
        notify([item.unit], registry.REPORT_DUE, target, params, key_date=day,
               key=f"{registry.REPORT_DUE}:{item.obligation.pk}:{item.unit.pk}:"
                   f"{item.period.start:%Y%m%d}")
    return []


def connect() -> None:
    """Register the objects and kinds, the receivers and the report-due source."""
    from dondoc.notifications import reminders
    from dondoc.organization import scoping

    for kind in _KINDS:
        registry.KINDS.setdefault(kind.name, kind)
    registry.register_object(
        "unitreports.unitreport", url=lambda pk: reverse("unit_report_detail", args=[pk]),
        visible=lambda user: scoping.unit_reports_visible_to(user))
    registry.register_object(
        "unitreports.reportingobligation", url=lambda pk: reverse("unit_reports"),
        visible=lambda user: scoping.obligations_visible_to(user))
    pairs = [(signals.unit_report_submitted, on_submitted),
             (signals.unit_report_returned, on_returned),
             (signals.unit_report_accepted, on_accepted)]
    for signal, receiver in pairs:
        signal.connect(receiver, dispatch_uid=f"unitreports.notices.{receiver.__name__}")
    reminders.add_source(report_due_source)


__all__ = ["ReportingObligation", "connect"]
