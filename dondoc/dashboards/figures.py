"""The dashboard's figures per unit (and document): the engine's counts and a few more.

``live_figures`` asks the status SQL of ``dondoc.progress.selectors`` (never a copy of
it): one aggregate query for the counts and one for the overdue and due-soon tasks,
whose ages are worked out here by the engine's rule. ``snapshot_figures`` reads the
same figures from the month-end snapshots (``snapshots.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import F, Max, QuerySet, Sum

from dondoc.plans.models import DeadlineKind, Task
from dondoc.progress import engine
from dondoc.progress.engine import Counts, Status
from dondoc.progress.rates import percent
from dondoc.progress.selectors import (
    RECURRENCE_OF_KIND,
    annotate_status,
    business_today,
    derived_table,
    lead_unit_at,
)

AGE_LIMITS = (7, 30, 90)  # overdue 1–7, 8–30, 31–90, more than 90 days
DUE_WINDOWS = (7, 30)


@dataclass(frozen=True)
class Figures:
    """What the dashboard shows for one unit (or a subtree, or a whole scope) at D."""

    counts: Counts = field(default_factory=Counts)
    ages: tuple[int, int, int, int] = (0, 0, 0, 0)
    due_7: int = 0
    due_30: int = 0
    oldest_overdue_days: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            counts=self.counts + other.counts,
            ages=(self.ages[0] + other.ages[0], self.ages[1] + other.ages[1],
                  self.ages[2] + other.ages[2], self.ages[3] + other.ages[3]),
            due_7=self.due_7 + other.due_7, due_30=self.due_30 + other.due_30,
            oldest_overdue_days=max(self.oldest_overdue_days, other.oldest_overdue_days),
        )

    @property
    def rate(self) -> Decimal | None:
        """The on-time rate in per cent, rounded half up to one decimal."""
        return percent(self.counts.on_time_rate)


def total(figures: Iterable[Figures]) -> Figures:
    result = Figures()
    for item in figures:
        result = result + item
    return result


def age_bucket(days: int) -> int:
    """0 for 1–7 days overdue, 1 for 8–30, 2 for 31–90, 3 beyond."""
    for index, limit in enumerate(AGE_LIMITS):
        if days <= limit:
            return index
    return len(AGE_LIMITS)


def overdue_since(deadline: dt.date | None, deadline_kind: str, as_of: dt.date) -> dt.date:
    """The deadline an overdue task missed: its deadline in force, or for a recurring task
    the end of the last closed period (the engine's ``_recurring`` rule)."""
    recurrence = RECURRENCE_OF_KIND.get(deadline_kind)  # type: ignore[call-overload]
    if recurrence is not None:
        start, _end = engine.period_containing(as_of, recurrence)
        return start - dt.timedelta(days=1)
    assert deadline is not None, "an overdue fixed-deadline task has a deadline"
    return deadline


def _as_date(value: Any) -> dt.date | None:
    """A date read by a raw cursor: a ``date`` on PostgreSQL, ISO text on SQLite."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def live_figures(tasks: QuerySet[Task], as_of: dt.date | None,
                 keys: tuple[str, ...] = ("lead_unit",)) -> dict[tuple[Any, ...], Figures]:
    """Figures of ``tasks`` at D grouped by ``keys`` (``lead_unit`` = the lead on D), in
    ONE query whatever the number of units.

    The status SQL of ``dondoc.progress.selectors.annotate_status`` (never a copy of it)
    becomes a derived table, so that each task's status (with its subqueries for a past
    date) is computed once per row; the outer query counts it per status, age and window.
    Written as conditional counts over the annotated queryset instead, Django repeats the
    whole status ``CASE`` in every count: 20 copies of every subquery per task, which
    made a past date cost seconds on the benchmark city (docs/performance.md).
    """
    day = as_of or business_today()
    annotated: Any = annotate_status(tasks, day)
    names = []
    for index, key in enumerate(keys):
        value = lead_unit_at(day) if key == "lead_unit" else F(key)
        annotated = annotated.annotate(**{f"k_{index}": value})
        names.append(f"k_{index}")
    inner = annotated.annotate(kind_=F("deadline_kind"), late_=F("awaiting_late"),
                               soon_=F("due_soon"), idle_=F("not_started"),
                               nodl_=F("no_deadline"),
                               due_=F("deadline_at")).order_by().values(
        *names, "status", "kind_", "late_", "soon_", "idle_", "nodl_", "due_")
    table, params = derived_table(inner)  # each task's status computed once per row
    adapt = connection.ops.adapt_datefield_value
    overdue, on_time = Status.IN_PROGRESS_OVERDUE.value, Status.IN_PROGRESS_ON_TIME.value
    columns: list[str] = ["COUNT(*)"]
    extra_params: list[Any] = []

    def count(condition: str, *values: Any) -> None:
        # An aggregate FILTER (SQLite ≥ 3.30, PostgreSQL): faster on SQLite than
        # SUM(CASE WHEN … THEN 1 ELSE 0 END) over 20,000 rows and 24 counts.
        columns.append(f"COUNT(*) FILTER (WHERE {condition})")
        extra_params.extend(values)

    for status in Status:
        count("t.status = %s", status.value)
    count("t.status = %s AND t.late_", Status.AWAITING_CONFIRMATION.value)
    count("t.status = %s AND t.soon_", on_time)
    count("t.idle_")
    # Overdue fixed-deadline tasks by age: 1–7, 8–30, 31–90, more than 90 days.
    fixed = DeadlineKind.FIXED.value
    bounds = [day - dt.timedelta(days=limit) for limit in AGE_LIMITS]
    count("t.status = %s AND t.kind_ = %s AND t.due_ >= %s", overdue, fixed, adapt(bounds[0]))
    count("t.status = %s AND t.kind_ = %s AND t.due_ < %s AND t.due_ >= %s", overdue, fixed,
          adapt(bounds[0]), adapt(bounds[1]))
    count("t.status = %s AND t.kind_ = %s AND t.due_ < %s AND t.due_ >= %s", overdue, fixed,
          adapt(bounds[1]), adapt(bounds[2]))
    count("t.status = %s AND t.kind_ = %s AND t.due_ < %s", overdue, fixed, adapt(bounds[2]))
    # Overdue recurring tasks: their age is the same for every task of a kind.
    recurring = list(RECURRENCE_OF_KIND)
    for kind in recurring:
        count("t.status = %s AND t.kind_ = %s", overdue, kind.value)
    for days in DUE_WINDOWS:
        count("t.status = %s AND t.due_ >= %s AND t.due_ <= %s", on_time, adapt(day),
              adapt(day + dt.timedelta(days=days)))
    count("t.status = %s AND t.nodl_", on_time)  # deadline still to set (second to last)
    columns.append("MIN(CASE WHEN t.status = %s AND t.kind_ = %s THEN t.due_ END)")
    extra_params.extend([overdue, fixed])
    group = ", ".join(f"t.{name}" for name in names)
    # Every piece is written here or compiled by Django; values are parameters.
    query = f"SELECT {group}, {', '.join(columns)} FROM {table} t GROUP BY {group}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query, [*extra_params, *params])  # in the order of the text
        rows = cursor.fetchall()
    width = len(names)
    recurring_days = [(day - overdue_since(None, kind, day)).days for kind in recurring]
    result: dict[tuple[Any, ...], Figures] = {}
    for row in rows:
        values = row[width:]
        by_status = dict(zip([status.value for status in Status], values[1:8], strict=True))
        counts = Counts(total=values[0], awaiting_late=values[8], due_soon=values[9],
                        not_started=values[10], no_deadline=values[-2] or 0,
                        **{name: by_status[name] or 0 for name in STATUS_COUNT_FIELDS})
        ages = list(values[11:15])
        oldest_due = _as_date(values[-1])
        oldest = (day - oldest_due).days if oldest_due is not None else 0
        for kind_days, n in zip(recurring_days, values[15:15 + len(recurring)], strict=True):
            if n:
                ages[age_bucket(kind_days)] += n
                oldest = max(oldest, kind_days)
        windows = values[15 + len(recurring):15 + len(recurring) + len(DUE_WINDOWS)]
        result[tuple(row[:width])] = Figures(
            counts=counts, ages=(ages[0], ages[1], ages[2], ages[3]), due_7=windows[0],
            due_30=windows[1], oldest_overdue_days=oldest)
    return result


STATUS_COUNT_FIELDS = [status.value for status in Status]


COUNT_FIELDS = [item.name for item in fields(Counts)]
EXTRA_SUMS = ("overdue_1_7", "overdue_8_30", "overdue_31_90", "overdue_over_90", "due_7",
              "due_30")


def figures_from_row(row: dict[str, Any]) -> Figures:
    return Figures(
        counts=Counts(**{name: row[name] or 0 for name in COUNT_FIELDS}),
        ages=(row["overdue_1_7"] or 0, row["overdue_8_30"] or 0, row["overdue_31_90"] or 0,
              row["overdue_over_90"] or 0),
        due_7=row["due_7"] or 0, due_30=row["due_30"] or 0,
        oldest_overdue_days=row["oldest_overdue_days"] or 0,
    )


def snapshot_aggregates() -> dict[str, Any]:
    values: dict[str, Any] = {name: Sum(name) for name in (*COUNT_FIELDS, *EXTRA_SUMS)}
    values["oldest_overdue_days"] = Max("oldest_overdue_days")
    return values
