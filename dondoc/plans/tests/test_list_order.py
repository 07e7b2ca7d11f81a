"""Today's task list, most urgent first: open tasks with a date by their deadline (those
whose date is still to be set last among them), then those awaiting confirmation, the
other open ones (standing, recurring), the suspended and the closed; within a rank the
higher priority, then the code. On every page the same order; and on SQLite the page is
read in the order of the urgency index (plans migration 0013), not sorted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from dondoc.plans import selectors, services
from dondoc.plans.models import DeadlineKind, Task, TaskState
from dondoc.plans.tests.test_views import plan  # noqa: F401 - the fixture
from dondoc.progress.selectors import business_today

TODAY = business_today()
DAY = dt.timedelta(days=1)
OPEN = [TaskState.ASSIGNED, TaskState.IN_PROGRESS, TaskState.RETURNED]
RANK_OF_STATE = {TaskState.SUBMITTED: 1, TaskState.SUSPENDED: 3}
# (state, deadline kind, deadline, priority): every rank, undated and same-day ties.
SHAPES = [
    (TaskState.IN_PROGRESS, DeadlineKind.FIXED, TODAY - 9 * DAY, 2),
    (TaskState.ASSIGNED, DeadlineKind.FIXED, TODAY + 2 * DAY, 2),
    (TaskState.RETURNED, DeadlineKind.FIXED, TODAY + 2 * DAY, 4),
    (TaskState.ASSIGNED, DeadlineKind.NONE, None, 3),
    (TaskState.IN_PROGRESS, DeadlineKind.NONE, TODAY + 40 * DAY, 1),
    (TaskState.ASSIGNED, DeadlineKind.NONE, None, 1),
    (TaskState.SUBMITTED, DeadlineKind.FIXED, TODAY - 3 * DAY, 2),
    (TaskState.SUBMITTED, DeadlineKind.MONTHLY, None, 3),
    (TaskState.IN_PROGRESS, DeadlineKind.STANDING, None, 2),
    (TaskState.ASSIGNED, DeadlineKind.QUARTERLY, None, 4),
    (TaskState.SUSPENDED, DeadlineKind.FIXED, TODAY - 30 * DAY, 2),
    (TaskState.COMPLETED, DeadlineKind.FIXED, TODAY - 60 * DAY, 3),
    (TaskState.COMPLETED, DeadlineKind.FIXED, None, 2),
    (TaskState.IN_PROGRESS, DeadlineKind.FIXED, TODAY - 9 * DAY, 2),
]


def _rank(task: Task) -> tuple[object, ...]:
    """The order as the users were promised it, written out in Python."""
    if task.state in OPEN:
        urgency = 0 if task.deadline_kind in (DeadlineKind.FIXED, DeadlineKind.NONE) else 2
    else:
        urgency = RANK_OF_STATE.get(task.state, 4)
    return (urgency, task.deadline is None, task.deadline or dt.date.min, -task.priority,
            task.code)


@pytest.fixture
def shaped(org, people, plan) -> list[Task]:  # type: ignore[no-untyped-def]  # noqa: F811
    document, group = plan
    made = []
    for number, (state, kind, deadline, priority) in enumerate(SHAPES):
        task = services.task_create(
            actor=people.staff, document=document, group=group, title=f"Việc {number:02d}",
            lead_unit=org.pc08, assigning_unit=org.catp, due_date=TODAY + 100 * DAY,
            assigned_on=TODAY - 100 * DAY)
        # The stored fields the order reads, set directly: the services' own rules for
        # reaching each state are tested elsewhere.
        Task.objects.filter(pk=task.pk).update(state=state, deadline_kind=kind,
                                               deadline=deadline, priority=priority)
        made.append(Task.objects.get(pk=task.pk))
    return made


def _default_list(user) -> object:  # type: ignore[no-untyped-def]
    return selectors.task_list(user=user, filters=selectors.filters_from_params(QueryDict()))


def test_the_default_list_is_most_urgent_first(people, shaped) -> None:
    expected = [task.code for task in sorted(shaped, key=_rank)]
    listed = list(_default_list(people.staff).values_list("code", flat=True))
    assert listed == expected


@pytest.mark.parametrize("size", [1, 4, 5])
def test_every_page_continues_the_same_order(people, shaped, size) -> None:
    expected = [task.code for task in sorted(shaped, key=_rank)]
    tasks = _default_list(people.staff)
    filters = selectors.filters_from_params(QueryDict())
    pages = []
    for start in range(0, len(shaped) + size, size):
        rows, total = selectors.task_slice(tasks, start, start + size, filters=filters)
        assert total == len(shaped)
        pages.extend(task.code for task in rows)
    assert pages == expected


def test_the_list_page_shows_the_same_order(people, shaped, login) -> None:
    page = login(people.staff).get("/tasks/?page_size=50").content.decode()
    positions = [page.index(f">{task.code}<") for task in sorted(shaped, key=_rank)]
    assert positions == sorted(positions)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own index (0013)")
def test_the_sqlite_task_list_reads_the_urgency_index(people, shaped) -> None:
    """The terms of the list's order are the index's own: SQLite walks it and stops after
    the page instead of sorting every task (a bound parameter, or NULLS LAST, would make
    it sort)."""
    query = _default_list(people.staff).values_list("pk", flat=True)[25:50].query
    sql, params = query.get_compiler(using="default").as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    assert "USING INDEX plans_task_urgency" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # no sort, not even of a part of the order


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own index (0014)")
def test_the_sqlite_count_of_a_broad_list_reads_only_an_index(people, shaped) -> None:
    """An unfiltered list is counted apart from its page; for the agency's staff that
    count looks at every task of the agency, from the scope index, not the task rows."""
    tasks = _default_list(people.staff)
    with CaptureQueriesContext(connection) as queries:
        rows, total = selectors.task_slice(tasks, 0, 5, filters=selectors.filters_from_params(
            QueryDict()))
    assert total == len(shaped) and len(rows) == 5
    counts = [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"]]
    assert len(counts) == 1, counts
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {counts[0]}")
        plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    assert "SCAN plans_task USING COVERING INDEX plans_task_scope_count" in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own objects")
@pytest.mark.django_db
def test_the_migrated_sqlite_database_has_its_index_and_search_triggers() -> None:
    """Migrations 0012 to 0014 write SQLite objects Django's model state does not know.
    A later migration that makes SQLite rebuild ``plans_task`` (Django copies the table
    to change a column) would drop them silently: the list would sort every task again
    and the search index would stop following the tasks. This database was built by the
    migrations, so such a migration fails here until it creates them again."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE tbl_name = 'plans_task' "
                       "AND type IN ('index', 'trigger')")
        objects = set(cursor.fetchall())
    assert {("index", "plans_task_urgency"), ("index", "plans_task_scope_count")} <= objects
    if selectors._task_search_index(Task.objects.db):
        assert {("trigger", f"plans_task_search_{event}")
                for event in ("insert", "delete", "update")} <= objects
