"""The roadmap and the deadline calendar: who sees what, status as of a date, bars that
span their dates, bad parameters, a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Org, People
from dondoc.dashboards import roadmap as reads
from dondoc.organization.models import Role, UnitKind
from dondoc.organization.tests.factories import UserFactory, make_unit
from dondoc.plans.models import Task
from dondoc.plans.tests.factories import make_document, make_group, make_task, random_history
from dondoc.progress.selectors import evaluate_task

NOW = dt.datetime(2024, 6, 12, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def wards(org: Org, people: People):
    district = make_unit(org.catp, "Q9", "Công an quận 9", kind=UnitKind.DISTRICT)
    p1 = make_unit(district, "Q9-P1", "Công an phường Một", kind=UnitKind.WARD)
    p2 = make_unit(district, "Q9-P2", "Công an phường Hai", kind=UnitKind.WARD)
    document = make_document(org.pv01, actor=people.staff)
    group = make_group(document, number="I", title="Xây dựng lực lượng", actor=people.staff)
    mine = make_task(document, p1, actor=people.staff, title="Việc của phường Một",
                     group=group, due_date=dt.date(2024, 6, 20))
    theirs = make_task(document, p2, actor=people.staff, title="Việc của phường Hai",
                       group=group, due_date=dt.date(2024, 6, 20))
    manager = UserFactory(username="ward1", unit=p1, role=Role.UNIT_MANAGER, otp_exempt=True)
    return p1, p2, manager, document, mine, theirs


def bars_of(page: str) -> dict[int, ET.Element]:
    """Every bar of every chart on the page, by task id, with its chart's axis."""
    found = {}
    for svg_text in re.findall(r'<svg class="gantt".*?</svg>', page, flags=re.S):
        svg = ET.fromstring(svg_text)  # noqa: S314 - our own page, in a test
        for rect in svg.iter(f"{SVG}rect"):
            if rect.get("data-task"):
                rect.set("origin", svg.get("data-origin", ""))
                rect.set("scale", svg.get("data-scale", ""))
                rect.set("left", svg.get("data-left", ""))
                found[int(rect.get("data-task", "0"))] = rect
    return found


def x_of(rect: ET.Element, day: dt.date) -> float:
    origin = dt.date.fromisoformat(rect.get("origin", ""))
    return float(rect.get("left", "0")) + (day - origin).days * float(rect.get("scale", "0"))


def test_the_bar_of_a_task_spans_its_dates(login, people: People, wards) -> None:
    _p1, _p2, _manager, document, mine, _theirs = wards
    page = login(people.staff).get(f"/documents/{document.pk}/roadmap/?zoom=month")
    assert page.status_code == 200
    bar = bars_of(page.content.decode())[mine.pk]
    start, end = dt.date(2024, 1, 10), dt.date(2024, 6, 20)
    assert bar.get("data-start") == start.isoformat() and bar.get("data-end") == end.isoformat()
    assert float(bar.get("x", "0")) == pytest.approx(x_of(bar, start), abs=0.01)
    assert float(bar.get("x", "0")) + float(bar.get("width", "0")) == pytest.approx(
        x_of(bar, end), abs=0.01)


def test_each_bar_links_to_its_task(login, people: People, wards) -> None:
    _p1, _p2, _manager, document, mine, theirs = wards
    page = login(people.staff).get(f"/documents/{document.pk}/roadmap/").content.decode()
    assert f'href="/tasks/{mine.pk}/"' in page and f'href="/tasks/{theirs.pk}/"' in page
    page = login(people.staff).get(
        f"/documents/{document.pk}/roadmap/?as_of=01/03/2024").content.decode()
    assert f'href="/tasks/{mine.pk}/?as_of=01/03/2024"' in page


def test_a_ward_manager_sees_only_the_wards_tasks(login, wards) -> None:
    _p1, p2, manager, document, mine, _theirs = wards
    client = login(manager)
    for group in ("group", "lead"):
        response = client.get(f"/documents/{document.pk}/roadmap/?group={group}")
        assert response.status_code == 200
        page = response.content.decode()
        assert "phường Một" in page and "phường Hai" not in page, group
        assert set(bars_of(page)) == {mine.pk}
    page = client.get(f"/calendar/?year=2024&month=6&unit={p2.pk}").content.decode()
    assert "phường Hai" not in page and "Q9-P2" not in page
    assert "Q9-P1" in page  # the scope fell back to the manager's own ward
    page = client.get("/calendar/?year=2024&month=6").content.decode()
    assert "Việc của phường Một" in page and "Việc của phường Hai" not in page


def test_a_document_you_cannot_read_is_404(login, org: Org, people: People) -> None:
    hidden = make_document(org.other, actor=people.other_staff)
    make_task(hidden, org.other, actor=people.other_staff)
    assert login(people.staff).get(f"/documents/{hidden.pk}/roadmap/").status_code == 404
    assert login(people.manager).get("/documents/999999/roadmap/").status_code == 404
    assert login(people.other_staff).get(f"/documents/{hidden.pk}/roadmap/").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, wards) -> None:
    document = wards[3]
    for url in (f"/documents/{document.pk}/roadmap/", "/calendar/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_colours_as_of_a_past_date_are_the_engines_statuses(login, org: Org,
                                                            people: People) -> None:
    rng = random.Random(7)
    document = make_document(org.pv01, actor=people.staff)
    units = [org.pc08, org.pc06, org.pc08_d1, org.px05]
    with time_machine.travel(dt.datetime(2023, 1, 1, tzinfo=ZoneInfo("UTC"))):
        for _ in range(25):
            random_history(rng, units, people.staff, dt.date(2023, 1, 1),
                           dt.date(2024, 6, 1), document=document)
    tasks = list(Task.objects.filter(document=document).prefetch_related(
        "extensions", "completion_requests", "suspensions", "updates"))
    client = login(people.staff)
    for day in (dt.date(2023, 4, 30), dt.date(2023, 11, 17), dt.date(2024, 6, 12)):
        text = day.strftime("%d/%m/%Y")
        bars = bars_of(client.get(
            f"/documents/{document.pk}/roadmap/?as_of={text}&group=lead").content.decode())
        expected = {}
        for task in tasks:
            evaluation = evaluate_task(task, day)
            if evaluation is not None:
                expected[task.pk] = evaluation.status.value
        assert {pk: bar.get("data-status") for pk, bar in bars.items()} == expected, text


def test_queries_are_bounded(login, org: Org, people: People, wards) -> None:
    document = wards[3]
    client = login(people.staff)
    counts = []
    for extra in (0, 40):
        for index in range(extra):
            group = make_group(document, number=str(index), title=f"Nhóm {index}",
                               actor=people.staff) if index % 10 == 0 else None
            make_task(document, org.pc08 if index % 2 else org.pc06, actor=people.staff,
                      group=group, title=f"Việc {index}")
        for url in (f"/documents/{document.pk}/roadmap/",
                    f"/documents/{document.pk}/roadmap/?group=lead&as_of=01/03/2024",
                    "/calendar/?year=2024&month=3"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[:3] == counts[3:], counts
    assert max(counts) <= 16, counts


def test_large_roadmaps_are_shown_group_by_group(login, org: Org, people: People,
                                                 monkeypatch) -> None:
    monkeypatch.setattr(reads, "PAGE_ROWS", 5)
    document = make_document(org.pv01, actor=people.staff)
    first = make_group(document, number="I", title="Một", actor=people.staff)
    second = make_group(document, number="II", title="Hai", actor=people.staff)
    for index in range(4):
        make_task(document, org.pc08, actor=people.staff, group=first, title=f"A{index}")
    for index in range(7):
        make_task(document, org.pc08, actor=people.staff, group=second, title=f"B{index}")
    client = login(people.staff)
    pages = [client.get(f"/documents/{document.pk}/roadmap/?page={n}").content.decode()
             for n in (1, 2, 3)]
    assert [len(bars_of(page)) for page in pages] == [4, 5, 2]
    assert 'data-testid="roadmap-pages"' in pages[0]
    assert "11" in pages[0]  # the total is said
    assert len(bars_of(client.get(
        f"/documents/{document.pk}/roadmap/?page=99").content.decode())) == 2


@pytest.mark.parametrize("query", ["zoom=foo", "group=bogus", "as_of=31/02/2024",
                                   "as_of=01/01/3000", "as_of=01/01/2030", "page=abc",
                                   "page=99999999999999999999"])
def test_bad_roadmap_choices_are_said_not_500(login, people: People, wards, query) -> None:
    document = wards[3]
    response = login(people.staff).get(f"/documents/{document.pk}/roadmap/?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    if not query.startswith("page"):
        assert 'class="alert alert-danger"' in page
    assert bars_of(page)  # the defaults were used


@pytest.mark.parametrize("query", ["month=13", "month=0", "month=x", "year=99999",
                                   "year=-1", "unit=abc", "unit=99999999999999999999999"])
def test_bad_calendar_choices_are_said_not_500(login, people: People, wards, query) -> None:
    response = login(people.staff).get(f"/calendar/?{query}")
    assert response.status_code == 200
    assert 'class="alert alert-danger"' in response.content.decode()


def test_the_calendar_lists_deadlines_by_day(login, org: Org, people: People, wards) -> None:
    _p1, _p2, _manager, document, mine, _theirs = wards
    late = make_task(document, org.pc08, actor=people.staff, title="Việc quá hạn",
                     due_date=dt.date(2024, 6, 3))
    page = login(people.staff).get("/calendar/").content.decode()  # June 2024
    assert "Việc của phường Một" in page and "Việc quá hạn" in page
    assert "tone-in_progress_overdue" in page
    day_link = re.search(r'href="([^"]*due_from=03%2F06%2F2024[^"]*)"', page)
    assert day_link is not None
    listed = login(people.staff).get(day_link.group(1).replace("&amp;", "&")).content.decode()
    assert "Việc quá hạn" in listed and "Việc của phường Một" not in listed
    assert f"/tasks/{late.pk}/" in page and f"/tasks/{mine.pk}/" in page
    may = login(people.staff).get("/calendar/?year=2024&month=5").content.decode()
    assert "Việc quá hạn" not in may and "year=2024&amp;month=6" in may


def test_the_roadmap_is_linked_from_the_document_the_dashboard_and_home(login, people: People,
                                                                       wards) -> None:
    document = wards[3]
    client = login(people.staff)
    assert f"/documents/{document.pk}/roadmap/" in client.get(
        f"/documents/{document.pk}/").content.decode()
    assert f"/documents/{document.pk}/roadmap/" in client.get(
        f"/dashboard/?document={document.pk}").content.decode()
    assert "/calendar/" in client.get("/dashboard/").content.decode()
    assert "/calendar/" in client.get("/").content.decode()


def test_a_task_without_deadline_runs_to_the_date_line(login, org: Org, people: People) -> None:
    document = make_document(org.pv01, actor=people.staff)
    standing = make_task(document, org.pc08, actor=people.staff, title="Việc thường xuyên",
                         deadline_kind="standing", due_date=None)
    page = login(people.staff).get(f"/documents/{document.pk}/roadmap/").content.decode()
    bar = bars_of(page)[standing.pk]
    assert bar.get("data-end") == "" and bar.get("data-status") == "standing"
    end = float(bar.get("x", "0")) + float(bar.get("width", "0"))
    assert end == pytest.approx(x_of(bar, NOW.date()), abs=0.01)
    assert "Nhiệm vụ thường xuyên" in page or "Standing task" in page


def test_a_far_deadline_does_not_blow_up_the_axis(login, org: Org, people: People) -> None:
    document = make_document(org.pv01, actor=people.staff)
    far = make_task(document, org.pc08, actor=people.staff, due_date=dt.date(2999, 12, 31))
    response = login(people.staff).get(f"/documents/{document.pk}/roadmap/?zoom=month")
    assert response.status_code == 200
    page = response.content.decode()
    assert far.pk in bars_of(page)
    assert len(page) < 200_000
    assert "too long for this time scale" in page or "quá lâu cho thang thời gian" in page
