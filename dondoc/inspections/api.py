"""Inspections and steering-committee meetings in the API (list, detail, create), with the
pages' scoping: a unit inspected reads its own findings and recommendations only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from dondoc.api.common import PageQuery, paginate, person, responses, unit_ref, user
from dondoc.api.errors import invalid
from dondoc.api.schemas import (
    ApiDate,
    Body,
    DocumentTitle,
    Id,
    LongText,
    ObjectId,
    PageMeta,
    RequiredLongText,
    ShortText,
    UnitRef,
)
from dondoc.inspections import selectors, services
from dondoc.inspections.models import InspectionState, Rating
from dondoc.organization import scoping
from dondoc.organization.models import Unit

router = Router(tags=["inspections"])


class DocumentRef(Schema):
    id: int
    number: str
    issue_date: dt.date


class FollowUpOut(Schema):
    task: int | None = Field(description="The follow-up task, once assigned.")
    task_code: str
    status: str = Field(description="The task's status (status engine); empty without one.")
    status_label: str
    progress: int | None


class FindingOut(Schema):
    id: int
    unit: UnitRef
    text: str
    rating: Rating | None


class RecommendationOut(Schema):
    id: int
    unit: UnitRef
    text: str
    due_date: dt.date
    follow_up: FollowUpOut


class InspectionOut(Schema):
    id: int
    title: str
    owner_unit: UnitRef
    subject_units: list[UnitRef]
    period_start: dt.date
    period_end: dt.date
    state: InspectionState
    state_label: str
    conclusion: DocumentRef | None


class InspectionDetailOut(InspectionOut):
    content: str
    team_leader: str
    team_members: list[str]
    other_members: str
    findings: list[FindingOut]
    recommendations: list[RecommendationOut]


class InspectionPage(PageMeta):
    results: list[InspectionOut]


class InspectionIn(Body):
    title: DocumentTitle
    subject_units: list[Id] = Field(min_length=1, max_length=500)
    period_start: ApiDate
    period_end: ApiDate
    content: LongText = ""
    other_members: ShortText = ""


class ConclusionOut(Schema):
    id: int
    number: int
    text: str
    lead_unit: UnitRef | None
    due_date: dt.date | None
    follow_up: FollowUpOut


class MeetingOut(Schema):
    id: int
    title: str
    held_on: dt.date
    location: str
    chair: str
    notice: DocumentRef | None


class MeetingDetailOut(MeetingOut):
    attendees: list[str]
    other_attendees: str
    conclusions: list[ConclusionOut]


class MeetingPage(PageMeta):
    results: list[MeetingOut]


class MeetingIn(Body):
    title: DocumentTitle
    held_on: ApiDate
    location: ShortText = ""
    chair_name: ShortText = Field("", description="The chair's name and position.")
    other_attendees: LongText = ""


class ConclusionIn(Body):
    text: RequiredLongText


def _document(document: Any) -> dict[str, Any] | None:
    if document is None:
        return None
    return {"id": document.pk, "number": document.number, "issue_date": document.issue_date}


def _follow_up(item: Any, follow_up: selectors.FollowUp) -> dict[str, Any]:
    return {"task": item.task_id, "task_code": item.task.code if item.task else "",
            "status": follow_up.status, "status_label": follow_up.label,
            "progress": follow_up.progress}


def _inspection(inspection: Any) -> dict[str, Any]:
    return {
        "id": inspection.pk, "title": inspection.title,
        "owner_unit": unit_ref(inspection.owner_unit),
        "subject_units": [unit_ref(unit) for unit in inspection.subject_units.all()],
        "period_start": inspection.period_start, "period_end": inspection.period_end,
        "state": inspection.state, "state_label": inspection.get_state_display(),
        "conclusion": _document(inspection.conclusion),
    }


def _inspection_detail(caller: Any, pk: int) -> dict[str, Any]:
    inspection = selectors.inspection_list(user=caller).select_related("team_leader").get(pk=pk)
    recommendations = selectors.with_follow_ups(
        selectors.recommendations_of(user=caller, inspection=inspection))
    return {
        **_inspection(inspection), "content": inspection.content,
        "team_leader": person(inspection.team_leader),
        "team_members": [person(member) for member in inspection.team_members.all()],
        "other_members": inspection.other_members,
        "findings": [{"id": finding.pk, "unit": unit_ref(finding.unit), "text": finding.text,
                      "rating": finding.rating or None}
                     for finding in selectors.findings_of(user=caller, inspection=inspection)],
        "recommendations": [{"id": item.pk, "unit": unit_ref(item.unit), "text": item.text,
                             "due_date": item.due_date, "follow_up": _follow_up(item, follow_up)}
                            for item, follow_up in recommendations],
    }


@router.get("/inspections", response=responses({200: InspectionPage}),
            summary="List inspections")
def inspection_list(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    """Inspections of units in your scope, the latest first."""
    return paginate(selectors.inspection_list(user=user(request)), query,
                    lambda page: [_inspection(item) for item in page])


@router.get("/inspections/{inspection_id}", response=responses({200: InspectionDetailOut}),
            summary="One inspection")
def inspection_detail(request: HttpRequest, inspection_id: ObjectId) -> dict[str, Any]:
    """The inspection with the findings and recommendations you may read (a unit inspected:
    its own), each recommendation with its task's status."""
    caller = user(request)
    inspection = selectors.inspection_for(user=caller, pk=inspection_id)
    return _inspection_detail(caller, inspection.pk)


@router.post("/inspections", response=responses({201: InspectionDetailOut}),
             summary="Plan an inspection")
def inspection_create(request: HttpRequest, payload: InspectionIn) -> Status[dict[str, Any]]:
    """Inspectors only; the inspecting unit is the inspector's unit. Findings and
    recommendations are recorded on the inspection's page."""
    caller = user(request)
    if not scoping.can_create_inspections(caller) or caller.unit is None:
        raise PermissionDenied
    units = list(scoping.units_visible_to(caller).filter(is_active=True,
                                                         pk__in=payload.subject_units))
    unknown = sorted(set(payload.subject_units) - {unit.pk for unit in units})
    if unknown:
        raise invalid("subject_units", _("Unknown units, or outside your scope: %(ids)s")
                      % {"ids": ", ".join(str(pk) for pk in unknown)})
    inspection = services.inspection_create(
        actor=caller, owner_unit=caller.unit, title=payload.title,
        period_start=payload.period_start, period_end=payload.period_end,
        subject_units=units, content=payload.content, other_members=payload.other_members)
    return Status(201, _inspection_detail(caller, inspection.pk))


def _meeting(meeting: Any) -> dict[str, Any]:
    return {"id": meeting.pk, "title": meeting.title, "held_on": meeting.held_on,
            "location": meeting.location, "chair": meeting.chair_label,
            "notice": _document(meeting.notice)}


def _meeting_detail(meeting: Any) -> dict[str, Any]:
    return {
        **_meeting(meeting),
        "attendees": [person(attendee) for attendee in meeting.attendees.all()],
        "other_attendees": meeting.other_attendees,
        "conclusions": [{
            "id": item.pk, "number": item.number, "text": item.text,
            "lead_unit": unit_ref(item.lead_unit) if item.lead_unit else None,
            "due_date": item.due_date, "follow_up": _follow_up(item, follow_up),
        } for item, follow_up in selectors.with_follow_ups(selectors.conclusions_of(meeting))],
    }


@router.get("/meetings", response=responses({200: MeetingPage}),
            summary="List steering-committee meetings")
def meeting_list(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    """Meetings of the steering committee of your scope, the latest first."""
    return paginate(selectors.meeting_list(user=user(request)), query,
                    lambda page: [_meeting(item) for item in page])


@router.get("/meetings/{meeting_id}", response=responses({200: MeetingDetailOut}),
            summary="One steering-committee meeting")
def meeting_detail(request: HttpRequest, meeting_id: ObjectId) -> dict[str, Any]:
    """The meeting with its numbered conclusions, each with its task's status."""
    return _meeting_detail(selectors.meeting_for(user=user(request), pk=meeting_id))


@router.post("/meetings", response=responses({201: MeetingDetailOut}),
             summary="Record a steering-committee meeting")
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Status[dict[str, Any]]:
    """Staff only; the meeting belongs to the staff member's agency."""
    caller = user(request)
    if not scoping.can_create_meetings(caller):
        raise PermissionDenied
    owner: Unit | None = scoping.scope_root(caller) or caller.unit
    if owner is None:
        raise PermissionDenied
    meeting = services.meeting_create(
        actor=caller, owner_unit=owner, title=payload.title, held_on=payload.held_on,
        location=payload.location, chair_name=payload.chair_name,
        other_attendees=payload.other_attendees)
    return Status(201, _meeting_detail(selectors.meeting_for(user=caller, pk=meeting.pk)))


@router.post("/meetings/{meeting_id}/conclusions", response=responses({201: ConclusionOut}),
             summary="Add a conclusion to a meeting")
def conclusion_create(request: HttpRequest, payload: ConclusionIn,
                      meeting_id: ObjectId) -> Status[dict[str, Any]]:
    """Staff of the meeting's agency; the conclusion gets the next number."""
    caller = user(request)
    meeting = scoping.get_editable_or_403(scoping.meetings_visible_to(caller),
                                          scoping.meetings_editable_by(caller), pk=meeting_id)
    item = services.conclusion_add(actor=caller, meeting=meeting, text=payload.text)
    return Status(201, {"id": item.pk, "number": item.number, "text": item.text,
                        "lead_unit": None, "due_date": None,
                        "follow_up": _follow_up(item, selectors.follow_up_of(None, {}))})
