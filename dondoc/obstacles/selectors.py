"""Reads of the obstacle register: the filtered list, the ageing view, the obstacles of a
task or document, and the obstacles a consolidated report gathers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dondoc.core.dates import parse_day
from dondoc.core.text import containing_words
from dondoc.obstacles.models import (
    CLOSED_STATES,
    UNRESOLVED_STATES,
    Category,
    Obstacle,
    ObstacleState,
)
from dondoc.organization import scoping
from dondoc.organization.models import Unit

# Age filters of the register: (label, fewest days, most days or None).
AGE_FILTERS: dict[str, tuple[Any, int, int | None]] = {
    "gt30": (gettext_lazy("Open more than 30 days"), 31, None),
    "gt60": (gettext_lazy("Open more than 60 days"), 61, None),
    "gt90": (gettext_lazy("Open more than 90 days"), 91, None),
    "0-30": (gettext_lazy("Open 0–30 days"), 0, 30),
    "31-60": (gettext_lazy("Open 31–60 days"), 31, 60),
    "61-90": (gettext_lazy("Open 61–90 days"), 61, 90),
}
# The ageing view's buckets, in order.
BUCKETS = ("0-30", "31-60", "61-90", "gt90")
STATE_FILTERS = {"unresolved": gettext_lazy("Not yet resolved (open or escalated)"),
                 **dict(ObstacleState.choices)}
EXTERNAL = "external"  # the resolver filter's value for outside agencies named in text


@dataclass
class ObstacleFilters:
    state: str = ""
    category: str = ""
    unit: int | None = None  # the raising unit, with its sub-units
    document: int | None = None  # on the document or on one of its tasks
    task: int | None = None
    resolver: str = ""  # a unit id, or EXTERNAL
    age: str = ""
    as_of: dt.date | None = None  # the day ages are counted to (default today)
    query: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def day(self) -> dt.date:
        return self.as_of or timezone.localdate()


def _int(params: Mapping[str, Any], name: str, errors: dict[str, str]) -> int | None:
    value = (params.get(name) or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        errors[name] = _("Choose from the list.")
        return None
    return int(value)


def filters_from_params(params: Mapping[str, Any]) -> ObstacleFilters:
    """The filters a query string asks for; unknown values are reported, not guessed."""
    errors: dict[str, str] = {}
    state = (params.get("state") or "").strip()
    if state and state not in STATE_FILTERS:
        errors["state"] = _("Unknown state.")
        state = ""
    category = (params.get("category") or "").strip()
    if category and category not in Category.values:
        errors["category"] = _("Unknown category.")
        category = ""
    age = (params.get("age") or "").strip()
    if age and age not in AGE_FILTERS:
        errors["age"] = _("Unknown age bracket.")
        age = ""
    resolver = (params.get("resolver") or "").strip()
    if resolver and resolver != EXTERNAL and not (resolver.isdigit() and len(resolver) < 13):
        errors["resolver"] = _("Choose from the list.")
        resolver = ""
    as_of = None
    try:
        as_of = parse_day(params.get("as_of"))
    except ValueError:
        errors["as_of"] = _("Enter a valid date as dd/mm/yyyy.")
    return ObstacleFilters(
        state=state, category=category, unit=_int(params, "unit", errors),
        document=_int(params, "document", errors), task=_int(params, "task", errors),
        resolver=resolver, age=age, as_of=as_of,
        query=(params.get("q") or "").strip()[:200], errors=errors)


def open_on(day: dt.date) -> Q:
    """Obstacles raised on or before ``day`` and not yet resolved or rejected at its end."""
    return Q(raised_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def aged_between(day: dt.date, fewest: int, most: int | None) -> Q:
    """Open at ``day`` and open for ``fewest`` to ``most`` days (inclusive) at that day."""
    condition = open_on(day) & Q(raised_on__lte=day - dt.timedelta(days=fewest))
    if most is not None:
        condition &= Q(raised_on__gte=day - dt.timedelta(days=most))
    return condition


def _with_relations(obstacles: QuerySet[Obstacle]) -> QuerySet[Obstacle]:
    return obstacles.select_related("unit", "task", "task__document", "document",
                                    "resolver_unit", "raised_by")


def apply_filters(obstacles: QuerySet[Obstacle], filters: ObstacleFilters,
                  ) -> QuerySet[Obstacle]:
    if filters.state == "unresolved":
        obstacles = obstacles.filter(state__in=UNRESOLVED_STATES)
    elif filters.state:
        obstacles = obstacles.filter(state=filters.state)
    if filters.category:
        obstacles = obstacles.filter(category=filters.category)
    if filters.unit is not None:
        unit = Unit.objects.filter(pk=filters.unit).only("path").first()
        obstacles = obstacles.filter(unit__path__startswith=unit.path) if unit else \
            obstacles.none()
    if filters.document is not None:
        obstacles = obstacles.filter(Q(document_id=filters.document)
                                     | Q(task__document_id=filters.document))
    if filters.task is not None:
        obstacles = obstacles.filter(task_id=filters.task)
    if filters.resolver == EXTERNAL:
        obstacles = obstacles.filter(resolver_unit__isnull=True)
    elif filters.resolver:
        obstacles = obstacles.filter(resolver_unit_id=int(filters.resolver))
    if filters.age:
        _label, fewest, most = AGE_FILTERS[filters.age]
        obstacles = obstacles.filter(aged_between(filters.day, fewest, most))
    if filters.query:
        obstacles = containing_words(obstacles, filters.query)
    return obstacles


def obstacle_list(*, user: Any, filters: ObstacleFilters) -> QuerySet[Obstacle]:
    """The register as ``user`` may see it, filtered, newest first."""
    return _with_relations(apply_filters(scoping.obstacles_visible_to(user), filters)
                           ).order_by("-raised_on", "-id")


def obstacle_detail(*, user: Any, pk: Any) -> Obstacle:
    return scoping.get_visible_or_404(
        _with_relations(scoping.obstacles_visible_to(user)).select_related(
            "progress_update", "escalated_by", "direction_by", "resolved_by", "rejected_by"),
        pk=pk)


def obstacles_of_task(*, user: Any, task: Any) -> list[Obstacle]:
    """The obstacles of a task the user sees (``task`` obtained through the task scope;
    none to read when the task page's own check found that the task has none)."""
    if getattr(task, "has_obstacles", True) is False:
        return []
    return list(_with_relations(scoping.obstacles_of_visible_task(user, task))
                .order_by("-raised_on", "-id"))


def obstacles_of_document(*, user: Any, document: Any) -> list[Obstacle]:
    """Obstacles raised on the document itself (those of its tasks are on the task pages
    and in the register filtered by document)."""
    return list(_with_relations(scoping.obstacles_visible_to(user).filter(document=document))
                .order_by("-raised_on", "-id"))


def document_obstacle_facts(*, user: Any, document: Any) -> dict[str, Any]:
    """``on_tasks``: how many obstacles the user sees on the document's tasks;
    ``can_raise``: whether the user may raise one on the document. One query."""
    from dondoc.plans.models import Document

    on_tasks = (scoping.obstacles_visible_to(user).filter(task__document=OuterRef("pk"))
                .order_by().values("task__document").annotate(n=Count("pk")).values("n"))
    raisable = scoping.documents_obstacle_raisable_by(user).filter(pk=OuterRef("pk"))
    row = (Document.objects.filter(pk=document.pk)
           .annotate(on_tasks=Subquery(on_tasks), can_raise=Exists(raisable))
           .values_list("on_tasks", "can_raise").first())
    on_task_count, can_raise = row if row is not None else (0, False)
    return {"on_tasks": on_task_count or 0, "can_raise": bool(can_raise)}


# Ageing --------------------------------------------------------------------------------


@dataclass
class AgeingRow:
    category: str
    label: str
    buckets: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.buckets.values())


@dataclass
class Ageing:
    day: dt.date
    rows: list[AgeingRow]
    totals: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def ageing(*, user: Any, filters: ObstacleFilters) -> Ageing:
    """Obstacles open at ``filters.day``, counted by age bracket and category: one
    aggregate query. The register's other filters apply (state and age do not)."""
    day = filters.day
    base = apply_filters(scoping.obstacles_visible_to(user),
                         ObstacleFilters(category=filters.category, unit=filters.unit,
                                         document=filters.document, resolver=filters.resolver,
                                         query=filters.query))
    counts = {key: Count("pk", filter=aged_between(day, *AGE_FILTERS[key][1:]))
              for key in ("0-30", "31-60", "61-90")}
    counts["gt90"] = Count("pk", filter=aged_between(day, 91, None))
    found: dict[str, Any] = {row["category"]: row for row in base.filter(open_on(day)).order_by()
             .values("category").annotate(**{f"b_{key.replace('-', '_')}": value
                                             for key, value in counts.items()})}
    rows = []
    for value, label in Category.choices:
        row: dict[str, Any] = found.get(value, {})
        rows.append(AgeingRow(value, str(label), {
            key: int(row.get(f"b_{key.replace('-', '_')}", 0)) for key in BUCKETS}))
    totals = {key: sum(row.buckets[key] for row in rows) for key in BUCKETS}
    return Ageing(day=day, rows=rows, totals=totals)


# The consolidated report ---------------------------------------------------------------


@dataclass(frozen=True)
class ReportObstacle:
    id: int
    category: str
    category_label: str
    unit_code: str
    unit_name: str
    description: str
    proposed_solution: str
    resolver: str
    raised_on: dt.date
    state: str  # as of the period's end
    state_label: str
    direction: str
    resolution: str
    task_code: str
    document_number: str


@dataclass
class ReportObstacles:
    start: dt.date
    end: dt.date
    rows: list[ReportObstacle]
    by_category: dict[str, int]
    by_state: dict[str, int]
    raised_in_period: int
    open_at_end: int


def _state_at(obstacle: Obstacle, end: dt.date) -> str:
    if obstacle.closed_on is not None and obstacle.closed_on <= end:
        return obstacle.state
    if obstacle.escalated_at is not None and timezone.localdate(obstacle.escalated_at) <= end:
        return ObstacleState.ESCALATED
    return ObstacleState.OPEN


def obstacles_for_report(scope_unit: Unit | None, document: Any, start: dt.date,
                         end: dt.date) -> ReportObstacles:
    """The difficulties and proposals of a period for a consolidated report: obstacles
    raised by ``scope_unit``'s subtree (all when ``None``) on ``document`` or its tasks
    (all when ``None``) that were raised in ``start``…``end`` or still open at ``end``,
    each with its state at ``end``; counts by category and state. The caller has already
    checked the reader's right to the scope and the document."""
    obstacles = Obstacle.objects.filter(
        Q(raised_on__range=(start, end)) | open_on(end)).filter(raised_on__lte=end)
    if scope_unit is not None:
        obstacles = obstacles.filter(unit__path__startswith=scope_unit.path)
    if document is not None:
        document_id = getattr(document, "pk", document)
        obstacles = obstacles.filter(Q(document_id=document_id)
                                     | Q(task__document_id=document_id))
    rows: list[ReportObstacle] = []
    labels = dict(Category.choices)
    state_labels = dict(ObstacleState.choices)
    for item in _with_relations(obstacles).order_by("category", "raised_on", "id"):
        state = _state_at(item, end)
        closed = state in CLOSED_STATES
        rows.append(ReportObstacle(
            id=item.pk, category=item.category, category_label=str(labels[item.category]),
            unit_code=item.unit.code, unit_name=item.unit.name, description=item.description,
            proposed_solution=item.proposed_solution, resolver=item.resolver_label,
            raised_on=item.raised_on, state=state, state_label=str(state_labels[state]),
            direction=item.direction if item.direction_at and timezone.localdate(
                item.direction_at) <= end else "",
            resolution=(item.resolution or item.rejection_reason) if closed else "",
            task_code=item.task.code if item.task else "",
            document_number=(item.task.document.number if item.task else
                             item.document.number if item.document else "")))
    by_category = {value: sum(1 for row in rows if row.category == value)
                   for value in Category.values}
    by_state = {value: sum(1 for row in rows if row.state == value)
                for value in ObstacleState.values}
    return ReportObstacles(
        start=start, end=end, rows=rows, by_category=by_category, by_state=by_state,
        raised_in_period=sum(1 for row in rows if start <= row.raised_on <= end),
        open_at_end=sum(1 for row in rows if row.state not in CLOSED_STATES))
