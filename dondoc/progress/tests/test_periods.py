"""Statistics by period (issue 10): what a period text means, and the period's figures
equal the status engine's on generated task histories."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from pytest_django import DjangoDbBlocker

from dondoc.organization.models import Role, Unit, UnitKind
from dondoc.organization.tests.factories import UserFactory, make_unit
from dondoc.plans.models import Task
from dondoc.plans.tests.factories import make_document, random_history
from dondoc.progress import engine
from dondoc.progress.engine import Status
from dondoc.progress.periods import Period, PeriodError, parse_period, period_statistics
from dondoc.progress.selectors import facts_for

TODAY = dt.date(2024, 8, 20)
NOW = dt.datetime(2024, 8, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
D = dt.date


@pytest.mark.parametrize(("text", "start", "end", "label"), [
    ("Q3/2026", D(2026, 7, 1), D(2026, 9, 30), "Q3/2026"),
    ("q1/2025", D(2025, 1, 1), D(2025, 3, 31), "Q1/2025"),
    ("Quý 4/2024", D(2024, 10, 1), D(2024, 12, 31), "Q4/2024"),
    ("quy 2 nam 2026", D(2026, 4, 1), D(2026, 6, 30), "Q2/2026"),
    ("H1/2026", D(2026, 1, 1), D(2026, 6, 30), "H1/2026"),
    ("h2/2024", D(2024, 7, 1), D(2024, 12, 31), "H2/2024"),
    ("6 tháng đầu năm 2026", D(2026, 1, 1), D(2026, 6, 30), "H1/2026"),
    ("6 tháng cuối năm 2025", D(2025, 7, 1), D(2025, 12, 31), "H2/2025"),
    ("6 THÁNG ĐẦU NĂM  2024", D(2024, 1, 1), D(2024, 6, 30), "H1/2024"),
    ("9 tháng 2026", D(2026, 1, 1), D(2026, 9, 30), None),
    ("9 tháng đầu năm 2026", D(2026, 1, 1), D(2026, 9, 30), None),
    ("tháng 2/2024", D(2024, 2, 1), D(2024, 2, 29), "02/2024"),
    ("02/2023", D(2023, 2, 1), D(2023, 2, 28), "02/2023"),
    ("năm 2026", D(2026, 1, 1), D(2026, 12, 31), None),
    ("2026", D(2026, 1, 1), D(2026, 12, 31), None),
    ("15/03/2026", D(2026, 3, 15), D(2026, 3, 15), "15/03/2026"),
])
def test_period_texts(text: str, start: dt.date, end: dt.date, label: str | None) -> None:
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)
    if label is not None:
        assert period.label == label


@pytest.mark.parametrize("text", ["", "Q5/2026", "H3/2026", "quý/2026", "13/2026",
                                  "31/02/2026", "năm 20266", "0999", "tuần 3/2026",
                                  "Q3/26"])
def test_texts_that_name_no_period_are_refused_with_a_message(text: str) -> None:
    with pytest.raises(PeriodError) as raised:
        parse_period(text)
    assert str(raised.value)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[dict]:
    with time_machine.travel(NOW, tick=False), django_db_blocker.unblock(), transaction.atomic():
        rng = random.Random(20261003)
        root = make_unit(None, "PRD-ROOT", "Công an thành phố", kind=UnitKind.AGENCY)
        staff_unit = make_unit(root, "PRD-PV", "Phòng Tham mưu")
        units = [staff_unit, make_unit(root, "PRD-D1", "Phòng 1"),
                 make_unit(root, "PRD-Q1", "Công an quận 1", kind=UnitKind.DISTRICT)]
        staff = UserFactory(username="period-staff", unit=staff_unit, role=Role.STAFF)
        document = make_document(staff_unit, code_prefix="PA", actor=staff,
                                 issue_date=dt.date(2023, 1, 1))
        for _index in range(70):
            random_history(rng, list(Unit.objects.filter(pk__in=[u.pk for u in units])),
                           staff, dt.date(2023, 1, 1), TODAY, document=document)
        tasks = Task.objects.prefetch_related("extensions", "completion_requests",
                                              "suspensions", "updates")
        yield {"facts": [facts_for(task) for task in tasks]}
        transaction.set_rollback(True)


def _expected(facts: list[engine.TaskFacts], period: Period) -> dict[str, object]:
    until = min(period.end, TODAY)
    before = period.start - dt.timedelta(days=1)
    completed = {Status.COMPLETED_ON_TIME, Status.COMPLETED_LATE}
    assigned = on_time = late = overdue = 0
    due_in: list[engine.Evaluation] = []
    for item in facts:
        now = engine.evaluate(item, until)
        if now is None:
            continue
        assigned += item.assigned_on >= period.start
        earlier = engine.evaluate(item, before)
        if now.status in completed and (earlier is None or earlier.status not in completed):
            on_time += now.status is Status.COMPLETED_ON_TIME
            late += now.status is Status.COMPLETED_LATE
        overdue += now.status is Status.IN_PROGRESS_OVERDUE or (
            now.status is Status.AWAITING_CONFIRMATION and now.late)
        deadline = engine.deadline_in_force(item, until)
        if deadline is not None and period.start <= deadline <= period.end:
            due_in.append(now)
    return {"assigned": assigned, "completed_on_time": on_time, "completed_late": late,
            "overdue_at_end": overdue, "rate": engine.summarize(due_in).on_time_rate}


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["Q1/2024", "Q2/2024", "Q3/2024", "H2/2023", "2023",
                                  "9 tháng 2024", "tháng 5/2024", "năm 2024"])
def test_period_figures_equal_the_engine(world: dict, text: str) -> None:
    with time_machine.travel(NOW, tick=False):
        period = parse_period(text)
        found = period_statistics(Task.objects.all(), period)
    expected = _expected(world["facts"], period)
    assert (found.assigned, found.completed_on_time, found.completed_late,
            found.overdue_at_end) == (expected["assigned"], expected["completed_on_time"],
                                      expected["completed_late"], expected["overdue_at_end"])
    assert found.on_time_rate == expected["rate"]
    assert found.assigned > 0


@pytest.mark.django_db
def test_a_period_that_has_not_started_is_refused(world: dict) -> None:
    with time_machine.travel(NOW, tick=False), pytest.raises(PeriodError):
        period_statistics(Task.objects.all(), parse_period("Q4/2024"))


@pytest.mark.django_db
def test_the_statistics_page_shows_two_periods_side_by_side(org, people, login) -> None:
    client = login(people.staff)
    page = client.get("/statistics/", {"as_of": "Q1/2024", "compare": "6 tháng cuối năm 2023"})
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="period-table"' in text
    assert "Q1/2024" in text and "H2/2023" in text
    bad = client.get("/statistics/", {"as_of": "Q7/2024"}).content.decode()
    assert "Q7/2024" in bad and "is-invalid" in bad
