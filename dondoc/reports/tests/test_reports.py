"""The consolidated report: figures as of the cut-off, the draft's life, issuing and
freezing, the files read back, permissions and bad input."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from docx import Document as WordDocument
from openpyxl import load_workbook

from dondoc.audit.models import AuditEvent
from dondoc.core import officedocs
from dondoc.plans import services as plan_services
from dondoc.plans.models import Task
from dondoc.progress import engine, periods
from dondoc.progress.selectors import facts_for
from dondoc.reports import render, services, signing
from dondoc.reports.models import ConsolidatedReport, ReportStatus
from dondoc.reports.xlsx import render_xlsx

pytestmark = pytest.mark.django_db

Q3 = periods.parse_period("Q3/2026")
CUT_OFF = dt.date(2026, 9, 30)


def _create(user, unit, document, period=Q3, cut_off=None) -> ConsolidatedReport:
    return services.report_create(actor=user, scope_unit=unit, document=document,
                                  period=period, cut_off=cut_off)


def _issue(report, user, number="125/BC-CATP-PV01") -> ConsolidatedReport:
    return services.report_issue(actor=user, report=report, expected_version=report.version,
                                 number=number)


# Figures ---------------------------------------------------------------------------------


def test_statistics_are_the_engines_numbers_as_of_the_cut_off(org, people, city) -> None:
    report = _create(people.staff, org.catp, city.document)
    tasks = Task.objects.filter(document=city.document).prefetch_related(
        "extensions", "completion_requests", "suspensions", "updates")
    expected = engine.summarize(engine.evaluate(facts_for(task), CUT_OFF) for task in tasks)
    totals = report.data["totals"]
    for name in services.builder.COUNT_KEYS:
        assert totals[name] == getattr(expected, name), name
    assert totals["rate"] == str(expected.on_time_percent)
    # As of 30/09 the task completed on 15/10 is still in progress within its deadline.
    assert totals["completed_late"] == 1 and totals["completed_on_time"] == 0
    assert totals["in_progress_on_time"] == 2 and totals["in_progress_overdue"] == 2
    by_unit = {row["code"]: row["counts"]["total"] for row in report.data["by_unit"]}
    assert by_unit == {"PC08": 2, "PC06": 2, "CAQ-HC": 1}
    assert sum(row["counts"]["total"] for row in report.data["by_group"]) == totals["total"]
    overdue = {row["code"]: row["days_overdue"] for row in report.data["overdue"]}
    assert overdue == {city.tasks["overdue"].code: 30, city.tasks["district_task"].code: 15}
    assert [row["code"] for row in report.data["completed"]] == [city.tasks["late_done"].code]
    assert {row["code"] for row in report.data["due_next"]} == {
        city.tasks["due_next"].code, city.tasks["done_after"].code}
    current = periods.period_statistics(Task.objects.filter(document=city.document), Q3)
    assert report.data["periods"]["current"]["assigned"] == current.assigned == 1
    assert report.data["periods"]["current"]["completed_late"] == 1
    assert report.data["periods"]["previous"]["label"] == "Q2/2026"
    assert report.data["sources"]["updates"][0]["difficulties"] == "Kinh phí chưa được phân bổ"
    assert "Kinh phí chưa được phân bổ" in report.difficulties


def test_a_later_period_counts_the_completion_the_earlier_one_did_not(org, people,
                                                                      city) -> None:
    october = _create(people.staff, org.catp, city.document,
                      periods.parse_period("10/2026"))
    assert october.data["totals"]["completed_on_time"] == 1
    assert [row["code"] for row in october.data["completed"]] == [
        city.tasks["done_after"].code]


def test_a_unit_report_counts_only_its_subtree(org, people, city) -> None:
    report = _create(people.staff, city.district, city.document)
    assert report.data["totals"]["total"] == 1
    assert report.issuing_body == "Công an quận Hải Châu"
    assert report.governing_body == "Công an thành phố Đà Nẵng"


# Issuing and freezing ----------------------------------------------------------------------


def test_issuing_freezes_the_report_and_files_regenerate_byte_identical(
        org, people, city, quick_pdf) -> None:
    report = _create(people.staff, org.catp, city.document)
    report = _issue(report, people.staff)
    assert report.status == ReportStatus.ISSUED and report.snapshot is not None
    stored = {kind: getattr(report, f"{kind}_file").open("rb").read()
              for kind in ("docx", "xlsx", "pdf")}
    for kind, content in stored.items():
        assert hashlib.sha256(content).hexdigest() == getattr(report, f"{kind}_sha256")
    # Regenerated from the frozen snapshot: the same bytes.
    assert render.render_docx(report.snapshot) == stored["docx"]
    assert render_xlsx(report.snapshot) == stored["xlsx"]
    # A later change to a task changes nothing in the issued report.
    request = plan_services.completion_request(actor=people.outsider, task=city.tasks["overdue"],
                                               note="Xong")
    plan_services.completion_decide(actor=people.staff, request=request, accept=True)
    report.refresh_from_db()
    assert services.report_file(report, "docx") == stored["docx"]
    assert services.report_file(report, "xlsx") == stored["xlsx"]
    assert report.snapshot["data"]["totals"]["in_progress_overdue"] == 2
    with pytest.raises(ValidationError, match="ban hành"):
        services.report_update(actor=people.staff, report=report,
                               expected_version=report.version, title="x")
    actions = list(AuditEvent.objects.filter(object_type="reports.consolidatedreport",
                                             object_id=str(report.pk)).values_list(
        "action", "message"))
    assert ("create", "") in actions and ("update", "issued") in actions


def test_the_issued_report_downloads_byte_identical_on_the_page(org, people, city, login,
                                                                 quick_pdf) -> None:
    report = _issue(_create(people.staff, org.catp, city.document), people.staff)
    client = login(people.staff)
    for kind in ("docx", "xlsx", "pdf"):
        first = client.get(f"/reports/{report.pk}/{kind}/")
        assert first.status_code == 200
        assert hashlib.sha256(first.content).hexdigest() == getattr(report, f"{kind}_sha256")
        assert client.get(f"/reports/{report.pk}/{kind}/").content == first.content
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert report.docx_sha256 in page


# The files read back -----------------------------------------------------------------------


def _snapshot(org, people, city) -> dict:
    report = _create(people.staff, org.catp, city.document)
    report.governing_body = "Bộ Công an"
    report.number = "125/BC-CATP-PV01"
    report.signer_name = "Đại tá Nguyễn Văn Bình"
    return services.snapshot_of(report)


def test_the_docx_has_the_decree_30_blocks_fonts_and_sections(org, people, city) -> None:
    snapshot = _snapshot(org, people, city)
    document = WordDocument(io.BytesIO(render.render_docx(snapshot)))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert (round(section.left_margin.cm, 2), round(section.right_margin.cm, 2),
            round(section.top_margin.cm, 2), round(section.bottom_margin.cm, 2)) == (
        3.0, 1.5, 2.0, 2.0)
    assert section.different_first_page_header_footer  # no page number on page 1
    header = document.tables[0]
    left = header.cell(0, 0).text
    right = header.cell(0, 1).text
    assert "BỘ CÔNG AN" in left and "CÔNG AN THÀNH PHỐ ĐÀ NẴNG" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right and "Độc lập - Tự do - Hạnh phúc" in right
    assert header.cell(1, 0).text == "Số: 125/BC-CATP-PV01"
    assert re.fullmatch(r"Đà Nẵng, ngày \d\d tháng \d+ năm 2026", header.cell(1, 1).text)
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert "BÁO CÁO" in texts
    assert any(text.startswith("Kết quả thực hiện 01/ĐA-CATP quý III năm 2026") for text in texts)
    for heading in ("I. TÌNH HÌNH CHUNG", "II. KẾT QUẢ THỰC HIỆN", "III. HẠN CHẾ, NGUYÊN NHÂN",
                    "IV. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ"):
        assert heading in texts
    assert "V. PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ IV NĂM 2026" in texts
    fonts = {run.font.name for paragraph in document.paragraphs for run in paragraph.runs}
    assert fonts == {"Times New Roman"}
    assert document.styles["Normal"].font.name == "Times New Roman"
    all_tables = "\n".join(cell.text for table in document.tables for row in table.rows
                           for cell in row.cells)
    assert "Nơi nhận:" in all_tables and "Đại tá Nguyễn Văn Bình" in all_tables
    assert "Hoàn thành quá hạn" in all_tables  # the statistics table by status
    assert city.tasks["overdue"].code in all_tables  # the appendix of overdue tasks
    assert "{{" not in all_tables and "{%" not in all_tables


def test_the_docx_lists_at_most_200_overdue_tasks_then_points_to_the_xlsx(
        org, people, city) -> None:
    snapshot = _snapshot(org, people, city)
    row = snapshot["data"]["overdue"][0]
    snapshot["data"]["overdue"] = [{**row, "code": f"T-{index}"} for index in range(230)]
    document = WordDocument(io.BytesIO(render.render_docx(snapshot)))
    appendix = document.tables[-1]
    assert len(appendix.rows) == 1 + 200
    assert any("30 nhiệm vụ quá hạn khác" in paragraph.text for paragraph in document.paragraphs)


def test_the_xlsx_has_every_table_as_a_formatted_sheet_with_totals(org, people, city) -> None:
    snapshot = _snapshot(org, people, city)
    book = load_workbook(io.BytesIO(render_xlsx(snapshot)))
    assert book.sheetnames == ["Tổng hợp", "Theo đơn vị", "Theo nhóm nhiệm vụ",
                               "Nhiệm vụ quá hạn", "Nhiệm vụ đã hoàn thành",
                               "Nhiệm vụ đến hạn kỳ tới"]
    by_unit = book["Theo đơn vị"]
    assert by_unit.freeze_panes == "C5"
    rows = list(by_unit.iter_rows(min_row=5, values_only=True))
    total = rows[-1]
    assert total[1] == "Tổng cộng" or total[1] == "Tổng số"
    assert total[2] == sum(row[2] for row in rows[:-1]) == 5
    assert by_unit["C5"].number_format == "#,##0"
    overdue = book["Nhiệm vụ quá hạn"]
    assert overdue["G5"].number_format == "dd/mm/yyyy"
    assert overdue["G5"].value.date() == dt.date(2026, 8, 31)
    assert overdue.cell(row=overdue.max_row, column=2).value.endswith("2 nhiệm vụ")
    assert book["Tổng hợp"]["A1"].font.bold


# Permissions --------------------------------------------------------------------------------


def test_a_district_manager_cannot_generate_or_read_the_citys_report(org, people, city,
                                                                     login) -> None:
    report = _create(people.staff, org.catp, city.document)
    client = login(city.district_manager)
    page = client.get("/reports/new/").content.decode()
    choices = re.search(r'<select name="scope_unit".*?</select>', page, re.S).group(0)
    assert f'value="{city.district.pk}"' in choices and f'value="{org.catp.pk}"' not in choices
    response = client.post("/reports/new/", {"scope_unit": org.catp.pk,
                                             "document": city.document.pk, "period": "Q3/2026"})
    assert response.status_code == 200 and ConsolidatedReport.objects.count() == 1
    for url in (f"/reports/{report.pk}/", f"/reports/{report.pk}/docx/",
                f"/reports/{report.pk}/xlsx/", f"/reports/{report.pk}/pdf/",
                f"/api/v1/reports/{report.pk}", f"/api/v1/reports/{report.pk}/file?kind=docx"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/reports/{report.pk}/issue/", {"number": "1", "version": 1}
                       ).status_code == 404
    assert client.get("/api/v1/reports").json()["count"] == 0
    # Its own subtree it may generate; issuing is for staff.
    response = client.post("/reports/new/", {"scope_unit": city.district.pk,
                                             "document": city.document.pk, "period": "Q3/2026"})
    own = ConsolidatedReport.objects.get(scope_unit=city.district)
    assert response.status_code == 302
    assert client.post(f"/reports/{own.pk}/issue/", {"number": "1", "version": own.version}
                       ).status_code == 403


def test_who_reads_drafts_and_issued_reports(org, people, city, login, quick_pdf) -> None:
    draft = _create(people.staff, org.catp, city.document)
    issued = _issue(_create(people.staff, org.catp, city.document), people.staff)
    for person, draft_status, issued_status in (
            (people.staff, 200, 200), (people.leader, 404, 200), (people.inspector, 404, 200),
            (people.officer, 404, 404), (people.viewer, 404, 404),
            (people.other_staff, 404, 404), (people.outsider, 404, 404)):
        client = login(person)
        assert client.get(f"/reports/{draft.pk}/").status_code == draft_status, person
        assert client.get(f"/reports/{issued.pk}/").status_code == issued_status, person
        assert client.get(f"/reports/{issued.pk}/pdf/").status_code == issued_status, person
        assert client.get(f"/api/v1/reports/{issued.pk}").status_code == issued_status, person
    leader = login(people.leader)
    assert leader.post(f"/reports/{draft.pk}/issue/", {"number": "1", "version": 1}
                       ).status_code == 404
    assert leader.get(f"/reports/{issued.pk + 1000}/").status_code == 404
    listed = leader.get("/api/v1/reports").json()
    assert [item["id"] for item in listed["results"]] == [issued.pk]
    assert listed["results"][0]["files"]["docx"] == issued.docx_sha256


def test_pages_do_not_query_per_row(org, people, city, login,
                                    django_assert_max_num_queries) -> None:
    for _ in range(5):
        _create(people.staff, org.catp, city.document)
    client = login(people.staff)
    with django_assert_max_num_queries(16):
        assert client.get("/reports/").status_code == 200
    report = ConsolidatedReport.objects.first()
    with django_assert_max_num_queries(20):
        assert client.get(f"/reports/{report.pk}/").status_code == 200


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "message"), [
    ({"period": "Q5/2026"}, "Not a period"),
    ({"period": "", "start": "01/10/2026", "end": "01/09/2026"}, "before it starts"),
    ({"period": ""}, "Enter a period"),
    ({"period": "Q3/2026", "cut_off": "15/10/2026"}, "must fall within the period"),
    ({"period": "Q1/2027"}, "has not started yet"),
])
def test_bad_periods_are_refused_with_a_clear_message(org, people, city, login, fields,
                                                      message) -> None:
    people.staff.language = "en"
    people.staff.save()
    client = login(people.staff)
    response = client.post("/reports/new/", {"scope_unit": org.catp.pk,
                                             "document": city.document.pk, **fields})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ConsolidatedReport.objects.exists()


def test_the_same_bad_period_in_vietnamese(org, people, city, login) -> None:
    response = login(people.staff).post("/reports/new/", {
        "scope_unit": org.catp.pk, "document": city.document.pk, "period": "",
        "start": "01/10/2026", "end": "01/09/2026"})
    assert "trước ngày bắt đầu" in response.content.decode()


def _template_with(text: str) -> bytes:
    source = WordDocument(io.BytesIO(render.DEFAULT_TEMPLATE.read_bytes()))
    source.add_paragraph(text)
    buffer = io.BytesIO()
    source.save(buffer)
    return buffer.getvalue()


def test_a_template_with_an_unknown_variable_is_refused_and_the_default_still_works(
        org, people, city, login) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    people.staff.language = "en"
    people.staff.save()
    client = login(people.staff)
    upload = SimpleUploadedFile("mau.docx", _template_with("{{ chu_ky_so_giam_doc }}"))
    response = client.post("/reports/templates/", {"name": "Mẫu mới", "file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and "chu_ky_so_giam_doc" in page
    assert "variable the report does not provide" in page
    good = SimpleUploadedFile("mau.docx", _template_with("Ghi chú: {{ scope_name }}"))
    assert client.post("/reports/templates/", {"name": "Mẫu CATP", "file": good}
                       ).status_code == 302
    report = _create(people.staff, org.catp, city.document)
    assert client.get(f"/reports/{report.pk}/docx/").status_code == 200
    from dondoc.reports.models import ReportTemplate

    template = ReportTemplate.objects.get()
    report.template = template
    report.save()
    document = WordDocument(io.BytesIO(client.get(f"/reports/{report.pk}/docx/").content))
    assert any(p.text == "Ghi chú: Công an thành phố Đà Nẵng" for p in document.paragraphs)


# PDF and signature ---------------------------------------------------------------------------


def test_without_libreoffice_issuing_works_and_names_the_package(org, people, city, login,
                                                                monkeypatch) -> None:
    monkeypatch.setattr(officedocs, "soffice_path", lambda: None)
    report = _issue(_create(people.staff, org.catp, city.document), people.staff)
    assert report.is_issued and not report.pdf_file and report.docx_file and report.xlsx_file
    assert "libreoffice-writer-nogui" in report.pdf_missing
    client = login(people.staff)
    assert "libreoffice-writer-nogui" in client.get(f"/reports/{report.pk}/").content.decode()
    assert client.get(f"/reports/{report.pk}/docx/").status_code == 200
    output = io.StringIO()
    call_command("check", stdout=output, stderr=output)
    assert "apt-get install libreoffice-writer-nogui" in output.getvalue()


def test_without_a_certificate_the_report_is_issued_unsigned_and_says_so(
        org, people, city, login, quick_pdf) -> None:
    report = _issue(_create(people.staff, org.catp, city.document), people.staff)
    assert report.pdf_file and not report.signed
    people.staff.language = "en"
    people.staff.save()
    page = login(people.staff).get(f"/reports/{report.pk}/").content.decode()
    assert "Issued unsigned: no signing certificate was configured" in page


def test_with_a_certificate_the_pdf_is_signed_and_the_page_shows_it_valid(
        org, people, city, login, quick_pdf, settings, tmp_path) -> None:
    signing.ensure_demo_certificate()
    settings.DONDOC_SIGN_P12 = str(signing.demo_path())
    settings.DONDOC_SIGN_PASSWORD = signing.DEMO_PASSWORD
    assert signing.configuration_problem() == ""
    report = _issue(_create(people.staff, org.catp, city.document), people.staff)
    assert report.signed and signing.DEMO_NAME in report.signer_certificate
    pdf = report.pdf_file.open("rb").read()
    check = signing.check_pdf(pdf)
    assert check.ok and check.intact and check.valid and check.trusted and check.demo
    tampered = pdf[:7] + (b"4" if pdf[7:8] != b"4" else b"5") + pdf[8:]  # %PDF-1.x
    assert not signing.check_pdf(tampered).ok
    people.staff.language = "en"
    people.staff.save()
    page = login(people.staff).get(f"/reports/{report.pk}/").content.decode()
    assert "The digital signature is valid." in page and "DEMO certificate" in page
    settings.DONDOC_SIGN_PASSWORD = "wrong"
    assert "cannot be opened" in signing.configuration_problem()


def test_the_api_gives_the_figures_and_the_stored_files(org, people, city, login,
                                                         quick_pdf) -> None:
    report = _issue(_create(people.staff, org.catp, city.document), people.staff)
    client = login(people.staff)
    detail = client.get(f"/api/v1/reports/{report.pk}").json()
    assert detail["status"] == "issued" and detail["number"] == "125/BC-CATP-PV01"
    assert detail["totals"] == report.snapshot["data"]["totals"]
    assert detail["overdue_count"] == 2 and detail["files"]["pdf"] == report.pdf_sha256
    for kind in ("docx", "xlsx", "pdf"):
        answer = client.get(f"/api/v1/reports/{report.pk}/file?kind={kind}")
        assert answer.status_code == 200
        assert hashlib.sha256(answer.content).hexdigest() == getattr(report, f"{kind}_sha256")
    assert client.get(f"/api/v1/reports/{report.pk}/file?kind=exe").status_code == 422
    listed = client.get(f"/api/v1/reports?document={city.document.pk}&status=issued").json()
    assert [item["id"] for item in listed["results"]] == [report.pk]


def test_section_iv_gathers_the_units_period_reports(org, people, city) -> None:
    pytest.importorskip("dondoc.unitreports")
    from dondoc.unitreports import services as unit_reports

    obligation = unit_reports.obligation_create(
        actor=people.staff, document=city.document, owner_unit=org.catp,
        title="Báo cáo quý", kind="quarter", units=[org.pc08], with_subunits=False,
        first_period=periods.parse_period("Q3/2026"), last_period=periods.parse_period(
            "Q4/2026"), deadline_rule="days_after_end", deadline_value=10,
        on=dt.date(2026, 7, 1))
    unit_report = unit_reports.report_start(actor=people.manager, obligation=obligation,
                                            unit=org.pc08, period_start=dt.date(2026, 7, 1))
    unit_report = unit_reports.report_update(
        actor=people.manager, report=unit_report, expected_version=unit_report.version,
        results="Đã sắp xếp các đội", difficulties="Thiếu phương tiện tuần tra",
        proposals="Đề nghị bổ sung xe chuyên dùng")
    unit_reports.report_submit(actor=people.manager, report=unit_report)
    report = _create(people.staff, org.catp, city.document)
    assert report.data["sources"]["unit_reports"] == [{
        "unit": "Phòng CSGT", "difficulties": "Thiếu phương tiện tuần tra",
        "proposals": "Đề nghị bổ sung xe chuyên dùng"}]
    assert "Phòng CSGT: Thiếu phương tiện tuần tra" in report.difficulties
    assert "Phòng CSGT đề xuất: Đề nghị bổ sung xe chuyên dùng" in report.difficulties
