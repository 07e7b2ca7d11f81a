"""Reporting obligations and unit period reports in the JSON API, scoped as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import P, Query, Router, Schema
from ninja.params import HeaderEx
from ninja.responses import Status
from pydantic import Field

from dondoc.api.common import PageQuery, paginate, responses, unit_ref, user
from dondoc.api.errors import ApiError, invalid
from dondoc.api.schemas import ApiDate, Body, ObjectId, PageMeta, QueryId
from dondoc.organization import scoping
from dondoc.progress.periods import PeriodError, parse_period
from dondoc.progress.selectors import business_today
from dondoc.unitreports import services
from dondoc.unitreports.models import ReportingObligation, UnitReport
from dondoc.unitreports.states import CELL_LABELS, cell_state

router = Router(tags=["unit reports"])


class ObligationOut(Schema):
    id: int
    title: str
    document: dict[str, Any]
    period_kind: str
    period_kind_label: str
    first_period_start: dt.date
    last_period_end: dt.date
    units: list[dict[str, Any]]
    with_subunits: bool
    deadline_rule: str
    deadline_value: int
    window_mode: str
    cutoff_day: int | None


class ObligationPage(PageMeta):
    results: list[ObligationOut]


class ReportOut(Schema):
    id: int
    obligation: int
    unit: dict[str, Any]
    period_label: str
    period_start: dt.date
    period_end: dt.date
    window_start: dt.date
    cutoff: dt.date
    deadline: dt.date
    state: str
    standing: str = Field(description="due, missing, submitted, submitted_late, accepted or "
                                      "returned, as of today.")
    standing_label: str
    late: bool
    first_submitted_on: dt.date | None
    results: str
    difficulties: str
    proposals: str
    statistics: dict[str, Any]
    return_reason: str
    version: int


class ReportPage(PageMeta):
    results: list[ReportOut]


class ReportQuery(PageQuery):
    obligation: QueryId | None = None
    unit: QueryId | None = Field(None, description="This unit and its sub-units.")
    state: Literal["draft", "submitted", "accepted", "returned"] | None = None
    period: str = Field("", max_length=40, description="E.g. Q3/2026.")


class ReportStartIn(Body):
    obligation: QueryId
    unit: QueryId
    period_start: ApiDate


class ReportUpdateIn(Body):
    results: str | None = Field(None, max_length=20_000)
    difficulties: str | None = Field(None, max_length=20_000)
    proposals: str | None = Field(None, max_length=20_000)


class ReturnIn(Body):
    reason: str = Field(max_length=20_000)


def present_obligation(obligation: ReportingObligation) -> dict[str, Any]:
    return {
        "id": obligation.pk, "title": obligation.title,
        "document": {"id": obligation.document_id, "number": obligation.document.number},
        "period_kind": obligation.period_kind,
        "period_kind_label": obligation.get_period_kind_display(),
        "first_period_start": obligation.first_period_start,
        "last_period_end": obligation.last_period_end,
        "units": [unit_ref(unit) for unit in obligation.units.all()],
        "with_subunits": obligation.with_subunits, "deadline_rule": obligation.deadline_rule,
        "deadline_value": obligation.deadline_value, "window_mode": obligation.window_mode,
        "cutoff_day": obligation.cutoff_day,
    }


def present_report(report: UnitReport) -> dict[str, Any]:
    standing = cell_state(deadline=report.deadline, as_of=business_today(),
                          state=report.state, first_submitted_on=report.first_submitted_on)
    return {
        "id": report.pk, "obligation": report.obligation_id, "unit": unit_ref(report.unit),
        "period_label": report.period.label, "period_start": report.period_start,
        "period_end": report.period_end, "window_start": report.window_start,
        "cutoff": report.cutoff, "deadline": report.deadline, "state": report.state,
        "standing": standing.value, "standing_label": str(CELL_LABELS[standing]),
        "late": report.late, "first_submitted_on": report.first_submitted_on,
        "results": report.results, "difficulties": report.difficulties,
        "proposals": report.proposals, "statistics": report.statistics,
        "return_reason": report.return_reason, "version": report.version,
    }


def _etag(report: UnitReport) -> str:
    return f'"{report.pk}-{report.version}"'


def _etag_extra(status: int) -> dict[str, Any]:
    return {"responses": {status: {"headers": {"ETag": {
        "description": "The report's version; send it back as If-Match to change it.",
        "schema": {"type": "string"}}}}}}


def _reports(caller: Any) -> Any:
    return scoping.unit_reports_visible_to(caller).select_related("obligation", "unit")


def _with_etag(report: UnitReport, response: HttpResponse) -> dict[str, Any]:
    fresh = _reports_all().get(pk=report.pk)
    response["ETag"] = _etag(fresh)
    return present_report(fresh)


def _reports_all() -> Any:
    return UnitReport.objects.select_related("obligation", "unit")


def _check_if_match(report: UnitReport, if_match: str | None, *, required: bool) -> None:
    if not if_match:
        if required:
            raise ApiError(428, "precondition_required", _(
                "Send the report's ETag in the If-Match header."))
        return
    current = _etag(report)
    if current not in {tag.strip() for tag in if_match.split(",")} and if_match.strip() != "*":
        raise ApiError(412, "precondition_failed", _(
            "The report has changed since you read it. Read it again, then resend your "
            "change."), headers={"ETag": current})


IfMatch = HeaderEx[str | None, P(alias="If-Match", description=(
    "The ETag of the version you changed; a stale one gets 412."))]


@router.get("/unit-report-obligations", response=responses({200: ObligationPage}),
            summary="List reporting obligations")
def obligation_list(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    """Obligations managed in your scope or that oblige a unit of it."""
    obligations = scoping.obligations_visible_to(user(request)).select_related(
        "document").prefetch_related("units").order_by("-first_period_start", "id")
    return paginate(obligations, query, lambda page: [present_obligation(o) for o in page])


@router.get("/unit-report-obligations/{obligation_id}",
            response=responses({200: ObligationOut}), summary="One reporting obligation")
def obligation_detail(request: HttpRequest, obligation_id: ObjectId) -> dict[str, Any]:
    """The obligation: its document, period kind, units, deadline and cut-off rules."""
    obligation = scoping.get_visible_or_404(
        scoping.obligations_visible_to(user(request)).select_related("document")
        .prefetch_related("units"), pk=obligation_id)
    return present_obligation(obligation)


@router.get("/unit-reports", response=responses({200: ReportPage}),
            summary="List unit period reports")
def report_list(request: HttpRequest, query: Query[ReportQuery]) -> dict[str, Any]:
    """Reports of the units you see, newest period first; filter by obligation, unit
    (with its sub-units), state and period."""
    caller = user(request)
    reports = _reports(caller)
    if query.obligation:
        reports = reports.filter(obligation_id=query.obligation)
    if query.unit:
        unit = scoping.units_visible_to(caller).filter(pk=query.unit).first()
        if unit is None:
            raise invalid("unit", _("Unknown unit, or outside your scope: %(ids)s")
                          % {"ids": query.unit})
        reports = reports.filter(unit__path__startswith=unit.path)
    if query.state:
        reports = reports.filter(state=query.state)
    if query.period:
        try:
            period = parse_period(query.period)
        except PeriodError as error:
            raise invalid("period", str(error)) from None
        reports = reports.filter(period_start=period.start, period_end=period.end)
    reports = reports.order_by("-period_start", "unit__path", "id")
    return paginate(reports, query, lambda page: [present_report(r) for r in page])


@router.post("/unit-reports", response=responses({201: ReportOut}, 409),
             summary="Start a unit period report", openapi_extra=_etag_extra(201))
def report_start(request: HttpRequest, payload: ReportStartIn,
                 response: HttpResponse) -> Status[dict[str, Any]]:
    """Create your unit's report for a period, pre-filled from its tasks' progress
    updates in the period window (or give the existing one)."""
    caller = user(request)
    obligation = scoping.obligations_visible_to(caller).filter(pk=payload.obligation).first()
    if obligation is None:
        raise invalid("obligation", _("Unknown obligation: %(id)s") % {"id": payload.obligation})
    unit = scoping.units_reporting_for(caller).filter(pk=payload.unit).first()
    if unit is None:
        raise invalid("unit", _("Unknown unit, or one you do not report for: %(ids)s")
                      % {"ids": payload.unit})
    report = services.report_start(actor=caller, obligation=obligation, unit=unit,
                                   period_start=payload.period_start)
    return Status(201, _with_etag(report, response))


@router.get("/unit-reports/{report_id}", response=responses({200: ReportOut}),
            summary="One unit period report", openapi_extra=_etag_extra(200))
def report_detail(request: HttpRequest, response: HttpResponse,
                  report_id: ObjectId) -> dict[str, Any]:
    """The report with its narrative sections and statistics; the ``ETag`` header is what
    ``If-Match`` expects."""
    report = scoping.get_visible_or_404(_reports(user(request)), pk=report_id)
    return _with_etag(report, response)


def _writable(request: HttpRequest, report_id: int) -> UnitReport:
    caller = user(request)
    return scoping.get_editable_or_403(_reports(caller),
                                       scoping.unit_reports_writable_by(caller), pk=report_id)


@router.patch("/unit-reports/{report_id}", response=responses({200: ReportOut}, 409, 412, 428),
              summary="Change a unit report's narrative", openapi_extra=_etag_extra(200))
def report_update(request: HttpRequest, payload: ReportUpdateIn, response: HttpResponse,
                  report_id: ObjectId, if_match: IfMatch = None) -> dict[str, Any]:
    """Change the sections sent (results, difficulties, proposals) of a draft or returned
    report of your unit. Send the report's ``ETag`` as ``If-Match``: if someone changed it
    since, the answer is 412 and nothing is saved."""
    report = _writable(request, report_id)
    _check_if_match(report, if_match, required=True)
    values = {name: getattr(payload, name) if getattr(payload, name) is not None
              else getattr(report, name) for name in ("results", "difficulties", "proposals")}
    services.report_update(actor=user(request), report=report,
                           expected_version=report.version, **values)
    return _with_etag(report, response)


@router.post("/unit-reports/{report_id}/submit",
             response=responses({200: ReportOut}, 409, 412), summary="Submit a unit report",
             openapi_extra=_etag_extra(200))
def report_submit(request: HttpRequest, response: HttpResponse, report_id: ObjectId,
                  if_match: IfMatch = None) -> dict[str, Any]:
    """Submit your unit's draft or returned report to the staff department."""
    report = _writable(request, report_id)
    _check_if_match(report, if_match, required=False)
    services.report_submit(actor=user(request), report=report)
    return _with_etag(report, response)


def _decidable(request: HttpRequest, report_id: int) -> UnitReport:
    caller = user(request)
    report = scoping.get_visible_or_404(_reports(caller), pk=report_id)
    if not scoping.unit_reports_decidable_by(caller).filter(pk=report.pk).exists():
        raise PermissionDenied
    return report


@router.post("/unit-reports/{report_id}/accept", response=responses({200: ReportOut}, 409),
             summary="Accept a unit report", openapi_extra=_etag_extra(200))
def report_accept(request: HttpRequest, response: HttpResponse,
                  report_id: ObjectId) -> dict[str, Any]:
    """Staff of the managing agency accept a submitted report."""
    report = _decidable(request, report_id)
    services.report_accept(actor=user(request), report=report)
    return _with_etag(report, response)


@router.post("/unit-reports/{report_id}/return", response=responses({200: ReportOut}, 409),
             summary="Return a unit report", openapi_extra=_etag_extra(200))
def report_return(request: HttpRequest, payload: ReturnIn, response: HttpResponse,
                  report_id: ObjectId) -> dict[str, Any]:
    """Staff of the managing agency return a submitted report with the reason; the unit
    edits it and submits again."""
    report = _decidable(request, report_id)
    services.report_return(actor=user(request), report=report, reason=payload.reason)
    return _with_etag(report, response)
