"""The dashboard's figures per unit (and document): the engine's counts and a few more.

``live_figures`` asks the status SQL of ``dondoc.progress.selectors`` (never a copy of
it): one aggregate query for the counts and one for the overdue and due-soon tasks,
whose ages are worked out here by the engine's rule. ``snapshot_figures`` reads the
same figures from the month-end snapshots (``snapshots.py``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.db.models import Max, Q, QuerySet, Sum

from dondoc.plans.models import Task
from dondoc.progress import engine
from dondoc.progress.engine import Counts, Status
from dondoc.progress.rates import percent
from dondoc.progress.selectors import (
    RECURRENCE_OF_KIND,
    annotate_status,
    business_today,
    lead_unit_at,
    statistics_by_keys,
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
            counts=add_counts(self.counts, other.counts),
            ages=(self.ages[0] + other.ages[0], self.ages[1] + other.ages[1],
                  self.ages[2] + other.ages[2], self.ages[3] + other.ages[3]),
            due_7=self.due_7 + other.due_7, due_30=self.due_30 + other.due_30,
            oldest_overdue_days=max(self.oldest_overdue_days, other.oldest_overdue_days),
        )

    @property
    def rate(self) -> Decimal | None:
        """The on-time rate in per cent, rounded half up to one decimal."""
        return percent(self.counts.on_time_rate)


def add_counts(first: Counts, second: Counts) -> Counts:
    return Counts(**{item.name: getattr(first, item.name) + getattr(second, item.name)
                     for item in fields(Counts)})


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


def live_figures(tasks: QuerySet[Task], as_of: dt.date | None,
                 keys: tuple[str, ...] = ("lead_unit",)) -> dict[tuple[Any, ...], Figures]:
    """Figures of ``tasks`` at D grouped by ``keys`` (``lead_unit`` = the lead on D):
    two queries whatever the number of units."""
    day = as_of or business_today()
    counts = {row.key: row.counts for row in statistics_by_keys(tasks, keys, day)}
    extras: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0] * 7)
    names = ["lead_unit_on" if key == "lead_unit" else key for key in keys]
    annotated: Any = annotate_status(tasks, day)
    if "lead_unit" in keys:
        annotated = annotated.annotate(lead_unit_on=lead_unit_at(day))
    horizon = day + dt.timedelta(days=max(DUE_WINDOWS))
    rows = annotated.filter(
        Q(status=Status.IN_PROGRESS_OVERDUE)
        | Q(status=Status.IN_PROGRESS_ON_TIME, deadline_at__gte=day, deadline_at__lte=horizon)
    ).order_by().values_list(*names, "status", "deadline_at", "deadline_kind")
    for *key, status, deadline, kind in rows:
        slot = extras[tuple(key)]
        if status == Status.IN_PROGRESS_OVERDUE:
            days = (day - overdue_since(deadline, kind, day)).days
            slot[age_bucket(days)] += 1
            slot[6] = max(slot[6], days)
        else:
            left = (deadline - day).days
            slot[4] += left <= DUE_WINDOWS[0]
            slot[5] += 1
    result: dict[tuple[Any, ...], Figures] = {}
    for key, value in counts.items():
        extra = extras.get(key, [0] * 7)
        result[key] = Figures(counts=value, ages=(extra[0], extra[1], extra[2], extra[3]),
                              due_7=extra[4], due_30=extra[5], oldest_overdue_days=extra[6])
    return result


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
