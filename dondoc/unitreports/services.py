"""Writes of periodic unit reports: every step atomic, audited in its transaction, and
announced by a signal on commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dondoc.audit.models import Action
from dondoc.audit.services import record, snapshot
from dondoc.core.concurrency import save_versioned
from dondoc.core.files import DOCUMENT_TYPES, sha256_of, storage_name, validate_upload
from dondoc.organization.models import Unit
from dondoc.plans.models import Document
from dondoc.plans.services import WorkflowError
from dondoc.progress.periods import Period, PeriodError, period_kind
from dondoc.unitreports import selectors, signals
from dondoc.unitreports.models import (
    DeadlineRule,
    PeriodKind,
    ReportingObligation,
    ReportState,
    UnitReport,
    UnitReportFile,
    WindowMode,
)

NARRATIVE = ["results", "difficulties", "proposals"]
TEXT_LIMIT = 20_000


def _today() -> dt.date:
    return timezone.localdate()


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _at(on: dt.date | None) -> dt.datetime:
    """Now, or noon of ``on`` when a step is recorded after the fact (demo, imports)."""
    if on is None or on == _today():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(on, dt.time(12)))


# Obligations ------------------------------------------------------------------------


def obligation_create(*, actor: Any, document: Document, owner_unit: Unit, title: str,
                      kind: str, units: Sequence[Unit], with_subunits: bool,
                      first_period: Period, last_period: Period, deadline_rule: str,
                      deadline_value: int, window_mode: str = WindowMode.CALENDAR,
                      cutoff_day: int | None = None, on: dt.date | None = None,
                      ) -> ReportingObligation:
    """Define who reports on ``document``, how often and by when. Refused, with the
    reason on the field: a first or last period of another kind, a last period before
    the first, a first deadline already past on ``on`` (today), a deadline before the
    data cut-off, a cut-off day missing or out of range."""
    errors: dict[str, str] = {}
    day = on or _today()
    if kind not in PeriodKind.values:
        errors["period_kind"] = _("Unknown period kind: %(kind)s") % {"kind": kind}
    else:
        for name, period in (("first_period", first_period), ("last_period", last_period)):
            if period_kind(period) != kind:
                errors[name] = _("%(period)s is not a period of the kind chosen (%(kind)s).") % {
                    "period": period.label, "kind": PeriodKind(kind).label}
    if last_period.end < first_period.start:
        errors["last_period"] = _("The last period ends before the first one starts.")
    if not units:
        errors["units"] = _("Choose at least one reporting unit.")
    if not title.strip():
        errors["title"] = _("Give the obligation a title.")
    if deadline_rule == DeadlineRule.DAY_OF_LAST_MONTH and not 1 <= deadline_value <= 31:
        errors["deadline_value"] = _("The deadline day is a day of the month, 1 to 31.")
    elif deadline_rule == DeadlineRule.DAYS_AFTER_END and not 0 <= deadline_value <= 120:
        errors["deadline_value"] = _("The number of days after the period is 0 to 120.")
    elif deadline_rule not in DeadlineRule.values:
        errors["deadline_rule"] = _("Choose how the deadline is set.")
    if window_mode == WindowMode.CUTOFF:
        if cutoff_day is None or not 1 <= cutoff_day <= 28:
            errors["cutoff_day"] = _("A cut-off window needs the cut-off day, 1 to 28.")
    elif window_mode == WindowMode.CALENDAR:
        cutoff_day = None
    else:
        errors["window_mode"] = _("Choose the period window.")
    if errors:
        raise ValidationError(errors)
    obligation = ReportingObligation(
        document=document, owner_unit=owner_unit, title=title.strip(),
        period_kind=kind, with_subunits=with_subunits,
        first_period_start=first_period.start, last_period_end=last_period.end,
        deadline_rule=deadline_rule, deadline_value=deadline_value, window_mode=window_mode,
        cutoff_day=cutoff_day, created_by=actor if _is_user(actor) else None)
    first = obligation.periods()[0]
    deadline = obligation.deadline(first)
    cutoff = obligation.window(first)[1]
    if deadline < cutoff:
        raise ValidationError({"deadline_value": _(
            "The deadline (%(deadline)s) falls before the data cut-off (%(cutoff)s).") % {
            "deadline": f"{deadline:%d/%m/%Y}", "cutoff": f"{cutoff:%d/%m/%Y}"}})
    if deadline < day:
        raise ValidationError({"first_period": _(
            "The submission deadline of %(period)s (%(deadline)s) is already past. Start "
            "with a later period.") % {"period": first.label,
                                       "deadline": f"{deadline:%d/%m/%Y}"}})
    with transaction.atomic():
        obligation.save()
        obligation.units.set(units)
        record(actor=actor, action=Action.CREATE, obj=obligation, unit_id=owner_unit.pk,
               changes={key: [None, value] for key, value in snapshot(obligation).items()})
    return obligation


def parse_period_for(kind: str, text: str) -> Period:
    """A period text of an obligation's kind (``PeriodError`` with a message if not)."""
    from dondoc.progress.periods import parse_period

    period = parse_period(text)
    if kind in PeriodKind.values and period_kind(period) != kind:
        raise PeriodError(_("%(period)s is not a period of the kind chosen (%(kind)s).") % {
            "period": period.label, "kind": PeriodKind(kind).label})
    return period


# Reports ----------------------------------------------------------------------------


def report_start(*, actor: Any, obligation: ReportingObligation, unit: Unit,
                 period_start: dt.date, on: dt.date | None = None) -> UnitReport:
    """The unit's report for the period, created as a draft pre-filled from its tasks'
    progress updates in the window (the existing report when there is one)."""
    period = obligation.period_at(period_start)
    if period is None:
        raise ValidationError({"period": _("This obligation has no such period.")})
    if period.start > (on or _today()):
        raise WorkflowError(_("This period has not started yet."))
    units = selectors.obliged_units([obligation])[obligation.pk]
    if unit.pk not in {u.pk for u in units}:
        raise ValidationError({"unit": _("This unit does not report under this obligation.")})
    existing = UnitReport.objects.filter(obligation=obligation, unit=unit,
                                         period_start=period.start).first()
    if existing is not None:
        return existing
    filled = selectors.prefill(obligation=obligation, unit=unit, period=period)
    window_start, cutoff = obligation.window(period)
    with transaction.atomic():
        report = UnitReport.objects.create(
            obligation=obligation, unit=unit, period_start=period.start,
            period_end=period.end, window_start=window_start, cutoff=cutoff,
            deadline=obligation.deadline(period), results=filled.results,
            difficulties=filled.difficulties, proposals=filled.proposals,
            statistics=filled.statistics, created_by=actor if _is_user(actor) else None)
        record(actor=actor, action=Action.CREATE, obj=report, unit_id=unit.pk,
               changes={"period": [None, period.label],
                        "prefilled_from_updates": [None, filled.update_ids]})
    return report


def _check_editable(report: UnitReport) -> None:
    if not report.editable:
        raise WorkflowError(_("This report was submitted; it can be changed again only if "
                              "it is returned."))


@transaction.atomic
def report_update(*, actor: Any, report: UnitReport, expected_version: int, results: str,
                  difficulties: str, proposals: str) -> UnitReport:
    """Save the narrative sections; a stale ``expected_version`` raises ConflictError."""
    _check_editable(report)
    values = {"results": results.strip(), "difficulties": difficulties.strip(),
              "proposals": proposals.strip()}
    too_long = [name for name, text in values.items() if len(text) > TEXT_LIMIT]
    if too_long:
        raise ValidationError({name: _("At most %(n)d characters.") % {"n": TEXT_LIMIT}
                               for name in too_long})
    before = snapshot(report, NARRATIVE)
    for name, text in values.items():
        setattr(report, name, text)
    save_versioned(report, expected_version=expected_version, fields=NARRATIVE)
    record(actor=actor, action=Action.UPDATE, obj=report, unit_id=report.unit_id,
           changes={key: [before[key], values[key]] for key in NARRATIVE
                    if before[key] != values[key]})
    return report


@transaction.atomic
def report_attach(*, actor: Any, report: UnitReport, upload: UploadedFile) -> UnitReportFile:
    """Attach the unit's signed file (PDF, DOCX or DOC, checked by type and content)."""
    _check_editable(report)
    validate_upload(upload, allowed=DOCUMENT_TYPES)
    item = UnitReportFile(report=report, original_name=(upload.name or "")[:255],
                          size=upload.size or 0, sha256=sha256_of(upload),
                          uploaded_by=actor if _is_user(actor) else None)
    item.file.save(storage_name("unitreports", upload.name or ""), upload, save=False)
    item.save()
    record(actor=actor, action=Action.CREATE, obj=item, unit_id=report.unit_id,
           changes={"report": [None, report.pk], "sha256": [None, item.sha256]})
    return item


def _lock(report: UnitReport) -> UnitReport:
    locked = UnitReport.objects.select_for_update().get(pk=report.pk)
    locked.obligation = report.obligation
    locked.unit = report.unit
    return locked


def _on_commit(signal: Any, report: UnitReport, actor: Any) -> None:
    transaction.on_commit(lambda: signal.send(sender=UnitReport, report=report, actor=actor))


@transaction.atomic
def report_submit(*, actor: Any, report: UnitReport, expected_version: int | None = None,
                  on: dt.date | None = None) -> UnitReport:
    """Submit the report (a draft, or a returned one again). The statistics are taken
    again as of the cut-off; the first submission's day decides lateness."""
    report = _lock(report)
    _check_editable(report)
    if expected_version is not None and expected_version != report.version:
        from dondoc.core.concurrency import ConflictError

        raise ConflictError
    if not report.results.strip():
        raise ValidationError({"results": _("Write the results achieved before submitting.")})
    day = on or _today()
    before = snapshot(report, ["state", "first_submitted_on"])
    report.statistics = selectors.statistics_as_of(
        unit=report.unit, document_ids=selectors.document_tree_ids(
            report.obligation.document_id), cutoff=min(report.cutoff, day))
    report.state = ReportState.SUBMITTED
    report.first_submitted_on = report.first_submitted_on or day
    report.submitted_at = _at(on)
    report.submitted_by = actor if _is_user(actor) else None
    fields = ["statistics", "state", "first_submitted_on", "submitted_at", "submitted_by"]
    save_versioned(report, expected_version=report.version, fields=fields)
    record(actor=actor, action=Action.UPDATE, obj=report, unit_id=report.unit_id,
           changes={"state": [before["state"], report.state],
                    "first_submitted_on": [before["first_submitted_on"],
                                           report.first_submitted_on]},
           message="late" if report.late else "")
    _on_commit(signals.unit_report_submitted, report, actor)
    return report


def _decide(report: UnitReport, *, actor: Any, state: str, reason: str,
            on: dt.date | None) -> UnitReport:
    report = _lock(report)
    if report.state != ReportState.SUBMITTED:
        raise WorkflowError(_("Only a submitted report can be accepted or returned."))
    before = report.state
    report.state = state
    report.return_reason = reason
    report.decided_at = _at(on)
    report.decided_by = actor if _is_user(actor) else None
    save_versioned(report, expected_version=report.version,
                   fields=["state", "return_reason", "decided_at", "decided_by"])
    record(actor=actor, action=Action.UPDATE, obj=report, unit_id=report.unit_id,
           changes={"state": [before, state], "return_reason": ["", reason]})
    return report


@transaction.atomic
def report_accept(*, actor: Any, report: UnitReport, on: dt.date | None = None) -> UnitReport:
    report = _decide(report, actor=actor, state=ReportState.ACCEPTED, reason="", on=on)
    _on_commit(signals.unit_report_accepted, report, actor)
    return report


@transaction.atomic
def report_return(*, actor: Any, report: UnitReport, reason: str,
                  on: dt.date | None = None) -> UnitReport:
    """Return the report to its unit with the reason; the unit edits and submits again."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the report is returned.")})
    report = _decide(report, actor=actor, state=ReportState.RETURNED, reason=reason.strip(),
                     on=on)
    _on_commit(signals.unit_report_returned, report, actor)
    return report
