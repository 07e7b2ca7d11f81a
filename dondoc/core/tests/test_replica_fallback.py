"""A replica that is down or lagging: the dashboards read from the primary, without a 500.

As in test_dbrouter.py, ``replica`` is a mirror of the test database and the router is
installed by the tests. An unreachable replica is a ``replica`` alias that points to a
closed port (PostgreSQL) or into a folder that does not exist (SQLite); the lag is played
through ``dbrouter.lag_probe`` and the passing of time through ``dbrouter.clock``.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from conftest import Org, People
from dondoc.core import dbrouter
from dondoc.core.dbrouter import BACKOFF_SECONDS, LAG_CHECK_SECONDS, REPLICA, replay_lag
from dondoc.plans.tests.factories import make_document, make_task

ROUTER = "dondoc.core.dbrouter.PrimaryReplicaRouter"
BOTH = ["default", "replica"]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    """A process whose replica health starts unknown, with a clock the test moves."""
    value = Clock()
    monkeypatch.setattr(dbrouter, "clock", value)
    dbrouter.replica_health.reset()
    yield value
    dbrouter.replica_health.reset()


@pytest.fixture
def dashboard(login: Any, org: Org, people: People) -> Any:
    """A staff member's client, with something for the dashboard to count."""
    document = make_document(org.pv01, actor=people.staff)
    make_task(document, org.pc08, actor=people.staff, title="Việc khi bản sao hỏng")
    client = login(people.staff)
    client.get("/dashboard/")  # the month-end snapshots are written (on the primary)
    return client


def _closed_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nobody listens there once the socket is closed


class Unreachable:
    """The ``replica`` alias pointed at a database that cannot be reached, counting the
    attempts to connect."""

    def __init__(self, tmp_path: Path) -> None:
        self.original = connections[REPLICA]
        params = dict(self.original.settings_dict)
        if self.original.vendor == "postgresql":
            params.update(HOST="127.0.0.1", PORT=str(_closed_port()))
        else:
            params["NAME"] = str(tmp_path / "no-such-folder" / "replica.sqlite3")
        self.connection = type(self.original)(params, alias=REPLICA)
        self.attempts = 0
        connect = self.connection.get_new_connection

        def counted(conn_params: Any) -> Any:
            self.attempts += 1
            return connect(conn_params)

        self.connection.get_new_connection = counted  # type: ignore[method-assign]
        connections[REPLICA] = self.connection

    def restore(self) -> None:
        self.connection.close()
        connections[REPLICA] = self.original


@pytest.fixture
def unreachable(tmp_path: Path) -> Iterator[Unreachable]:
    replica = Unreachable(tmp_path)
    yield replica
    replica.restore()


def _get(client: Any, url: str) -> tuple[int, int, int]:
    """The status of GET url and how many queries reached the replica and the primary."""
    with CaptureQueriesContext(connections[REPLICA]) as on_replica, \
            CaptureQueriesContext(connections["default"]) as on_primary:
        status = client.get(url).status_code
    return status, len(on_replica.captured_queries), len(on_primary.captured_queries)


def _get_unreachable(client: Any, url: str) -> tuple[int, int]:
    """The status of GET url and how many queries reached the primary (none can reach an
    unreachable replica: capturing them would connect)."""
    with CaptureQueriesContext(connections["default"]) as on_primary:
        status = client.get(url).status_code
    return status, len(on_primary.captured_queries)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records
            if record.name == dbrouter.__name__ and record.levelno == logging.WARNING]


@pytest.mark.django_db(transaction=True, databases=BOTH)
@override_settings(DATABASE_ROUTERS=[ROUTER])
def test_an_unreachable_replica_is_skipped_for_a_while_and_the_primary_answers(
        dashboard: Any, unreachable: Unreachable, clock: Clock,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger=dbrouter.__name__)

    status, on_primary = _get_unreachable(dashboard, "/dashboard/")
    assert status == 200
    assert on_primary > 10  # the whole dashboard, not only the session and the user
    assert unreachable.attempts == 1
    assert len(_warnings(caplog)) == 1
    assert "cannot be reached" in _warnings(caplog)[0]

    clock.now += BACKOFF_SECONDS - 1  # within the back-off: not even tried
    for url in ("/dashboard/", "/reports/"):
        assert _get_unreachable(dashboard, url)[0] == 200
    assert unreachable.attempts == 1
    assert len(_warnings(caplog)) == 1

    clock.now += 2  # the back-off is over: tried again, still down, a new back-off
    assert _get_unreachable(dashboard, "/dashboard/")[0] == 200
    assert unreachable.attempts == 2
    assert len(_warnings(caplog)) == 2

    unreachable.restore()  # the replica is back
    clock.now += BACKOFF_SECONDS + 1
    status, on_replica, _ = _get(dashboard, "/dashboard/")
    assert status == 200
    assert on_replica > 0


@pytest.mark.django_db(transaction=True, databases=BOTH)
@override_settings(DATABASE_ROUTERS=[ROUTER], DONDOC_REPLICA_MAX_LAG_SECONDS=30)
def test_a_lagging_replica_is_skipped_until_it_catches_up(
        dashboard: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=dbrouter.__name__)
    lag: list[float | None] = [120.0]
    probes: list[float] = []

    def probe(connection: Any) -> float | None:
        probes.append(clock.now)
        return lag[0]

    monkeypatch.setattr(dbrouter, "lag_probe", probe)

    assert _get(dashboard, "/dashboard/")[:2] == (200, 0)
    assert len(_warnings(caplog)) == 1
    assert "120.0 s behind" in _warnings(caplog)[0]

    lag[0] = 0.5  # caught up, but the last measure holds for a few seconds
    for _ in range(3):
        assert _get(dashboard, "/dashboard/")[:2] == (200, 0)
    assert len(probes) == 1  # measured once, not per request

    clock.now += LAG_CHECK_SECONDS
    status, on_replica, _ = _get(dashboard, "/dashboard/")
    assert (status, len(probes)) == (200, 2)
    assert on_replica > 0
    assert _get(dashboard, "/reports/")[1] > 0
    assert len(probes) == 2

    lag[0] = None  # no replay timestamp while behind: lag unknown, so not trusted
    clock.now += LAG_CHECK_SECONDS
    assert _get(dashboard, "/dashboard/")[:2] == (200, 0)
    lag[0] = 31.0  # still lagging a check later: no second warning within the back-off
    clock.now += LAG_CHECK_SECONDS
    assert _get(dashboard, "/dashboard/")[:2] == (200, 0)
    assert len(_warnings(caplog)) == 2  # 120 s, then "an unknown time"
    assert "an unknown time" in _warnings(caplog)[1]


@pytest.mark.django_db(transaction=True, databases=BOTH)
@override_settings(DATABASE_ROUTERS=[ROUTER])
def test_a_replica_within_the_limit_is_read(dashboard: Any) -> None:
    """The real measure on the mirror (a server not in recovery: no lag)."""
    assert replay_lag(connections[REPLICA]) == 0.0
    status, on_replica, _ = _get(dashboard, "/dashboard/")
    assert status == 200
    assert on_replica > 0


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_lag_query_runs_on_postgresql() -> None:
    connection = connections[REPLICA]
    if connection.vendor != "postgresql":
        pytest.skip("the replay lag is a PostgreSQL measure")
    with connection.cursor() as cursor:
        cursor.execute(dbrouter.REPLAY_LAG_SQL)
        row = cursor.fetchone()
    assert row is not None
    assert float(row[0]) == 0.0  # the mirror is a primary


def _settings(**env: str) -> subprocess.CompletedProcess[str]:
    code = ("import json; from config import settings as s; "
            "print(json.dumps({'lag': s.DONDOC_REPLICA_MAX_LAG_SECONDS, "
            "'options': s.DATABASES.get('replica', {}).get('OPTIONS')}))")
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("DATABASE_", "DJANGO_"))}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**environment, **env}, cwd=settings.BASE_DIR, check=False)


def test_the_replica_settings_come_from_the_environment() -> None:
    result = _settings(DATABASE_URL="postgres://dondoc@db.example/dondoc",
                       DATABASE_REPLICA_URL="postgres://dondoc@replica.example/dondoc",
                       DATABASE_REPLICA_MAX_LAG="12")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["lag"] == 12
    assert values["options"]["connect_timeout"] == 3  # a silent host holds no request long
    assert "jit=off" in values["options"]["options"]

    refused = _settings(DATABASE_REPLICA_MAX_LAG="0")
    assert refused.returncode != 0
    assert "DATABASE_REPLICA_MAX_LAG must be at least 1" in refused.stderr


@pytest.mark.django_db(transaction=True, databases=BOTH)
@override_settings(DATABASE_ROUTERS=[ROUTER])
def test_a_kept_replica_connection_that_died_is_replaced_before_the_view_reads(
        dashboard: Any, caplog: pytest.LogCaptureFixture) -> None:
    replica = connections[REPLICA]
    if replica.vendor != "postgresql":
        pytest.skip("SQLite has no server to lose")
    assert _get(dashboard, "/dashboard/")[1] > 0  # the connection is now kept open
    pid = replica.connection.info.backend_pid
    with connections["default"].cursor() as cursor:  # the server ends it (a restart)
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(50):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone() == (0,):
                break
            time.sleep(0.05)

    status, on_replica, _ = _get(dashboard, "/dashboard/")

    assert status == 200
    assert on_replica > 0  # a new connection to the (reachable) replica
    assert replica.connection.info.backend_pid != pid
    assert _warnings(caplog) == []
