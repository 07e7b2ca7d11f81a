"""Month-end snapshots: computing, reading and dropping them.

A month end is snapshotted only once it is in the past (a write dated today can still
change today's figures). Reading a month that has no snapshot computes it first, so a
snapshot is never required, only faster; ``invalidate_from`` drops the months a write
dated in the past changes (called from ``invalidation.py``).

Each month holds *own* rows (the tasks a unit led itself: computed from the tasks) and
*subtree* rows (a unit with every unit below it: summed from the own rows in the
database, one grouped query per tree level). A dashboard reads the rows of the units it
shows and a trend one row per month, whatever the size of the tree below them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, QuerySet

from dondoc.dashboards.figures import (
    COUNT_FIELDS,
    EXTRA_SUMS,
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
    build_subtrees(month)
    return month


def _row(month: SnapshotMonth, unit_id: int, document_id: int | None, item: Figures, *,
         subtree: bool = False) -> MonthEndSnapshot:
    values: dict[str, Any] = {name: getattr(item.counts, name) for name in COUNT_FIELDS}
    values.update(overdue_1_7=item.ages[0], overdue_8_30=item.ages[1],
                  overdue_31_90=item.ages[2], overdue_over_90=item.ages[3],
                  due_7=item.due_7, due_30=item.due_30,
                  oldest_overdue_days=item.oldest_overdue_days)
    return MonthEndSnapshot(month=month, month_end=month.month_end, unit_id=unit_id,
                            document_id=document_id, subtree=subtree, **values)


@transaction.atomic
def build_subtrees(month: SnapshotMonth) -> None:
    """(Re)write the subtree rows of ``month`` from its own rows and today's unit tree.

    For each tree level L, the own rows of the units at depth ≥ L are grouped by their
    ancestor at level L (the unit whose path is their path's first L steps) and summed
    by the database into new rows: one ``INSERT … SELECT`` per level, nothing per unit
    (85,000 subtree rows a month at 1 M tasks)."""
    MonthEndSnapshot.objects.filter(month=month, subtree=True).delete()
    deepest = MonthEndSnapshot.objects.filter(month=month, subtree=False).aggregate(
        depth=Max("unit__depth"))["depth"] or 0
    summed = [*COUNT_FIELDS, *EXTRA_SUMS]
    table = connection.ops.quote_name(MonthEndSnapshot._meta.db_table)
    units = connection.ops.quote_name(Unit._meta.db_table)
    names = ", ".join(connection.ops.quote_name(name) for name in summed)
    sums = ", ".join(f"SUM(s.{connection.ops.quote_name(name)})" for name in summed)
    # Every name is a model field's, quoted by the backend; values are parameters.
    query = (
        f"INSERT INTO {table} (month_id, month_end, unit_id, document_id, subtree, {names}, "  # noqa: S608
        f"oldest_overdue_days) SELECT %s, %s, a.id, s.document_id, %s, {sums}, "
        f"MAX(s.oldest_overdue_days) FROM {table} s JOIN {units} u ON u.id = s.unit_id "
        f"JOIN {units} a ON a.path = SUBSTR(u.path, 1, %s) "
        f"WHERE s.month_id = %s AND s.subtree = %s AND u.depth >= %s "
        f"GROUP BY a.id, s.document_id")
    with connection.cursor() as cursor:
        for level in range(1, deepest + 1):
            cursor.execute(query, [month.pk, connection.ops.adapt_datefield_value(
                month.month_end), True, level * Unit.steplen, month.pk, False, level])
    month.subtrees_built = True
    month.save(update_fields=["subtrees_built"])


def ensure_months(days: list[dt.date]) -> None:
    """Compute the snapshots of the given month ends that are missing, and the subtree
    rows of those whose tree changed since they were summed."""
    wanted = [day for day in days if snapshottable(day)]
    have = dict(SnapshotMonth.objects.filter(month_end__in=wanted)
                .values_list("month_end", "subtrees_built"))
    for day in wanted:
        try:
            if day not in have:
                compute_month(day)
            elif not have[day]:
                _rebuild_subtrees(day)
        except IntegrityError:
            # Another request computed it at the same moment; anything else is a fault.
            if not SnapshotMonth.objects.filter(month_end=day, subtrees_built=True).exists():
                raise


def _rebuild_subtrees(day: dt.date) -> None:
    with transaction.atomic():
        month = SnapshotMonth.objects.select_for_update().filter(
            month_end=day, subtrees_built=False).first()
        if month is not None:  # else another request built them, or the month was dropped
            build_subtrees(month)


def snapshot_league(day: dt.date, *, unit_ids: list[int], document_ids: list[int] | None,
                    ) -> tuple[dict[int, Figures], dict[int, Figures]]:
    """The own and the subtree figures of each given unit at ``day``, from its snapshot
    (one query; units without any task at the date are missing)."""
    ensure_months([day])
    rows = _rows(MonthEndSnapshot.objects.filter(month_end=day, unit_id__in=unit_ids),
                 document_ids)
    own: dict[int, Figures] = {}
    subtree: dict[int, Figures] = {}
    for row in rows.values("unit_id", "subtree").annotate(**snapshot_aggregates()):
        (subtree if row["subtree"] else own)[row["unit_id"]] = figures_from_row(dict(row))
    return own, subtree


def snapshot_series(days: list[dt.date], *, unit_id: int, document_ids: list[int] | None,
                    ) -> dict[dt.date, Figures]:
    """The figures of a unit's whole subtree at each month end of ``days``: one query,
    a row per month (per document of ``document_ids``)."""
    ensure_months(days)
    rows = _rows(MonthEndSnapshot.objects.filter(month_end__in=days, unit_id=unit_id,
                                                 subtree=True), document_ids)
    return {row["month_end"]: figures_from_row(dict(row))
            for row in rows.values("month_end").annotate(**snapshot_aggregates())}


def _rows(rows: QuerySet[MonthEndSnapshot], document_ids: list[int] | None,
          ) -> QuerySet[MonthEndSnapshot]:
    if document_ids is not None:
        return rows.filter(document_id__in=document_ids).order_by()
    return rows.filter(document__isnull=True).order_by()


def invalidate_from(day: dt.date | None) -> None:
    """Drop every snapshot a change dated ``day`` may alter (month ends on or after it)."""
    if day is None:
        return
    SnapshotMonth.objects.filter(month_end__gte=day).delete()


def tree_changed() -> None:
    """A unit moved: every month's subtree rows are summed again on their next read."""
    MonthEndSnapshot.objects.filter(subtree=True).delete()
    SnapshotMonth.objects.update(subtrees_built=False)
