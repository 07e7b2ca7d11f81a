"""Pages for inspections and steering-committee meetings: access through scoping, act
through services, respond."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dondoc.audit.models import Action
from dondoc.audit.services import record
from dondoc.core.concurrency import ConflictError
from dondoc.core.forms import add_service_error as _form_error
from dondoc.core.paging import paginate
from dondoc.inspections import exports, selectors, services
from dondoc.inspections.forms import (
    ConclusionForm,
    FindingForm,
    InspectionForm,
    MeetingForm,
    RecommendationForm,
    RegisterDocumentForm,
)
from dondoc.inspections.models import Inspection, InspectionState, Meeting
from dondoc.organization import scoping
from dondoc.plans.exports import XLSX_CONTENT_TYPE
from dondoc.plans.forms import TaskForm
from dondoc.plans.models import Priority


def _url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def _form_page(request: HttpRequest, form: Any, *, title: str, back: str,
               intro: str = "", submit: str = "") -> HttpResponse:
    return render(request, "inspections/form.html", {
        "form": form, "title": title, "back": back, "intro": intro,
        "submit": submit or _("Save")})


# Inspections -------------------------------------------------------------------------


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    inspections = selectors.inspection_list(user=request.user)
    state = request.GET.get("state", "")
    if state in InspectionState.values:
        inspections = inspections.filter(state=state)
    else:
        state = ""
    page = paginate(request, inspections)
    return render(request, "inspections/inspection_list.html", {
        "page": page, "can_create": scoping.can_create_inspections(request.user),
        "states": InspectionState.choices, "state": state,
        "qs": f"state={state}" if state else ""})


def _editable_inspection(request: HttpRequest, pk: int) -> Inspection:
    return scoping.get_editable_or_403(scoping.inspections_visible_to(request.user),
                                       scoping.inspections_editable_by(request.user), pk=pk)


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.inspection_for(user=request.user, pk=pk)
    recommendations = selectors.with_follow_ups(
        selectors.recommendations_of(user=request.user, inspection=inspection))
    return render(request, "inspections/inspection_detail.html", {
        "inspection": inspection,
        "subject_units": inspection.subject_units.order_by("path"),
        "scope_documents": inspection.scope_documents.all(),
        "scope_groups": inspection.scope_groups.select_related("document"),
        "team_members": inspection.team_members.all(),
        "findings": selectors.findings_of(user=request.user, inspection=inspection),
        "recommendations": recommendations,
        "can_edit": scoping.inspections_editable_by(request.user).filter(pk=pk).exists(),
        "can_read_conclusion": inspection.conclusion_id is not None
        and scoping.documents_titled_for(request.user).filter(
            pk=inspection.conclusion_id).exists(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def inspection_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not scoping.can_create_inspections(user) or user.unit is None:
        raise PermissionDenied
    form = InspectionForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            inspection = services.inspection_create(actor=user, owner_unit=user.unit, **data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Inspection planned."))
            return redirect("inspection_detail", pk=inspection.pk)
    return _form_page(request, form, title=_("Plan an inspection"),
                      back=_url("inspection_list"))


@login_required
@require_http_methods(["GET", "POST"])
def inspection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _editable_inspection(request, pk)
    form = InspectionForm(request.POST or None, instance=inspection, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.inspection_update(actor=request.user, inspection=inspection,
                                       expected_version=form.expected_version, **data)
        except ConflictError:
            form.add_error(None, _("Someone else changed this inspection meanwhile: reload "
                                   "the page and make your change again."))
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Inspection saved."))
            return redirect("inspection_detail", pk=pk)
    return _form_page(request, form, title=_("Edit the inspection plan"),
                      back=_url("inspection_detail", pk))


@login_required
@require_POST
def inspection_start(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _editable_inspection(request, pk)
    try:
        services.inspection_start(actor=request.user, inspection=inspection)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The inspection is in progress."))
    return redirect("inspection_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _editable_inspection(request, pk)
    form = FindingForm(request.POST or None, inspection=inspection)
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_add(actor=request.user, inspection=inspection, **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Finding recorded."))
            return redirect("inspection_detail", pk=pk)
    return _form_page(request, form, title=_("Record a finding"),
                      back=_url("inspection_detail", pk), intro=inspection.title)


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_add(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _editable_inspection(request, pk)
    form = RecommendationForm(request.POST or None, inspection=inspection)
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_add(actor=request.user, inspection=inspection,
                                        **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Recommendation recorded."))
            return redirect("inspection_detail", pk=pk)
    intro = _("Once the conclusion is registered, each recommendation is a task of the "
              "conclusion led by the unit inspected, due on the date given.")
    return _form_page(request, form, title=_("Record a recommendation"),
                      back=_url("inspection_detail", pk), intro=intro)


@login_required
@require_http_methods(["GET", "POST"])
def inspection_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _editable_inspection(request, pk)
    if inspection.conclusion_id is not None:
        return redirect("inspection_detail", pk=pk)
    form = RegisterDocumentForm(request.POST or None,
                                initial={"issue_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_conclude(actor=request.user, inspection=inspection,
                                         **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Conclusion registered; the recommendations are "
                                        "assigned as tasks."))
            return redirect("inspection_detail", pk=pk)
    intro = _("The conclusion (Kết luận kiểm tra) is registered as a document; each "
              "recommendation becomes its task, led by the unit inspected.")
    return _form_page(request, form, title=_("Register the inspection conclusion"),
                      back=_url("inspection_detail", pk), intro=intro,
                      submit=_("Register and assign"))


@login_required
def inspection_export(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.inspection_for(user=request.user, pk=pk)
    rows = selectors.with_follow_ups(
        selectors.recommendations_of(user=request.user, inspection=inspection))
    today = timezone.localdate()
    data = exports.recommendations_xlsx(inspection, rows, as_of=today)
    record(actor=request.user, action=Action.EXPORT, obj=inspection,
           unit_id=inspection.owner_unit_id, message=f"{len(rows)} recommendations")
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="inspection-{inspection.pk}-{today:%Y%m%d}.xlsx"')
    return response


# Meetings ----------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.meeting_list(user=request.user))
    return render(request, "inspections/meeting_list.html", {
        "page": page, "can_create": scoping.can_create_meetings(request.user)})


def _editable_meeting(request: HttpRequest, pk: int) -> Meeting:
    return scoping.get_editable_or_403(scoping.meetings_visible_to(request.user),
                                       scoping.meetings_editable_by(request.user), pk=pk)


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for(user=request.user, pk=pk)
    can_edit = scoping.meetings_editable_by(request.user).filter(pk=pk).exists()
    return render(request, "inspections/meeting_detail.html", {
        "meeting": meeting,
        "attendees": meeting.attendees.select_related("unit"),
        "conclusions": selectors.with_follow_ups(selectors.conclusions_of(meeting)),
        "can_edit": can_edit,
        "can_assign": can_edit and meeting.notice_id is not None
        and scoping.documents_editable_by(request.user).filter(pk=meeting.notice_id).exists(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not scoping.can_create_meetings(user):
        raise PermissionDenied
    owner = scoping.scope_root(user) or user.unit
    if owner is None:
        raise PermissionDenied
    form = MeetingForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            meeting = services.meeting_create(actor=user, owner_unit=owner, **data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Meeting recorded."))
            return redirect("meeting_detail", pk=meeting.pk)
    return _form_page(request, form, title=_("Record a steering-committee meeting"),
                      back=_url("meeting_list"))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _editable_meeting(request, pk)
    form = MeetingForm(request.POST or None, instance=meeting, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.meeting_update(actor=request.user, meeting=meeting,
                                    expected_version=form.expected_version, **data)
        except ConflictError:
            form.add_error(None, _("Someone else changed this meeting meanwhile: reload the "
                                   "page and make your change again."))
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("meeting_detail", pk=pk)
    return _form_page(request, form, title=_("Edit the meeting"),
                      back=_url("meeting_detail", pk))


@login_required
@require_http_methods(["GET", "POST"])
def conclusion_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _editable_meeting(request, pk)
    form = ConclusionForm(request.POST or None, user=request.user, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.conclusion_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Conclusion recorded."))
            return redirect("meeting_detail", pk=pk)
    return _form_page(request, form, title=_("Add a conclusion"),
                      back=_url("meeting_detail", pk), intro=meeting.title)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_notice(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _editable_meeting(request, pk)
    if meeting.notice_id is not None:
        return redirect("meeting_detail", pk=pk)
    form = RegisterDocumentForm(request.POST or None,
                                initial={"issue_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_issue_notice(actor=request.user, meeting=meeting,
                                          **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Conclusion notice registered."))
            return redirect("meeting_detail", pk=pk)
    intro = _("The notice of the meeting's conclusions (Thông báo kết luận) is registered "
              "as a document: the source document of the tasks made from the conclusions.")
    return _form_page(request, form, title=_("Register the conclusion notice"),
                      back=_url("meeting_detail", pk), intro=intro)


@login_required
@require_http_methods(["GET", "POST"])
def conclusion_task(request: HttpRequest, pk: int) -> HttpResponse:
    """The task form, filled from the conclusion; the task's document is the notice."""
    conclusion = selectors.conclusion_for(user=request.user, pk=pk)
    meeting = conclusion.meeting
    if not scoping.meetings_editable_by(request.user).filter(pk=meeting.pk).exists():
        raise PermissionDenied
    if conclusion.task_id is not None:
        return redirect("task_detail", pk=conclusion.task_id)
    notice = meeting.notice
    if notice is None:
        messages.error(request, _("Register the conclusion notice first: it is the source "
                                  "document of the tasks."))
        return redirect("meeting_detail", pk=meeting.pk)
    if not scoping.documents_editable_by(request.user).filter(pk=notice.pk).exists():
        raise PermissionDenied
    initial = {"title": conclusion.text[:1000], "lead_unit": conclusion.lead_unit_id,
               "due_date": conclusion.due_date, "priority": Priority.NORMAL}
    form = TaskForm(request.POST or None, user=request.user, document=notice, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            task = services.conclusion_make_task(actor=request.user, conclusion=conclusion,
                                                 **data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Task %(code)s assigned.") % {"code": task.code})
            return redirect("meeting_detail", pk=meeting.pk)
    return render(request, "plans/task_form.html", {"form": form, "document": notice,
                                                    "creating": True})
