"""The dashboard pages: who sees what, errors, a bounded number of queries, snapshots
dropped by writes dated in the past, the export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from conftest import Org, People
from dondoc.dashboards import snapshots
from dondoc.dashboards.models import MonthEndSnapshot, SnapshotMonth
from dondoc.organization.models import Role, Unit, UnitKind
from dondoc.organization.tests.factories import UserFactory, make_unit
from dondoc.plans import services
from dondoc.plans.tests.factories import make_document, make_task

NOW = dt.datetime(2024, 6, 12, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


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
    make_task(document, p1, actor=people.staff, title="Việc của phường Một")
    make_task(document, p2, actor=people.staff, title="Việc của phường Hai",
              due_date=dt.date(2024, 2, 1))
    manager = UserFactory(username="ward1", unit=p1, role=Role.UNIT_MANAGER, otp_exempt=True)
    return p1, p2, manager, document


def test_a_ward_manager_never_sees_another_ward(login, wards) -> None:
    _p1, p2, manager, _document = wards
    client = login(manager)
    for url in ("/", "/dashboard/", f"/dashboard/?unit={p2.pk}", "/dashboard/?as_of=31/03/2024"):
        page = client.get(url).content.decode()
        assert "Q9-P2" not in page and "phường Hai" not in page, url
    page = client.get(f"/dashboard/?unit={p2.pk}").content.decode()
    assert f"Unknown unit: {p2.pk}" in page or f"Không tìm thấy đơn vị: {p2.pk}" in page
    workbook = load_workbook(io.BytesIO(client.get(
        f"/dashboard/export.xlsx?unit={p2.pk}").content))
    cells = " ".join(str(c.value) for ws in workbook for row in ws.iter_rows() for c in row)
    assert "phường Hai" not in cells and "phường Một" in cells


def test_leaders_get_the_full_picture_on_the_home_page(login, people: People, wards) -> None:
    page = login(people.leader).get("/").content.decode()
    assert 'id="league-title"' in page
    assert "Q9" in page  # the district's row
    assert 'id="attention-title"' in page  # the home cards stay


def test_a_viewer_sees_what_is_shared_with_the_unit(login, org: Org, people: People) -> None:
    document = make_document(org.pv01, actor=people.staff)
    make_task(document, org.pc06, actor=people.staff, coordinating_units=[org.pc08])
    page = login(people.viewer).get("/dashboard/").content.decode()
    assert 'data-testid="shared-link"' in page
    assert "1 task shared" in page or "1 nhiệm vụ" in page


def test_bad_choices_are_reported_in_the_users_language(login, people: People) -> None:
    client = login(people.staff)
    page = client.get("/dashboard/?as_of=31/02/2024&sort=bogus&compare=date").content.decode()
    assert "Enter a valid date as dd/mm/yyyy." in page or "Nhập ngày hợp lệ" in page
    assert 'class="alert alert-danger"' in page
    page = client.get("/dashboard/?as_of=01/01/2030").content.decode()
    assert "The date cannot be in the future." in page or "tương lai" in page


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_dashboard_makes_a_bounded_number_of_queries(login, org: Org, people: People) -> None:
    document = make_document(org.pv01, actor=people.staff)
    make_task(document, org.pc08, actor=people.staff)
    client = login(people.staff)
    SnapshotMonth.objects.all().delete()
    client.get("/dashboard/")  # computes the month-end snapshots once
    urls = ["/dashboard/", f"/dashboard/?document={document.pk}&as_of=31/03/2024",
            "/dashboard/?as_of=17/03/2024&compare=date&compare_on=02/02/2024"]
    few = [_queries(client, url) for url in urls]
    for index in range(30):
        unit = make_unit(org.pc08 if index % 2 else org.pc06, f"T{index}", kind=UnitKind.TEAM)
        make_task(document, unit, actor=people.staff, due_date=dt.date(2024, 1 + index % 6, 3))
    SnapshotMonth.objects.all().delete()
    client.get("/dashboard/")
    many = [_queries(client, url) for url in urls]
    assert many == few
    assert max(many) <= 40


def test_a_write_dated_in_the_past_drops_the_snapshots_it_changes(org: Org,
                                                                  people: People) -> None:
    document = make_document(org.pv01, actor=people.staff)
    task = make_task(document, org.pc08, actor=people.staff)
    snapshots.ensure_months([dt.date(2024, 1, 31), dt.date(2024, 3, 31), dt.date(2024, 5, 31)])
    assert SnapshotMonth.objects.count() == 3
    services.progress_post(actor=people.officer, task=task, unit=org.pc08, percent=10,
                           results="Đã triển khai", reported_on=NOW.date())
    assert SnapshotMonth.objects.count() == 3  # dated today: no month end changes
    services.progress_post(actor=people.officer, task=task, unit=org.pc08, percent=20,
                           results="Bổ sung báo cáo", reported_on=dt.date(2024, 3, 5))
    assert list(SnapshotMonth.objects.values_list("month_end", flat=True)) == [
        dt.date(2024, 1, 31)]
    snapshots.ensure_months([dt.date(2024, 3, 31)])
    row = MonthEndSnapshot.objects.get(month_end=dt.date(2024, 3, 31), unit=org.pc08,
                                       document__isnull=True, subtree=False)
    assert (row.total, row.not_started) == (1, 0)  # the report of 05/03 is counted now


def test_a_corrected_due_date_drops_snapshots_from_the_assignment(org: Org,
                                                                  people: People) -> None:
    document = make_document(org.pv01, actor=people.staff)
    task = make_task(document, org.pc08, actor=people.staff)
    snapshots.ensure_months([dt.date(2023, 12, 31), dt.date(2024, 4, 30)])
    before = MonthEndSnapshot.objects.get(month_end=dt.date(2024, 4, 30), unit=org.pc08,
                                          document__isnull=True, subtree=False)
    assert before.in_progress_overdue == 1
    services.task_update(actor=people.staff, task=task, expected_version=task.version,
                         due_date=dt.date(2024, 12, 31))
    assert list(SnapshotMonth.objects.values_list("month_end", flat=True)) == [
        dt.date(2023, 12, 31)]
    snapshots.ensure_months([dt.date(2024, 4, 30)])
    after = MonthEndSnapshot.objects.get(month_end=dt.date(2024, 4, 30), unit=org.pc08,
                                         document__isnull=True, subtree=False)
    assert (after.in_progress_overdue, after.in_progress_on_time) == (0, 1)


def test_the_export_holds_every_table(login, people: People, wards) -> None:
    _p1, _p2, _manager, document = wards
    response = login(people.leader).get(f"/dashboard/export.xlsx?document={document.pk}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 5  # summary, ages, league, task groups, trend
    league = workbook.worksheets[2]
    names = [row[0].value for row in league.iter_rows(min_row=4)]
    assert any("Q9" in str(name) or "quận 9" in str(name) for name in names)


def test_the_api_gives_the_dashboards_numbers_with_the_same_scoping(login, people: People,
                                                                     wards) -> None:
    _p1, p2, manager, _document = wards
    district = Unit.objects.get(code="Q9")
    body = login(people.leader).get(f"/api/v1/dashboard?unit={district.pk}"
                                    "&as_of=2024-03-31&compare_on=2024-01-31").json()
    assert body["as_of"] == "2024-03-31" and body["compare_on"] == "2024-01-31"
    wards_seen = {row["unit"]["code"]: row for row in body["league"]}
    assert set(wards_seen) == {"Q9-P1", "Q9-P2"}
    assert wards_seen["Q9-P2"]["figures"]["counts"]["in_progress_overdue"] == 1
    assert wards_seen["Q9-P2"]["figures"]["on_time_rate_percent"] == 0.0
    assert body["figures"]["counts"]["total"] == 2
    ward = login(manager)
    refused = ward.get(f"/api/v1/dashboard?unit={p2.pk}")
    assert refused.status_code == 422
    assert "unit" in refused.json()["errors"]
    own = ward.get("/api/v1/dashboard").json()
    assert own["unit"]["code"] == "Q9-P1" and own["figures"]["counts"]["total"] == 1


def test_the_command_computes_the_last_month_ends_ahead_of_time(org: Org) -> None:
    from django.core.management import call_command

    call_command("dashboard_snapshots", months=2, stdout=io.StringIO())
    assert list(SnapshotMonth.objects.values_list("month_end", flat=True)) == [
        dt.date(2024, 4, 30), dt.date(2024, 5, 31)]
