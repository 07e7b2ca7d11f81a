"""On the last day of a month the trend's last point is today: the page takes it from the
figures it already shows instead of computing the whole scope live a second time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Org, People
from dondoc.plans.tests.factories import make_document, make_task

MONTH_END = dt.datetime(2024, 5, 31, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(MONTH_END, tick=False):
        yield


def test_todays_month_end_is_computed_once_and_drawn_as_shown(login, org: Org,
                                                              people: People) -> None:
    document = make_document(org.pv01, actor=people.staff)
    make_task(document, org.pc08, actor=people.staff, due_date=dt.date(2024, 5, 20))
    make_task(document, org.pc06, actor=people.staff, due_date=dt.date(2024, 7, 1))
    client = login(people.staff)
    client.get("/dashboard/")  # builds the past months' snapshots
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/dashboard/")
    live = [q for q in queries if "COUNT(*) FILTER (WHERE t.status" in q["sql"]]
    assert len(live) == 1  # the scope's figures today, not again for the trend
    months, lines = response.context["trend"]
    assert months[-1] == MONTH_END.date()
    board = response.context["board"]
    assert lines[0].points[-1] == (MONTH_END.date(), board.figures)
    assert board.figures.counts.total == 2 and board.figures.counts.in_progress_overdue == 1
    # Another line than the scope is still computed for itself.
    other = client.get(f"/dashboard/?line={org.pc08.pk}").context["trend"][1][0]
    assert other.points[-1][1].counts.total == 1
