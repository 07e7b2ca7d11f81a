"""Obstacles in the JSON API (``/api/v1/obstacles``): list, detail, raise, and the steps,
with the same scoping and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import P, Query, Router, Schema
from ninja.params import HeaderEx
from ninja.responses import Status
from pydantic import Field

from dondoc.api.common import PageQuery, paginate, person, responses, unit_ref, user
from dondoc.api.errors import ApiError, invalid
from dondoc.api.schemas import (
    ApiDate,
    Body,
    Id,
    LongText,
    ObjectId,
    QueryId,
    RequiredLongText,
    SearchText,
)
from dondoc.obstacles import selectors, services
from dondoc.obstacles.models import Category, Obstacle, ObstacleState
from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.progress.models import ProgressUpdate

router = Router(tags=["obstacles"])

AgeFilter = Literal["gt30", "gt60", "gt90", "0-30", "31-60", "61-90"]
StateFilter = Literal["unresolved", "open", "escalated", "resolved", "rejected"]
AgencyName = Annotated[str, Field(strict=True, max_length=255)]


class ObstacleQuery(PageQuery):
    state: StateFilter | None = Field(None, description="unresolved = open or escalated.")
    category: Category | None = None
    unit: QueryId | None = Field(None, description="Raised by this unit or a unit below it.")
    document: QueryId | None = Field(None, description="On the document or on its tasks.")
    task: QueryId | None = None
    resolver: str | None = Field(None, max_length=12, description=(
        "A unit id, or 'external' for outside agencies named in text."))
    age: AgeFilter | None = Field(None, description="Days open, counted to as_of.")
    as_of: ApiDate | None = Field(None, description="The day ages are counted to; default today.")
    q: SearchText = Field("", description="Words of the description, proposal or agency.")


class ObstacleOut(Schema):
    id: int
    task: int | None
    document: int | None
    unit: dict[str, Any]
    category: Category
    category_label: str
    description: str
    proposed_solution: str
    resolver_unit: dict[str, Any] | None
    resolver_agency: str
    progress_update: int | None
    state: ObstacleState
    state_label: str
    raised_by: str
    raised_at: dt.datetime
    raised_on: dt.date
    days_open: int
    escalated_by: str
    escalated_at: dt.datetime | None
    direction: str
    direction_by: str
    direction_at: dt.datetime | None
    resolution: str
    resolved_by: str
    resolved_at: dt.datetime | None
    rejection_reason: str
    rejected_by: str
    rejected_at: dt.datetime | None
    closed_on: dt.date | None
    allowed_steps: list[str] = Field(description="The steps the state allows (anyone's).")
    version: int


class ObstaclePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ObstacleOut]


class ObstacleIn(Body):
    task: Id | None = Field(None, description="The task it is raised on (or give document).")
    document: Id | None = Field(None, description="The document it is raised on.")
    progress_update: Id | None = Field(None, description=(
        "A progress report of the task this obstacle comes from (once per report)."))
    category: Category
    description: RequiredLongText
    proposed_solution: LongText = ""
    resolver_unit: Id | None = Field(None, description="The unit that must resolve it.")
    resolver_agency: AgencyName = Field("", description="Or: the outside agency, by name.")


class StepIn(Body):
    step: Literal["escalate", "reject", "direct", "resolve"]
    text: LongText = Field("", description=(
        "The escalation note (optional), the reason for rejection, the direction or the "
        "resolution (required)."))


def etag(obstacle: Obstacle) -> str:
    return f'"obstacle-{obstacle.pk}-{obstacle.version}"'


def present(obstacle: Obstacle, day: dt.date | None = None) -> dict[str, Any]:
    return {
        "id": obstacle.pk, "task": obstacle.task_id, "document": obstacle.document_id,
        "unit": unit_ref(obstacle.unit), "category": obstacle.category,
        "category_label": obstacle.get_category_display(),
        "description": obstacle.description, "proposed_solution": obstacle.proposed_solution,
        "resolver_unit": unit_ref(obstacle.resolver_unit) if obstacle.resolver_unit else None,
        "resolver_agency": obstacle.resolver_agency,
        "progress_update": obstacle.progress_update_id, "state": obstacle.state,
        "state_label": obstacle.get_state_display(), "raised_by": person(obstacle.raised_by),
        "raised_at": obstacle.raised_at, "raised_on": obstacle.raised_on,
        "days_open": obstacle.age_on(day or timezone.localdate()),
        "escalated_by": person(obstacle.escalated_by), "escalated_at": obstacle.escalated_at,
        "direction": obstacle.direction, "direction_by": person(obstacle.direction_by),
        "direction_at": obstacle.direction_at, "resolution": obstacle.resolution,
        "resolved_by": person(obstacle.resolved_by), "resolved_at": obstacle.resolved_at,
        "rejection_reason": obstacle.rejection_reason,
        "rejected_by": person(obstacle.rejected_by), "rejected_at": obstacle.rejected_at,
        "closed_on": obstacle.closed_on, "allowed_steps": services.allowed_steps(obstacle.state),
        "version": obstacle.version,
    }


def _detail(caller: Any, obstacle_id: int, response: HttpResponse) -> dict[str, Any]:
    obstacle = selectors.obstacle_detail(user=caller, pk=obstacle_id)
    response["ETag"] = etag(obstacle)
    return present(obstacle)


ETAG_DOC = {"responses": {200: {"headers": {"ETag": {
    "description": "The obstacle's version; send it back as If-Match with a step.",
    "schema": {"type": "string"}}}}}}


@router.get("/obstacles", response=responses({200: ObstaclePage}),
            summary="List obstacles")
def obstacle_list(request: HttpRequest, query: Query[ObstacleQuery]) -> dict[str, Any]:
    """The obstacles you may see, filtered as on the register page, newest first."""
    caller = user(request)
    params = {"state": query.state or "", "category": query.category or "",
              "unit": str(query.unit or ""), "document": str(query.document or ""),
              "task": str(query.task or ""), "resolver": query.resolver or "",
              "age": query.age or "", "as_of": query.as_of.isoformat() if query.as_of else "",
              "q": query.q}
    filters = selectors.filters_from_params(params)
    if filters.errors:
        raise ApiError(422, "invalid", _("Some fields are not valid."),
                       {name: [message] for name, message in filters.errors.items()})
    obstacles = selectors.obstacle_list(user=caller, filters=filters).select_related(
        "escalated_by", "direction_by", "resolved_by", "rejected_by")
    return paginate(obstacles, query, lambda page: [present(item, filters.day)
                                                    for item in page])


@router.get("/obstacles/{obstacle_id}", response=responses({200: ObstacleOut}),
            summary="One obstacle", openapi_extra=ETAG_DOC)
def obstacle_detail(request: HttpRequest, response: HttpResponse,
                    obstacle_id: ObjectId) -> dict[str, Any]:
    """The obstacle with its state and history fields; the ``ETag`` header is its version."""
    return _detail(user(request), obstacle_id, response)


@router.post("/obstacles", response=responses({201: ObstacleOut}, 409),
             summary="Raise an obstacle")
def obstacle_create(request: HttpRequest, payload: ObstacleIn,
                    response: HttpResponse) -> Status[dict[str, Any]]:
    """Raise a difficulty on a task your unit reports on, or on a document your unit
    manages or takes part in. Give exactly one of ``task`` and ``document``, and exactly one
    of ``resolver_unit`` and ``resolver_agency``."""
    caller = user(request)
    if (payload.task is None) == (payload.document is None):
        raise invalid("task", _("Raise the obstacle on a task or on a document (one of the "
                                "two)."))
    if (payload.resolver_unit is None) == (not payload.resolver_agency.strip()):
        raise invalid("resolver_unit", _("Say who must resolve it: a unit, or an outside "
                                         "agency by name (one of the two)."))
    task = document = update = None
    if payload.task is not None:
        task = scoping.tasks_visible_to(caller).filter(pk=payload.task).first()
        if task is None:
            raise invalid("task", _("Unknown task: %(id)s") % {"id": payload.task})
        if not scoping.tasks_obstacle_raisable_by(caller).filter(pk=task.pk).exists():
            raise PermissionDenied
        if payload.progress_update is not None:
            update = ProgressUpdate.objects.filter(task=task, pk=payload.progress_update).first()
            if update is None:
                raise invalid("progress_update", _("Unknown progress update of this task: "
                                                   "%(id)s") % {"id": payload.progress_update})
    else:
        document = scoping.documents_visible_to(caller).filter(pk=payload.document).first()
        if document is None:
            raise invalid("document", _("Unknown document: %(id)s") % {"id": payload.document})
        if not scoping.documents_obstacle_raisable_by(caller).filter(pk=document.pk).exists():
            raise PermissionDenied
        if payload.progress_update is not None:
            raise invalid("progress_update", _("A progress report belongs to a task."))
    resolver: Unit | None = None
    if payload.resolver_unit is not None:
        resolver = scoping.units_nameable_as_resolver(caller).filter(
            pk=payload.resolver_unit).first()
        if resolver is None:
            raise invalid("resolver_unit", _("Unknown unit: %(id)s") % {
                "id": payload.resolver_unit})
    unit = services.raising_unit_for(caller, task=task, document=document)
    if update is not None and (scoping.is_admin(caller) or (
            caller.unit is not None and update.unit.path.startswith(caller.unit.path))):
        unit = update.unit
    if unit is None:
        raise PermissionDenied
    obstacle = services.obstacle_raise(
        actor=caller, unit=unit, task=task, document=document, progress_update=update,
        category=payload.category, description=payload.description,
        proposed_solution=payload.proposed_solution, resolver_unit=resolver,
        resolver_agency=payload.resolver_agency)
    return Status(201, _detail(caller, obstacle.pk, response))


STEP_RIGHTS: dict[str, Any] = {"escalate": scoping.obstacles_triageable_by,
               "reject": scoping.obstacles_triageable_by,
               "direct": scoping.obstacles_directable_by,
               "resolve": scoping.obstacles_resolvable_by}
STEP_ARGUMENT = {"escalate": "note", "reject": "reason", "direct": "text",
                 "resolve": "resolution"}


@router.post("/obstacles/{obstacle_id}/transition",
             response=responses({200: ObstacleOut}, 409, 412), summary="Move an obstacle on",
             openapi_extra=ETAG_DOC)
def obstacle_transition(
        request: HttpRequest, payload: StepIn, response: HttpResponse, obstacle_id: ObjectId,
        if_match: HeaderEx[str | None, P(alias="If-Match", description=(
            "Optional: the ETag you read; a stale one gets 412 and nothing changes."))] = None,
) -> dict[str, Any]:
    """Escalate to leadership or reject (staff in scope), give a direction on an escalated
    obstacle (leaders in scope), or record the resolution (the resolver unit; staff for
    outside agencies). A step the state does not allow answers 409; one that is not yours,
    403."""
    caller = user(request)
    obstacle = scoping.get_editable_or_403(scoping.obstacles_visible_to(caller),
                                           STEP_RIGHTS[payload.step](caller), pk=obstacle_id)
    if if_match and if_match.strip() != "*" and etag(obstacle) not in {
            tag.strip() for tag in if_match.split(",")}:
        raise ApiError(412, "precondition_failed", _(
            "The obstacle has changed since you read it. Read it again, then resend your "
            "step."), headers={"ETag": etag(obstacle)})
    act: Any = services.STEP_SERVICES[payload.step]
    act(actor=caller, obstacle=obstacle, expected_version=obstacle.version,
        **{STEP_ARGUMENT[payload.step]: payload.text})
    return _detail(caller, obstacle.pk, response)

