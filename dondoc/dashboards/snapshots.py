"""Month-end snapshots: computing, reading and dropping them.

A month end is snapshotted only once it is in the past (a write dated today can still
change today's figures). Reading a month that has no snapshot computes it first, so a
snapshot is never required, only faster; ``invalidate_from`` drops the months a write
dated in the past changes (called from ``invalidation.py``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from dondoc.dashboards.figures import (
    COUNT_FIELDS,
    Figures,
    figures_from_row,
    live_figures,
    snapshot_aggregates,
)
from dondoc.dashboards.models import MonthEndSnapshot, SnapshotMonth
from dondoc.organization.models import Unit
from dondoc.plans.models import Task
from dondoc.progress.selectors import business_today


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def is_month_end(day: dt.date) -> bool:
    return day == month_end(day)


def previous_month_end(day: dt.date) -> dt.date:
    """The last month end strictly before ``day``."""
    return day.replace(day=1) - dt.timedelta(days=1)


def previous_quarter_end(day: dt.date) -> dt.date:
    """The last quarter end strictly before ``day``."""
    first_month = (day.month - 1) // 3 * 3 + 1
    return dt.date(day.year, first_month, 1) - dt.timedelta(days=1)


def month_ends(until: dt.date, count: int) -> list[dt.date]:
    """The ``count`` month ends up to ``until`` (included if it is one), oldest first."""
    last = until if is_month_end(until) else previous_month_end(until)
    ends = [last]
    while len(ends) < count:
        ends.append(previous_month_end(ends[-1]))
    return ends[::-1]


def snapshottable(day: dt.date) -> bool:
    """Whether the figures at ``day`` may be read from a snapshot."""
    return is_month_end(day) and day < business_today()


@transaction.atomic
def compute_month(day: dt.date) -> SnapshotMonth:
    """Compute and store the snapshot of month end ``day`` (replacing any old one)."""
    if not snapshottable(day):
        raise ValueError(f"{day} is not a past month end")
    figures = live_figures(Task.objects.all(), day, keys=("lead_unit", "document"))
    SnapshotMonth.objects.filter(month_end=day).delete()
    month = SnapshotMonth.objects.create(month_end=day)
    every_document: dict[int, Figures] = {}
    for (unit_id, _document_id), item in figures.items():
        every_document[unit_id] = every_document[unit_id] + item if unit_id in every_document \
            else item
    MonthEndSnapshot.objects.bulk_create([
        *(_row(month, unit_id, document_id, item)
          for (unit_id, document_id), item in figures.items() if unit_id is not None),
        *(_row(month, unit_id, None, item) for unit_id, item in every_document.items()
          if unit_id is not None),
    ], batch_size=500)
    return month


def _row(month: SnapshotMonth, unit_id: int, document_id: int | None, item: Figures,
         ) -> MonthEndSnapshot:
    values: dict[str, Any] = {name: getattr(item.counts, name) for name in COUNT_FIELDS}
    values.update(overdue_1_7=item.ages[0], overdue_8_30=item.ages[1],
                  overdue_31_90=item.ages[2], overdue_over_90=item.ages[3],
                  due_7=item.due_7, due_30=item.due_30,
                  oldest_overdue_days=item.oldest_overdue_days)
    return MonthEndSnapshot(month=month, month_end=month.month_end, unit_id=unit_id,
                            document_id=document_id, **values)


def ensure_months(days: list[dt.date]) -> None:
    """Compute the snapshots of the given month ends that are missing."""
    wanted = [day for day in days if snapshottable(day)]
    have = set(SnapshotMonth.objects.filter(month_end__in=wanted)
               .values_list("month_end", flat=True))
    for day in wanted:
        if day not in have:
            try:
                compute_month(day)
            except IntegrityError:  # another request computed it at the same moment
                continue


def snapshot_figures(day: dt.date, *, unit_path: str, document_ids: list[int] | None,
                     ) -> dict[int, Figures]:
    """Own figures per unit of the subtree at ``unit_path``, from the snapshot of ``day``."""
    ensure_months([day])
    rows = _rows(MonthEndSnapshot.objects.filter(month_end=day), unit_path, document_ids)
    return {row["unit_id"]: figures_from_row(dict(row))
            for row in rows.values("unit_id").annotate(**snapshot_aggregates())}


def snapshot_series(days: list[dt.date], *, unit_path: str, document_ids: list[int] | None,
                    ) -> dict[dt.date, Figures]:
    """The figures of a whole subtree at each month end of ``days``: one query."""
    ensure_months(days)
    rows = _rows(MonthEndSnapshot.objects.filter(month_end__in=days), unit_path, document_ids)
    return {row["month_end"]: figures_from_row(dict(row))
            for row in rows.values("month_end").annotate(**snapshot_aggregates())}


def _rows(rows: QuerySet[MonthEndSnapshot], unit_path: str, document_ids: list[int] | None,
          ) -> QuerySet[MonthEndSnapshot]:
    rows = rows.filter(unit__in=Unit.objects.filter(path__startswith=unit_path).values("pk"))
    if document_ids is not None:
        return rows.filter(document_id__in=document_ids).order_by()
    return rows.filter(document__isnull=True).order_by()


def invalidate_from(day: dt.date | None) -> None:
    """Drop every snapshot a change dated ``day`` may alter (month ends on or after it)."""
    if day is None:
        return
    SnapshotMonth.objects.filter(month_end__gte=day).delete()
