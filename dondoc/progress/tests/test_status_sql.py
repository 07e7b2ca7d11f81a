"""The status SQL agrees with the pure engine, task by task and date by date.

One seeded world of random task histories is built through the real services, once per
module (building it is the slow part); every test then only reads it. For a spread of
dates D, each task's SQL status as of D must be the engine's status computed from the
same records, and the aggregate statistics must be the engine's summary.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django import DjangoAssertNumQueries, DjangoDbBlocker

from dondoc.organization.models import Role, Unit, UnitKind
from dondoc.organization.tests.factories import UserFactory, make_unit
from dondoc.plans.models import LeadUnitChange, Task
from dondoc.plans.tests.factories import make_document, random_history
from dondoc.progress import engine
from dondoc.progress.engine import Counts, Evaluation, Status, TaskFacts
from dondoc.progress.selectors import (
    _annotate_historic,
    _list_facts_historic,
    annotate_list_facts,
    annotate_status,
    business_today,
    counted_on,
    due_soon_days,
    facts_for,
    statistics,
    statistics_by,
    statistics_by_subtree,
    subtree_statistics,
    today_status_bound,
)

# Every test reads the shared world; the mark also makes pytest-django create the test
# database before the module fixture needs it.
pytestmark = pytest.mark.django_db

SEED = 20240612
TASK_COUNT = 150
START = dt.date(2023, 1, 1)
TODAY = dt.date(2024, 6, 12)  # the frozen business day; every history ends by then
NOW = dt.datetime(2024, 6, 12, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

# What is compared for each task at D: the status (None when the task does not count),
# and the due_soon, not_started, "awaiting confirmation, late" and no_deadline flags.
Row = tuple[Status | None, bool, bool, bool, bool]
NOT_COUNTED: Row = (None, False, False, False, False)


@dataclass
class World:
    root: Unit
    units: list[Unit]
    tasks: dict[int, Task]  # by id, with lead unit and workflow records loaded
    facts: dict[int, TaskFacts]  # the engine's input for each task, read once
    changes: dict[int, list[LeadUnitChange]]  # task id → its lead changes in date order

    def evaluations(self, as_of: dt.date) -> dict[int, Evaluation | None]:
        soon = due_soon_days()
        return {pk: engine.evaluate(facts, as_of, due_soon_days=soon)
                for pk, facts in self.facts.items()}

    def engine_rows(self, as_of: dt.date) -> dict[int, Row]:
        return {pk: row_of(evaluation) for pk, evaluation in self.evaluations(as_of).items()}

    def lead_path_at(self, pk: int, as_of: dt.date) -> str:
        """The lead unit's path at D, read from the transfer records in Python."""
        for change in self.changes.get(pk, []):
            if change.changed_on > as_of:
                return change.old_unit.path
        return self.tasks[pk].lead_unit.path


def row_of(evaluation: Evaluation | None) -> Row:
    if evaluation is None:
        return NOT_COUNTED
    awaiting_late = evaluation.status is Status.AWAITING_CONFIRMATION and evaluation.late
    return (evaluation.status, evaluation.due_soon, evaluation.not_started, awaiting_late,
            evaluation.no_deadline)


def sql_rows(queryset: Any) -> dict[int, Row]:
    """Every task id → its SQL row; a task the annotation filtered out is NOT_COUNTED."""
    rows = dict.fromkeys(Task.objects.values_list("pk", flat=True), NOT_COUNTED)
    for pk, status, due_soon, not_started, late, no_deadline in queryset.values_list(
            "pk", "status", "due_soon", "not_started", "awaiting_late", "no_deadline"):
        awaiting_late = status == Status.AWAITING_CONFIRMATION and bool(late)
        rows[pk] = (Status(status), bool(due_soon), bool(not_started), awaiting_late,
                    bool(no_deadline))
    return rows


def summary(world: World, as_of: dt.date, pks: Iterable[int] | None = None) -> Counts:
    evaluations = world.evaluations(as_of)
    return engine.summarize(evaluations[pk] for pk in (evaluations if pks is None else pks))


def _build_world() -> World:
    rng = random.Random(SEED)
    root = make_unit(None, "ROOT", "Công an thành phố", kind=UnitKind.AGENCY)
    staff_unit = make_unit(root, "PV01", "Phòng Tham mưu")
    d1 = make_unit(root, "D1", "Phòng 1")
    d2 = make_unit(root, "D2", "Phòng 2")
    district = make_unit(root, "Q1", "Công an quận 1", kind=UnitKind.DISTRICT)
    leads = [root, d1, make_unit(d1, "D1-T1", kind=UnitKind.TEAM),
             make_unit(d1, "D1-T2", kind=UnitKind.TEAM), d2,
             make_unit(d2, "D2-T1", kind=UnitKind.TEAM), district,
             make_unit(district, "Q1-P1", kind=UnitKind.WARD),
             make_unit(district, "Q1-P2", kind=UnitKind.WARD)]
    units = list(Unit.objects.filter(pk__in=[unit.pk for unit in leads]))  # fresh paths
    staff = UserFactory(username="world-staff", unit=staff_unit, role=Role.STAFF)
    documents = [make_document(staff_unit, code_prefix=prefix, actor=staff)
                 for prefix in ("W", "V")]
    for index in range(TASK_COUNT):
        random_history(rng, units, staff, START, TODAY, document=documents[index % 2])
    tasks = {task.pk: task for task in Task.objects.select_related("lead_unit").prefetch_related(
        "extensions", "completion_requests", "suspensions", "updates")}
    changes: dict[int, list[LeadUnitChange]] = defaultdict(list)
    for change in LeadUnitChange.objects.select_related("old_unit").order_by("changed_on", "pk"):
        changes[change.task_id].append(change)
    return World(root=Unit.objects.get(pk=root.pk), units=units, tasks=tasks,
                 facts={pk: facts_for(task) for pk, task in tasks.items()},
                 changes=dict(changes))


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    """The shared world, "today" frozen at TODAY. It is built in a transaction rolled back
    after the module, and no test writes to it."""
    with time_machine.travel(NOW, tick=False), django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


def days_of_interest(world: World) -> list[dt.date]:
    """Both sides of every decision (the day before and the day of each extension approval
    and completion decision); a seeded sample of the days around deadlines, submissions,
    suspensions, cancellations and transfers; mid-history days; before any assignment;
    today and the future. (Each date costs one query compilation: about 200 in all.)"""
    one = dt.timedelta(days=1)
    decisions: set[dt.date] = set()
    others: set[dt.date] = set()
    for pk, facts in world.facts.items():
        for day in [*(ext.approved_on for ext in facts.extensions),
                    *(req.decided_on for req in facts.completion_requests if req.decided_on)]:
            decisions.update({day - one, day})
        events = [facts.assigned_on, facts.cancelled_on, facts.due]
        events += [ext.new_due for ext in facts.extensions]
        events += [req.submitted_on for req in facts.completion_requests]
        events += [s.start for s in facts.suspensions] + [s.end for s in facts.suspensions]
        events += [change.changed_on for change in world.changes.get(pk, [])]
        for day in filter(None, events):
            others.update({day - one, day, day + one})
    rng = random.Random(SEED)
    others -= decisions
    sampled = rng.sample(sorted(others), k=min(len(others), 40))
    mid_history = [START + dt.timedelta(days=rng.randint(0, (TODAY - START).days))
                   for _ in range(10)]
    fixed = [START - one, TODAY, TODAY + one, TODAY + dt.timedelta(days=45), dt.date(2026, 1, 1)]
    return sorted({*decisions, *sampled, *mid_history, *fixed})


# --- The generated data is varied enough to mean something -----------------------------


def test_the_world_has_every_kind_of_history(world: World) -> None:
    seen_ever = {row[0] for day in days_of_interest(world)
                 for row in world.engine_rows(day).values()}
    assert seen_ever == {*Status, None}
    today = world.engine_rows(TODAY).values()
    assert {row[0] for row in today} >= {Status.COMPLETED_ON_TIME, Status.IN_PROGRESS_OVERDUE,
                                         Status.IN_PROGRESS_ON_TIME, Status.STANDING}
    assert any(row[2] for row in today), "some open task has no report yet"
    assert any(facts.cancelled_on for facts in world.facts.values())
    extensions = {ext.status for task in world.tasks.values() for ext in task.extensions.all()}
    assert extensions == {"approved", "refused", "pending", "withdrawn"}
    requests = [req.accepted for facts in world.facts.values() for req in facts.completion_requests]
    assert {True, False, None} <= set(requests), "accepted, returned and undecided requests"
    withdrawn = {req.status for task in world.tasks.values()
                 for req in task.completion_requests.all()}
    assert "withdrawn" in withdrawn, "some completion requests were withdrawn"
    assert any(facts.recurrence is not engine.Recurrence.NONE for facts in world.facts.values())
    assert world.changes, "some tasks were transferred"
    to_set = [pk for pk, facts in world.facts.items() if facts.deadline_to_set]
    assert any(row[4] for row in today), "some task still has no deadline today"
    assert any(world.facts[pk].extensions for pk in to_set), "some had their deadline set"
    assert any(row[4] for day in days_of_interest(world)
               for pk, row in world.engine_rows(day).items()
               if pk in to_set and world.facts[pk].extensions), "flagged before it was set"


def test_business_today_is_the_frozen_day(world: World) -> None:
    assert business_today() == TODAY


# --- Task by task, date by date -----------------------------------------------------------


def test_sql_status_equals_the_engine_for_every_task_on_every_date(world: World) -> None:
    days = days_of_interest(world)
    assert len(days) > 150
    mismatches = []
    for day in days:
        expected = world.engine_rows(day)
        actual = sql_rows(annotate_status(Task.objects.all(), as_of=day))
        mismatches += [(day, pk, actual[pk], expected[pk]) for pk in expected
                       if actual[pk] != expected[pk]]
    assert mismatches == []


def test_the_fast_form_for_today_agrees_with_the_historic_form(world: World) -> None:
    fast = annotate_status(Task.objects.all())  # as_of defaults to today: the fast form
    soon = TODAY + dt.timedelta(days=due_soon_days())
    historic = _annotate_historic(Task.objects.filter(counted_on(TODAY)), TODAY, soon)
    assert "plans_completionrequest" not in str(fast.query)
    assert "plans_completionrequest" in str(historic.query)
    assert sql_rows(fast) == sql_rows(historic) == world.engine_rows(TODAY)


def test_todays_status_bounds_keep_every_task_of_that_status(world: World) -> None:
    """A status filter of today's list also filters on ``today_status_bound`` (so that the
    database can use its state indexes): no task with that status may fall outside it.
    Each bound also leaves out some tasks, or it would not help."""
    today = world.engine_rows(TODAY)
    for status in Status:
        bound = today_status_bound(status, TODAY)
        assert bound is not None, status
        having = {pk for pk, row in today.items() if row[0] == status}
        assert having, status
        inside = set(Task.objects.filter(bound).values_list("pk", flat=True))
        assert having <= inside, (status, having - inside)
        assert set(world.tasks) - inside, status


def test_progress_and_request_date_as_of_d_are_those_known_at_d(world: World) -> None:
    """A list as of a past date shows the progress % of that date (issue 9, item 3): the
    latest report by D of the unit leading the task when it reported, 100 once
    completed; and the date of the request awaiting confirmation at D. Today's fast form
    (the maintained ``progress``) and the historic form agree."""

    def lead_when(pk: int, day: dt.date) -> int:
        later = [c for c in world.changes.get(pk, []) if c.changed_on > day]
        return later[0].old_unit_id if later else world.tasks[pk].lead_unit_id

    # The generator builds histories task by task, so a transfer made while building a
    # later task can be dated before reports of an earlier one: the maintained progress
    # of a transferred task then follows the order of generation, not of the dates.
    ambiguous = set(world.changes)
    soon = TODAY + dt.timedelta(days=due_soon_days())
    for day in [*days_of_interest(world)[::4], TODAY]:
        expected = {}
        for pk, evaluation in world.evaluations(day).items():
            if evaluation is None:
                continue
            reports = sorted((u.reported_on, u.pk, u.percent) for u in world.tasks[pk].updates.all()
                             if u.reported_on <= day and u.unit_id == lead_when(pk, u.reported_on))
            completed = evaluation.status in {Status.COMPLETED_ON_TIME, Status.COMPLETED_LATE}
            awaiting = evaluation.status is Status.AWAITING_CONFIRMATION
            expected[pk] = (100 if completed else reports[-1][2] if reports else 0,
                            evaluation.completed_on if awaiting else None)
        forms = [annotate_list_facts(annotate_status(Task.objects.all(), day), day)]
        if day == TODAY:  # the historic form on today too
            forms.append(_list_facts_historic(_annotate_historic(
                Task.objects.filter(counted_on(TODAY)), TODAY, soon), TODAY))
        for number, form in enumerate(forms):
            rows = form.values_list("pk", "progress_at", "awaiting_since", "status")
            actual = {pk: (progress, since if status == Status.AWAITING_CONFIRMATION else None)
                      for pk, progress, since, status in rows}
            diff = {pk: (actual.get(pk), expected[pk]) for pk in expected
                    if actual.get(pk) != expected[pk] and pk not in ambiguous}
            assert (day, number, diff) == (day, number, {})
    assert len(ambiguous) <= len(world.tasks) // 2


def test_statistics_equal_the_engine_summary_on_every_date(world: World) -> None:
    for day in [*days_of_interest(world)[::3], TODAY]:
        assert (day, statistics(Task.objects.all(), day)) == (day, summary(world, day))


def test_statistics_of_a_subset_equal_the_engine_summary(world: World) -> None:
    d1 = next(unit for unit in world.units if unit.code == "D1")
    led_by_d1 = [pk for pk, task in world.tasks.items() if task.lead_unit.path.startswith(d1.path)]
    for day in [dt.date(2023, 11, 30), TODAY]:
        expected = summary(world, day, led_by_d1)
        assert expected.total > 0
        assert statistics(Task.objects.filter(lead_unit__path__startswith=d1.path), day) == expected


def test_statistics_by_lead_unit_today_equal_the_engine_summary(world: World) -> None:
    expected: dict[int, list[int]] = defaultdict(list)
    for pk, task in world.tasks.items():
        expected[task.lead_unit_id].append(pk)
    rows = statistics_by(Task.objects.all(), "lead_unit")
    assert {row.key: row.counts for row in rows} == {
        unit: summary(world, TODAY, pks) for unit, pks in expected.items()
        if summary(world, TODAY, pks).total}


def test_each_statistic_is_one_query(world: World,
                                     django_assert_num_queries: DjangoAssertNumQueries) -> None:
    past = dt.date(2023, 9, 30)
    for as_of in (past, None):
        with django_assert_num_queries(1):
            assert statistics(Task.objects.all(), as_of).total > 0
        with django_assert_num_queries(1):
            assert statistics_by(Task.objects.all(), "lead_unit", as_of)
        with django_assert_num_queries(1):
            assert statistics_by_subtree(Task.objects.all(), parent_path=world.root.path,
                                         steplen=Unit.steplen, as_of=as_of)
        with django_assert_num_queries(1):
            assert subtree_statistics(Task.objects.all(), parent_path=world.root.path,
                                      steplen=Unit.steplen, as_of=as_of).total.total


def test_each_statistic_computes_a_tasks_status_once(world: World) -> None:
    """The status (with its subqueries for a past date) is computed once per task and
    counted outside, not repeated in each of the twelve counts."""
    past = dt.date(2023, 9, 30)
    for as_of in (past, None):
        with CaptureQueriesContext(connection) as queries:
            statistics(Task.objects.all(), as_of)
            statistics_by(Task.objects.all(), "lead_unit", as_of)
            subtree_statistics(Task.objects.all(), parent_path=world.root.path,
                               steplen=Unit.steplen, as_of=as_of)
        assert len(queries) == 3
        for query in queries.captured_queries:
            assert query["sql"].count("THEN 'suspended'") == 1, (as_of, query["sql"][:200])


def test_the_statistics_of_no_task_are_zeros_not_an_error(world: World) -> None:
    """A scope that can hold no task (``none()``: Django writes no SQL for it) counts
    nothing, as of today and of a past date."""
    for as_of in (dt.date(2023, 9, 30), None):
        assert statistics(Task.objects.none(), as_of) == Counts()
        assert statistics_by(Task.objects.none(), "lead_unit", as_of) == []
        found = subtree_statistics(Task.objects.none(), parent_path=world.root.path,
                                   steplen=Unit.steplen, as_of=as_of)
        assert (found.total, found.branches, found.documents) == (Counts(), {}, {})


# --- Invariants over any date -------------------------------------------------------------

any_day = st.dates(min_value=START - dt.timedelta(days=30), max_value=TODAY + dt.timedelta(days=60))
# The examples only read the module's world, so the function-scoped db fixture is safe.
read_only_examples = settings(max_examples=25, deadline=None, derandomize=True,
                              suppress_health_check=[HealthCheck.function_scoped_fixture])


@read_only_examples
@given(day=any_day)
def test_counts_by_status_sum_to_the_total(world: World, day: dt.date) -> None:
    counts = statistics(Task.objects.all(), day)
    assert sum(getattr(counts, status.value) for status in Status) == counts.total
    assert counts.completed + counts.open == counts.total
    assert counts.awaiting_late <= counts.awaiting_confirmation
    assert counts.due_soon <= counts.in_progress_on_time


@read_only_examples
@given(data=st.data())
def test_a_subtree_counts_the_sum_of_its_branches(world: World, data: st.DataObject) -> None:
    transfer_days = sorted({change.changed_on + dt.timedelta(days=offset)
                            for changes in world.changes.values() for change in changes
                            for offset in (-1, 0)})
    day = data.draw(st.one_of(any_day, st.sampled_from(transfer_days)))
    unit = data.draw(st.sampled_from(world.units))
    rows = statistics_by_subtree(Task.objects.all(), parent_path=unit.path,
                                 steplen=Unit.steplen, as_of=day)
    evaluations = world.evaluations(day)
    branches: dict[str, list[int]] = defaultdict(list)
    for pk, evaluation in evaluations.items():
        path = world.lead_path_at(pk, day)
        if evaluation is not None and path.startswith(unit.path):
            branches[path[: len(unit.path) + Unit.steplen]].append(pk)
    by_branch = {row.key: row.counts for row in rows}
    assert by_branch == {key: summary(world, day, pks) for key, pks in branches.items()}
    whole = [pk for pks in branches.values() for pk in pks]
    assert sum(by_branch.values(), Counts()) == summary(world, day, whole)


@read_only_examples
@given(data=st.data())
def test_a_subtrees_statistics_in_one_pass_equal_the_engine(world: World,
                                                            data: st.DataObject) -> None:
    """In all, per branch and per document: each the engine's summary of the tasks the
    subtree led on D (the documents of the world's tasks are split in two for this)."""
    day = data.draw(any_day)
    unit = data.draw(st.sampled_from(world.units))
    documents = sorted({task.document_id for task in world.tasks.values()})
    found = subtree_statistics(Task.objects.all(), parent_path=unit.path,
                               steplen=Unit.steplen, as_of=day)
    evaluations = world.evaluations(day)
    led = [pk for pk, evaluation in evaluations.items()
           if evaluation is not None and world.lead_path_at(pk, day).startswith(unit.path)]
    branches: dict[str, list[int]] = defaultdict(list)
    per_document: dict[int, list[int]] = defaultdict(list)
    for pk in led:
        branches[world.lead_path_at(pk, day)[: len(unit.path) + Unit.steplen]].append(pk)
        per_document[world.tasks[pk].document_id].append(pk)
    assert len(documents) == 2
    assert found.total == summary(world, day, led)
    assert found.branches == {key: summary(world, day, pks) for key, pks in branches.items()}
    assert found.documents == {key: summary(world, day, pks)
                               for key, pks in per_document.items()}


@read_only_examples
@given(data=st.data())
def test_statistics_before_a_transfer_count_the_old_unit(world: World,
                                                         data: st.DataObject) -> None:
    transferred = sorted(pk for pk, changes in world.changes.items()
                         if world.facts[pk].assigned_on < changes[0].changed_on)
    pk = data.draw(st.sampled_from(transferred))
    first = world.changes[pk][0]
    day = data.draw(st.dates(min_value=world.facts[pk].assigned_on,
                             max_value=first.changed_on - dt.timedelta(days=1)))
    rows = statistics_by_subtree(Task.objects.filter(pk=pk), parent_path=first.old_unit.path,
                                 steplen=Unit.steplen, as_of=day)
    if world.evaluations(day)[pk] is None:
        assert rows == []  # cancelled by then: it counts nowhere
    else:
        assert [(row.key, row.counts.total) for row in rows] == [(first.old_unit.path, 1)]


def test_a_transferred_task_counts_for_the_old_unit_before_and_the_new_one_after(
        world: World) -> None:
    pk, change = _single_transfer(world)
    task = world.tasks[pk]

    def branch(day: dt.date) -> list[str]:
        rows = statistics_by_subtree(Task.objects.filter(pk=pk), parent_path=world.root.path,
                                     steplen=Unit.steplen, as_of=day)
        return [row.key for row in rows]

    def branch_of(unit: Unit) -> str:
        return unit.path[: len(world.root.path) + Unit.steplen]

    assert branch(change.changed_on - dt.timedelta(days=1)) == [branch_of(change.old_unit)]
    assert branch(change.changed_on) == [branch_of(task.lead_unit)]
    assert branch(TODAY) == [branch_of(task.lead_unit)]


def _single_transfer(world: World) -> tuple[int, LeadUnitChange]:
    """A task transferred once, while it was open, between two different branches."""
    root_length = len(world.root.path) + Unit.steplen
    for pk, changes in sorted(world.changes.items()):
        change = changes[0]
        if (len(changes) == 1 and world.facts[pk].cancelled_on is None
                and world.facts[pk].assigned_on < change.changed_on
                and change.old_unit.path[:root_length]
                != world.tasks[pk].lead_unit.path[:root_length]):
            return pk, change
    raise AssertionError("the world has no such transfer")
