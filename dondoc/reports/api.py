"""Consolidated reports in the JSON API (``/api/v1/reports``), with the pages' scoping."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from dondoc.api.common import PageQuery, paginate, person, responses, unit_ref, user
from dondoc.api.errors import ApiError
from dondoc.api.schemas import ObjectId, QueryId
from dondoc.core import officedocs
from dondoc.organization import scoping
from dondoc.reports import services
from dondoc.reports.models import ConsolidatedReport, ReportStatus

router = Router(tags=["reports"])


class ConsolidatedReportQuery(PageQuery):
    document: QueryId | None = Field(None, description="Reports on this document.")
    status: Literal["draft", "issued"] | None = None


class ConsolidatedReportOut(Schema):
    id: int
    status: str
    number: str
    title: str
    scope_unit: dict[str, Any]
    document: dict[str, Any]
    period: str
    period_start: dt.date
    period_end: dt.date
    cut_off: dt.date
    issued_at: dt.datetime | None
    issued_by: str
    signed: bool
    files: dict[str, str | None] = Field(description="SHA-256 of each stored file "
                                                     "(issued reports).")


class ConsolidatedReportPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ConsolidatedReportOut]


class ConsolidatedReportDetailOut(ConsolidatedReportOut):
    totals: dict[str, Any] = Field(description="Counts by status and the on-time rate (%) "
                                               "as of the cut-off date.")
    by_unit: list[dict[str, Any]]
    by_group: list[dict[str, Any]]
    periods: dict[str, Any] = Field(description="This period and the previous one.")
    overdue_count: int


def _visible(request: HttpRequest) -> Any:
    return scoping.reports_visible_to(user(request)).select_related(
        "scope_unit", "document", "issued_by")


def present(report: ConsolidatedReport) -> dict[str, Any]:
    return {
        "id": report.pk, "status": report.status, "number": report.number,
        "title": report.title, "scope_unit": unit_ref(report.scope_unit),
        "document": {"id": report.document_id, "number": report.document.number},
        "period": report.period_label, "period_start": report.period_start,
        "period_end": report.period_end, "cut_off": report.cut_off,
        "issued_at": report.issued_at, "issued_by": person(report.issued_by),
        "signed": report.signed,
        "files": {"docx": report.docx_sha256 or None, "xlsx": report.xlsx_sha256 or None,
                  "pdf": report.pdf_sha256 or None},
    }


@router.get("/reports", response=responses({200: ConsolidatedReportPage}),
            summary="List consolidated reports")
def report_list(request: HttpRequest, query: Query[ConsolidatedReportQuery]) -> dict[str, Any]:
    """Consolidated reports you may read, newest period first: drafts and issued reports of
    the units you report for; for leaders and inspectors, the issued reports of their
    scope."""
    reports = _visible(request).order_by("-period_end", "-id")
    if query.document is not None:
        reports = reports.filter(document_id=query.document)
    if query.status is not None:
        reports = reports.filter(status=query.status)
    return paginate(reports, query, lambda items: [present(item) for item in items])


@router.get("/reports/{consolidated_report_id}",
            response=responses({200: ConsolidatedReportDetailOut}), summary="Consolidated report")
def report_detail(request: HttpRequest, consolidated_report_id: ObjectId) -> dict[str, Any]:
    """One report with its figures as of the cut-off date (frozen once issued)."""
    report = scoping.get_visible_or_404(_visible(request), pk=consolidated_report_id)
    data = report.snapshot["data"] if report.is_issued and report.snapshot else report.data
    return {**present(report), "totals": data.get("totals", {}),
            "by_unit": data.get("by_unit", []), "by_group": [
                {key: value for key, value in row.items() if key != "completed_titles"}
                for row in data.get("by_group", [])],
            "periods": data.get("periods", {}), "overdue_count": len(data.get("overdue", []))}


class ConsolidatedFileQuery(Schema):
    kind: Literal["docx", "xlsx", "pdf"] = Field("docx", description="Which file.")


@router.get("/reports/{consolidated_report_id}/file", response=responses({200: None}, 409),
            summary="Download a consolidated report file")
def report_file(request: HttpRequest, consolidated_report_id: ObjectId,
                query: Query[ConsolidatedFileQuery]) -> HttpResponse:
    """The DOCX, XLSX or PDF: the stored file of an issued report (byte for byte), or a
    draft's file generated now. 409 when the file cannot be produced (e.g. no PDF
    converter on the server)."""
    report = scoping.get_visible_or_404(_visible(request), pk=consolidated_report_id)
    kind = query.kind
    try:
        content = services.report_file(report, kind)
    except (officedocs.TemplateProblem, officedocs.ConverterMissing,
            officedocs.ConversionFailed, FileNotFoundError) as problem:
        message = (report.pdf_missing or str(problem)) if isinstance(
            problem, FileNotFoundError) else str(problem)
        raise ApiError(409, "unavailable", message) from problem
    response = HttpResponse(content, content_type=services.CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{services.file_name(report, kind)}"'
    return response


__all__ = ["ReportStatus", "router"]
