"""Unit period reports in the notification centre: submitted → the staff who decide,
returned/accepted → the unit; "report due" reminders on their days, once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dondoc.notifications.kinds import REPORT_DUE
from dondoc.notifications.models import Notification
from dondoc.notifications.reminders import run_reminder_pass
from dondoc.organization.models import Role
from dondoc.organization.tests.factories import UserFactory
from dondoc.plans.tests.factories import make_document, make_task
from dondoc.progress.periods import parse_period
from dondoc.unitreports import notices, services

D = dt.date
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: dt.date) -> time_machine.travel:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, tzinfo=TZ),
                               tick=False)


@pytest.fixture
def obligation(org, people):
    document = make_document(org.catp, actor=people.staff)
    make_task(document, org.pc08, actor=people.staff, due_date=D(2026, 8, 31),
              assigned_on=D(2026, 5, 2))
    # Q3/2026, due 10 days after the quarter: 10/10/2026.
    return services.obligation_create(
        actor=people.staff, document=document, owner_unit=org.catp, title="Báo cáo quý",
        kind="quarter", units=[org.pc08], with_subunits=False,
        first_period=parse_period("Q3/2026"), last_period=parse_period("Q3/2026"),
        deadline_rule="days_after_end", deadline_value=10, on=D(2026, 6, 1))


def started(people, org, obligation):
    report = services.report_start(actor=people.officer, obligation=obligation, unit=org.pc08,
                                   period_start=D(2026, 7, 1))
    services.report_update(actor=people.officer, report=report,
                           expected_version=report.version, results="Đã triển khai",
                           difficulties="", proposals="")
    report.refresh_from_db()
    return report


def kinds_of(user):
    """The report notices of ``user`` (the fixture's task assignment left aside)."""
    return sorted(Notification.objects.filter(recipient=user, object_label__startswith=
                                              "unitreports.").values_list("kind", flat=True))


@pytest.mark.django_db(transaction=True)
def test_submission_tells_the_deciding_staff_and_the_decision_tells_the_unit(
        org, people, obligation) -> None:
    other_agency_staff = people.other_staff
    with at(D(2026, 10, 2)):
        report = started(people, org, obligation)
        services.report_submit(actor=people.officer, report=report)
    assert kinds_of(people.staff) == [notices.UNIT_REPORT_SUBMITTED]
    assert kinds_of(other_agency_staff) == []
    assert kinds_of(people.officer) == []  # the actor is not told of their own step
    with at(D(2026, 10, 3)):
        services.report_return(actor=people.staff, report=report, reason="Thiếu số liệu")
    assert kinds_of(people.manager) == [notices.UNIT_REPORT_RETURNED]
    assert notices.UNIT_REPORT_RETURNED in kinds_of(people.officer)
    note = Notification.objects.get(recipient=people.manager, kind=notices.UNIT_REPORT_RETURNED)
    assert "Thiếu số liệu" in note.params["reason"]
    with at(D(2026, 10, 4)):
        report.refresh_from_db()
        services.report_submit(actor=people.officer, report=report)
        services.report_accept(actor=people.staff, report=report)
    assert kinds_of(people.staff).count(notices.UNIT_REPORT_SUBMITTED) == 2
    assert notices.UNIT_REPORT_ACCEPTED in kinds_of(people.manager)
    assert kinds_of(people.outsider) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("day", "reminded"), [
    (D(2026, 10, 3), True),    # 7 days before 10/10
    (D(2026, 10, 5), False),
    (D(2026, 10, 7), True),    # 3 days before
    (D(2026, 10, 10), True),   # the deadline
    (D(2026, 10, 11), True),   # missing: the day after
    (D(2026, 10, 12), False),
    (D(2026, 10, 18), True),   # and a week later
])
def test_report_due_reminders_come_on_their_days_once(org, people, obligation, day,
                                                       reminded) -> None:
    inactive = UserFactory(username="gone", unit=org.pc08, role=Role.UNIT_MANAGER,
                           is_active=False)
    with at(day):
        run_reminder_pass(day)
        run_reminder_pass(day)  # a second run of the same day writes nothing twice
    due = Notification.objects.filter(kind=REPORT_DUE)
    assert due.filter(recipient=people.manager).count() == (1 if reminded else 0)
    assert not due.filter(recipient__in=[inactive, people.outsider, people.staff]).exists()
    if reminded:
        assert due.get(recipient=people.manager).params["day"] == "10/10/2026"


@pytest.mark.django_db(transaction=True)
def test_a_submitted_report_is_no_longer_due(org, people, obligation) -> None:
    with at(D(2026, 10, 2)):
        report = started(people, org, obligation)
        services.report_submit(actor=people.officer, report=report)
    with at(D(2026, 10, 7)):
        run_reminder_pass(D(2026, 10, 7))
    assert not Notification.objects.filter(kind=REPORT_DUE).exists()
