"""Visitor statistics: right across local day/week/month boundaries, nothing lost under
concurrency, no personal data, crawlers not counted."""

import datetime as dt
import threading
import zoneinfo

import pytest
from django.db import connection
from django.db.models import F
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


HEADLESS = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/156.0.0.0 Safari/537.36")


def counter_on(html):
    """The total the page's odometer announces (its label), as a number."""
    import re

    found = re.search(r'class="odometer[^"]*" aria-label="[^"]*: (\d+)"', html)
    assert found, "no visitor counter on the page"
    return int(found.group(1))


@pytest.mark.django_db
def test_a_headless_browser_is_a_visitor_and_sees_its_views_counted(make_article, time_machine):
    """The demo's and the agency's own checks run headless Chromium: their views count
    (before the fix the counter read 0 to them, whatever they did)."""
    from django.test import Client

    at(time_machine, 2026, 11, 29, 9, 0)
    make_article("Tin", slug="t")
    browser = Client(HTTP_USER_AGENT=HEADLESS)
    browser.get("/portal/")
    browser.get("/portal/news/t/")
    assert counter_on(browser.get("/portal/category/tin-hoat-dong/").content.decode()) == 3
    # The home page is cached a few seconds for visitors; after that it shows them too.
    at(time_machine, 2026, 11, 29, 9, 0, 10)
    assert counter_on(browser.get("/portal/").content.decode()) == 4
    assert visits.stats().visitors_today == 1


@pytest.mark.django_db
def test_views_written_by_another_process_reach_the_page_within_seconds(
        make_article, time_machine, monkeypatch):
    import time
    import types

    from django.test import Client

    at(time_machine, 2026, 11, 29, 9, 0)
    clock = [1000.0]
    monkeypatch.setattr(visits, "time", types.SimpleNamespace(
        monotonic=lambda: clock[0], sleep=time.sleep))
    make_article("Tin", slug="t")
    browser = Client(HTTP_USER_AGENT=BROWSER)
    assert counter_on(browser.get("/portal/news/t/").content.decode()) == 1
    visits.flush()
    assert counter_on(browser.get("/portal/news/t/").content.decode()) == 2
    # Another worker process writes 7 views: this one reads the stored counts again once
    # they are older than STATS_TTL_S (5 s), never a query per view.
    VisitDay.objects.update(views=F("views") + 7)
    assert counter_on(browser.get("/portal/news/t/").content.decode()) == 3
    clock[0] += visits.STATS_TTL_S
    assert counter_on(browser.get("/portal/news/t/").content.decode()) == 11


@pytest.mark.django_db(transaction=True)
def test_the_flushing_thread_writes_the_views_without_a_visitor_waiting(make_article, settings):
    """What `make run` does: the views go to the database from a thread of the process."""
    import time

    from django.test import Client

    make_article("Tin", slug="t")
    settings.PORTAL_FLUSH_IN_BACKGROUND = True
    settings.PORTAL_FLUSH_SECONDS = 0.05
    browser = Client(HTTP_USER_AGENT=BROWSER)
    for _ in range(3):
        browser.get("/portal/news/t/")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not VisitDay.objects.filter(views=3).exists():
        time.sleep(0.05)
    settings.PORTAL_FLUSH_IN_BACKGROUND = False  # the thread ends at its next wake-up:
    visits._wake.set()  # wake it now and wait, so that it writes nothing after this test
    if visits._flusher is not None:
        visits._flusher.join(timeout=10)
        assert not visits._flusher.is_alive()
    assert VisitDay.objects.get().views == 3 and VisitDay.objects.get().visitors == 1
    assert counter_on(browser.get("/portal/news/t/").content.decode()) == 4


@pytest.mark.django_db
def test_a_returning_visitor_is_not_counted_twice_after_a_flush(time_machine):
    at(time_machine, 2026, 6, 1, 9, 0)
    view()
    visits.flush()
    view()
    view("198.51.100.9")
    assert visits.stats().visitors_today == 2
    visits.flush()
    assert visits.stats().visitors_today == 2
    assert VisitDay.objects.get().visitors == 2


@pytest.mark.django_db
@pytest.mark.parametrize("read_before", [True, False])
def test_the_counter_never_steps_back_or_doubles_while_a_flush_writes(
        time_machine, monkeypatch, read_before):
    """A page rendered while this process's flush is writing shows each view once."""
    at(time_machine, 2026, 6, 1, 9, 0)
    for _ in range(4):
        view()
    if read_before:
        assert visits.stats().total == 4  # the stored counts are cached from before
    seen = []

    class SaltsWhileWriting:  # the flush's last statement, inside its transaction
        class objects:  # stands in for the manager
            @staticmethod
            def filter(**lookups):
                seen.append(visits.stats().total)
                return VisitSalt.objects.filter(**lookups)

    monkeypatch.setattr(visits, "VisitSalt", SaltsWhileWriting)
    assert visits.flush() == 4
    assert seen == [4]
    assert visits.stats().total == 4


@pytest.mark.django_db
def test_visitors_today_reads_right_in_both_languages(make_article, settings):
    from django.test import Client

    make_article("Tin", slug="t")
    browser = Client(HTTP_USER_AGENT=BROWSER)
    assert "1 khách truy cập hôm nay" in browser.get("/portal/news/t/").content.decode()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "1 visitor today" in browser.get("/portal/news/t/").content.decode()
    Client(HTTP_USER_AGENT=HEADLESS).get("/portal/news/t/")
    assert "2 visitors today" in browser.get("/portal/news/t/").content.decode()
