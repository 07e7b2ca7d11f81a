"""The read-replica router: dashboards and reports read from ``replica``, all else the primary.

The test settings define ``replica`` as a mirror of the test database (no real replica is
needed); the router is installed only here, as ``DATABASE_REPLICA_URL`` would install it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connections, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from conftest import Org, People
from dondoc.core import dbrouter
from dondoc.core.dbrouter import PrimaryReplicaRouter, _reads, _RequestReads
from dondoc.organization.models import Unit
from dondoc.plans.tests.factories import make_document, make_task

ROUTER = "dondoc.core.dbrouter.PrimaryReplicaRouter"


@pytest.fixture
def replica_request() -> Iterator[_RequestReads]:
    """The state of a request that the middleware marked as a replica reader."""
    state = _RequestReads(replica=True)
    token = _reads.set(state)
    yield state
    _reads.reset(token)


def test_outside_a_request_everything_goes_to_the_primary() -> None:
    router = PrimaryReplicaRouter()
    assert router.db_for_read(Unit) is None
    assert router.db_for_write(Unit) == "default"


def test_a_marked_request_reads_from_the_replica(replica_request: _RequestReads) -> None:
    assert PrimaryReplicaRouter().db_for_read(Unit) == "replica"


def test_an_unmarked_request_reads_from_the_primary() -> None:
    token = _reads.set(_RequestReads(replica=False))
    try:
        assert PrimaryReplicaRouter().db_for_read(Unit) is None
    finally:
        _reads.reset(token)


def test_reads_after_a_write_in_the_same_request_stay_on_the_primary(
        replica_request: _RequestReads) -> None:
    router = PrimaryReplicaRouter()
    assert router.db_for_write(Unit) == "default"
    assert router.db_for_read(Unit) is None


@pytest.mark.django_db
def test_reads_inside_a_transaction_on_the_primary_stay_there(
        replica_request: _RequestReads) -> None:
    with transaction.atomic():  # (the test's own transaction is around it too)
        assert PrimaryReplicaRouter().db_for_read(Unit) is None


def test_the_replica_is_never_migrated() -> None:
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("replica", "plans") is False
    assert router.allow_migrate("default", "plans") is True


def _queries(alias: str) -> CaptureQueriesContext:
    return CaptureQueriesContext(connections[alias])


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
@override_settings(DATABASE_ROUTERS=[ROUTER])
def test_dashboards_and_reports_read_from_the_replica_and_other_pages_do_not(
        login, org: Org, people: People) -> None:
    document = make_document(org.pv01, actor=people.staff)
    make_task(document, org.pc08, actor=people.staff, title="Việc đọc từ bản sao")
    client = login(people.staff)
    client.get("/dashboard/")  # computes the month-end snapshots (a write: on the primary)
    for url in ("/dashboard/", "/reports/"):
        with _queries("replica") as on_replica, _queries("default") as on_primary:
            assert client.get(url).status_code == 200
        tables = " ".join(query["sql"] for query in on_replica.captured_queries)
        assert ("dashboards_" if url == "/dashboard/" else "reports_") in tables, url
        # The primary serves only what comes before the view (session, user) and writes.
        assert len(on_primary.captured_queries) < len(on_replica.captured_queries), url

    with _queries("replica") as on_replica:
        assert client.get(f"/tasks/?document={document.pk}").status_code == 200
    assert on_replica.captured_queries == []


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
@override_settings(DATABASE_ROUTERS=[ROUTER])
def test_a_post_to_a_report_view_uses_the_primary_only(login, people: People) -> None:
    client = login(people.staff)
    with _queries("replica") as on_replica:
        client.post("/reports/new/", {})
    assert on_replica.captured_queries == []


def _marked(rf, method: str, view, *, replica: bool, monkeypatch) -> bool:
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: replica)
    seen: list[bool] = []

    def respond(request):
        middleware.process_view(request, view, (), {})
        state = _reads.get()
        seen.append(bool(state and state.replica))
        return None

    middleware = dbrouter.ReplicaReadsMiddleware(respond)
    middleware(getattr(rf, method)("/"))
    assert _reads.get() is None  # the mark ends with its request
    return seen[0]


def test_the_middleware_marks_only_reads_of_dashboard_and_report_views(rf, monkeypatch) -> None:
    from dondoc.dashboards.views import dashboard
    from dondoc.plans.views import document_list
    from dondoc.reports.views import report_detail

    assert _marked(rf, "get", dashboard, replica=True, monkeypatch=monkeypatch)
    assert _marked(rf, "get", report_detail, replica=True, monkeypatch=monkeypatch)
    assert not _marked(rf, "post", report_detail, replica=True, monkeypatch=monkeypatch)
    assert not _marked(rf, "get", document_list, replica=True, monkeypatch=monkeypatch)
    assert not _marked(rf, "get", dashboard, replica=False, monkeypatch=monkeypatch)
