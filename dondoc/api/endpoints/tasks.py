"""Tasks: the filtered list (the same filters as the pages), detail with status, create
(and cascade, with ``parent``), and update guarded by ETag / If-Match."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import P, Query, Router
from ninja.params import HeaderEx, QueryEx
from ninja.responses import Status
from pydantic import Field

from dondoc.api.common import PageQuery, etag_header, responses, unit_ref, user
from dondoc.api.errors import ApiError, invalid
from dondoc.api.schemas import (
    ApiDate,
    ObjectId,
    QueryId,
    ReasonIn,
    SearchText,
    TaskCreateIn,
    TaskDetailOut,
    TaskPage,
    TaskUpdateIn,
)
from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.plans import selectors, services
from dondoc.plans.models import Document, Task, TaskGroup
from dondoc.progress import selectors as stats
from dondoc.progress.labels import status_label

router = Router(tags=["tasks"])

# A listed task names its coordinating units as references (id, code, name) only, read
# into a plain list (see ``selectors.LIST_ASSIGNEES``).
LISTED_COORDINATORS = Prefetch("coordinating_units", to_attr="listed_coordinators",
                               queryset=Unit.objects.only("pk", "code", "name", "path"))
# The columns a listed task is presented with (``present_task``): a list reads only these,
# not the description or the other columns, and of the related rows only its lead unit's
# reference — measured, half the cost of reading and building its 25 rows.
LISTED_FIELDS = (
    "code", "title", "document_id", "group_id", "parent_id", "lead_unit__code",
    "lead_unit__name", "assigning_unit_id", "deadline_kind", "due_date", "expected_product",
    "priority", "tags", "state", "progress", "assigned_on", "completed_on", "is_public",
    "version",
)

# The values the task selector understands (checked against it by the tests).
TaskOrdering = Literal["deadline", "-deadline", "code", "-priority", "progress", "-progress",
                       "days_overdue", "-days_overdue", "requested", "-requested", "-updated"]
TaskStatusFilter = Literal[
    "completed_on_time", "completed_late", "in_progress_on_time", "in_progress_overdue",
    "awaiting_confirmation", "standing", "suspended", "due_soon", "not_started", "no_deadline",
    "open", "overdue", "completed",
]


class TaskQuery(PageQuery):
    document: QueryId | None = None
    group: QueryId | None = None
    parent: QueryId | None = Field(None, description="Sub-tasks of this task.")
    top: bool = Field(False, description="Only top-level tasks (no parent).")
    lead: QueryId | None = Field(None, description="Lead unit (with its subtree, see subtree).")
    subtree: bool = Field(True, description="Whether lead includes the lead's sub-units.")
    coordinator: QueryId | None = Field(None, description="A coordinating unit.")
    unit: QueryId | None = Field(None, description=(
        "Tasks of this unit's subtree, as lead or coordinator (see role)."))
    role: Literal["lead", "coordinator"] | None = None
    status: TaskStatusFilter | None = Field(None, description="Status as of as_of.")
    due_from: ApiDate | None = Field(None, description="Deadline in force from (YYYY-MM-DD).")
    due_to: ApiDate | None = Field(None, description="Deadline in force until (YYYY-MM-DD).")
    as_of: ApiDate | None = Field(None, description="Status as of this date; default today.")
    priority: int | None = Field(None, ge=1, le=4)
    q: SearchText = Field("", description="Words of the code, title, product or tags.")
    assignee: QueryId | None = Field(None, description="Tasks this officer is named on.")
    assigned_to_me: bool = Field(False, description="Tasks you are named on.")
    ordering: TaskOrdering | None = Field(None, description="Default: most urgent first.")


def etag(task: Task) -> str:
    return f'"{task.pk}-{task.version}"'


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _check_units_visible(caller: Any, query: TaskQuery) -> None:
    wanted = {name: getattr(query, name) for name in ("lead", "coordinator", "unit")
              if getattr(query, name)}
    if not wanted:
        return
    visible = selectors.remember_unit_paths(caller, list(wanted.values()))
    errors = {name: [_("Unknown unit: %(id)s") % {"id": pk}]
              for name, pk in wanted.items() if pk not in visible}
    if errors:
        raise ApiError(422, "invalid", _("Some fields are not valid."), errors)


def task_filters(caller: Any, query: TaskQuery) -> selectors.TaskFilters:
    """The query, handed to the selector's own parser so that the API and the pages agree."""
    _check_units_visible(caller, query)
    params = {
        "document": str(query.document or ""), "group": str(query.group or ""),
        "parent": str(query.parent or ""), "top": "1" if query.top else "",
        "lead": str(query.lead or ""), "subtree": "1" if query.subtree else "0",
        "coordinator": str(query.coordinator or ""), "unit": str(query.unit or ""),
        "role": query.role or "", "status": query.status or "",
        "due_from": _iso(query.due_from), "due_to": _iso(query.due_to),
        "as_of": _iso(query.as_of), "priority": str(query.priority or ""), "q": query.q,
        "sort": query.ordering or "",
        "assignee": "me" if query.assigned_to_me else str(query.assignee or ""),
    }
    filters = selectors.filters_from_params(params)
    if filters.errors:
        raise ApiError(422, "invalid", _("Some fields are not valid."),
                       {name: [message] for name, message in filters.errors.items()})
    return filters


def present_task(task: Task, *, status: str | None, deadline: dt.date | None, due_soon: bool,
                 not_started: bool, progress: int | None = None,
                 no_deadline: bool = False) -> dict[str, Any]:
    return {
        "id": task.pk, "code": task.code, "title": task.title, "document": task.document_id,
        "group": task.group_id, "parent": task.parent_id, "lead_unit": unit_ref(task.lead_unit),
        "coordinating_units": [unit_ref(unit)
                               for unit in selectors.listed(task, LISTED_COORDINATORS)],
        "assignees": [{"id": person.pk, "name": str(person.get_full_name() or person.username),
                       "unit": person.unit_id} for person in selectors.listed_assignees(task)],
        "assigning_unit": task.assigning_unit_id, "deadline_kind": task.deadline_kind,
        "due_date": task.due_date, "deadline": deadline, "expected_product": task.expected_product,
        "priority": task.priority, "tags": task.tags, "state": task.state,
        "progress": task.progress if progress is None else progress, "status": status,
        "status_label": status_label(status) if status else "",
        "due_soon": bool(due_soon), "not_started": bool(not_started),
        "no_deadline": bool(no_deadline), "assigned_on": task.assigned_on,
        "completed_on": task.completed_on,
        "is_public": task.is_public, "version": task.version,
    }


def present_listed(task: Any) -> dict[str, Any]:
    """A row of ``task_list``: its status fields are annotations."""
    return present_task(task, status=task.status, deadline=task.deadline_at,
                        due_soon=task.due_soon, not_started=task.not_started,
                        progress=task.progress_at, no_deadline=task.no_deadline)


def present_detail(task: Task, as_of: dt.date | None = None) -> dict[str, Any]:
    day = as_of or stats.business_today()
    evaluation = stats.evaluate_task(task, day)
    if evaluation is None:  # not counted at that date (not yet assigned, or cancelled)
        row = present_task(task, status=None, deadline=task.deadline, due_soon=False,
                           not_started=False)
        return {**row, "description": task.description, "days_overdue": 0, "late": False,
                "as_of": day}
    row = present_task(task, status=evaluation.status, deadline=evaluation.deadline,
                       due_soon=evaluation.due_soon, not_started=evaluation.not_started,
                       progress=stats.progress_on(task, day),
                       no_deadline=evaluation.no_deadline)
    return {**row, "description": task.description, "days_overdue": evaluation.days_overdue,
            "late": evaluation.late, "as_of": day}


def _detail_response(caller: Any, task_id: int, response: HttpResponse,
                     as_of: dt.date | None = None) -> dict[str, Any]:
    task = selectors.task_with_status_facts(user=caller, pk=task_id, history=as_of is not None)
    response["ETag"] = etag(task)
    return present_detail(task, as_of)


def _units_in(allowed: Any, field: str, ids: list[int]) -> list[Unit]:
    found = {unit.pk: unit for unit in allowed.filter(pk__in=ids)}
    missing = [pk for pk in dict.fromkeys(ids) if pk not in found]
    if missing:
        raise invalid(field, _("Unknown unit, or one you may not assign to: %(ids)s") % {
            "ids": ", ".join(str(pk) for pk in missing)})
    return [found[pk] for pk in dict.fromkeys(ids)]


def _assignable_units(caller: Any, parent: Task | None) -> Any:
    """Units a task may go to: the caller's assignable units; for a sub-task, only those
    below the parent's lead unit (as on the cascade page)."""
    units = scoping.units_assignable_by(caller)
    if parent is not None:
        units = units.filter(path__startswith=parent.lead_unit.path).exclude(
            pk=parent.lead_unit_id)
    return units


# Endpoints -----------------------------------------------------------------------------


@router.get("/tasks", response=responses({200: TaskPage}), summary="List tasks")
def task_list(request: HttpRequest, query: Query[TaskQuery]) -> HttpResponse:
    """The tasks you may see, filtered exactly as on the task pages, with each task's
    status as of ``as_of`` (default today). Most urgent first unless ``ordering`` is given."""
    caller = user(request)
    filters = task_filters(caller, query)
    tasks = (selectors.task_list(user=caller, filters=filters).select_related(None)
             .select_related("lead_unit").only(*LISTED_FIELDS)
             .prefetch_related(LISTED_COORDINATORS))
    start = (query.page - 1) * query.page_size
    page, count = selectors.task_slice(tasks, start, start + query.page_size, filters=filters)
    body = {"count": count, "page": query.page, "page_size": query.page_size,
            "results": [present_listed(task) for task in page]}
    # Rendered as built: ``present_task`` gives exactly the shape of ``TaskPage`` (the
    # tests validate list answers against it), and validating the rows once more cost
    # 1.3 ms of each request (measured), the busiest answer of the API.
    from dondoc.api.v1 import api  # the API this router is mounted on (imports this module)

    return api.create_response(request, body, status=200)


@router.get("/tasks/{task_id}", response=responses({200: TaskDetailOut}), summary="One task",
            openapi_extra=etag_header(200))
def task_detail(request: HttpRequest, response: HttpResponse,
                task_id: ObjectId,
                as_of: QueryEx[ApiDate | None, P(description="Status as of this date.")] = None,
                ) -> dict[str, Any]:
    """The task with its status; the ``ETag`` header is what ``If-Match`` expects."""
    return _detail_response(user(request), task_id, response, as_of)


@router.post("/tasks", response=responses({201: TaskDetailOut}, 409), summary="Assign a task",
             openapi_extra=etag_header(201))
def task_create(request: HttpRequest, payload: TaskCreateIn,
                response: HttpResponse) -> Status[dict[str, Any]]:
    """A new task of a document (staff of the managing unit), or — with ``parent`` — a
    sub-task cascaded by the parent's lead unit to one of its sub-units."""
    caller = user(request)
    parent: Task | None = None
    group: TaskGroup | None = None
    if payload.parent is not None:
        parent = scoping.tasks_visible_to(caller).select_related(
            "document", "group", "lead_unit").filter(pk=payload.parent).first()
        if parent is None:
            raise invalid("parent", _("Unknown task: %(id)s") % {"id": payload.parent})
        if not (scoping.can_cascade(caller)
                and scoping.tasks_led_by_own_subtree(caller).filter(pk=parent.pk).exists()):
            raise PermissionDenied
        if payload.document is not None and payload.document != parent.document_id:
            raise invalid("document", _("A sub-task belongs to its parent's document."))
        if payload.group is not None:
            raise invalid("group", _("A sub-task takes its parent's group."))
        document: Document = parent.document
        group = parent.group
        assigning_unit = parent.lead_unit
    else:
        if payload.document is None:
            raise invalid("document", _("Give the document, or the parent of a sub-task."))
        found = scoping.documents_visible_to(caller).select_related("owner_unit").filter(
            pk=payload.document).first()
        if found is None:
            raise invalid("document", _("Unknown document: %(id)s") % {"id": payload.document})
        if not scoping.documents_editable_by(caller).filter(pk=found.pk).exists():
            raise PermissionDenied
        document = found
        if payload.group is not None:
            group = document.groups.filter(pk=payload.group).first()
            if group is None:
                raise invalid("group", _("Unknown group of this document: %(id)s") % {
                    "id": payload.group})
        assigning_unit = document.owner_unit
    units = _assignable_units(caller, parent)
    lead = _units_in(units, "lead_unit", [payload.lead_unit])[0]
    coordinators = _units_in(units, "coordinating_units", payload.coordinating_units)
    task = services.task_create(
        actor=caller, document=document, group=group, parent=parent, title=payload.title,
        lead_unit=lead, assigning_unit=assigning_unit, coordinating_units=coordinators,
        deadline_kind=payload.deadline_kind, due_date=payload.due_date,
        description=payload.description, expected_product=payload.expected_product,
        priority=payload.priority, tags=payload.tags, code=payload.code.strip(),
        is_public=payload.is_public,
    )
    return Status(201, _detail_response(caller, task.pk, response))


@router.patch("/tasks/{task_id}", response=responses({200: TaskDetailOut}, 409, 412, 428),
              summary="Change a task", openapi_extra=etag_header(200))
def task_update(request: HttpRequest, payload: TaskUpdateIn, response: HttpResponse,
                task_id: ObjectId,
                if_match: HeaderEx[str | None, P(alias="If-Match", description=(
                    "The ETag of the version you changed; a stale one gets 412."))] = None
                ) -> dict[str, Any]:
    """Change the fields sent (by the unit that assigned the task). Send the ``ETag`` of
    the task as ``If-Match``: if someone changed it since, the answer is 412 and nothing
    is saved."""
    caller = user(request)
    task = scoping.get_editable_or_403(
        scoping.tasks_visible_to(caller).select_related("parent__lead_unit", "lead_unit"),
        scoping.tasks_decidable_by(caller), pk=task_id)
    if not if_match:
        raise ApiError(428, "precondition_required", _(
            "Send the task's ETag in the If-Match header."))
    current = etag(task)
    if current not in {tag.strip() for tag in if_match.split(",")} and if_match.strip() != "*":
        raise ApiError(412, "precondition_failed", _(
            "The task has changed since you read it. Read it again, then resend your change."),
            headers={"ETag": current})
    if not task.is_open:
        raise ApiError(409, "conflict", _("Only an open task can be changed."))
    sent = payload.model_fields_set
    fields: dict[str, Any] = {name: getattr(payload, name) for name in sent
                              if name not in {"lead_unit", "group", "coordinating_units"}}
    units = _assignable_units(caller, task.parent)
    if "lead_unit" in sent:
        fields["lead_unit"] = _units_in(units, "lead_unit", [payload.lead_unit])[0]
    if "group" in sent:
        if task.parent_id is not None:
            raise invalid("group", _("A sub-task takes its parent's group."))
        group = None
        if payload.group is not None:
            group = TaskGroup.objects.filter(document_id=task.document_id,
                                             pk=payload.group).first()
            if group is None:
                raise invalid("group", _("Unknown group of this document: %(id)s") % {
                    "id": payload.group})
        fields["group"] = group
    coordinators = (_units_in(units, "coordinating_units", payload.coordinating_units)
                    if "coordinating_units" in sent else None)
    if fields or coordinators is not None:
        services.task_update(actor=caller, task=task, expected_version=task.version,
                             coordinating_units=coordinators, **fields)
    return _detail_response(caller, task.pk, response)


# Suspension and cancellation ----------------------------------------------------------


def _decidable_task(caller: Any, task_id: int) -> Task:
    """404 outside the scope; 403 when visible but not assigned by the caller's side."""
    return scoping.get_editable_or_403(scoping.tasks_visible_to(caller),
                                       scoping.tasks_decidable_by(caller), pk=task_id)


@router.post("/tasks/{task_id}/suspend", response=responses({200: TaskDetailOut}, 409),
             summary="Suspend a task", openapi_extra=etag_header(200))
def task_suspend(request: HttpRequest, payload: ReasonIn, response: HttpResponse,
                 task_id: ObjectId) -> dict[str, Any]:
    """Pause an open task (by the unit that assigned it); its deadline stops counting
    until it is resumed. A pending completion request must be decided first (409)."""
    caller = user(request)
    task = _decidable_task(caller, task_id)
    services.task_suspend(actor=caller, task=task, reason=payload.reason)
    return _detail_response(caller, task.pk, response)


@router.post("/tasks/{task_id}/resume", response=responses({200: TaskDetailOut}, 409),
             summary="Resume a suspended task", openapi_extra=etag_header(200))
def task_resume(request: HttpRequest, response: HttpResponse,
                task_id: ObjectId) -> dict[str, Any]:
    """Resume a suspended task (by the unit that assigned it); its deadline counts again."""
    caller = user(request)
    task = _decidable_task(caller, task_id)
    services.task_resume(actor=caller, task=task)
    return _detail_response(caller, task.pk, response)


@router.post("/tasks/{task_id}/cancel", response=responses({200: TaskDetailOut}, 409),
             summary="Cancel a task", openapi_extra=etag_header(200))
def task_cancel(request: HttpRequest, payload: ReasonIn, response: HttpResponse,
                task_id: ObjectId) -> dict[str, Any]:
    """Close a task that is no longer needed; its pending requests are refused."""
    caller = user(request)
    task = _decidable_task(caller, task_id)
    services.task_cancel(actor=caller, task=task, reason=payload.reason)
    return _detail_response(caller, task.pk, response)
