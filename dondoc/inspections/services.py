"""Writes for inspections and meetings: each runs in one transaction and is audited.

The follow-up work goes through :mod:`dondoc.plans.services`: the inspection conclusion
and the meeting's conclusion notice are documents (``document_create``), recommendations
and conclusions become their tasks (``task_create``), assigned by the document's
managing unit, so that staff confirm them as any other task.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dondoc.audit.models import Action
from dondoc.audit.services import diff, record, snapshot
from dondoc.core.concurrency import save_versioned
from dondoc.inspections.models import (
    Conclusion,
    Finding,
    Inspection,
    InspectionState,
    Meeting,
    Recommendation,
)
from dondoc.organization.models import Unit
from dondoc.plans import services as plans
from dondoc.plans.models import AccessLevel, Document, DocumentKind, Task, TaskGroup

INSPECTION_FIELDS = ["title", "owner_unit", "subject_units", "period_start", "period_end",
                     "content", "scope_documents", "scope_groups", "team_leader",
                     "team_members", "other_members", "state", "conclusion"]
MEETING_FIELDS = ["title", "owner_unit", "held_on", "location", "chair", "chair_name",
                  "attendees", "other_attendees", "notice"]
INSPECTION_M2M = ("subject_units", "scope_documents", "scope_groups", "team_members")
MEETING_M2M = ("attendees",)


def _day(day: dt.date) -> str:
    return date_format(day, "d/m/Y")


def _free_prefix(base: str) -> str:
    """A task-code prefix no document uses yet: ``base``, else ``base``-2, -3, …"""
    taken = set(Document.objects.filter(code_prefix__startswith=base)
                .values_list("code_prefix", flat=True))
    prefix, number = base, 1
    while prefix in taken:
        number += 1
        prefix = f"{base}-{number}"
    return prefix


def _check_not_future(field: str, day: dt.date) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


# Inspections -------------------------------------------------------------------------


def _check_inspection(inspection: Inspection, subject_units: Sequence[Unit]) -> None:
    inspection.full_clean(exclude=["owner_unit"])
    if not subject_units:
        raise ValidationError({"subject_units": _("Choose at least one unit to inspect.")})


def _check_groups(scope_documents: Sequence[Document], scope_groups: Sequence[TaskGroup]) -> None:
    chosen = {document.pk for document in scope_documents}
    if chosen and any(group.document_id not in chosen for group in scope_groups):
        raise ValidationError({"scope_groups": _(
            "Choose task groups of the documents inspected, or no document.")})


@transaction.atomic
def inspection_create(*, actor: Any, owner_unit: Unit, title: str, period_start: dt.date,
                      period_end: dt.date, subject_units: Sequence[Unit],
                      scope_documents: Sequence[Document] = (),
                      scope_groups: Sequence[TaskGroup] = (), content: str = "",
                      team_leader: Any = None, team_members: Sequence[Any] = (),
                      other_members: str = "") -> Inspection:
    inspection = Inspection(title=title.strip(), owner_unit=owner_unit,
                            period_start=period_start, period_end=period_end, content=content,
                            team_leader=team_leader, other_members=other_members,
                            created_by=plans._actor(actor))
    _check_inspection(inspection, subject_units)
    _check_groups(scope_documents, scope_groups)
    inspection.save()
    inspection.subject_units.set(subject_units)
    inspection.scope_documents.set(scope_documents)
    inspection.scope_groups.set(scope_groups)
    inspection.team_members.set(team_members)
    record(actor=actor, action=Action.CREATE, obj=inspection, unit_id=owner_unit.pk,
           changes=diff({}, snapshot(inspection, INSPECTION_FIELDS)))
    return inspection


@transaction.atomic
def inspection_update(*, actor: Any, inspection: Inspection, expected_version: int,
                      **fields: Any) -> Inspection:
    """Change the plan (the fields given). The units inspected keep every unit that already
    has findings or recommendations."""
    before = snapshot(Inspection.objects.get(pk=inspection.pk), INSPECTION_FIELDS)
    related = {name: fields.pop(name) for name in INSPECTION_M2M if name in fields}
    for name, value in fields.items():
        setattr(inspection, name, value)
    subjects = related.get("subject_units", list(inspection.subject_units.all()))
    _check_inspection(inspection, subjects)
    _check_groups(related.get("scope_documents", list(inspection.scope_documents.all())),
                  related.get("scope_groups", list(inspection.scope_groups.all())))
    used = _units_with_work(inspection) - {unit.pk for unit in subjects}
    if used:
        names = ", ".join(Unit.objects.filter(pk__in=used).values_list("name", flat=True))
        raise ValidationError({"subject_units": _(
            "These units have findings or recommendations and stay inspected: %(units)s")
            % {"units": names}})
    save_versioned(inspection, expected_version=expected_version, fields=list(fields))
    for name, value in related.items():
        getattr(inspection, name).set(value)
    changes = diff(before, snapshot(inspection, INSPECTION_FIELDS))
    if changes:
        record(actor=actor, action=Action.UPDATE, obj=inspection,
               unit_id=inspection.owner_unit_id, changes=changes)
    return inspection


def _units_with_work(inspection: Inspection) -> set[int]:
    return (set(inspection.findings.values_list("unit_id", flat=True))
            | set(inspection.recommendations.values_list("unit_id", flat=True)))


def _lock_inspection(inspection: Inspection) -> Inspection:
    return Inspection.objects.select_for_update().get(pk=inspection.pk)


@transaction.atomic
def inspection_start(*, actor: Any, inspection: Inspection) -> Inspection:
    """Planned → in progress."""
    current = _lock_inspection(inspection)
    if current.state != InspectionState.PLANNED:
        raise ValidationError(_("Only a planned inspection can start."))
    current.state = InspectionState.IN_PROGRESS
    save_versioned(current, expected_version=current.version, fields=["state"])
    record(actor=actor, action=Action.UPDATE, obj=current, unit_id=current.owner_unit_id,
           changes={"state": [InspectionState.PLANNED, InspectionState.IN_PROGRESS]})
    return current


def _check_subject(inspection: Inspection, unit: Unit) -> None:
    if not inspection.subject_units.filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("Choose one of the units inspected.")})


@transaction.atomic
def finding_add(*, actor: Any, inspection: Inspection, unit: Unit, text: str,
                rating: str = "") -> Finding:
    _check_subject(inspection, unit)
    finding = Finding(inspection=inspection, unit=unit, text=text.strip(), rating=rating,
                      created_by=plans._actor(actor))
    finding.full_clean()
    finding.save()
    record(actor=actor, action=Action.CREATE, obj=finding, unit_id=unit.pk,
           changes=diff({}, snapshot(finding, ["inspection", "unit", "text", "rating"])))
    return finding


def check_due_date(inspection: Inspection, due_date: dt.date) -> None:
    """A recommendation falls due after the inspection, never before its last day."""
    if due_date < inspection.period_end:
        raise ValidationError({"due_date": _(
            "The due date cannot be before the inspection (it ended on %(day)s).")
            % {"day": _day(inspection.period_end)}})


@transaction.atomic
def recommendation_add(*, actor: Any, inspection: Inspection, unit: Unit, text: str,
                       due_date: dt.date) -> Recommendation:
    """Record a recommendation; after the conclusion it is at once a task led by ``unit``."""
    current = _lock_inspection(inspection)
    _check_subject(current, unit)
    check_due_date(current, due_date)
    recommendation = Recommendation(inspection=current, unit=unit, text=text.strip(),
                                    due_date=due_date, created_by=plans._actor(actor))
    recommendation.full_clean(exclude=["task"])
    recommendation.save()
    if current.conclusion_id is not None:
        assert current.conclusion is not None
        recommendation.task = plans.task_create(
            actor=actor, document=current.conclusion, title=recommendation.text[:1000],
            lead_unit=unit, assigning_unit=current.conclusion.owner_unit, due_date=due_date,
            expected_product=_("Report on carrying out the recommendation"))
        recommendation.save(update_fields=["task"])
    record(actor=actor, action=Action.CREATE, obj=recommendation, unit_id=unit.pk,
           changes=diff({}, snapshot(recommendation,
                                     ["inspection", "unit", "text", "due_date", "task"])))
    return recommendation


@transaction.atomic
def inspection_conclude(*, actor: Any, inspection: Inspection, number: str,
                        issue_date: dt.date) -> Document:
    """Register the inspection conclusion (Kết luận kiểm tra) as a document of kind
    ``inspection`` and turn every recommendation into its task, led by the unit inspected."""
    current = _lock_inspection(inspection)
    if current.conclusion_id is not None:
        raise ValidationError(_("The conclusion of this inspection is already registered."))
    if issue_date < current.period_start:
        raise ValidationError({"issue_date": _(
            "The conclusion cannot be dated before the inspection started (%(day)s).")
            % {"day": _day(current.period_start)}})
    _check_not_future("issue_date", issue_date)
    recommendations = list(current.recommendations.select_related("unit").order_by(
        "unit__path", "id"))
    late = [item for item in recommendations if item.due_date < issue_date]
    if late:
        raise ValidationError({"issue_date": _(
            "%(count)s recommendation(s) would be due before the conclusion date, e.g. "
            "%(unit)s on %(day)s: correct the date.")
            % {"count": len(late), "unit": late[0].unit.name, "day": _day(late[0].due_date)}})
    owner = current.owner_unit
    conclusion = plans.document_create(
        actor=actor, kind=DocumentKind.INSPECTION, number=number.strip(),
        title=_("Conclusion of the inspection: %(title)s") % {"title": current.title},
        issuer=owner.name, issue_date=issue_date, owner_unit=owner,
        code_prefix=_free_prefix(f"KLKT{current.pk}"),
        access_level=AccessLevel.RESTRICTED)
    for recommendation in recommendations:
        recommendation.task = plans.task_create(
            actor=actor, document=conclusion, title=recommendation.text[:1000],
            lead_unit=recommendation.unit, assigning_unit=owner,
            due_date=recommendation.due_date, assigned_on=issue_date,
            expected_product=_("Report on carrying out the recommendation"))
        recommendation.save(update_fields=["task"])
    before = current.state
    current.conclusion = conclusion
    current.state = InspectionState.CONCLUDED
    save_versioned(current, expected_version=current.version, fields=["conclusion", "state"])
    record(actor=actor, action=Action.UPDATE, obj=current, unit_id=owner.pk,
           changes={"state": [before, current.state], "conclusion": [None, conclusion.pk]})
    return conclusion


# Meetings ----------------------------------------------------------------------------


@transaction.atomic
def meeting_create(*, actor: Any, owner_unit: Unit, title: str, held_on: dt.date,
                   location: str = "", chair: Any = None, chair_name: str = "",
                   attendees: Sequence[Any] = (), other_attendees: str = "") -> Meeting:
    if chair is None and not chair_name.strip():
        raise ValidationError({"chair": _("Choose the chair, or write the chair's name.")})
    meeting = Meeting(owner_unit=owner_unit, title=title.strip(), held_on=held_on,
                      location=location, chair=chair, chair_name=chair_name.strip(),
                      other_attendees=other_attendees, created_by=plans._actor(actor))
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(attendees)
    record(actor=actor, action=Action.CREATE, obj=meeting, unit_id=owner_unit.pk,
           changes=diff({}, snapshot(meeting, MEETING_FIELDS)))
    return meeting


@transaction.atomic
def meeting_update(*, actor: Any, meeting: Meeting, expected_version: int,
                   **fields: Any) -> Meeting:
    """Change the meeting's record (the fields given); conclusions keep their due dates,
    so the meeting cannot move after one of them."""
    before = snapshot(Meeting.objects.get(pk=meeting.pk), MEETING_FIELDS)
    attendees = fields.pop("attendees", None)
    for name, value in fields.items():
        setattr(meeting, name, value)
    if meeting.chair is None and not meeting.chair_name.strip():
        raise ValidationError({"chair": _("Choose the chair, or write the chair's name.")})
    meeting.full_clean(exclude=["owner_unit", "notice"])
    first_due = (meeting.conclusions.filter(due_date__isnull=False).order_by("due_date")
                 .values_list("due_date", flat=True).first())
    if first_due is not None and meeting.held_on > first_due:
        raise ValidationError({"held_on": _(
            "The due date cannot be before the meeting (%(day)s).")
            % {"day": _day(meeting.held_on)}})
    if meeting.notice is not None and meeting.held_on > meeting.notice.issue_date:
        raise ValidationError({"held_on": _(
            "The notice cannot be dated before the meeting (%(day)s).")
            % {"day": _day(meeting.held_on)}})
    save_versioned(meeting, expected_version=expected_version, fields=list(fields))
    if attendees is not None:
        meeting.attendees.set(attendees)
    changes = diff(before, snapshot(meeting, MEETING_FIELDS))
    if changes:
        record(actor=actor, action=Action.UPDATE, obj=meeting, unit_id=meeting.owner_unit_id,
               changes=changes)
    return meeting


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


@transaction.atomic
def conclusion_add(*, actor: Any, meeting: Meeting, text: str, lead_unit: Unit | None = None,
                   due_date: dt.date | None = None) -> Conclusion:
    """The next numbered conclusion of the meeting."""
    current = _lock_meeting(meeting)
    if due_date is not None and due_date < current.held_on:
        raise ValidationError({"due_date": _(
            "The due date cannot be before the meeting (%(day)s).")
            % {"day": _day(current.held_on)}})
    number = (current.conclusions.order_by("-number").values_list("number", flat=True)
              .first() or 0) + 1
    conclusion = Conclusion(meeting=current, number=number, text=text.strip(),
                            lead_unit=lead_unit, due_date=due_date)
    conclusion.full_clean(exclude=["task"])
    conclusion.save()
    record(actor=actor, action=Action.CREATE, obj=conclusion, unit_id=current.owner_unit_id,
           changes=diff({}, snapshot(conclusion,
                                     ["meeting", "number", "text", "lead_unit", "due_date"])))
    return conclusion


@transaction.atomic
def meeting_issue_notice(*, actor: Any, meeting: Meeting, number: str,
                         issue_date: dt.date) -> Document:
    """Register the notice of the meeting's conclusions (Thông báo kết luận) as a document of
    kind ``meeting_notice``: the source document of the tasks made from its conclusions."""
    current = _lock_meeting(meeting)
    if current.notice_id is not None:
        raise ValidationError(_("The conclusion notice of this meeting is already registered."))
    if issue_date < current.held_on:
        raise ValidationError({"issue_date": _(
            "The notice cannot be dated before the meeting (%(day)s).")
            % {"day": _day(current.held_on)}})
    _check_not_future("issue_date", issue_date)
    owner = current.owner_unit
    notice = plans.document_create(
        actor=actor, kind=DocumentKind.MEETING_NOTICE, number=number.strip(),
        title=_("Conclusions of the steering committee: %(title)s") % {"title": current.title},
        issuer=owner.name, issue_date=issue_date, owner_unit=owner,
        code_prefix=_free_prefix(f"TBKL{current.pk}"), access_level=AccessLevel.INTERNAL)
    current.notice = notice
    save_versioned(current, expected_version=current.version, fields=["notice"])
    record(actor=actor, action=Action.UPDATE, obj=current, unit_id=owner.pk,
           changes={"notice": [None, notice.pk]})
    return notice


@transaction.atomic
def conclusion_make_task(*, actor: Any, conclusion: Conclusion, **task_fields: Any) -> Task:
    """Assign the task of a conclusion: a task of the meeting's conclusion notice."""
    current = Conclusion.objects.select_for_update(of=("self",)).select_related(
        "meeting__notice__owner_unit").get(pk=conclusion.pk)
    notice = current.meeting.notice
    if notice is None:
        raise ValidationError(_("Register the conclusion notice first: it is the source "
                                "document of the tasks."))
    if current.task_id is not None:
        raise ValidationError(_("This conclusion is already a task."))
    task = plans.task_create(actor=actor, document=notice, assigning_unit=notice.owner_unit,
                             **task_fields)
    current.task = task
    current.save(update_fields=["task"])
    record(actor=actor, action=Action.UPDATE, obj=current,
           unit_id=current.meeting.owner_unit_id, changes={"task": [None, task.pk]})
    return task
