"""Reads of the roadmap (a document's tasks on a timeline) and the deadline calendar.

Both take the tasks the user may see (``scoping.tasks_visible_to``) and their status as
of a date from the status engine's SQL (``progress.selectors.annotate_status``, never a
copy of it), in a bounded number of queries whatever the number of tasks: the roadmap
counts its groups in one query, then reads the tasks of one page of groups in one more;
the calendar reads one month in one query.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    DateField,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce

from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.plans.models import CompletionRequest, Document, RequestStatus, TaskGroup
from dondoc.progress.engine import Status
from dondoc.progress.selectors import annotate_status, business_today, lead_unit_at

GROUP_BY = ("group", "lead")
PAGE_ROWS = 120  # bars on one page of the roadmap (whole groups when they fit)
CALENDAR_CAP = 3000  # tasks read for one month of the calendar
DAY_SHOWN = 6  # tasks listed in a day's cell; the rest are one link away


@dataclass(frozen=True)
class Bar:
    """One task on the roadmap, as of the chosen date."""

    pk: int
    code: str
    title: str
    start: dt.date
    deadline: dt.date | None  # in force at the date
    original_due: dt.date | None
    completed_on: dt.date | None  # the submission date of the accepted (or awaited) request
    status: str
    due_soon: bool
    no_deadline: bool
    lead_id: int
    group_key: Any

    @property
    def tone(self) -> str:
        """The status as drawn: ``due_soon`` and ``no_deadline`` are tones of their own."""
        if self.status == Status.IN_PROGRESS_ON_TIME and self.no_deadline:
            return "no_deadline"
        if self.status == Status.IN_PROGRESS_ON_TIME and self.due_soon:
            return "due_soon"
        return self.status

    @property
    def extended(self) -> bool:
        return (self.deadline is not None and self.original_due is not None
                and self.deadline != self.original_due)


@dataclass
class Lane:
    """A task group (or a lead unit) with its bars on this page."""

    key: Any
    label: str
    bars: list[Bar] = field(default_factory=list)
    total: int = 0  # tasks of the lane at the date, on every page
    continued: bool = False  # the lane began on an earlier page


@dataclass
class Roadmap:
    document: Document
    document_ids: list[int]
    as_of: dt.date
    group_by: str
    lanes: list[Lane]
    page: int
    pages: int
    total: int
    units: dict[int, Unit]

    @property
    def bars(self) -> list[Bar]:
        return [bar for lane in self.lanes for bar in lane.bars]


def roadmap_document(user: Any, pk: int) -> Document:
    """The document, if the user may at least know it by title; otherwise 404."""
    return scoping.get_visible_or_404(scoping.documents_titled_for(user), pk=pk)


def document_ids_of(user: Any, document: Document) -> list[int]:
    """The document and the documents implementing it that the user may read."""
    from dondoc.plans.selectors import document_with_descendants

    return document_with_descendants(user=user, pk=document.pk)


def _tasks(user: Any, document_ids: list[int], as_of: dt.date, group_by: str) -> Any:
    """The visible tasks of the documents with their status at D and their ``lane``."""
    tasks = scoping.tasks_visible_to(user).filter(document_id__in=document_ids)
    annotated = annotate_status(tasks, as_of)
    if group_by == "lead":
        return annotated.annotate(lane=lead_unit_at(as_of))
    return annotated.annotate(lane=F("group_id"))


def _completion_at(as_of: dt.date) -> Any:
    """The submission date of the request accepted by D, else of the one awaited at D."""
    accepted = CompletionRequest.objects.filter(
        task=OuterRef("pk"), status=RequestStatus.APPROVED, decided_on__lte=as_of,
    ).order_by("decided_on", "id").values("submitted_on")[:1]
    pending = CompletionRequest.objects.filter(task=OuterRef("pk"), submitted_on__lte=as_of).filter(
        Q(decided_on__isnull=True) | Q(decided_on__gt=as_of),
    ).order_by("-submitted_on", "-id").values("submitted_on")[:1]
    return Coalesce(Subquery(accepted), Subquery(pending), output_field=DateField())


def _lane_order(user: Any, group_by: str, keys: list[Any], units: dict[int, Unit],
                ) -> list[tuple[int | None, str]]:
    """The lanes in reading order, with their labels."""
    from django.utils.translation import gettext as _

    if group_by == "lead":
        found = sorted((units[key] for key in keys if key in units), key=lambda u: u.path)
        return [(unit.pk, f"{unit.code} — {unit.name}") for unit in found]
    groups = TaskGroup.objects.filter(pk__in=[key for key in keys if key is not None]
                                      ).select_related("document")
    several = len({group.document_id for group in groups}) > 1
    ordered = sorted(groups, key=lambda g: (g.document.issue_date, g.document_id, g.order,
                                            g.number, g.pk))
    lanes: list[tuple[int | None, str]] = [
        (group.pk, (f"{group.document.number} · " if several else "")
         + f"{group.number}. {group.title}") for group in ordered]
    if None in keys:
        lanes.append((None, _("Outside any group")))
    return lanes


def _pages(sizes: list[int]) -> list[list[tuple[int, int, int]]]:
    """Pages of (lane index, offset, limit): whole lanes while they fit in ``PAGE_ROWS``;
    a lane longer than a page is cut into pages of its own."""
    pages: list[list[tuple[int, int, int]]] = []
    current: list[tuple[int, int, int]] = []
    filled = 0
    for index, size in enumerate(sizes):
        if size > PAGE_ROWS:
            if current:
                pages.append(current)
                current, filled = [], 0
            pages.extend([[(index, offset, PAGE_ROWS)] for offset in range(0, size, PAGE_ROWS)])
            continue
        if filled + size > PAGE_ROWS and current:
            pages.append(current)
            current, filled = [], 0
        current.append((index, 0, size))
        filled += size
    if current:
        pages.append(current)
    return pages or [[]]


def roadmap(user: Any, document: Document, *, as_of: dt.date, group_by: str = "group",
            page: int = 1) -> Roadmap:
    """The roadmap of ``document`` (with its descendants) as of D, one page of lanes."""
    document_ids = document_ids_of(user, document)
    tasks = _tasks(user, document_ids, as_of, group_by)
    sizes = dict(tasks.order_by().values_list("lane").annotate(n=Count("pk")).values_list(
        "lane", "n"))
    units: dict[int, Unit] = {}
    if group_by == "lead":
        units = Unit.objects.in_bulk(list(sizes))
    order = _lane_order(user, group_by, list(sizes), units)
    pages = _pages([sizes[key] for key, _label in order])
    page = min(max(page, 1), len(pages))
    lanes: list[Lane] = []
    for index, offset, _limit in pages[page - 1]:
        key, label = order[index]
        lanes.append(Lane(key=key, label=label, total=sizes[key], continued=offset > 0))
    rows: list[dict[str, Any]] = []
    if lanes:
        chosen: Any = tasks.annotate(done_on=_completion_at(as_of) if as_of < business_today()
                                else Coalesce(F("completed_on"), F("pending_since")))
        keys = [lane.key for lane in lanes]
        condition = Q(lane__in=[key for key in keys if key is not None])
        if None in keys:
            condition |= Q(lane__isnull=True)
        chosen = chosen.filter(condition).order_by(
            Coalesce("starts_on", "assigned_on"), F("deadline_at").asc(nulls_last=True), "code")
        first = pages[page - 1][0]
        if first[1] or first[2] < sizes[order[first[0]][0]]:  # a slice of one long lane
            chosen = chosen[first[1]:first[1] + first[2]]
        rows = list(chosen.values(
            "pk", "code", "title", "starts_on", "assigned_on", "deadline_at", "due_date",
            "done_on", "status", "due_soon", "no_deadline", "lane", "lead_unit_id"))
    by_lane = {lane.key: lane for lane in lanes}
    lead_ids = {row["lane"] if group_by == "lead" else row["lead_unit_id"] for row in rows}
    missing = [pk for pk in lead_ids if pk not in units]
    if missing:
        units.update(Unit.objects.in_bulk(missing))
    for row in rows:
        by_lane[row["lane"]].bars.append(Bar(
            pk=row["pk"], code=row["code"], title=row["title"],
            start=row["starts_on"] or row["assigned_on"], deadline=row["deadline_at"],
            original_due=row["due_date"],
            completed_on=row["done_on"] if row["status"] in CLOSING else None,
            status=row["status"], due_soon=bool(row["due_soon"]),
            no_deadline=bool(row["no_deadline"]),
            lead_id=row["lane"] if group_by == "lead" else row["lead_unit_id"],
            group_key=row["lane"]))
    return Roadmap(document=document, document_ids=document_ids, as_of=as_of,
                   group_by=group_by, lanes=lanes, page=page, pages=len(pages),
                   total=sum(sizes.values()), units=units)


CLOSING = {Status.COMPLETED_ON_TIME.value, Status.COMPLETED_LATE.value,
           Status.AWAITING_CONFIRMATION.value}


# The deadline calendar --------------------------------------------------------------


@dataclass(frozen=True)
class DayTask:
    pk: int
    code: str
    title: str
    status: str
    due_soon: bool
    lead_code: str

    @property
    def tone(self) -> str:
        if self.status == Status.IN_PROGRESS_ON_TIME and self.due_soon:
            return "due_soon"
        return self.status

    @property
    def overdue(self) -> bool:
        return self.status == Status.IN_PROGRESS_OVERDUE


@dataclass
class CalendarDay:
    day: dt.date
    in_month: bool
    tasks: list[DayTask] = field(default_factory=list)
    total: int = 0
    overdue: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.tasks)


@dataclass
class DeadlineMonth:
    unit: Unit
    year: int
    month: int
    as_of: dt.date
    weeks: list[list[CalendarDay]]
    total: int
    capped: bool

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def days_with_tasks(self) -> list[CalendarDay]:
        return [day for week in self.weeks for day in week if day.in_month and day.total]

    @property
    def previous(self) -> dt.date:
        return (self.first - dt.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> dt.date:
        return (self.first + dt.timedelta(days=32)).replace(day=1)


def deadline_month(user: Any, unit: Unit, year: int, month: int) -> DeadlineMonth:
    """The tasks led in ``unit``'s subtree (among those the user sees) whose deadline in
    force today falls in the month, by day, with their status today: one query."""
    today = business_today()
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    subtree = Unit.objects.filter(path__startswith=unit.path).values("pk")
    tasks: Any = annotate_status(scoping.tasks_visible_to(user).filter(lead_unit__in=subtree),
                                 today)
    rows = list(tasks.filter(deadline_at__gte=first, deadline_at__lte=last).annotate(
        lead_code=F("lead_unit__code"),
    ).order_by("deadline_at", "code").values(
        "pk", "code", "title", "status", "due_soon", "deadline_at", "lead_code",
    )[:CALENDAR_CAP + 1])
    capped = len(rows) > CALENDAR_CAP
    rows = rows[:CALENDAR_CAP]
    by_day: dict[dt.date, CalendarDay] = {}
    weeks: list[list[CalendarDay]] = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells = [CalendarDay(day=day, in_month=day.month == month) for day in week]
        weeks.append(cells)
        by_day.update({cell.day: cell for cell in cells if cell.in_month})
    for row in rows:
        cell = by_day[row["deadline_at"]]
        item = DayTask(pk=row["pk"], code=row["code"], title=row["title"], status=row["status"],
                       due_soon=bool(row["due_soon"]), lead_code=row["lead_code"])
        cell.total += 1
        cell.overdue += item.overdue
        cell.tasks.append(item)
    for cell in by_day.values():
        # Overdue first within a day, so that the cut keeps what needs attention.
        cell.tasks.sort(key=lambda item: not item.overdue)
        del cell.tasks[DAY_SHOWN:]
    return DeadlineMonth(unit=unit, year=year, month=month, as_of=today, weeks=weeks,
                         total=len(rows), capped=capped)
