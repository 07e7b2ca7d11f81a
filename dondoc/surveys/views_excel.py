"""A submission's Excel round trip: download the workbook, upload it, preview, save.

The pattern of the task import (``dondoc.imports.views_import``): the upload is checked
at once and, when clean, kept under ``MEDIA_ROOT/survey-uploads/<random token>.xlsx``;
the token is known only to the uploader's session, which also records the user, the
submission and its ``lock_version``. The preview shows every answer the file changes;
saving re-reads the file with the user's current rights and saves a new draft version
(source "excel"), or nothing if anyone saved the submission since the preview.
"""

from __future__ import annotations

from typing import Any, Final

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dondoc.audit.models import Action
from dondoc.audit.services import record
from dondoc.core.concurrency import ConflictError
from dondoc.core.pending_uploads import PendingUploads
from dondoc.organization import scoping
from dondoc.plans.services import WorkflowError
from dondoc.surveys import services
from dondoc.surveys.models import Source, Submission
from dondoc.surveys.workbook import (
    MAX_FILE_BYTES,
    Cover,
    Expected,
    UploadResult,
    WorkbookRefused,
    answer_changes,
    check_file,
    read_workbook,
    write_workbook,
)

XLSX_CONTENT_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PENDING: Final = PendingUploads(folder="survey-uploads", session_key="survey_pending_uploads")


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in workbook (.xlsx)"),
        help_text=gettext_lazy(
            "The workbook downloaded from this page, at most 5 MB. Nothing is saved before "
            "you have checked the changes."),
        widget=forms.FileInput(attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        head = upload.read(8)
        upload.seek(0)
        check_file(name=upload.name or "", size=upload.size or 0, head=head)
        return upload


# ---------------------------------------------------------------------------------------
# Access
# ---------------------------------------------------------------------------------------


def _visible(request: HttpRequest) -> Any:
    return scoping.submissions_visible_to(request.user).select_related(
        "campaign__form", "unit", "current")


def _visible_submission(request: HttpRequest, pk: int) -> Submission:
    submission: Submission = scoping.get_visible_or_404(_visible(request), pk=pk)
    return submission


def _editable_submission(request: HttpRequest, pk: int) -> Submission:
    """404 outside the scope, 403 for those who may see but not fill it in."""
    submission: Submission = scoping.get_editable_or_403(
        _visible(request), scoping.submissions_editable_by(request.user), pk=pk)
    return submission


def _closed_reason(submission: Submission) -> str:
    """Why the answers cannot be changed now; empty when they can."""
    if not submission.campaign.is_open:
        return _("The campaign is not open: a workbook can no longer be uploaded.")
    if not submission.editable:
        return _("This answer has been submitted: a workbook can be uploaded again only if "
                 "the answer is returned.")
    return ""


def _language() -> str:
    return "en" if (translation.get_language() or "vi").startswith("en") else "vi"


def _submission_url(submission: Submission) -> str:
    """The submission's page; the Excel page itself while no such page is installed."""
    try:
        return reverse("survey_submission", args=[submission.pk])
    except NoReverseMatch:
        return reverse("survey_workbook_upload", args=[submission.pk])


# ---------------------------------------------------------------------------------------
# Download
# ---------------------------------------------------------------------------------------


def _cover(submission: Submission) -> Cover:
    campaign = submission.campaign
    return Cover(campaign_id=campaign.pk, campaign_title=campaign.title,
                 unit_id=submission.unit_id, unit_name=submission.unit.name,
                 unit_code=submission.unit.code, submission_id=submission.pk,
                 reference_date=campaign.reference_date, deadline=campaign.deadline)


def _file_name(submission: Submission) -> str:
    form = submission.campaign.form
    stem = slugify(f"khao-sat {form.key} v{form.version} {submission.unit.code}") or "khao-sat"
    return f"{stem}.xlsx"


@login_required
@require_GET
def submission_workbook(request: HttpRequest, pk: int) -> HttpResponse:
    """The submission as a workbook to fill offline, pre-filled with its current answers."""
    submission = _visible_submission(request, pk)
    data = write_workbook(submission.campaign.form.parsed, submission.answers,
                          _cover(submission), _language())
    record(actor=request.user, action=Action.EXPORT, obj=submission,
           unit_id=submission.unit_id, message="survey workbook",
           changes={"version": [None, submission.current.number if submission.current
                                else None]})
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_file_name(submission)}"'
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------
# Pending uploads
# ---------------------------------------------------------------------------------------


def _entry(request: HttpRequest, submission: Submission, token: str) -> dict[str, Any]:
    """This user's pending upload for this submission, or 404 (someone else's token, a
    forged one, or one already used)."""
    return PENDING.entry(request, token, submission=submission.pk)


def _read(submission: Submission, data: bytes) -> UploadResult:
    return read_workbook(submission.campaign.form.parsed, data,
                         expected=Expected(campaign_id=submission.campaign_id,
                                           unit_id=submission.unit_id),
                         current=submission.answers)


# ---------------------------------------------------------------------------------------
# Upload and preview
# ---------------------------------------------------------------------------------------


def _upload_page(request: HttpRequest, submission: Submission, form: WorkbookUploadForm, *,
                 result: UploadResult | None = None, name: str = "",
                 status: int = 200) -> HttpResponse:
    return render(request, "surveys/excel_upload.html", {
        "submission": submission, "campaign": submission.campaign, "form": form,
        "submission_url": _submission_url(submission),
        "result": result, "file_name": name, "closed_reason": _closed_reason(submission),
        "limit_mb": MAX_FILE_BYTES // (1024 * 1024),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def submission_workbook_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a filled-in workbook: a clean file goes on to its preview, a faulty one is
    shown with every problem, by sheet and cell. Nothing is saved here."""
    submission = _editable_submission(request, pk)
    form = WorkbookUploadForm()
    if request.method != "POST":
        return _upload_page(request, submission, form)
    if _closed_reason(submission):
        return _upload_page(request, submission, form, status=409)
    form = WorkbookUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, submission, form)
    upload = form.cleaned_data["file"]
    data = upload.read()
    name = upload.name or "khao-sat.xlsx"
    try:
        result = _read(submission, data)
    except WorkbookRefused as error:
        form.add_error("file", error)
        return _upload_page(request, submission, form)
    if not result.ok:
        return _upload_page(request, submission, WorkbookUploadForm(), result=result, name=name)
    token = PENDING.store(request, data, submission=submission.pk, name=name[:200],
                          lock_version=submission.lock_version)
    return redirect("survey_workbook_preview", pk=submission.pk, token=token)


@login_required
@require_http_methods(["GET", "POST"])
def submission_workbook_preview(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """What the upload changes; POST saves it as a new draft version, or cancels."""
    submission = _editable_submission(request, pk)
    entry = _entry(request, submission, token)
    path = PENDING.path_of(token)
    if not path.is_file():
        PENDING.discard(request, token)
        messages.error(request, _("The uploaded file has expired: upload it again."))
        return redirect("survey_workbook_upload", pk=submission.pk)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        PENDING.discard(request, token)
        messages.info(request, _("The upload was cancelled; nothing was saved."))
        return redirect(_submission_url(submission))
    try:
        result = _read(submission, path.read_bytes())
    except WorkbookRefused as error:  # the form cannot change, but be safe
        PENDING.discard(request, token)
        messages.error(request, error.messages[0])
        return redirect("survey_workbook_upload", pk=submission.pk)
    name = str(entry.get("name", ""))
    if request.method == "POST" and result.ok and not _closed_reason(submission):
        return _save(request, submission, token, entry, result)
    # The changes are shown against the answers as they are now: saving applies what was
    # seen, and is refused if anyone saves in between.
    stale = entry.get("lock_version") != submission.lock_version
    if stale:
        PENDING.update(request, token, lock_version=submission.lock_version)
    changes = answer_changes(submission.campaign.form.parsed, submission.answers,
                             result.answers, _language())
    return render(request, "surveys/excel_preview.html", {
        "submission": submission, "campaign": submission.campaign, "result": result,
        "submission_url": _submission_url(submission),
        "changes": changes, "file_name": name, "token": token, "stale": stale,
        "closed_reason": _closed_reason(submission),
    })


def _save(request: HttpRequest, submission: Submission, token: str, entry: dict[str, Any],
          result: UploadResult) -> HttpResponse:
    try:
        version, _problems = services.save_draft(
            submission, result.answers, request.user, Source.EXCEL,
            lock_version=int(entry.get("lock_version", -1)),
            note=_("From the workbook “%(name)s”") % {"name": str(entry.get("name", ""))})
    except ConflictError:
        PENDING.discard(request, token)
        messages.error(request, _(
            "The answers were changed by someone else after your upload: nothing was saved. "
            "Download the workbook again to see their changes, or upload yours again."))
        return redirect("survey_workbook_upload", pk=submission.pk)
    except (WorkflowError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("survey_workbook_preview", pk=submission.pk, token=token)
    except PermissionDenied:
        PENDING.discard(request, token)
        raise
    if version is None:  # the same checks as the upload: only if the form changed meanwhile
        messages.error(request, _("The workbook has errors: nothing was saved."))
        return redirect("survey_workbook_preview", pk=submission.pk, token=token)
    PENDING.discard(request, token)
    messages.success(request, _("The answers from the workbook were saved as a draft "
                                "(version %(number)s).") % {"number": version.number})
    return redirect(_submission_url(submission))
