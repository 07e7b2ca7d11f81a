"""Writes of consolidated reports: create and regenerate drafts, edit them, issue (freeze)
them, upload Word templates. Each write is audited in its own transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dondoc.audit.models import Action
from dondoc.audit.services import diff, record, snapshot
from dondoc.core import officedocs
from dondoc.core.concurrency import ConflictError, save_versioned
from dondoc.core.files import sha256_of, storage_name, validate_upload
from dondoc.organization.models import Unit
from dondoc.plans.models import Document
from dondoc.progress import periods
from dondoc.progress.selectors import business_today
from dondoc.reports import builder, render, signing
from dondoc.reports.models import ConsolidatedReport, ReportStatus, ReportTemplate
from dondoc.reports.xlsx import render_xlsx

logger = logging.getLogger(__name__)

TEXT_FIELDS = ["governing_body", "issuing_body", "number", "place", "report_date", "title",
               "signer_authority", "signer_title", "signer_name", "recipients",
               "general_situation", "shortcomings", "difficulties", "next_period"]
NARRATIVE_FIELDS = ["general_situation", "shortcomings", "difficulties", "next_period"]
AUDITED = ["scope_unit", "document", "period_label", "period_start", "period_end", "cut_off",
           "status", "template", *TEXT_FIELDS]
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def default_place() -> str:
    return str(getattr(settings, "DONDOC_REPORT_PLACE", "") or "Đà Nẵng")


def check_period(period: periods.Period, cut_off: dt.date | None) -> dt.date:
    """The cut-off date of ``period`` (default: its end, or today while it runs);
    ``ValidationError`` for a cut-off outside the period or in the future."""
    today = business_today()
    if period.start > today:
        raise ValidationError({"period": _("The period has not started yet.")})
    day = cut_off or min(period.end, today)
    if day < period.start or day > period.end:
        raise ValidationError({"cut_off": _(
            "The cut-off date must fall within the period (%(start)s–%(end)s).") % {
            "start": period.start.strftime("%d/%m/%Y"), "end": period.end.strftime("%d/%m/%Y")}})
    if day > today:
        raise ValidationError({"cut_off": _("The cut-off date cannot be in the future.")})
    return day


def snapshot_of(report: ConsolidatedReport) -> dict[str, Any]:
    """What the files are rendered from: the figures and the edited text."""
    text = {name: getattr(report, name) for name in TEXT_FIELDS}
    text["report_date"] = report.report_date.isoformat()
    return {"data": report.data, "text": text}


def template_bytes(report: ConsolidatedReport) -> bytes | None:
    if report.template is None:
        return None
    with report.template.file.open("rb") as stream:
        data: bytes = stream.read()
    return data


def _header_defaults(scope_unit: Unit) -> dict[str, str]:
    parent = Unit.objects.filter(path=scope_unit.path[:-Unit.steplen]).first()
    with translation.override(render.DOCUMENT_LANGUAGE):
        return {
            "governing_body": parent.name if parent is not None else "",
            "issuing_body": scope_unit.name,
            "signer_authority": _("P.P. DIRECTOR"),
            "signer_title": _("DEPUTY DIRECTOR"),
            "recipients": "\n".join([
                _("The Party Committee and the Board of Directors (to report);"),
                _("The units concerned;"),
                _("Archive: VT.")]),
        }


@transaction.atomic
def report_create(*, actor: Any, scope_unit: Unit, document: Document, period: periods.Period,
                  cut_off: dt.date | None = None,
                  template: ReportTemplate | None = None) -> ConsolidatedReport:
    """A new draft with the figures as of the cut-off and pre-filled sections."""
    day = check_period(period, cut_off)
    data = builder.build_report_data(user=actor, scope_unit=scope_unit, document=document,
                                     period=period, cut_off=day)
    header = _header_defaults(scope_unit)
    report = ConsolidatedReport(
        scope_unit=scope_unit, document=document, period_label=period.label,
        period_start=period.start, period_end=period.end, cut_off=day, template=template,
        place=default_place(), report_date=business_today(), title=render.default_title(data),
        data=data, generated_at=timezone.now(), created_by=actor, **header,
        **render.default_narratives(data, header["issuing_body"]))
    report.full_clean()
    report.save()
    record(actor=actor, action=Action.CREATE, obj=report, unit_id=scope_unit.pk,
           changes=diff({}, snapshot(report, AUDITED)))
    return report


def _draft_only(report: ConsolidatedReport) -> None:
    if report.status != ReportStatus.DRAFT:
        raise ValidationError(_("This report has been issued: it can no longer be changed."))


@transaction.atomic
def report_regenerate(*, actor: Any, report: ConsolidatedReport, expected_version: int,
                      reset_text: bool = False) -> ConsolidatedReport:
    """Recompute a draft's figures as of its cut-off (and, if asked, its pre-filled
    sections); the edited header stays."""
    _draft_only(report)
    period = periods.Period(report.period_start, report.period_end, report.period_label)
    report.data = builder.build_report_data(
        user=actor, scope_unit=report.scope_unit, document=report.document, period=period,
        cut_off=report.cut_off)
    report.generated_at = timezone.now()
    fields = ["data", "generated_at"]
    if reset_text:
        for name, value in render.default_narratives(report.data,
                                                     report.issuing_body).items():
            setattr(report, name, value)
        fields += NARRATIVE_FIELDS
    save_versioned(report, expected_version=expected_version, fields=fields)
    record(actor=actor, action=Action.UPDATE, obj=report, unit_id=report.scope_unit_id,
           message="figures recomputed" + (" and sections reset" if reset_text else ""),
           changes={"generated_at": [None, report.generated_at]})
    return report


@transaction.atomic
def report_update(*, actor: Any, report: ConsolidatedReport, expected_version: int,
                  template: ReportTemplate | None = None, **fields: Any) -> ConsolidatedReport:
    """Edit a draft's header, signature, recipients and narrative sections."""
    _draft_only(report)
    before = snapshot(ConsolidatedReport.objects.get(pk=report.pk), AUDITED)
    unknown = set(fields) - set(TEXT_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(report, name, value)
    report.template = template
    report.full_clean()
    save_versioned(report, expected_version=expected_version, fields=[*fields, "template"])
    record(actor=actor, action=Action.UPDATE, obj=report, unit_id=report.scope_unit_id,
           changes=diff(before, snapshot(report, AUDITED)))
    return report


def render_files(report: ConsolidatedReport, frozen: dict[str, Any], *, draft: bool,
                 ) -> tuple[bytes, bytes]:
    """DOCX and XLSX of a snapshot with the report's template."""
    docx = render.render_docx(frozen, template_bytes(report), draft=draft)
    return docx, render_xlsx(frozen)


def _store(report: ConsolidatedReport, kind: str, content: bytes) -> None:
    field = getattr(report, f"{kind}_file")
    field.save(storage_name("reports", f"report.{kind}"), ContentFile(content), save=False)
    setattr(report, f"{kind}_sha256", hashlib.sha256(content).hexdigest())


def _issue_checks(report: ConsolidatedReport, expected_version: int, number: str) -> str:
    _draft_only(report)
    number = number.strip()
    if not number:
        raise ValidationError({"number": _("Enter the report's number/symbol to issue it.")})
    if report.version != expected_version:
        raise ConflictError()
    return number


def report_issue_enqueue(*, actor: Any, report: ConsolidatedReport, expected_version: int,
                         number: str) -> Any:
    """Check what can be checked at once (a draft, a number, the version the user saw),
    then issue the report in the background queue (:func:`run_issue_job`): computing the
    figures and producing the DOCX, XLSX and signed PDF take seconds to minutes. The job
    page shows how far it got; the report's page links to it meanwhile."""
    from dondoc.jobs.kinds import REPORT_ISSUE
    from dondoc.jobs.services import job_enqueue

    number = _issue_checks(report, expected_version, number)
    return job_enqueue(kind=REPORT_ISSUE, owner=actor, params={
        "report": report.pk, "version": expected_version, "number": number})


def issuing_job(report: ConsolidatedReport) -> Any:
    """The job issuing ``report`` now (queued or running), if any."""
    from dondoc.jobs.kinds import REPORT_ISSUE
    from dondoc.jobs.models import Job, JobStatus

    active = [JobStatus.QUEUED, JobStatus.RUNNING]  # as Job.is_active
    return (Job.objects.filter(kind=REPORT_ISSUE, params__report=report.pk,
                               status__in=active).order_by("-pk").first())


def run_issue_job(context: Any) -> dict[str, Any]:
    """Job handler: issue the report (see :func:`report_issue`), step by step. A report
    that was issued or changed meanwhile, or an owner who may no longer issue it, fails
    the job with the reason; nothing is half-issued (one transaction)."""
    from django.urls import reverse

    from dondoc.organization import scoping

    params = context.params
    owner = context.owner
    report = (scoping.reports_issuable_by(owner).filter(pk=params["report"]).first()
              if owner is not None and owner.is_active else None)
    if report is None:
        found = ConsolidatedReport.objects.filter(pk=params["report"]).first()
        if found is not None:
            _draft_only(found)  # issued meanwhile (pressed twice, or retried): say so
        raise ValidationError(_("You may no longer issue this report."), code="owner")
    steps = [_("Freezing the figures…"), _("Producing the DOCX and XLSX…"),
             _("Producing the PDF…"), _("Signing and saving…")]

    def progress(step: int) -> None:
        context.progress(step, len(steps), steps[step] if step < len(steps) else None)

    try:
        report = report_issue(actor=owner, report=report,
                              expected_version=int(params["version"]),
                              number=str(params["number"]), progress=progress)
    except ConflictError as conflict:
        raise ValidationError(str(conflict.message)) from conflict
    context.progress(len(steps), len(steps), "")
    if report.signed:
        summary = _("Report issued and digitally signed.")
    elif report.pdf_file:
        summary = _("Report issued. The PDF is not digitally signed: no signing certificate "
                    "is configured.")
    else:
        summary = _("Report issued without a PDF: %(reason)s") % {"reason": report.pdf_missing}
    return {"report": report.pk, "url": reverse("report_detail", args=[report.pk]),
            "summary": summary}


def issue_back_url(job: Any) -> str:
    from django.urls import reverse

    report = (job.params or {}).get("report")
    return reverse("report_detail", args=[report]) if report else ""


@transaction.atomic
def report_issue(*, actor: Any, report: ConsolidatedReport, expected_version: int,
                 number: str, progress: Callable[[int], None] | None = None,
                 ) -> ConsolidatedReport:
    """Freeze the draft: its snapshot, DOCX, XLSX and PDF (signed when a certificate is
    configured) with their SHA-256. Later changes to tasks no longer change it.
    ``progress(step)`` is told when each of the four steps starts (the job's bar)."""
    step = progress or (lambda _step: None)
    report = ConsolidatedReport.objects.select_for_update().get(pk=report.pk)
    number = _issue_checks(report, expected_version, number)
    report.number = number
    step(0)
    frozen = snapshot_of(report)
    step(1)
    try:
        docx, xlsx = render_files(report, frozen, draft=False)
    except officedocs.TemplateProblem as problem:
        raise ValidationError({"template": str(problem)}) from problem
    _store(report, "docx", docx)
    _store(report, "xlsx", xlsx)
    report.pdf_missing = ""
    report.signed = False
    report.signer_certificate = ""
    step(2)
    try:
        pdf = render.render_pdf(docx)
    except (officedocs.ConverterMissing, officedocs.ConversionFailed) as problem:
        report.pdf_missing = str(problem)[:300]
        pdf = b""
    step(3)
    if pdf:
        with translation.override(render.DOCUMENT_LANGUAGE):
            result = signing.sign_pdf(pdf, reason=report.title[:200], location=report.place)
        if result is not None:
            pdf, report.signer_certificate = result[0], result[1][:300]
            report.signed = True
        _store(report, "pdf", pdf)
    report.snapshot = frozen
    report.status = ReportStatus.ISSUED
    report.issued_at = timezone.now()
    report.issued_by = actor
    save_versioned(report, expected_version=expected_version, fields=[
        "number", "snapshot", "status", "issued_at", "issued_by", "docx_file", "docx_sha256",
        "xlsx_file", "xlsx_sha256", "pdf_file", "pdf_sha256", "pdf_missing", "signed",
        "signer_certificate"])
    record(actor=actor, action=Action.UPDATE, obj=report, unit_id=report.scope_unit_id,
           message="issued", changes={
               "status": [ReportStatus.DRAFT, ReportStatus.ISSUED], "number": [None, number],
               "docx_sha256": [None, report.docx_sha256],
               "xlsx_sha256": [None, report.xlsx_sha256],
               "pdf_sha256": [None, report.pdf_sha256 or None],
               "signed": [False, report.signed]})
    return report


def report_file(report: ConsolidatedReport, kind: str) -> bytes:
    """An issued report's stored file, or a draft's file rendered now.

    Raises ``officedocs.TemplateProblem`` (template), ``ConverterMissing`` (PDF) or
    ``FileNotFoundError`` (an issued report without a PDF)."""
    if report.is_issued:
        field = getattr(report, f"{kind}_file")
        if not field:
            raise FileNotFoundError(report.pdf_missing or kind)
        with field.open("rb") as stream:
            data: bytes = stream.read()
        return data
    frozen = snapshot_of(report)
    docx = render.render_docx(frozen, template_bytes(report), draft=True)
    if kind == "docx":
        return docx
    if kind == "xlsx":
        return render_xlsx(frozen)
    return render.render_pdf(docx)


def file_name(report: ConsolidatedReport, kind: str) -> str:
    stem = "bao-cao-tong-hop-" + "".join(
        char if char.isalnum() else "-" for char in report.period_label).strip("-")
    return f"{stem}-{report.pk}.{kind}"


@transaction.atomic
def template_upload(*, actor: Any, owner_unit: Unit, name: str,
                    upload: UploadedFile) -> ReportTemplate:
    """Store a Word template once it renders a sample report; ``ValidationError`` (with
    the template's problem, e.g. an unknown variable) otherwise."""
    validate_upload(upload, allowed=(".docx",))
    content = upload.read()
    upload.seek(0)
    try:
        render.check_template(content)
    except officedocs.TemplateProblem as problem:
        raise ValidationError({"file": str(problem)}) from problem
    template = ReportTemplate(owner_unit=owner_unit, name=name.strip() or upload.name or "",
                              original_name=(upload.name or "template.docx")[:255],
                              sha256=sha256_of(upload), uploaded_by=actor)
    template.file.save(storage_name("reports", upload.name or "template.docx"), upload,
                       save=False)
    template.full_clean()
    template.save()
    record(actor=actor, action=Action.CREATE, obj=template, unit_id=owner_unit.pk,
           changes={"name": [None, template.name], "file": [None, template.original_name],
                    "sha256": [None, template.sha256]})
    return template
