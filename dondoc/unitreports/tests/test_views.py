"""The pages of periodic reports: a unit fills and submits, staff accept or return,
outsiders get 404 by guessing ids, the matrix and its export are bounded in queries."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from dondoc.organization.models import Role
from dondoc.organization.tests.factories import UserFactory, make_unit
from dondoc.plans import services as plan_services
from dondoc.plans.tests.factories import make_document, make_task
from dondoc.progress.periods import parse_period
from dondoc.unitreports import services
from dondoc.unitreports.models import ReportState, UnitReport
from dondoc.unitreports.tests.test_unitreports import TZ

D = dt.date
TODAY = dt.datetime(2026, 10, 2, 9, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def obligation(org, people):
    document = make_document(org.catp, actor=people.staff)
    task = make_task(document, org.pc08, actor=people.staff, due_date=D(2026, 12, 31),
                     assigned_on=D(2026, 5, 2))
    plan_services.progress_post(actor=people.officer, task=task, unit=org.pc08, percent=40,
                                results="Đã rà soát", reported_on=D(2026, 8, 1))
    return services.obligation_create(
        actor=people.staff, document=document, owner_unit=org.catp, title="Báo cáo quý",
        kind="quarter", units=[org.pc08, org.pc06], with_subunits=False,
        first_period=parse_period("Q3/2026"), last_period=parse_period("Q4/2026"),
        deadline_rule="days_after_end", deadline_value=10, on=D(2026, 6, 1))


@pytest.fixture
def report(obligation, org, people):
    return services.report_start(actor=people.officer, obligation=obligation, unit=org.pc08,
                                 period_start=D(2026, 7, 1))


def test_unit_fills_submits_staff_returns_unit_resubmits(login, people, obligation, org):
    officer = login(people.officer)
    page = officer.get(reverse("unit_reports"))
    assert "Báo cáo quý — Q3/2026" in page.content.decode()
    started = officer.post(reverse("unit_report_start"), {
        "obligation": obligation.pk, "unit": org.pc08.pk, "period": "2026-07-01"})
    report = UnitReport.objects.get(unit=org.pc08)
    assert started.url == reverse("unit_report_detail", args=[report.pk])
    url = reverse("unit_report_detail", args=[report.pk])
    answer = officer.post(url, {"results": "Đã rà soát 12 đội", "difficulties": "",
                                "proposals": "", "version": report.version, "submit": "1"})
    assert answer.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    # A second tab, still on the old version, is told of the conflict.
    stale = login(people.manager).post(url, {"results": "x", "difficulties": "",
                                             "proposals": "", "version": 1})
    assert stale.status_code == 403  # submitted: nothing to edit any more
    staff = login(people.staff)
    assert "Return to the unit" in staff.get(url).content.decode() or \
        "Trả lại" in staff.get(url).content.decode()
    staff.post(reverse("unit_report_return", args=[report.pk]), {"reason": "Thiếu số liệu"})
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    assert "Thiếu số liệu" in officer.get(url).content.decode()
    officer.post(url, {"results": "Đã rà soát 12 đội, có số liệu", "difficulties": "",
                       "proposals": "", "version": report.version, "submit": "1"})
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    staff.post(reverse("unit_report_accept", args=[report.pk]))
    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED


def test_concurrent_edit_shows_the_conflict_message(login, people, report):
    url = reverse("unit_report_detail", args=[report.pk])
    login(people.officer).post(url, {"results": "A", "difficulties": "", "proposals": "",
                                      "version": report.version})
    page = login(people.manager).post(url, {"results": "B", "difficulties": "",
                                            "proposals": "", "version": report.version})
    assert page.status_code == 200
    assert "error-summary" in page.content.decode()
    report.refresh_from_db()
    assert report.results == "A"


def test_another_unit_gets_404_everywhere(login, people, report, client):
    outsider = login(people.outsider)
    for name in ("unit_report_detail", ):
        assert outsider.get(reverse(name, args=[report.pk])).status_code == 404
    for name in ("unit_report_submit", "unit_report_accept", "unit_report_return",
                 "unit_report_attach"):
        assert outsider.post(reverse(name, args=[report.pk])).status_code == 404
    item = services.report_attach(actor=people.officer, report=report,
                                  upload=SimpleUploadedFile("s.pdf", b"%PDF-1.4"))
    assert outsider.get(reverse("unit_report_file", args=[item.pk])).status_code == 404
    assert login(people.officer).get(reverse("unit_report_file",
                                             args=[item.pk])).status_code == 200
    export = outsider.get(reverse("unit_report_matrix_export"))
    book = load_workbook(io.BytesIO(export.content))
    codes = {row[0].value for sheet in book for row in sheet.iter_rows(min_row=5)}
    assert "PC08" not in codes and "PC06" in codes
    assert "PC08" not in outsider.get(reverse("unit_report_matrix")).content.decode()
    assert login(people.other_staff).get(reverse("unit_report_detail", args=[
        report.pk])).status_code == 404


def test_a_district_manager_cannot_accept(login, people, report, org):
    services.report_submit(actor=people.officer, report=report)
    manager = login(people.manager)  # the reporting unit's own manager
    assert manager.post(reverse("unit_report_accept", args=[report.pk])).status_code == 403
    district = make_unit(org.catp, "CAQ-HC", "Công an quận Hải Châu")
    head = UserFactory(username="district", unit=district, role=Role.UNIT_MANAGER,
                       otp_exempt=True)
    assert login(head).post(reverse("unit_report_accept",
                                    args=[report.pk])).status_code == 404
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_staff_define_an_obligation_and_bad_input_is_explained(login, people, org):
    document = make_document(org.catp, actor=people.staff)
    staff = login(people.staff)
    url = reverse("unit_report_obligation_create")
    data = {"document": document.pk, "title": "Báo cáo 6 tháng", "period_kind": "half",
            "first_period": "Q3/2026", "last_period": "H2/2027", "units": [org.pc08.pk],
            "deadline_rule": "days_after_end", "deadline_value": 5,
            "window_mode": "calendar"}
    page = staff.post(url, data)
    assert page.status_code == 200 and "error-summary" in page.content.decode()
    page = staff.post(url, {**data, "first_period": "H1/2026"})  # deadline 05/07 is past
    assert page.status_code == 200 and "05/07/2026" in page.content.decode()
    page = staff.post(url, {**data, "first_period": "H2/2027", "last_period": "H1/2027"})
    assert page.status_code == 200 and "error-summary" in page.content.decode()
    page = staff.post(url, {**data, "first_period": "mùa thu 2026"})
    assert page.status_code == 200 and "mùa thu 2026" in page.content.decode()
    assert staff.post(url, {**data, "first_period": "H2/2026"}).status_code == 302
    assert login(people.manager).get(url).status_code == 403


def test_matrix_queries_do_not_grow_with_units(login, people, obligation, org,
                                               django_assert_max_num_queries):
    staff = login(people.staff)
    staff.get(reverse("unit_report_matrix"))
    with django_assert_max_num_queries(14):
        small = staff.get(reverse("unit_report_matrix"))
    assert small.status_code == 200
    for index in range(15):
        unit = make_unit(org.catp, f"X{index:02d}", f"Đơn vị {index}")
        obligation.units.add(unit)
    with django_assert_max_num_queries(14):
        big = staff.get(reverse("unit_report_matrix") + "?state=due")
    assert big.content.decode().count('data-state="due"') >= 30
    export = staff.get(reverse("unit_report_matrix_export"))
    assert export.status_code == 200


def test_matrix_filter_errors_are_explained(login, people, obligation):
    page = login(people.staff).get(reverse("unit_report_matrix") + "?period=Q9/2026")
    assert page.status_code == 200 and "error-summary" in page.content.decode()


def test_home_card_for_a_unit_with_a_report_missing(login, people, obligation):
    with time_machine.travel(dt.datetime(2026, 10, 12, 9, tzinfo=TZ), tick=False):
        page = login(people.officer).get(reverse("home"))
    assert reverse("unit_reports") in page.content.decode()


def test_league_table_shows_reports_late_or_missing(login, people, obligation, org):
    with time_machine.travel(dt.datetime(2026, 10, 12, 9, tzinfo=TZ), tick=False):
        report = services.report_start(actor=people.officer, obligation=obligation,
                                       unit=org.pc08, period_start=D(2026, 7, 1))
        services.report_submit(actor=people.officer, report=report)  # late: after 10/10
        page = login(people.staff).get(reverse("dashboard")).content.decode()
        matrix = login(people.staff).get(f"{reverse('unit_report_matrix')}?unit={org.pc08.pk}"
                                         "&state=late").content.decode()
    assert "data-col=\"late_reports\"" in page
    link = f"{reverse('unit_report_matrix')}?unit={org.pc08.pk}&amp;state=late"
    assert link in page
    assert 'data-state="submitted_late"' in matrix and 'data-unit="PC06"' not in matrix
