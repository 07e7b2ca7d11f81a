"""The ministry generator of ``make bench-scale`` at a tiny size, on the test PostgreSQL.

``make test`` never generates the ministry itself; this keeps its COPY path working (the
columns it writes, the indexes it drops and rebuilds, the sequences it moves) and checks
that the fields the services maintain agree with the workflow records it writes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count, Max

from bench import scale_generate
from bench.scale_generate import Shape
from dondoc.organization.models import Unit, User
from dondoc.plans.models import CompletionRequest, RequestStatus, Task
from dondoc.progress.models import ProgressUpdate
from dondoc.progress.selectors import (
    annotate_status,
    business_today,
    evaluate_task,
    statistics,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the ministry is generated with PostgreSQL's COPY"),
]

TINY = Shape(scale=0.0005, units=130, provinces=2, tasks=400, updates=4000)


def _connect() -> object:
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    params.pop("server_side_binding", None)
    return psycopg.connect(**params)


@pytest.fixture
def ministry() -> scale_generate.Facts:
    connection.close()  # the generator's own connections see what the test sees
    return scale_generate.generate(TINY, _connect, today=business_today(), log=lambda _m: None)


def test_it_writes_the_ministry_with_copy(ministry: scale_generate.Facts) -> None:
    counts = ministry.counts
    assert Unit.objects.count() == counts["units"] >= 100
    assert Unit.objects.filter(depth=2, kind="agency", is_scope_root=True).count() == 2
    assert Task.objects.count() == counts["tasks"] == TINY.tasks
    assert ProgressUpdate.objects.count() == counts["progress_updates"]
    assert 0.8 * TINY.updates < counts["progress_updates"] < 1.2 * TINY.updates
    assert User.objects.filter(username="scale.ministry", role="staff").exists()
    assert User.objects.filter(username__startswith="scale.t").count() == 2
    # Subtrees are prefix queries on treebeard's path.
    province = Unit.objects.filter(depth=2, kind="agency").first()
    assert province is not None
    assert Unit.objects.subtree_of(province).count() > 40
    assert Unit.objects.filter(path__startswith=province.path,
                               depth=province.depth + 1).count() == province.numchild


def test_the_indexes_and_sequences_are_back(ministry: scale_generate.Facts) -> None:
    with connection.cursor() as cursor:
        assert scale_generate.secondary_indexes(cursor, ["progress_progressupdate"])
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname = 'progress_task_date'")
        assert cursor.fetchone() is not None
    task = Task.objects.order_by("pk").first()
    assert task is not None
    update = ProgressUpdate.objects.create(task=task, unit=task.lead_unit, percent=50,
                                           reported_on=business_today(), results="Thử")
    assert update.pk > ministry.counts["progress_updates"]


def test_maintained_fields_agree_with_the_records(ministry: scale_generate.Facts) -> None:
    last = dict(ProgressUpdate.objects.values("task").annotate(day=Max("reported_on"))
                .values_list("task", "day"))
    for pk, last_report in Task.objects.values_list("pk", "last_progress_on"):
        assert last.get(pk) == last_report
    completed = Task.objects.filter(state="completed")
    assert completed.exists()
    approved = set(CompletionRequest.objects.filter(status=RequestStatus.APPROVED)
                   .values_list("task_id", flat=True))
    assert set(completed.values_list("pk", flat=True)) <= approved
    assert not Task.objects.filter(state="in_progress", last_progress_on__isnull=True).exists()
    assert not (Task.objects.annotate(n=Count("updates")).filter(state="assigned", n__gt=0)
                .exists())


def test_each_task_stores_the_agency_of_its_lead_unit(ministry: scale_generate.Facts
                                                      ) -> None:
    from dondoc.organization import scoping

    leads = Unit.objects.filter(pk__in=Task.objects.values("lead_unit"))
    agency_of = {pk: agency.pk if agency else None
                 for pk, agency in scoping.agencies_of(leads).items()}
    assert None not in agency_of.values()  # every unit lies under the ministry
    for lead, agency in Task.objects.values_list("lead_unit", "agency"):
        assert agency == agency_of[lead]


def test_the_coordinations_by_other_agencies_are_what_the_services_keep(
        ministry: scale_generate.Facts) -> None:
    from dondoc.plans.models import AgencyCoordination
    from dondoc.plans.services import agency_coordinations_refresh

    written = AgencyCoordination.objects.count()
    assert written == ministry.counts["agency_coordinations"] > 0
    assert agency_coordinations_refresh(Task.objects.values_list("pk", flat=True)) == 0
    assert AgencyCoordination.objects.count() == written


def test_the_status_sql_and_the_engine_agree_on_it(ministry: scale_generate.Facts) -> None:
    counts = statistics(Task.objects.all())
    assert counts.total > 0
    assert counts.completed_on_time and counts.in_progress_overdue and counts.standing
    for day in (business_today(), business_today() - dt.timedelta(days=45)):
        statuses = dict(annotate_status(Task.objects.all(), day).values_list("pk", "status"))
        tasks = Task.objects.filter(pk__in=list(statuses)[:150]).prefetch_related(
            "extensions", "completion_requests", "suspensions", "updates")
        for task in tasks:
            evaluation = evaluate_task(task, day)
            assert evaluation is not None
            assert evaluation.status == statuses[task.pk], task.code


def test_the_task_list_reads_the_urgency_index(ministry: scale_generate.Facts) -> None:
    """The expression of migration plans 0009 is the one Django writes for today's order:
    PostgreSQL can read the first page in index order (plans_task_urgency)."""
    from django.http import QueryDict

    from dondoc.plans import selectors

    user = User.objects.select_related("unit").get(username="scale.ministry")
    tasks = selectors.task_list(user=user, filters=selectors.filters_from_params(QueryDict()))
    query = tasks.values_list("pk", flat=True)[:25].query
    sql, params = query.get_compiler(using="default").as_sql()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_sort = off")  # at this size a sort would be cheaper
        try:
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_sort")
    assert "plans_task_urgency" in plan, plan
