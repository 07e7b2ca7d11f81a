"""The leadership picture for a scope, a document and a date: every read of the dashboard.

A **scope** is a unit the user sees; its figures are those of the visible tasks that a
unit of its subtree led on the date (as the statistics page counts them). A unit's row
of the league table counts its whole subtree, or only its own tasks. Figures come from
the status engine's SQL (``figures.live_figures``), or for a past month end from the
month-end snapshots (``snapshots.py``), which hold the same numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.urls import get_script_prefix, get_urlconf, reverse

from dondoc.dashboards import snapshots
from dondoc.dashboards.figures import Figures, live_figures
from dondoc.organization import scoping
from dondoc.organization.models import Role, Unit
from dondoc.plans.models import Direction, Document, LeadUnitChange, Task, TaskGroup
from dondoc.plans.selectors import document_with_descendants
from dondoc.progress.engine import Counts, Status
from dondoc.progress.models import ProgressUpdate
from dondoc.progress.rates import percent
from dondoc.progress.selectors import business_today, lead_path_at, statistics, statistics_by

FULL_ROLES = {Role.ADMIN, Role.LEADER, Role.STAFF, Role.INSPECTOR}

# League-table columns: (key, status filter of its link or None for all tasks).
COLUMNS: list[tuple[str, str | None]] = [
    ("total", None),
    ("completed_on_time", Status.COMPLETED_ON_TIME.value),
    ("completed_late", Status.COMPLETED_LATE.value),
    ("in_progress_on_time", Status.IN_PROGRESS_ON_TIME.value),
    ("in_progress_overdue", Status.IN_PROGRESS_OVERDUE.value),
    ("awaiting_confirmation", Status.AWAITING_CONFIRMATION.value),
]
SORT_KEYS = [key for key, _status in COLUMNS] + ["rate", "oldest", "unit"]


def day_text(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class UnitInfo:
    pk: int
    code: str
    name: str
    short_name: str
    path: str
    depth: int
    numchild: int

    @property
    def label(self) -> str:
        return self.short_name or self.name


def _task_list_url() -> str:
    # Resolved once per URL configuration: a league table builds hundreds of links.
    urlconf = (get_urlconf(), get_script_prefix())
    found = _TASK_LIST_URLS.get(urlconf)
    if found is None:
        found = _TASK_LIST_URLS[urlconf] = reverse("task_list")
    return found


_TASK_LIST_URLS: dict[Any, str] = {}


@dataclass
class Scope:
    """What the dashboard is about; built from the request by ``scope_from_params``."""

    unit: Unit
    as_of: dt.date
    document: Document | None = None
    document_ids: list[int] | None = None  # the document and its descendants
    own_only: bool = False
    expand: list[int] = field(default_factory=list)
    sort: str = "rate"
    descending: bool = True
    compare_on: dt.date | None = None

    def task_link(self, *, lead: int | None = None, subtree: bool = True,
                  status: str | None = None, extra: dict[str, str] | None = None,
                  **more: str) -> str:
        """The task list showing exactly the tasks a number counts."""
        params: dict[str, str] = {"lead": str(lead or self.unit.pk),
                                  "subtree": "1" if subtree else "0",
                                  "as_of": day_text(self.as_of)}
        if status:
            params["status"] = status
        if self.document is not None:
            params.update(document=str(self.document.pk), subdocs="1")
        params.update(extra or {}, **more)
        return f"{_task_list_url()}?{urlencode(params)}"


@dataclass
class LeagueRow:
    unit: UnitInfo
    figures: Figures
    level: int
    own_row: bool  # the parent's own tasks (not its sub-units')
    expandable: bool
    expanded: bool
    links: dict[str, str]
    rank: int | None = None
    reports: Any = None  # unitreports.selectors.Tally of the row's unit (issue 12)
    urged: int = 0  # urging letters received by the row's unit (its subtree unless own)


@dataclass
class Dashboard:
    scope: Scope
    figures: Figures
    links: dict[str, str]
    rows: list[LeagueRow]
    hidden_units: int  # sub-units without any task at the date, not listed
    compare: Figures | None
    changes: dict[str, int | Decimal | None]
    groups: list[tuple[TaskGroup | None, Counts, str]]
    follow_ups: list[Direction]
    shared: Counts | None  # tasks the scope coordinates (units that mostly coordinate)
    shared_link: str
    full: bool
    from_snapshot: bool
    # Unit period reports whose deadline has passed (issue 12): shown when there are any.
    report_tallies: dict[str, Any] = field(default_factory=dict)
    report_link: str = ""


def units_in(scope_unit: Unit) -> dict[int, UnitInfo]:
    return {row[0]: UnitInfo(*row) for row in Unit.objects.filter(
        path__startswith=scope_unit.path).order_by("path").values_list(
        "pk", "code", "name", "short_name", "path", "depth", "numchild")}


def scoped_tasks(user: Any, scope: Scope) -> QuerySet[Task]:
    tasks = scoping.tasks_visible_to(user)
    if scope.document_ids is not None:
        tasks = tasks.filter(document_id__in=scope.document_ids)
    return tasks


def led_in_scope(user: Any, scope: Scope, day: dt.date, *, broad: bool = False,
                 ) -> QuerySet[Task]:
    """The tasks a unit of the scope may have led on ``day``, among those ``user`` sees.

    The league table counts a task for the unit that led it on D, so only tasks led
    inside the scope on D matter. Their visibility needs no test when the lead is the
    current one: the scope lies inside the user's scope, and a task is visible to its
    lead's scope (``scoping.tasks_visible_to``: lead OR assigning OR coordinating unit).
    A task handed over to a unit after D is counted for its old lead: those few (one
    ``LeadUnitChange`` each) are tested for visibility. The lead subtree is an indexed
    ``lead_unit_id IN (SELECT id … path LIKE 'p%')``, where the visibility condition
    (an OR with an EXISTS on the coordinating units) kept SQLite from any index.

    ``broad``: the scope is a whole agency (a scope root, or the top of the tree). Then
    reading the whole table in order beats fetching each unit's tasks through the
    lead-unit index (20,000 row lookups out of order: 47 → 32 ms for the benchmark city),
    so the test is written on ``lead_unit_id + 0``, which no index serves; the rows kept
    are the same."""
    subtree = Unit.objects.subtree_of(scope.unit).values("pk")
    condition = (Q(lead_unit_unindexed__in=subtree) if broad
                 else Q(lead_unit__in=subtree))
    if day < business_today():
        moved = LeadUnitChange.objects.filter(
            changed_on__gt=day, old_unit__path__startswith=scope.unit.path).values("task_id")
        condition |= Q(pk__in=scoping.tasks_visible_to(user).filter(pk__in=moved).values("pk"))
    tasks = Task.objects.alias(lead_unit_unindexed=ExpressionWrapper(
        F("lead_unit_id") + 0, output_field=BigIntegerField())) if broad else Task.objects.all()
    tasks = tasks.filter(condition)
    if scope.document_ids is not None:
        tasks = tasks.filter(document_id__in=scope.document_ids)
    return tasks


def league_units(scope: Scope) -> dict[int, UnitInfo]:
    """The units a month-end league table shows: the scope, its sub-units and those of
    every expanded unit (a ministry's 63 provinces, not its 20,000 units)."""
    depth = scope.unit.depth
    shown = Q(path=scope.unit.path) | Q(depth=depth + 1)
    expanded = Unit.objects.filter(pk__in=scope.expand, path__startswith=scope.unit.path,
                                   depth__gt=depth).values_list("path", "depth")
    for path, level in expanded:
        shown |= Q(path__startswith=path, depth=level + 1)
    return {row[0]: UnitInfo(*row) for row in Unit.objects.filter(
        shown, path__startswith=scope.unit.path).order_by("path").values_list(
        "pk", "code", "name", "short_name", "path", "depth", "numchild")}


@dataclass
class Picture:
    """The figures of a dashboard's units at one date: each unit's own and subtree
    figures (units without any task missing) and where they came from."""

    units: dict[int, UnitInfo]
    own: dict[int, Figures]
    subtree: dict[int, Figures]
    from_snapshot: bool


def picture(user: Any, scope: Scope, day: dt.date) -> Picture:
    """The dashboard's units and their figures at ``day``: for a past month end, the
    snapshot rows of the units shown (own and subtree rows); otherwise the engine's live
    figures of every unit of the scope, added up the tree."""
    if snapshots.snapshottable(day):
        units = league_units(scope)
        own, subtree = snapshots.snapshot_league(day, unit_ids=list(units),
                                                 document_ids=scope.document_ids)
        return Picture(units, own, subtree, True)
    units = units_in(scope.unit)
    # A whole agency (or the top of the tree) holds most tasks: scan rather than seek.
    broad = scope.unit.is_scope_root or scope.unit.depth == 1
    found = live_figures(led_in_scope(user, scope, day, broad=broad), day)
    own = {key[0]: item for key, item in found.items() if key[0] in units}
    return Picture(units, own, roll_up(own, units, scope.unit), False)


def roll_up(own: dict[int, Figures], units: dict[int, UnitInfo], top: Unit,
            ) -> dict[int, Figures]:
    """Each unit's subtree figures (itself and every unit below it, within ``top``):
    each unit's own figures added to its ancestors', deepest units first."""
    by_path = {info.path: pk for pk, info in units.items()}
    step = Unit.steplen
    subtree: dict[int, Figures] = dict(own)
    for info in sorted(units.values(), key=lambda unit: -len(unit.path)):
        item = subtree.get(info.pk)
        if item is None or info.path == top.path:
            continue
        parent = by_path.get(info.path[:-step])
        if parent is not None:
            subtree[parent] = subtree[parent] + item if parent in subtree else item
    return subtree


def _sort_value(row: LeagueRow, key: str) -> Any:
    if key == "rate":
        return row.figures.rate if row.figures.rate is not None else Decimal(-1)
    if key == "oldest":
        return row.figures.oldest_overdue_days
    if key == "unit":
        return row.unit.code
    return getattr(row.figures.counts, key)


def league(scope: Scope, units: dict[int, UnitInfo], own: dict[int, Figures],
           subtree: dict[int, Figures]) -> tuple[list[LeagueRow], int]:
    """Rows for the scope's sub-units (and, under each expanded unit, its sub-units),
    sorted among siblings; the scope's own tasks first as a row of their own."""
    children: dict[int, list[UnitInfo]] = {}
    by_path = {info.path: pk for pk, info in units.items()}
    for info in units.values():
        parent = by_path.get(info.path[:-Unit.steplen])
        if parent is not None and info.path != scope.unit.path:
            children.setdefault(parent, []).append(info)
    hidden = 0
    rows: list[LeagueRow] = []

    def row_for(info: UnitInfo, level: int, *, own_row: bool = False) -> LeagueRow:
        whole = not (scope.own_only or own_row)
        item = (subtree if whole else own).get(info.pk, Figures())
        # Links only for rows shown: most sub-units of a city have no task at the date.
        links = {key: scope.task_link(lead=info.pk, subtree=whole, status=status)
                 for key, status in COLUMNS} if item.counts.total else {}
        has_children = info.numchild > 0 and not own_row
        return LeagueRow(unit=info, figures=item, level=level, own_row=own_row,
                         expandable=has_children, expanded=has_children and info.pk in
                         scope.expand, links=links)

    def add_children(parent: UnitInfo, level: int) -> None:
        nonlocal hidden
        siblings = [row_for(info, level) for info in children.get(parent.pk, [])]
        shown = [row for row in siblings if row.figures.counts.total]
        if level == 0:
            hidden += len(siblings) - len(shown)
        shown.sort(key=lambda row: row.unit.code)
        shown.sort(key=lambda row: (row.figures.counts.in_progress_overdue,))
        shown.sort(key=lambda row: _sort_value(row, scope.sort), reverse=scope.descending)
        for index, row in enumerate(shown, start=1):
            row.rank = index if level == 0 else None
            rows.append(row)
            if row.expanded:
                own_row = row_for(row.unit, level + 1, own_row=True)
                if own_row.figures.counts.total and not scope.own_only:
                    rows.append(own_row)
                add_children(row.unit, level + 1)

    top = units[scope.unit.pk]
    top_own = row_for(top, 0, own_row=True)
    if top_own.figures.counts.total:
        rows.append(top_own)
    add_children(top, 0)
    return rows, hidden


def add_urged(scope: Scope, rows: list[LeagueRow]) -> None:
    """Each row's "urged N times": the urging letters its unit (with its sub-units, unless
    the row counts own tasks only) received up to the date — one query for the table."""
    from dondoc.urging.selectors import urged_counts

    counts = urged_counts(top_path=scope.unit.path, as_of=scope.as_of)
    if not counts:
        return
    for row in rows:
        if row.own_row or scope.own_only:
            row.urged = counts.get(row.unit.path, 0)
        else:
            row.urged = sum(n for path, n in counts.items()
                            if path.startswith(row.unit.path))


def summary_links(scope: Scope) -> dict[str, str]:
    day = scope.as_of
    links = {key: scope.task_link(status=status) for key, status in COLUMNS}
    links["due_soon"] = scope.task_link(status="due_soon")
    links["standing"] = scope.task_link(status=Status.STANDING.value)
    links["suspended"] = scope.task_link(status=Status.SUSPENDED.value)
    overdue = Status.IN_PROGRESS_OVERDUE.value
    for index, (low, high) in enumerate(((1, 7), (8, 30), (31, 90), (91, None))):
        extra: dict[str, str] = {"due_to": day_text(day - dt.timedelta(days=low))}
        if high is not None:
            extra["due_from"] = day_text(day - dt.timedelta(days=high))
        links[f"age_{index}"] = scope.task_link(status=overdue, extra=extra)
    for days in (7, 30):
        links[f"due_{days}"] = scope.task_link(
            status=Status.IN_PROGRESS_ON_TIME.value, due_from=day_text(day),
            due_to=day_text(day + dt.timedelta(days=days)))
    return links


def scope_figures(user: Any, scope: Scope, day: dt.date) -> Figures:
    """The whole scope's figures at ``day`` (for comparisons and trends): for a past
    month end, one summed row of its snapshot."""
    if snapshots.snapshottable(day):
        return snapshots.snapshot_series([day], unit_id=scope.unit.pk,
                                         document_ids=scope.document_ids).get(day, Figures())
    return picture(user, scope, day).subtree.get(scope.unit.pk, Figures())


def _changes(now: Figures, before: Figures) -> dict[str, int | Decimal | None]:
    changes: dict[str, int | Decimal | None] = {
        key: getattr(now.counts, key) - getattr(before.counts, key) for key, _s in COLUMNS}
    changes["rate"] = (now.rate - before.rate if now.rate is not None and before.rate
                       is not None else None)
    return changes


def group_progress(user: Any, scope: Scope) -> list[tuple[TaskGroup | None, Counts, str]]:
    """Per task group of the chosen document: counts of the scope's tasks at the date."""
    if scope.document is None:
        return []
    tasks = scoped_tasks(user, scope).filter(document=scope.document)
    in_scope = tasks.annotate(lead_path_on=lead_path_at(scope.as_of)).filter(
        lead_path_on__startswith=scope.unit.path)
    rows = statistics_by(in_scope, "group", scope.as_of)
    groups = TaskGroup.objects.in_bulk([row.key for row in rows if row.key])
    result = [(groups.get(row.key), row.counts,
               scope.task_link(group=str(row.key) if row.key else "none"))
              for row in rows]
    result.sort(key=lambda item: (item[0] is None, item[0].order if item[0] else 0,
                                  item[0].number if item[0] else ""))
    return result


def follow_ups(user: Any, limit: int = 15) -> list[Direction]:
    """The directions this user gave, newest first, with what was reported since."""
    later = ProgressUpdate.objects.filter(task=OuterRef("task_id"),
                                          created_at__gt=OuterRef("created_at"))
    visible = scoping.tasks_visible_to(user).values("pk")
    return list(
        Direction.objects.filter(author=user, task__in=visible)
        .select_related("task", "task__lead_unit", "acknowledged_by")
        .annotate(reports_since=Subquery(later.order_by().values("task").annotate(
            n=Count("pk")).values("n")[:1]),
            last_percent=Subquery(later.order_by("-created_at", "-id").values("percent")[:1]),
            last_report_on=Subquery(later.order_by("-created_at", "-id")
                                    .values("reported_on")[:1]),
            has_reports=Exists(later))
        .order_by("-created_at", "-id")[:limit])


def coordinated(user: Any, scope: Scope) -> tuple[Counts, str]:
    """Tasks the scope's units coordinate (whoever leads them), as the task list shows
    them with ``unit=…&role=coordinator``."""
    # The subtree's unit ids, then their coordinations by the (unit, task) index: joining
    # every coordination to its unit to test the path read them all (an officer's home
    # page, 10 ms of SQL).
    subtree = Unit.objects.subtree_of(scope.unit).values("pk")
    through = Task.coordinating_units.through.objects.filter(
        unit_id__in=subtree).values("task_id")
    tasks = scoped_tasks(user, scope).filter(pk__in=through)
    params = {"unit": str(scope.unit.pk), "role": "coordinator",
              "as_of": day_text(scope.as_of)}
    if scope.document is not None:
        params.update(document=str(scope.document.pk), subdocs="1")
    return statistics(tasks, scope.as_of), f"{reverse('task_list')}?{urlencode(params)}"


def dashboard(user: Any, scope: Scope) -> Dashboard:
    found = picture(user, scope, scope.as_of)
    figures = found.subtree.get(scope.unit.pk, Figures())
    rows, hidden = league(scope, found.units, found.own, found.subtree)
    add_urged(scope, rows)
    compare = None
    changes: dict[str, int | Decimal | None] = {}
    if scope.compare_on is not None and scope.compare_on != scope.as_of:
        # Only the whole scope's figures are compared.
        compare = scope_figures(user, scope, scope.compare_on)
        changes = _changes(figures, compare)
    full = user.role in FULL_ROLES or scoping.is_admin(user)
    tallies = unit_report_tallies(user, scope, rows)
    shared: Counts | None = None
    shared_link = ""
    if not full:
        shared, shared_link = coordinated(user, scope)
    return Dashboard(
        scope=scope, figures=figures, links=summary_links(scope), rows=rows,
        hidden_units=hidden, compare=compare, changes=changes,
        groups=group_progress(user, scope),
        follow_ups=follow_ups(user) if scoping.can_give_directions(user) else [],
        shared=shared, shared_link=shared_link, full=full, from_snapshot=found.from_snapshot,
        report_tallies=tallies, report_link=reverse("unit_report_matrix") if tallies else "")


def unit_report_tallies(user: Any, scope: Scope, rows: list[LeagueRow]) -> dict[str, Any]:
    """The league's "late reports" column: per row, the unit period reports of its unit
    (subtree, or own unit for an own row) missing or submitted late by the date; bounded
    queries (the obligations, their units, the reports)."""
    from dondoc.unitreports import selectors as report_selectors

    tallies = report_selectors.tallies(user, scope_unit=scope.unit, as_of=scope.as_of,
                                       document_ids=scope.document_ids)
    if not tallies:
        return {}
    for row in rows:
        row.reports = report_selectors.subtree_tally(
            tallies, row.unit.path, own_only=row.own_row or scope.own_only)
    return tallies


# Trend --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendLine:
    unit: Unit
    points: list[tuple[dt.date, Figures]]


def trend_months(scope: Scope, lifetime: bool) -> list[dt.date]:
    """The month ends the trend shows: the last 12 up to the date, or from the chosen
    document's issue to the date (at most 60)."""
    if lifetime and scope.document is not None:
        first = snapshots.month_end(scope.document.issue_date)
        ends = [day for day in snapshots.month_ends(scope.as_of, 60) if day >= first]
        return ends or snapshots.month_ends(scope.as_of, 1)
    return snapshots.month_ends(scope.as_of, 12)


def trend(user: Any, scope: Scope, lines: list[Unit], lifetime: bool = False,
          shown: Figures | None = None) -> tuple[list[dt.date], list[TrendLine]]:
    """On-time rate and overdue count at each month end, one line per unit (its subtree).

    Past month ends come from the snapshots; a month end that is today or later (only the
    current month's, when the date is one) is computed live, unless it is the dashboard's
    own date and scope, whose figures the page already has (``shown``)."""
    months = trend_months(scope, lifetime)
    past = [day for day in months if snapshots.snapshottable(day)]
    result = []
    for unit in lines:
        series = snapshots.snapshot_series(past, unit_id=unit.pk,
                                           document_ids=scope.document_ids)
        points = []
        for day in months:
            if day in past:
                points.append((day, series.get(day, Figures())))
            elif shown is not None and day == scope.as_of and unit.pk == scope.unit.pk:
                points.append((day, shown))
            else:
                line_scope = Scope(unit=unit, as_of=day, document=scope.document,
                                   document_ids=scope.document_ids)
                points.append((day, scope_figures(user, line_scope, day)))
        result.append(TrendLine(unit=unit, points=points))
    return months, result


def parse_scope_documents(user: Any, document: Document | None) -> list[int] | None:
    if document is None:
        return None
    return document_with_descendants(user=user, pk=document.pk)


def rate_text(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rate}%"


__all__ = [
    "Dashboard",
    "Figures",
    "LeagueRow",
    "Scope",
    "business_today",
    "dashboard",
    "percent",
    "trend",
]
