"""The dashboard's numbers are the status engine's, and every number opens its tasks.

One seeded world of random task histories (through the real services, with lead
transfers) is built once per module; the tests only read it, with "today" frozen. For
random scopes, documents and dates the dashboard must give the engine's summary of the
tasks that a unit of the scope led on that date; each league-table link, read by the
task list, must hold exactly the tasks its number counts; trend points and month-end
snapshots must equal the live statistics of those month ends.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django import DjangoDbBlocker

from dondoc.dashboards import selectors
from dondoc.dashboards.figures import age_bucket, live_figures, total
from dondoc.dashboards.models import SnapshotMonth
from dondoc.dashboards.selectors import Scope, dashboard
from dondoc.organization.models import Role, Unit, UnitKind, User
from dondoc.organization.tests.factories import UserFactory, make_unit
from dondoc.plans import selectors as task_selectors
from dondoc.plans.models import LeadUnitChange, Task
from dondoc.plans.tests.factories import make_document, random_history
from dondoc.progress import engine
from dondoc.progress.engine import Status
from dondoc.progress.selectors import due_soon_days, facts_for

pytestmark = pytest.mark.django_db

SEED = 20260110
TASK_COUNT = 90
START = dt.date(2023, 1, 1)
TODAY = dt.date(2024, 6, 12)
NOW = dt.datetime(2024, 6, 12, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@dataclass
class World:
    root: Unit
    units: list[Unit]
    staff: User
    documents: list[int]
    facts: dict[int, engine.TaskFacts]
    leads: dict[int, Unit]
    document_of: dict[int, int]
    changes: dict[int, list[LeadUnitChange]]

    def lead_path_at(self, pk: int, as_of: dt.date) -> str:
        for change in self.changes.get(pk, []):
            if change.changed_on > as_of:
                return change.old_unit.path
        return self.leads[pk].path

    def expected(self, unit: Unit, as_of: dt.date, documents: list[int] | None,
                 *, own_only: bool = False) -> list[engine.Evaluation]:
        result = []
        for pk, facts in self.facts.items():
            if documents is not None and self.document_of[pk] not in documents:
                continue
            path = self.lead_path_at(pk, as_of)
            if (path != unit.path) if own_only else not path.startswith(unit.path):
                continue
            evaluation = engine.evaluate(facts, as_of, due_soon_days=due_soon_days())
            if evaluation is not None:
                result.append(evaluation)
        return result


def _build_world() -> World:
    rng = random.Random(SEED)
    root = make_unit(None, "ROOT", "Công an thành phố", kind=UnitKind.AGENCY)
    staff_unit = make_unit(root, "PV01", "Phòng Tham mưu")
    d1 = make_unit(root, "D1", "Phòng 1")
    district = make_unit(root, "Q1", "Công an quận 1", kind=UnitKind.DISTRICT)
    leads = [d1, make_unit(d1, "D1-T1", kind=UnitKind.TEAM), district,
             make_unit(district, "Q1-P1", kind=UnitKind.WARD),
             make_unit(district, "Q1-P2", kind=UnitKind.WARD), staff_unit]
    units = list(Unit.objects.filter(pk__in=[unit.pk for unit in leads]))
    staff = UserFactory(username="dash-staff", unit=staff_unit, role=Role.STAFF)
    parent = make_document(staff_unit, code_prefix="DA", actor=staff,
                           issue_date=dt.date(2023, 1, 1))
    child = make_document(staff_unit, code_prefix="DB", actor=staff, parent=parent,
                          issue_date=dt.date(2023, 2, 1))
    for index in range(TASK_COUNT):
        random_history(rng, units, staff, START, TODAY,
                       document=parent if index % 3 else child)
    tasks = Task.objects.select_related("lead_unit").prefetch_related(
        "extensions", "completion_requests", "suspensions", "updates")
    changes: dict[int, list[LeadUnitChange]] = defaultdict(list)
    for change in LeadUnitChange.objects.select_related("old_unit").order_by("changed_on", "pk"):
        changes[change.task_id].append(change)
    return World(root=Unit.objects.get(pk=root.pk), units=units, staff=staff,
                 documents=[parent.pk, child.pk],
                 facts={task.pk: facts_for(task) for task in tasks},
                 leads={task.pk: task.lead_unit for task in tasks},
                 document_of={task.pk: task.document_id for task in tasks},
                 changes=dict(changes))


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    with time_machine.travel(NOW, tick=False), django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def scope_for(world: World, unit: Unit, as_of: dt.date, document: int | None,
              **options: Any) -> Scope:
    from dondoc.plans.models import Document

    doc = Document.objects.get(pk=document) if document else None
    return Scope(unit=unit, as_of=as_of, document=doc,
                 document_ids=selectors.parse_scope_documents(world.staff, doc), **options)


days = st.dates(min_value=dt.date(2023, 1, 1), max_value=TODAY)
unit_index = st.integers(min_value=0, max_value=6)
document_choice = st.sampled_from([None, 0, 1])


def _unit(world: World, index: int) -> Unit:
    return world.root if index == 6 else world.units[index]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=unit_index, day=days, document=document_choice)
def test_dashboard_numbers_equal_the_engine(world: World, index: int, day: dt.date,
                                            document: int | None) -> None:
    unit = _unit(world, index)
    doc = None if document is None else world.documents[document]
    board = dashboard(world.staff, scope_for(world, unit, day, doc, compare_on=None))
    expected = world.expected(unit, day,
                              None if doc is None else board.scope.document_ids)
    assert board.figures.counts == engine.summarize(expected)
    overdue = [e.days_overdue for e in expected if e.status is Status.IN_PROGRESS_OVERDUE]
    ages = [0, 0, 0, 0]
    for days_late in overdue:
        ages[age_bucket(days_late)] += 1
    assert list(board.figures.ages) == ages
    assert board.figures.oldest_overdue_days == max(overdue, default=0)
    soon = [e for e in expected if e.status is Status.IN_PROGRESS_ON_TIME and e.deadline]
    assert board.figures.due_7 == sum((e.deadline - day).days <= 7 for e in soon)
    assert board.figures.due_30 == sum((e.deadline - day).days <= 30 for e in soon)


def test_each_row_counts_its_subtree_or_only_its_own_tasks(world: World) -> None:
    day = dt.date(2024, 2, 14)
    for own_only in (False, True):
        board = dashboard(world.staff, scope_for(world, world.root, day, None, own_only=own_only,
                                                 expand=[u.pk for u in world.units]))
        assert board.rows, "the league table lists the units"
        for row in board.rows:
            unit = Unit.objects.get(pk=row.unit.pk)
            expected = world.expected(unit, day, None, own_only=own_only or row.own_row)
            assert row.figures.counts == engine.summarize(expected), row.unit.code


def _link_count(user: Any, link: str) -> int:
    query = QueryDict(urlsplit(link).query)
    filters = task_selectors.filters_from_params(query)
    assert not filters.errors
    return task_selectors.task_list(user=user, filters=filters).count()


@pytest.mark.parametrize("day", [dt.date(2023, 9, 30), dt.date(2024, 1, 17), TODAY])
@pytest.mark.parametrize("own_only", [False, True])
def test_every_league_link_lands_on_exactly_the_counted_tasks(world: World, day: dt.date,
                                                              own_only: bool) -> None:
    board = dashboard(world.staff, scope_for(world, world.root, day, world.documents[0],
                                             own_only=own_only,
                                             expand=[u.pk for u in world.units]))
    checked = 0
    for row in board.rows:
        for key, link in row.links.items():
            number = getattr(row.figures.counts, key)
            assert _link_count(world.staff, link) == number, (row.unit.code, key, link)
            checked += 1
    for key in ("total", "in_progress_overdue", "age_0", "age_1", "age_2", "age_3", "due_7",
                "due_30"):
        params = parse_qs(urlsplit(board.links[key]).query)
        assert params["as_of"] == [day.strftime("%d/%m/%Y")]
    assert _link_count(world.staff, board.links["total"]) == board.figures.counts.total
    assert _link_count(world.staff, board.links["due_30"]) == board.figures.due_30
    assert checked >= 30


def test_league_is_ranked_by_on_time_rate_by_default_and_sorts_by_any_column(
        world: World) -> None:
    day = dt.date(2024, 3, 31)
    board = dashboard(world.staff, scope_for(world, world.root, day, None))
    ranked = [row for row in board.rows if row.rank is not None]
    rates = [row.figures.rate if row.figures.rate is not None else -1 for row in ranked]
    assert rates == sorted(rates, reverse=True)
    assert [row.rank for row in ranked] == list(range(1, len(ranked) + 1))
    board = dashboard(world.staff, scope_for(world, world.root, day, None,
                                             sort="in_progress_overdue", descending=False))
    overdue = [row.figures.counts.in_progress_overdue for row in board.rows if row.rank]
    assert overdue == sorted(overdue)


def test_trend_points_and_snapshots_equal_statistics_on_month_ends(world: World) -> None:
    SnapshotMonth.objects.all().delete()
    district = next(unit for unit in world.units if unit.code == "Q1")
    scope = scope_for(world, world.root, TODAY, None)
    months, lines = selectors.trend(world.staff, scope, [world.root, district])
    assert len(months) == 12 and months[-1] == dt.date(2024, 5, 31)
    assert SnapshotMonth.objects.count() == 12
    for line in lines:
        for day, figures in line.points:
            assert figures.counts == engine.summarize(world.expected(line.unit, day, None))
            live = total(item for key, item in live_figures(
                Task.objects.all(), day).items()
                if key[0] in set(Unit.objects.filter(path__startswith=line.unit.path)
                                 .values_list("pk", flat=True)))
            assert figures == live
    # A month-end dashboard reads the snapshot and says the same as the live path.
    month_end = dt.date(2024, 2, 29)
    from_snapshot = dashboard(world.staff, scope_for(world, district, month_end, None))
    assert from_snapshot.from_snapshot
    assert from_snapshot.figures.counts == engine.summarize(
        world.expected(district, month_end, None))


@pytest.mark.parametrize("compare_on", [dt.date(2024, 1, 31), dt.date(2024, 1, 17)])
def test_the_compared_date_counts_the_whole_scope_as_the_engine(world: World,
                                                                  compare_on: dt.date) -> None:
    """A month end in the past is read as one summed row of its snapshot, another date
    live: either way the comparison is the engine's count for the scope at that date."""
    district = next(unit for unit in world.units if unit.code == "Q1")
    for unit in (world.root, district):
        for document in (None, world.documents[1]):  # all tasks; a child plan's
            scope = scope_for(world, unit, dt.date(2024, 3, 12), document,
                              compare_on=compare_on)
            board = dashboard(world.staff, scope)
            assert board.compare is not None
            assert board.compare.counts == engine.summarize(world.expected(
                unit, compare_on, None if document is None else scope.document_ids))


def test_lifetime_trend_starts_at_the_documents_issue(world: World) -> None:
    scope = scope_for(world, world.root, TODAY, world.documents[0])
    months = selectors.trend_months(scope, lifetime=True)
    assert months[0] == dt.date(2023, 1, 31)
    assert months[-1] == dt.date(2024, 5, 31)
