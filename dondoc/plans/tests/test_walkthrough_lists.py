"""Issue 9 (walk-through), items 3, 4, 5 and 19: lists and statistics that describe the
date asked, rates that add up, a unit picker for every unit, printable lists."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine

from dondoc.api.tests.conftest import ApiClient, token_for
from dondoc.plans import services, views
from dondoc.plans.tests.factories import make_document, make_task

NOW = dt.datetime(2024, 5, 2, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def document(org, people):  # type: ignore[no-untyped-def]
    return make_document(org.catp, actor=people.staff)


def _report(people, task, percent, day):  # type: ignore[no-untyped-def]
    return services.progress_post(actor=people.officer, task=task, unit=task.lead_unit,
                                  percent=percent, results="Đã triển khai", reported_on=day)


def _progress_cells(html: str) -> list[str]:
    return re.findall(r'<span class="small">(\d+)%</span>', html)


# Item 3: progress as of the date ------------------------------------------------------


def test_a_list_as_of_a_past_date_shows_that_dates_progress(org, people, login, document):
    task = make_task(document, org.pc08, actor=people.staff, due_date=dt.date(2024, 6, 30))
    _report(people, task, 30, dt.date(2024, 3, 1))
    _report(people, task, 100, dt.date(2024, 4, 20))
    client = login(people.staff)

    assert _progress_cells(client.get("/tasks/").content.decode()) == ["100"]
    assert _progress_cells(client.get("/tasks/?as_of=15/02/2024").content.decode()) == ["0"]
    assert _progress_cells(client.get("/tasks/?as_of=15/03/2024").content.decode()) == ["30"]
    page = client.get(f"/tasks/{task.pk}/?as_of=15/03/2024").content.decode()
    assert 'data-progress="30"' in page and "15/03/2024" in page
    assert 'data-progress="100"' in client.get(f"/tasks/{task.pk}/").content.decode()
    listing = client.get("/tasks/?as_of=15/03/2024").content.decode()
    assert f'/tasks/{task.pk}/?as_of=15/03/2024"' in listing  # the task page keeps the date

    export = client.get("/tasks/export.xlsx?as_of=15/03/2024")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == task.code)
    assert row[7] == 30


def test_a_completed_task_shows_100_only_from_its_confirmation(org, people, login, document):
    task = make_task(document, org.pc08, actor=people.staff, due_date=dt.date(2024, 6, 30))
    _report(people, task, 60, dt.date(2024, 3, 1))
    request = services.completion_request(actor=people.officer, task=task, note="Xong",
                                          submitted_on=dt.date(2024, 3, 10))
    services.completion_decide(actor=people.staff, request=request, accept=True,
                               decided_on=dt.date(2024, 3, 20))
    client = login(people.staff)
    assert _progress_cells(client.get("/tasks/?as_of=15/03/2024").content.decode()) == ["60"]
    assert _progress_cells(client.get("/tasks/?as_of=25/03/2024").content.decode()) == ["100"]


# Item 4: rates rounded half up, and a table that lets the reader recompute them -------


def _overdue_and_completed(org, people, document, on_time: int, late: int, overdue: int,
                           awaiting_late: int = 0) -> None:  # type: ignore[no-untyped-def]
    def done(submitted: dt.date) -> None:
        task = make_task(document, org.pc08, actor=people.staff, due_date=dt.date(2024, 3, 31))
        request = services.completion_request(actor=people.officer, task=task, note="Xong",
                                              submitted_on=submitted)
        services.completion_decide(actor=people.staff, request=request, accept=True,
                                   decided_on=submitted)

    for _ in range(on_time):
        done(dt.date(2024, 3, 20))
    for _ in range(late):
        done(dt.date(2024, 4, 10))
    for _ in range(overdue):
        make_task(document, org.pc08, actor=people.staff, due_date=dt.date(2024, 3, 31))
    for _ in range(awaiting_late):
        task = make_task(document, org.pc08, actor=people.staff, due_date=dt.date(2024, 3, 31))
        services.completion_request(actor=people.officer, task=task, note="Xong",
                                    submitted_on=dt.date(2024, 4, 15))


def test_two_sevenths_shows_as_28_6_percent_everywhere(org, people, login, document):
    _overdue_and_completed(org, people, document, on_time=2, late=0, overdue=3,
                           awaiting_late=2)
    client = login(people.staff)

    stats_page = client.get(f"/statistics/?unit={org.catp.pk}").content.decode()
    assert "28,6 %" in stats_page and "28,5 %" not in stats_page
    assert "Chờ xác nhận, quá hạn" in stats_page  # its own column, so the rate adds up
    assert "28,6 %" in client.get("/documents/").content.decode()
    body = ApiClient(token_for(people.staff)).get("/statistics").json()
    assert body["counts"]["on_time_percent"] == 28.6
    assert body["counts"]["awaiting_late"] == 2


def test_two_thirds_shows_as_66_7_percent(org, people, login, document):
    _overdue_and_completed(org, people, document, on_time=2, late=1, overdue=0)
    page = login(people.staff).get(f"/statistics/?unit={org.catp.pk}").content.decode()
    assert "66,7 %" in page and "66,6 %" not in page


# Item 5: the statistics unit picker ------------------------------------------------------


def _picker_options(html: str) -> list[str]:
    picker = re.search(r'<select[^>]*id="s-unit".*?</select>', html, re.S)
    assert picker is not None
    return re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', picker.group(0))


def test_the_statistics_picker_offers_leaf_units_too(people, login):
    options = _picker_options(login(people.staff).get("/statistics/").content.decode())
    assert any(label.startswith("PC06 ") for label in options)  # a unit without sub-units
    assert any(label.startswith("PC08-D1 ") for label in options)


@pytest.mark.parametrize("who", ["outsider", "viewer", "team_officer"])
def test_a_unit_without_sub_units_can_pick_its_own_unit(people, login, who):
    user = getattr(people, who)
    response = login(user).get(f"/statistics/?unit={user.unit_id}")
    assert response.status_code == 200
    assert any(label.startswith(f"{user.unit.code} ")
               for label in _picker_options(response.content.decode()))


# Item 19: the overdue and awaiting lists, and printing a whole list -------------------


def test_the_overdue_list_shows_and_sorts_by_days_overdue(org, people, login, document):
    for day in (dt.date(2024, 4, 20), dt.date(2024, 3, 1), dt.date(2024, 4, 1)):
        make_task(document, org.pc08, actor=people.staff, due_date=day,
                  title=f"Hạn {day:%d/%m}")
    # A quarterly task with no report for Q1: overdue since 31/03/2024.
    make_task(document, org.pc08, actor=people.staff, deadline_kind="quarterly", due_date=None)
    client = login(people.staff)
    html = client.get("/tasks/?status=in_progress_overdue&sort=-days_overdue").content.decode()
    assert "Số ngày quá hạn" in html
    days = re.findall(r'days-overdue">.*?</span>(\d+)</td>', html)
    assert days == ["62", "32", "31", "12"]
    html = client.get("/tasks/?status=in_progress_overdue&sort=days_overdue").content.decode()
    assert re.findall(r'days-overdue">.*?</span>(\d+)</td>', html) == ["12", "31", "32", "62"]


def test_the_awaiting_list_shows_and_sorts_by_the_request_date(org, people, login, document):
    for day in (dt.date(2024, 4, 5), dt.date(2024, 3, 2), dt.date(2024, 4, 28)):
        task = make_task(document, org.pc08, actor=people.staff, due_date=dt.date(2024, 6, 1))
        services.completion_request(actor=people.officer, task=task, note="Xong",
                                    submitted_on=day)
    client = login(people.staff)
    html = client.get("/tasks/?status=awaiting_confirmation&sort=requested").content.decode()
    assert "Ngày đề nghị" in html
    assert re.findall(r'requested-on">.*?</span>([\d/]+)</td>', html) == [
        "02/03/2024", "05/04/2024", "28/04/2024"]
    html = client.get("/tasks/?status=awaiting_confirmation&sort=-requested&as_of=10/04/2024"
                      ).content.decode()
    assert re.findall(r'requested-on">.*?</span>([\d/]+)</td>', html) == ["05/04/2024", "02/03/2024"]


def test_printing_a_list_prints_every_row_with_its_heading(org, people, login, document,
                                                          settings):
    settings.DONDOC_ORG_NAME = "Công an thành phố Đà Nẵng"
    for number in range(30):
        make_task(document, org.pc08, actor=people.staff, due_date=dt.date(2024, 4, 1),
                  title=f"Nhiệm vụ số {number}")
    client = login(people.staff)
    listing = client.get(f"/tasks/?status=in_progress_overdue&lead={org.pc08.pk}")
    assert listing.content.decode().count("task-title") == 25  # one page on screen
    assert f"/tasks/print/?status=in_progress_overdue&amp;lead={org.pc08.pk}" in (
        listing.content.decode())

    html = client.get(f"/tasks/print/?status=in_progress_overdue&lead={org.pc08.pk}"
                      ).content.decode()
    assert html.count("Nhiệm vụ số") == 30
    assert "CÔNG AN THÀNH PHỐ ĐÀ NẴNG" in html
    assert "Phòng Cảnh sát giao thông" in html  # the lead-unit filter, in words
    assert "Đang thực hiện quá hạn" in html and "02/05/2024" in html
    assert "Số ngày quá hạn" in html


def test_beyond_the_print_limit_the_page_says_to_export(org, people, login, document,
                                                       monkeypatch):
    monkeypatch.setattr(views, "PRINT_LIMIT", 5)
    for _ in range(7):
        make_task(document, org.pc08, actor=people.staff)
    html = login(people.staff).get("/tasks/print/").content.decode()
    assert html.count("<tr>") - 1 == 5
    assert "Danh sách có 7 nhiệm vụ; chỉ in 5 nhiệm vụ đầu" in html
    assert "/tasks/export.xlsx?" in html


def test_my_units_print_and_export_keep_the_unit(org, people, login, document):
    make_task(document, org.pc08, actor=people.staff, title="Việc của Phòng CSGT")
    make_task(document, org.pc06, actor=people.staff, title="Việc của Phòng CSQLHC")
    client = login(people.manager)
    html = client.get("/tasks/mine/").content.decode()
    assert f"/tasks/export.xlsx?unit={org.pc08.pk}" in html  # not every visible task

    printed = client.get("/tasks/print/?list=mine").content.decode()
    assert "Việc của Phòng CSGT" in printed and "Việc của Phòng CSQLHC" not in printed
    assert "Nhiệm vụ của đơn vị" in printed
