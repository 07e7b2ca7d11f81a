"""Visitor statistics: right across local day/week/month boundaries, nothing lost under
concurrency, no personal data, crawlers not counted."""

import datetime as dt
import threading
import zoneinfo

import pytest
from django.db import connection
from django.test import RequestFactory

from dondoc.portal import visits
from dondoc.portal.models import VisitDay, VisitorSeen, VisitSalt

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
BROWSER = "Mozilla/5.0 (Windows NT 10.0) Chrome/130.0 Safari/537.36"


def view(address="203.0.113.7", agent=BROWSER):
    request = RequestFactory().get("/portal/", HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    visits.record(request)


def at(time_machine, *args):
    time_machine.move_to(dt.datetime(*args, tzinfo=HCM), tick=False)


@pytest.mark.django_db
def test_days_weeks_and_months_are_local_and_weeks_start_on_monday(time_machine):
    at(time_machine, 2026, 11, 29, 23, 30)  # Sunday, local
    view("203.0.113.7")
    visits.flush()
    # Monday 00:10 in Da Nang is still Sunday 17:10 in UTC: a new local day and week.
    at(time_machine, 2026, 11, 30, 0, 10)
    view("203.0.113.7")
    view("198.51.100.2")
    visits.flush()
    at(time_machine, 2026, 12, 1, 0, 5)  # Tuesday: a new month, the same week
    view("203.0.113.7")
    stats = visits.stats()  # before the flush: pending views count too
    assert (stats.today, stats.yesterday, stats.this_week, stats.this_month, stats.total) == (
        1, 2, 3, 1, 4)
    visits.flush()
    stats = visits.stats()
    assert (stats.today, stats.yesterday, stats.this_week, stats.this_month, stats.total) == (
        1, 2, 3, 1, 4)
    assert stats.visitors_today == 1
    assert VisitDay.objects.get(day=dt.date(2026, 11, 30)).visitors == 2
    assert stats.total_digits == list("00000004")


@pytest.mark.django_db
def test_the_same_visitor_counts_once_a_day_and_again_the_next_day(time_machine):
    at(time_machine, 2026, 6, 1, 9, 0)
    for _ in range(5):
        view()
    visits.flush()
    assert VisitDay.objects.get(day=dt.date(2026, 6, 1)).visitors == 1
    assert visits.stats().today == 5
    at(time_machine, 2026, 6, 2, 9, 0)
    view()
    visits.flush()
    assert VisitDay.objects.get(day=dt.date(2026, 6, 2)).visitors == 1


@pytest.mark.django_db
def test_no_address_is_stored_and_old_keys_and_salts_are_deleted(time_machine):
    at(time_machine, 2026, 6, 1, 9, 0)
    view("203.0.113.77")
    visits.flush()
    at(time_machine, 2026, 6, 3, 9, 0)
    view("203.0.113.77")
    visits.flush()
    stored = [*VisitorSeen.objects.values_list("key", flat=True),
              *VisitSalt.objects.values_list("salt", flat=True)]
    assert not any("203.0.113.77" in value for value in stored)
    assert set(VisitorSeen.objects.values_list("day", flat=True)) == {dt.date(2026, 6, 3)}
    assert set(VisitSalt.objects.values_list("day", flat=True)) == {dt.date(2026, 6, 3)}
    # Salts change daily: the same visitor has another key on another day.
    day1 = visits.visitor_key("203.0.113.77", BROWSER, dt.date(2026, 6, 3))
    assert len(day1) == 32 and day1 == VisitorSeen.objects.get().key


@pytest.mark.django_db
@pytest.mark.parametrize("agent", ["", "Googlebot/2.1 (+http://www.google.com/bot.html)",
                                   "curl/8.5.0", "python-requests/2.32",
                                   "Mozilla/5.0 (compatible; bingbot/2.0)"])
def test_crawlers_and_tools_are_not_counted(agent):
    view(agent=agent)
    visits.flush()
    assert visits.stats().total == 0


@pytest.mark.django_db(transaction=True)
def test_threads_hammering_the_counter_lose_no_view(settings):
    settings.PORTAL_FLUSH_SECONDS = 0  # flush on every view: the most contention
    threads, per_thread = 6, 40
    errors = []

    def hammer(n):
        try:
            for i in range(per_thread):
                view(f"198.51.100.{n}", agent=f"{BROWSER} {i % 3}")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=hammer, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    visits.flush()
    assert errors == []
    assert VisitDay.objects.get().views == threads * per_thread
    assert VisitDay.objects.get().visitors == threads * 3
