"""Pages of the consolidated report: list, generate, the draft (edit, regenerate, issue),
downloads, and the Word templates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dondoc.audit.models import Action
from dondoc.audit.services import record
from dondoc.core import officedocs
from dondoc.core.concurrency import ConflictError
from dondoc.core.forms import add_service_error as _form_error
from dondoc.organization import scoping
from dondoc.plans.models import Document
from dondoc.reports import render as report_render
from dondoc.reports import services, signing
from dondoc.reports.forms import (
    ReportCreateForm,
    ReportIssueForm,
    ReportTextForm,
    TemplateUploadForm,
)
from dondoc.reports.models import ConsolidatedReport, ReportStatus

FILE_KINDS = ("docx", "xlsx", "pdf")




def _visible(request: HttpRequest) -> Any:
    return scoping.reports_visible_to(request.user).select_related(
        "scope_unit", "document", "issued_by", "created_by", "template")


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """Reports per document and period: issued ones first within each period."""
    reports = _visible(request).order_by("document__issue_date", "document__number",
                                         "-period_end", "-period_start", "status", "-id")
    document = None
    if request.GET.get("document", "").strip():
        document = scoping.get_visible_or_404(scoping.documents_visible_to(request.user),
                                              pk=request.GET["document"])
        reports = reports.filter(document=document)
    status = request.GET.get("status", "")
    if status in ReportStatus.values:
        reports = reports.filter(status=status)
    return render(request, "reports/report_list.html", {
        "reports": reports[:500], "document": document, "status": status,
        "documents": Document.objects.filter(
            pk__in=_visible(request).values("document_id")).order_by("issue_date", "number"),
        "can_generate": scoping.report_units_for(request.user).exists(),
        "can_manage_templates": scoping.can_manage_report_templates(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    if not scoping.report_units_for(request.user).exists():
        raise PermissionDenied
    form = ReportCreateForm(request.POST or None, user=request.user,
                            initial={"document": request.GET.get("document")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_create(
                actor=request.user, scope_unit=data["scope_unit"], document=data["document"],
                period=data["parsed_period"], cut_off=data["cut_off"],
                template=data["template"])
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Draft report generated. Check the figures, edit "
                                        "the sections, then issue it."))
            return redirect("report_detail", pk=report.pk)
    return render(request, "reports/report_create.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = scoping.get_visible_or_404(_visible(request), pk=pk)
    editable = scoping.reports_editable_by(request.user).filter(pk=report.pk).exists()
    issuable = scoping.reports_issuable_by(request.user).filter(pk=report.pk).exists()
    text_form = ReportTextForm(instance=report, user=request.user) if editable else None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        text_form = ReportTextForm(request.POST, instance=report, user=request.user)
        if text_form.is_valid():
            data = {key: value for key, value in text_form.cleaned_data.items()
                    if key not in {"version", "template"}}
            try:
                services.report_update(actor=request.user, report=report,
                                       expected_version=text_form.expected_version,
                                       template=text_form.cleaned_data.get("template"),
                                       **data)
            except (ValidationError, ConflictError) as error:
                _form_error(text_form, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("report_detail", pk=report.pk)
    issue_form = (ReportIssueForm(initial={"number": report.number,
                                           "version": report.version})
                  if issuable else None)
    signature = None
    if report.is_issued and report.pdf_file:
        with report.pdf_file.open("rb") as stream:
            signature = signing.check_pdf(stream.read())
    return render(request, "reports/report_detail.html", _detail_context(
        request, report, text_form=text_form, issue_form=issue_form, editable=editable,
        signature=signature))


def _detail_context(request: HttpRequest, report: ConsolidatedReport, **extra: Any,
                    ) -> dict[str, Any]:
    frozen = report.snapshot if report.is_issued and report.snapshot else \
        services.snapshot_of(report)
    data = frozen["data"]
    # The tables as the document shows them, in the page's language.
    context = report_render.docx_context(frozen, draft=not report.is_issued)
    return {
        "report": report, "data": data, "doc": context,
        "missing": [str(item) for item in officedocs.missing_converters()],
        "certificate": signing.configured(),
        "sources": data.get("sources", {}),
        "issuing": None if report.is_issued else services.issuing_job(report),
        **extra,
    }


@login_required
@require_POST
def report_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    report = scoping.get_editable_or_403(_visible(request),
                                         scoping.reports_editable_by(request.user), pk=pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        services.report_regenerate(actor=request.user, report=report,
                                   expected_version=version,
                                   reset_text=request.POST.get("reset_text") == "1")
    except (ValidationError, ConflictError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(
            getattr(error, "message", error))])))
    else:
        messages.success(request, _("Figures recomputed as of %(day)s.") % {
            "day": report.cut_off.strftime("%d/%m/%Y")})
    return redirect("report_detail", pk=report.pk)


@login_required
@require_POST
def report_issue(request: HttpRequest, pk: int) -> HttpResponse:
    report = scoping.get_editable_or_403(_visible(request),
                                         scoping.reports_issuable_by(request.user), pk=pk)
    form = ReportIssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the report's number/symbol to issue it."))
        return redirect("report_detail", pk=report.pk)
    running = services.issuing_job(report)
    if running is not None:  # pressed twice: show the job already issuing it
        return redirect("job_detail", pk=running.pk)
    try:
        job = services.report_issue_enqueue(actor=request.user, report=report,
                                            expected_version=form.cleaned_data["version"],
                                            number=form.cleaned_data["number"])
    except (ValidationError, ConflictError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(
            getattr(error, "message", error))])))
        return redirect("report_detail", pk=report.pk)
    # The job page shows its progress and, once issued, links back to the report.
    return redirect("job_detail", pk=job.pk)


@login_required
def report_download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in FILE_KINDS:
        raise Http404
    report = scoping.get_visible_or_404(_visible(request), pk=pk)
    try:
        content = services.report_file(report, kind)
    except officedocs.TemplateProblem as problem:
        messages.error(request, str(problem) + " " + _(
            "Choose the default template (or fix the uploaded one) and try again."))
        return redirect("report_detail", pk=report.pk)
    except (officedocs.ConverterMissing, officedocs.ConversionFailed,
            FileNotFoundError) as problem:
        messages.error(request, str(problem) if not isinstance(problem, FileNotFoundError)
                       else report.pdf_missing or _("This file was not produced."))
        return redirect("report_detail", pk=report.pk)
    if report.is_issued:
        record(actor=request.user, action=Action.EXPORT, obj=report,
               unit_id=report.scope_unit_id, message=f"downloaded {kind}")
    response = HttpResponse(content, content_type=services.CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{services.file_name(report, kind)}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def template_list(request: HttpRequest) -> HttpResponse:
    if not scoping.can_manage_report_templates(request.user):
        raise PermissionDenied
    form = TemplateUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        owner: Any = scoping.scope_root(request.user) or getattr(request.user, "unit", None)
        try:
            services.template_upload(actor=request.user, owner_unit=owner,
                                     name=form.cleaned_data["name"],
                                     upload=form.cleaned_data["file"])
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Template uploaded. Choose it on a draft report."))
            return redirect("report_template_list")
    return render(request, "reports/template_list.html", {
        "form": form,
        "templates": scoping.report_templates_for(request.user).select_related(
            "owner_unit", "uploaded_by"),
    })


@login_required
def template_default(request: HttpRequest) -> HttpResponse:
    """The default Word template, to start an agency's own version from."""
    response = HttpResponse(report_render.DEFAULT_TEMPLATE.read_bytes(),
                            content_type=services.CONTENT_TYPES["docx"])
    response["Content-Disposition"] = 'attachment; filename="mau-bao-cao-tong-hop.docx"'
    return response


@login_required
def template_file(request: HttpRequest, pk: int) -> HttpResponse:
    template = scoping.get_visible_or_404(scoping.report_templates_for(request.user), pk=pk)
    with template.file.open("rb") as stream:
        content = stream.read()
    response = HttpResponse(content, content_type=services.CONTENT_TYPES["docx"])
    response["Content-Disposition"] = f'attachment; filename="template-{template.pk}.docx"'
    return response
