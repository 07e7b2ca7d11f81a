"""Pages of the Excel import (upload → preview → confirm) and the Excel downloads.

The uploaded workbook is kept between the preview and the confirmation under
``MEDIA_ROOT/imports/<random token>.xlsx``; the token is known only to the uploader's
session, which also records the user and the document. Confirming re-reads the file with
the user's current rights and saves everything or nothing; the file is then deleted.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any, Final

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dondoc.audit.models import Action
from dondoc.audit.services import record
from dondoc.core.pending_uploads import PendingUploads
from dondoc.imports import import_jobs, imports
from dondoc.imports.importing import (
    KIND_GROUP,
    LEVEL_ERROR,
    ImportPreview,
    ParsedRow,
    write_template,
)
from dondoc.imports.samples import write_sample
from dondoc.imports.workbook_limits import check_workbook
from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.plans.exports import XLSX_CONTENT_TYPE, export_tasks_xlsx
from dondoc.plans.models import DeadlineKind, Document
from dondoc.plans.selectors import filters_from_params, parse_day, task_list

# The sweep takes every file of the folder, so that a ".claimed" file left by a killed
# import is deleted too once it is a day old.
PENDING: Final = PendingUploads(folder="imports", session_key="plans_pending_imports",
                                sweep_glob="*")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        help_text=gettext_lazy(
            "The task appendix as an Excel workbook, at most 10 MB. Nothing is saved "
            "before you have checked the preview."
        ),
        widget=forms.FileInput(attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        head = upload.read(8)
        upload.seek(0)
        imports.check_file(name=upload.name or "", size=upload.size or 0, head=head)
        check_workbook(upload)  # too many rows, cells or merged cells: refused before loading
        return upload


# ---------------------------------------------------------------------------------------
# Access and the pending files
# ---------------------------------------------------------------------------------------


def _editable_document(request: HttpRequest, pk: int) -> Document:
    """404 when the document is not visible, 403 when it is visible but not editable."""
    document: Document = scoping.get_editable_or_403(
        scoping.documents_visible_to(request.user).select_related("owner_unit"),
        scoping.documents_editable_by(request.user), pk=pk,
    )
    return document


def _entry(request: HttpRequest, document: Document, token: str) -> dict[str, Any]:
    """The pending upload ``token`` of this user and document, or 404 (someone else's
    token, a forged one, or one already used)."""
    return PENDING.entry(request, token, document=document.pk)


# ---------------------------------------------------------------------------------------
# The preview page
# ---------------------------------------------------------------------------------------


@dataclass
class PreviewLine:
    """One row of the preview table, with everything the template prints."""

    row: ParsedRow
    lead: str = ""
    coordinating: list[str] = field(default_factory=list)
    deadline: str = ""
    issues: list[tuple[str, str]] = field(default_factory=list)  # (level, message)
    choices: list[tuple[int, str]] = field(default_factory=list)  # leads to choose among

    @property
    def is_group(self) -> bool:
        return self.row.kind == KIND_GROUP

    @property
    def coordinating_collapsed(self) -> bool:
        """A collective phrase ("Các phòng nghiệp vụ") resolving to many units is shown
        folded, with its count: the list opens on demand."""
        return len(self.coordinating) > COLLAPSE_UNITS_OVER

    @property
    def needs_attention(self) -> bool:
        """Kept by "only rows with warnings": a warning or an error, or a lead to choose."""
        return self.row.status != "ok" or bool(self.choices)


COLLAPSE_UNITS_OVER: Final = 5


def _deadline_text(row: ParsedRow) -> str:
    deadline = row.deadline
    if deadline is None:
        return ""
    if deadline.kind == DeadlineKind.FIXED and deadline.due is not None:
        text = deadline.due.strftime("%d/%m/%Y")
        if deadline.start is not None:
            text = f"{deadline.start:%Y} – {text}"
        return text
    label = str(DeadlineKind(deadline.kind).label)
    return f"{label} ({deadline.start:%Y})" if deadline.start is not None else label


def _preview_lines(preview: ImportPreview) -> list[PreviewLine]:
    ids: set[int] = set()
    for row in preview.rows:
        if row.lead_unit_id is not None:
            ids.add(row.lead_unit_id)
        ids.update(row.coordinating_unit_ids)
    labels = {
        pk: f"{name} ({code})"
        for pk, code, name in Unit.objects.filter(pk__in=ids).values_list("pk", "code", "name")
    }
    lines = []
    for row in preview.rows:
        lines.append(PreviewLine(
            row=row,
            lead=labels.get(row.lead_unit_id, "") if row.lead_unit_id else "",
            coordinating=[labels.get(pk, "") for pk in row.coordinating_unit_ids],
            deadline=_deadline_text(row),
            issues=[(issue.level, issue.message) for issue in row.issues],
            choices=[(pk, labels.get(pk, "")) for pk in imports.lead_choices(row)],
        ))
    return lines


MAX_SUMMARY_ERRORS: Final = 30


def _render_preview(request: HttpRequest, document: Document, preview: ImportPreview, *,
                    token: str | None, name: str) -> HttpResponse:
    row_errors = [
        (row.row_number, issue.message)
        for row in preview.rows for issue in row.issues if issue.level == LEVEL_ERROR
    ]
    lines = _preview_lines(preview)
    # "Only rows with warnings": a query parameter, so it works without JavaScript and the
    # filtered preview can be sent as a link. The confirmation still imports every row.
    only_warnings = token is not None and request.GET.get("only") == "warnings"
    shown = [line for line in lines if line.needs_attention] if only_warnings else lines
    return render(request, "imports/import_preview.html", {
        "document": document,
        "preview": preview,
        "lines": shown,
        "all_line_count": len(lines),
        "attention_count": sum(1 for line in lines if line.needs_attention),
        "only_warnings": only_warnings,
        "row_errors": row_errors[:MAX_SUMMARY_ERRORS],
        "more_errors": max(0, len(row_errors) - MAX_SUMMARY_ERRORS),
        "file_issues": [(issue.level, issue.message) for issue in preview.file_issues],
        "group_count": len(preview.groups),
        "task_count": len(preview.tasks),
        "output_count": len(preview.outputs),
        "skipped_count": len(preview.skipped),
        "assigned_on": document.issue_date,
        "token": token,
        "file_name": name,
        "form": ImportUploadForm(),
        "error_level": LEVEL_ERROR,
    })


def _after_import_url(document: Document) -> str:
    for name, args in (("document_detail", [document.pk]), ("home", [])):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return "/"


# ---------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def task_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a task appendix; a clean file goes on to its preview, a faulty one is shown
    with every problem."""
    document = _editable_document(request, pk)
    form = ImportUploadForm()
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                preview = imports.import_preview(user=request.user, document=document,
                                                 data=data)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                name = upload.name or "file.xlsx"
                if preview.has_errors:
                    return _render_preview(request, document, preview, token=None, name=name)
                token = PENDING.store(request, data, document=document.pk, name=name[:200],
                                      fingerprint=imports.preview_fingerprint(preview))
                return redirect("task_import_preview", pk=document.pk, token=token)
    return render(request, "imports/import_upload.html", {"document": document, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def task_import_preview(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Show the preview of a pending upload; POST confirms (all or nothing) or cancels."""
    document = _editable_document(request, pk)
    entry = _entry(request, document, token)
    path = PENDING.path_of(token)
    running = import_jobs.active_import(token)
    if running is not None:  # a confirmation is under way: show its progress
        return redirect("job_detail", pk=running.pk)
    if not path.is_file():
        if any(PENDING.directory().glob(f"{token}.*.claimed")):
            messages.info(request, _("This file is being imported."))
            return redirect(_after_import_url(document))
        if import_jobs.finished_import(token) is not None:
            PENDING.discard(request, token)
            messages.info(request, _("This file has already been imported or cancelled."))
            return redirect(_after_import_url(document))
        PENDING.discard(request, token)
        messages.error(request, _("The uploaded file has expired: upload it again."))
        return redirect("task_import", pk=document.pk)
    name = str(entry.get("name", ""))

    if request.method == "POST" and request.POST.get("action") == "cancel":
        PENDING.discard(request, token)
        messages.info(request, _("The import was cancelled; nothing was saved."))
        return redirect("task_import", pk=document.pk)

    if request.method == "POST":
        return _confirm(request, document, token, entry)
    preview = imports.import_preview(user=request.user, document=document,
                                     data=path.read_bytes())
    fingerprint = imports.preview_fingerprint(preview)
    if fingerprint != entry.get("fingerprint"):
        PENDING.update(request, token, fingerprint=fingerprint)
    return _render_preview(request, document, preview,
                           token=None if preview.has_errors else token, name=name)


def _confirm(request: HttpRequest, document: Document, token: str,
             entry: dict[str, Any]) -> HttpResponse:
    """Start the import of a pending upload as a background job (a second click finds the
    job already under way) and show its progress page; the job re-reads the file with
    the user's current rights and saves everything or nothing."""
    if not PENDING.path_of(token).is_file() and import_jobs.active_import(token) is None:
        messages.info(request, _("This file has already been imported or cancelled."))
        return redirect("task_import", pk=document.pk)
    try:
        assigned_on = parse_day(request.POST.get("assigned_on")) or document.issue_date
    except ValueError:
        messages.error(request, _("Enter the assigned date as dd/mm/yyyy."))
        return redirect("task_import_preview", pk=document.pk, token=token)
    overrides: dict[str, int] = {}
    for key, value in request.POST.items():
        if key.startswith("lead_") and value:
            try:
                overrides[str(int(key[5:]))] = int(str(value))
            except ValueError:
                continue
    job = import_jobs.import_enqueue(
        actor=request.user, document=document, token=token,
        fingerprint=str(entry.get("fingerprint", "")), name=str(entry.get("name", "")),
        assigned_on=assigned_on, lead_overrides=overrides)
    return redirect("job_detail", pk=job.pk)


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def task_import_template(request: HttpRequest) -> HttpResponse:
    buffer = io.BytesIO()
    write_template(buffer)
    return _xlsx_response(buffer.getvalue(), "mau-phu-luc-nhiem-vu.xlsx")


@login_required
@require_GET
def task_import_sample(request: HttpRequest) -> HttpResponse:
    buffer = io.BytesIO()
    write_sample(buffer)
    return _xlsx_response(buffer.getvalue(), "phu-luc-mau-nghi-quyet-12.xlsx")


@login_required
@require_GET
def task_export(request: HttpRequest) -> HttpResponse:
    """The task list as Excel: the same scope, filters and order as the list page."""
    filters = filters_from_params(request.GET)
    if filters.errors:
        return HttpResponseBadRequest(
            "\n".join(f"{key}: {message}" for key, message in filters.errors.items()),
            content_type="text/plain; charset=utf-8",
        )
    as_of: dt.date = filters.as_of or timezone.localdate()
    tasks = task_list(user=request.user, filters=filters)
    title = _("TASK LIST")
    if filters.document:
        number = scoping.documents_visible_to(request.user).filter(
            pk=filters.document).values_list("number", flat=True).first()
        if number:
            title = _("TASK LIST — %(document)s") % {"document": number}
    buffer = io.BytesIO()
    count = export_tasks_xlsx(tasks, buffer, title=title, as_of=as_of)
    unit = getattr(request.user, "unit_id", None)
    record(actor=request.user, action=Action.EXPORT, object_type="plans.task",
           object_repr=_("Task list (Excel)"), unit_id=unit, message="xlsx",
           changes={"filters": [None, request.GET.urlencode()[:500]], "rows": [None, count]})
    return _xlsx_response(buffer.getvalue(), f"nhiem-vu-{as_of:%Y-%m-%d}.xlsx")
