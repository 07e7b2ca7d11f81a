"""Subtree rows of the month-end snapshots: each is the sum of the own rows below it, a
month-end dashboard reads them (one row per unit shown), and moving a unit sums them
again from the tree of the day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Org, People
from dondoc.dashboards import snapshots
from dondoc.dashboards.figures import COUNT_FIELDS, EXTRA_SUMS
from dondoc.dashboards.models import MonthEndSnapshot, SnapshotMonth
from dondoc.dashboards.selectors import Scope, dashboard, parse_scope_documents
from dondoc.organization import services as unit_services
from dondoc.organization.models import Unit, UnitKind
from dondoc.organization.tests.factories import make_unit
from dondoc.plans.tests.factories import make_document, make_task

NOW = dt.datetime(2024, 6, 12, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
MARCH = dt.date(2024, 3, 31)
SUMMED = (*COUNT_FIELDS, *EXTRA_SUMS)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def districts(org: Org, people: People) -> dict[str, Unit]:
    """Two districts, wards and a team below them, tasks at every level in two
    documents, some overdue at the end of March and some done."""
    q9 = make_unit(org.catp, "Q9", "Công an quận 9", kind=UnitKind.DISTRICT)
    q10 = make_unit(org.catp, "Q10", "Công an quận 10", kind=UnitKind.DISTRICT)
    p1 = make_unit(q9, "Q9-P1", "Công an phường Một", kind=UnitKind.WARD)
    p2 = make_unit(q9, "Q9-P2", "Công an phường Hai", kind=UnitKind.WARD)
    team = make_unit(p2, "Q9-P2-T", "Tổ công tác", kind=UnitKind.TEAM)
    first = make_document(org.pv01, actor=people.staff)
    second = make_document(org.pv01, actor=people.staff, number="02/KH-CATP")
    plan = [(q9, first, dt.date(2024, 2, 1)), (p1, first, dt.date(2024, 3, 5)),
            (p1, second, dt.date(2024, 5, 30)), (p2, first, dt.date(2024, 1, 20)),
            (team, first, dt.date(2024, 3, 1)), (team, second, dt.date(2024, 8, 1)),
            (q10, second, dt.date(2024, 2, 15)), (org.pc08, first, dt.date(2024, 4, 2))]
    for index, (unit, document, due) in enumerate(plan):
        make_task(document, unit, actor=people.staff, due_date=due,
                  title=f"Nhiệm vụ {index} của {unit.code}")
    # Adding a sibling renumbers the paths of the others (sorted by code): read them back.
    units = {key: Unit.objects.get(pk=unit.pk) for key, unit in
             (("q9", q9), ("q10", q10), ("p1", p1), ("p2", p2), ("team", team))}
    return {**units, "first": first, "second": second}  # type: ignore[dict-item]


def _sums(rows: list[dict]) -> dict[str, int]:
    return {name: sum(row[name] for row in rows) for name in SUMMED} | {
        "oldest_overdue_days": max((row["oldest_overdue_days"] for row in rows), default=0)}


def test_every_subtree_row_is_the_sum_of_the_own_rows_below_it(districts) -> None:
    snapshots.ensure_months([MARCH])
    rows = list(MonthEndSnapshot.objects.filter(month_end=MARCH).values(
        "unit__path", "document_id", "subtree", *SUMMED, "oldest_overdue_days"))
    own = [row for row in rows if not row["subtree"]]
    subtree = {(row["unit__path"], row["document_id"]): row for row in rows if row["subtree"]}
    expected_keys = {(path[:length], row["document_id"]) for row in own
                     for path in [row["unit__path"]]
                     for length in range(Unit.steplen, len(path) + 1, Unit.steplen)}
    assert set(subtree) == expected_keys  # a row for every unit with a task at or below it
    for (path, document_id), row in subtree.items():
        below = [item for item in own if item["unit__path"].startswith(path)
                 and item["document_id"] == document_id]
        assert {name: row[name] for name in (*SUMMED, "oldest_overdue_days")} == _sums(below)
    q9 = subtree[(districts["q9"].path, None)]
    assert q9["total"] == 6 and q9["in_progress_overdue"] == 4  # due 20/01, 01/02, 01/03, 05/03
    assert SnapshotMonth.objects.get(month_end=MARCH).subtrees_built


def test_a_month_end_dashboard_reads_one_row_per_unit_shown(org: Org, people: People,
                                                            districts) -> None:
    scope = Scope(unit=org.catp, as_of=MARCH, expand=[districts["q9"].pk])
    snapshots.ensure_months([MARCH])
    with CaptureQueriesContext(connection) as queries:
        board = dashboard(people.staff, scope)
    assert board.from_snapshot
    read = [q["sql"] for q in queries if "dashboards_monthendsnapshot" in q["sql"]]
    assert len(read) == 1 and "unit_id\" IN" in read[0].replace("`", "\"")
    rows = {(row.unit.code, row.own_row): row for row in board.rows}
    assert rows[("Q9", False)].figures.counts.total == 6
    assert rows[("Q9", True)].figures.counts.total == 1  # its own task, under the expanded row
    assert rows[("Q9-P2", False)].figures.counts.total == 3  # with its team
    assert rows[("Q9-P2", False)].expandable and not rows[("Q9-P2", False)].expanded
    assert rows[("Q10", False)].figures.counts.total == 1
    assert board.figures.counts.total == 8
    # The whole picture equals the live engine's on a day that is not a month end.
    live = dashboard(people.staff, Scope(unit=org.catp, as_of=MARCH + dt.timedelta(days=1),
                                         expand=[districts["q9"].pk]))
    assert not live.from_snapshot
    assert [(r.unit.code, r.own_row) for r in live.rows] == [
        (r.unit.code, r.own_row) for r in board.rows]


def test_moving_a_unit_sums_its_old_and_new_parents_again(org: Org, people: People,
                                                          districts) -> None:
    document_ids = parse_scope_documents(people.staff, districts["first"])
    snapshots.ensure_months([MARCH])
    before = dashboard(people.staff, Scope(unit=org.catp, as_of=MARCH))
    totals = {row.unit.code: row.figures.counts.total for row in before.rows}
    assert (totals["Q9"], totals["Q10"]) == (6, 1)

    unit_services.unit_move(actor=people.admin, unit=districts["p2"],
                            new_parent=districts["q10"])
    assert not SnapshotMonth.objects.get(month_end=MARCH).subtrees_built
    assert not MonthEndSnapshot.objects.filter(subtree=True).exists()
    after = dashboard(people.staff, Scope(unit=org.catp, as_of=MARCH))
    totals = {row.unit.code: row.figures.counts.total for row in after.rows}
    assert (totals["Q9"], totals["Q10"]) == (3, 4)  # the ward took its 3 tasks along
    assert after.figures.counts == before.figures.counts
    assert SnapshotMonth.objects.get(month_end=MARCH).subtrees_built
    q10 = Unit.objects.get(pk=districts["q10"].pk)
    one_document = dashboard(people.staff, Scope(unit=q10, as_of=MARCH,
                                                 document=districts["first"],
                                                 document_ids=document_ids))
    assert one_document.figures.counts.total == 2  # the ward's and its team's first-plan tasks
    series = snapshots.snapshot_series([MARCH], unit_id=q10.pk, document_ids=None)
    assert series[MARCH].counts.total == 4


def test_months_stored_before_subtree_rows_get_them_on_their_next_read(
        org: Org, people: People, districts) -> None:
    snapshots.ensure_months([MARCH])
    expected = dashboard(people.staff, Scope(unit=org.catp, as_of=MARCH))
    # As the migration leaves a month computed by an older version: own rows only.
    MonthEndSnapshot.objects.filter(subtree=True).delete()
    SnapshotMonth.objects.update(subtrees_built=False)
    again = dashboard(people.staff, Scope(unit=org.catp, as_of=MARCH))
    assert again.figures == expected.figures
    assert [(r.unit.code, r.figures) for r in again.rows] == [
        (r.unit.code, r.figures) for r in expected.rows]
