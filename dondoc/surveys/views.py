"""Survey pages: access through scoping, act through services, respond."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dondoc.audit.models import Action
from dondoc.audit.services import record
from dondoc.core.concurrency import ConflictError
from dondoc.core.forms import add_service_error
from dondoc.core.paging import paginate
from dondoc.organization import scoping
from dondoc.plans.services import WorkflowError
from dondoc.surveys import consolidation as consolidating
from dondoc.surveys import entry, selectors, services
from dondoc.surveys.definition import DefinitionError, Problem
from dondoc.surveys.forms import CampaignForm, FormImportForm, ReturnForm
from dondoc.surveys.models import (
    CampaignStatus,
    Source,
    Submission,
    SurveyAttachment,
    SurveyForm,
)


def _flag(value: str | None) -> bool:
    return value in ("1", "on", "true")


# Campaigns -------------------------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    status = request.GET.get("status") or ""
    campaigns = selectors.campaign_list(user=user, status=status)
    page = paginate(request, campaigns)
    own = selectors.own_submissions(user=user, campaign_ids=[c.pk for c in page])
    rows = [(campaign, own.get(campaign.pk)) for campaign in page]
    return render(request, "surveys/campaign_list.html", {
        "page": page, "rows": rows, "status": status, "statuses": CampaignStatus.choices,
        "can_create": scoping.can_create_campaigns(user),
        "state_labels": selectors.STATE_LABELS})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not scoping.can_create_campaigns(user):
        raise PermissionDenied
    form = CampaignForm(request.POST or None, user=user,
                        initial={"form": request.GET.get("form")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                actor=user, title=data["title"], purpose=data["purpose"], form=data["form"],
                reference_date=data["reference_date"], deadline=data["deadline"],
                units=data["chosen_units"], baseline=data["baseline"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The campaign is created as a draft. Check the "
                                        "units, then open it."))
            return redirect("survey_campaign", campaign.pk)
    return render(request, "surveys/campaign_form.html", {"form": form},
                  status=400 if form.errors else 200)


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = scoping.get_visible_or_404(
        scoping.campaigns_visible_to(user).select_related("form", "owner_unit", "baseline",
                                                          "created_by"), pk=pk)
    state = request.GET.get("state") or ""
    late = _flag(request.GET.get("late"))
    all_rows = selectors.campaign_rows(user=user, campaign=campaign)
    rows = [row for row in all_rows if (not state or row.state == state)
            and (not late or row.late)]
    manageable = scoping.campaigns_manageable_by(user).filter(pk=campaign.pk).exists()
    waiting_units = (campaign.campaign_units.select_related("unit")
                     if campaign.status == CampaignStatus.DRAFT and manageable else None)
    return render(request, "surveys/campaign_detail.html", {
        "campaign": campaign, "rows": rows, "counts": selectors.state_counts(all_rows),
        "late_count": sum(1 for row in all_rows if row.late), "state": state, "late": late,
        "states": [(key, selectors.STATE_LABELS[key]) for key in selectors.STATES],
        "manageable": manageable, "waiting_units": waiting_units,
        "today": timezone.localdate()})


@login_required
@require_POST
def campaign_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    user = request.user
    campaign = scoping.get_visible_or_404(scoping.campaigns_visible_to(user), pk=pk)
    action = {"open": services.campaign_open, "close": services.campaign_close}.get(step)
    if action is None:
        raise PermissionDenied
    try:
        action(actor=user, campaign=campaign)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The campaign is open: the units are told.")
                         if step == "open" else _("The campaign is closed."))
    return redirect("survey_campaign", campaign.pk)


# Submissions -----------------------------------------------------------------------------


def _rights(user: Any, submission: Submission) -> dict[str, bool]:
    is_open = submission.campaign.status == CampaignStatus.OPEN
    editable = is_open and submission.editable and scoping.submissions_editable_by(
        user).filter(pk=submission.pk).exists()
    submittable = is_open and submission.editable and scoping.submissions_submittable_by(
        user).filter(pk=submission.pk).exists()
    reviewable = scoping.submissions_reviewable_by(user).filter(pk=submission.pk).exists()
    return {"edit": editable, "submit": submittable,
            "accept": reviewable and submission.status == "submitted",
            "return": reviewable and is_open and submission.status in ("submitted",
                                                                       "accepted")}


def _file_values(submission: Submission, request: HttpRequest,
                 entry_values: dict[str, Any]) -> list[Problem]:
    """Keep, replace or remove the files of file fields; problems of refused uploads."""
    defn = submission.campaign.form.parsed
    problems: list[Problem] = []
    current = submission.answers
    for f in defn.fields:
        if f.type != "file":
            continue
        upload = request.FILES.get(f"file-{f.key}")
        if upload is not None:
            try:
                item = services.attach_file(submission, request.user, f.key, upload)
            except ValidationError as error:
                problems.append(Problem(f.key, None, None, "error", " ".join(error.messages),
                                        "invalid_file"))
                entry_values[f.key] = current.get(f.key)
            else:
                entry_values[f.key] = {"attachment": item.pk, "name": item.original_name}
        elif _flag(request.POST.get(f"remove-{f.key}")):
            entry_values[f.key] = None
        else:
            kept = request.POST.get(f"f-{f.key}", "")
            found = (SurveyAttachment.objects.filter(submission=submission, pk=int(kept))
                     .only("pk", "original_name").first()
                     if kept.isdigit() and len(kept) < 12 else None)
            entry_values[f.key] = ({"attachment": found.pk, "name": found.original_name}
                                   if found else current.get(f.key))
    return problems


@login_required
@require_http_methods(["GET", "POST"])
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    submission = selectors.submission_page(user=user, pk=pk)
    defn = submission.campaign.form.parsed
    rights = _rights(user, submission)
    shown = submission.current
    version_number = request.GET.get("version", "")
    if version_number.isdigit() and len(version_number) < 8:
        shown = scoping.get_visible_or_404(submission.versions.select_related("created_by"),
                                           number=int(version_number))
    values = entry.entry_from_answers(defn, shown.answers if shown else {})
    problems: list[Problem] = []
    extra_rows: dict[str, int] = {}
    needs_confirmation = False
    conflict = False
    status = 200
    page_lock = submission.lock_version
    if request.method == "POST":
        if not rights["edit"] and not rights["submit"]:
            raise PermissionDenied
        values = entry.entry_from_post(defn, request.POST)
        action = request.POST.get("action", "save")
        lock = request.POST.get("lock_version", "")
        lock_version = int(lock) if lock.isdigit() and len(lock) < 10 else -1
        added = next((key[4:] for key in request.POST if key.startswith("add-")), None)
        page_lock = lock_version  # re-shown unsaved: keep the version the editor started from
        if added and defn.has_field(added):  # more free rows: show again, save nothing
            extra_rows[added] = entry.ADD_ROWS
            for key, value in entry_from_files(submission).items():
                values.setdefault(key, value)
        else:
            result = _save_and_maybe_submit(request, submission, values, action, lock_version)
            if isinstance(result, HttpResponse):
                return result
            problems, needs_confirmation, conflict = result
            status = 409 if conflict else 400
            if not conflict:  # a draft may have been saved: the page carries its version
                submission = selectors.submission_page(user=user, pk=pk)
                rights = _rights(user, submission)
                shown = submission.current
                page_lock = submission.lock_version
            for key, value in entry_from_files(submission).items():
                values.setdefault(key, value)
    # Posted free rows already hold their blank rows: only a fresh page offers more.
    blank_rows = entry.BLANK_FREE_ROWS if rights["edit"] and request.method == "GET" else 0
    view = entry.layout(defn, values, problems, extra_rows=extra_rows, blank_rows=blank_rows)
    history = selectors.history(submission)
    return_comment = next((v.note for v in history if v.status == "returned" and v.note),
                          "") if submission.status == "returned" else ""
    return render(request, "surveys/submission_detail.html", {
        "submission": submission, "campaign": submission.campaign, "defn": defn,
        "layout": view, "rights": rights, "history": history,
        "return_comment": return_comment, "lock_version": page_lock,
        "shown": shown, "is_current": shown is None or shown.pk == submission.current_id,
        "state": selectors.state_of(submission),
        "state_label": selectors.STATE_LABELS[selectors.state_of(submission)],
        "state_badge": selectors.STATE_BADGES[selectors.state_of(submission)],
        "needs_confirmation": needs_confirmation, "conflict": conflict,
        "return_form": ReturnForm(), "late": submission.is_late(timezone.localdate()),
        "editing": rights["edit"] and (shown is None or shown.pk == submission.current_id),
    }, status=status)


def entry_from_files(submission: Submission) -> dict[str, Any]:
    """The stored file answers (kept when the form is only re-shown with more rows)."""
    defn = submission.campaign.form.parsed
    return {f.key: submission.answers.get(f.key) for f in defn.fields if f.type == "file"}


def _save_and_maybe_submit(request: HttpRequest, submission: Submission,
                           values: dict[str, Any], action: str, lock_version: int
                           ) -> HttpResponse | tuple[list[Problem], bool, bool]:
    """Save the posted answers as a draft and, for "submit", submit them. Returns a
    redirect when done, else (problems, warnings to confirm?, conflict?)."""
    user = request.user
    problems: list[Problem] = []
    try:
        if _rights(user, submission)["edit"]:
            problems = _file_values(submission, request, values)
            if problems:
                return problems, False, False
            version, problems = services.save_draft(
                submission, entry.raw_for_cleaning(submission.campaign.form.parsed, values),
                user, Source.BROWSER, lock_version=lock_version)
            if version is None:
                return problems, False, False
            lock_version += 1
        if action != "submit":
            if problems:
                messages.warning(request, _("The draft is saved; check the messages below "
                                            "before submitting."))
                return problems, False, False
            messages.success(request, _("The draft is saved."))
            return redirect("survey_submission", submission.pk)
        services.submit(submission, user, lock_version=lock_version,
                        confirm_warnings=_flag(request.POST.get("confirm_warnings")))
    except ConflictError:
        messages.error(request, str(ConflictError.message))
        return [], False, True
    except services.SubmissionProblems as error:
        return error.problems, error.needs_confirmation, False
    except WorkflowError as error:
        messages.error(request, error.message)
        return redirect("survey_submission", submission.pk)
    messages.success(request, _("The answer is submitted."))
    return redirect("survey_submission", submission.pk)


@login_required
@require_POST
def submission_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    submission = selectors.submission_page(user=user, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "accept":
            services.accept(submission, user)
            messages.success(request, _("The answer is accepted."))
        elif action == "return":
            form = ReturnForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say why the answer is returned."))
                return redirect("survey_submission", submission.pk)
            services.return_(submission, user, form.cleaned_data["comment"])
            messages.success(request, _("The answer is returned to the unit."))
        else:
            raise PermissionDenied
    except (WorkflowError, ValidationError) as error:
        messages.error(request, getattr(error, "message", None) or " ".join(
            getattr(error, "messages", [str(error)])))
    return redirect("survey_submission", submission.pk)


@login_required
def submission_file(request: HttpRequest, pk: int) -> FileResponse:
    """A file answering a file field, for those who see its submission."""
    item = scoping.get_visible_or_404(SurveyAttachment.objects.filter(
        submission__in=scoping.submissions_visible_to(request.user)), pk=pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)


# Forms -----------------------------------------------------------------------------------


@login_required
def form_list(request: HttpRequest) -> HttpResponse:
    forms = selectors.forms_list(user=request.user)
    return render(request, "surveys/form_list.html", {
        "forms": forms, "can_import": scoping.can_create_campaigns(request.user)})


@login_required
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    form = scoping.get_visible_or_404(scoping.survey_forms_visible_to(request.user), pk=pk)
    defn = form.parsed
    view = entry.layout(defn, {}, [], blank_rows=1)
    versions = SurveyForm.objects.filter(key=form.key).only("pk", "version").order_by(
        "-version")
    return render(request, "surveys/form_detail.html", {
        "form": form, "defn": defn, "layout": view, "versions": versions,
        "rules": [(rule, rule.message()) for rule in defn.rules],
        "not_summed": consolidating.not_summed(defn),
        "can_create": scoping.can_create_campaigns(request.user)})


@login_required
def form_export(request: HttpRequest, pk: int) -> HttpResponse:
    form = scoping.get_visible_or_404(scoping.survey_forms_visible_to(request.user), pk=pk)
    body = json.dumps(form.definition, ensure_ascii=False, indent=2)
    record(actor=request.user, action=Action.EXPORT, obj=form, message="json",
           unit_id=getattr(request.user, "unit_id", None))
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="survey-{form.key}-v{form.version}.json"')
    return response


@login_required
@require_http_methods(["GET", "POST"])
def form_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not scoping.can_create_campaigns(user):
        raise PermissionDenied
    form = FormImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            stored = services.form_import(actor=user, data=form.cleaned_data["definition"])
        except DefinitionError as error:
            problems = error.problems
        else:
            messages.success(request, _("The form is imported as version %(version)s.")
                             % {"version": stored.version})
            return redirect("survey_form", stored.pk)
    return render(request, "surveys/form_import.html", {"form": form, "problems": problems},
                  status=400 if form.errors or problems else 200)



