"""The Excel round trip through the pages: download, fill offline, upload, preview, save."""

from __future__ import annotations

import copy
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from dondoc.audit.models import AuditEvent
from dondoc.surveys import services
from dondoc.surveys.definition import parse_definition
from dondoc.surveys.models import Campaign, Source, Submission, SubmissionVersion, SurveyForm
from dondoc.surveys.tests.test_workbook import FORM
from dondoc.surveys.workbook import META_SHEET, Cover, Expected, read_workbook, write_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class World:
    form: SurveyForm
    campaign: Campaign
    pc08: Submission
    pc06: Submission


@pytest.fixture
def world(org: Any, people: Any, time_machine: Any) -> World:
    time_machine.move_to(dt.datetime(2026, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False)
    form = services.form_import(actor=people.staff, data=copy.deepcopy(FORM))
    campaign = services.campaign_create(
        actor=people.staff, title="Khảo sát phương tiện 2026", form=form,
        reference_date=dt.date(2026, 5, 1), deadline=dt.date(2026, 5, 31),
        units=[org.pc08, org.pc06], purpose="Số liệu đầu vào")
    services.campaign_open(actor=people.staff, campaign=campaign)
    subs = {s.unit_id: s for s in Submission.objects.filter(campaign=campaign)}
    return World(form=form, campaign=campaign, pc08=subs[org.pc08.pk], pc06=subs[org.pc06.pk])


def url(submission: Submission, action: str = "") -> str:
    return f"/surveys/submissions/{submission.pk}/excel/{action}"


def download(client: Client, submission: Submission) -> bytes:
    response = client.get(url(submission))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return b"".join(response.streaming_content) if response.streaming else response.content


def filled(data: bytes, cells: dict[str, dict[str, Any]]) -> bytes:
    """The downloaded workbook with ``{sheet: {cell: value}}`` typed in, saved by openpyxl."""
    workbook = load_workbook(io.BytesIO(data))
    for sheet, values in cells.items():
        for ref, value in values.items():
            workbook[sheet][ref] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client: Client, submission: Submission, data: bytes, name: str = "phieu.xlsx"):
    return client.post(url(submission, "upload/"), {"file": SimpleUploadedFile(name, data)})


def versions(submission: Submission) -> int:
    return SubmissionVersion.objects.filter(submission=submission).count()


def text(response: Any) -> str:
    return response.content.decode()


# What a unit types in Excel, cell by cell …
EXCEL_CELLS: dict[str, dict[str, Any]] = {
    "Cán bộ": {"B4": 57, "B5": 40, "B6": 50, "B7": 52, "B8": 1520.5, "B9": "Chưa có",
               "B10": "Chứng chỉ A; Chứng chỉ B", "B11": dt.datetime(2019, 12, 31),
               "B12": "Không", "B13": "Trụ sở xuống cấp"},
    "Phương tiện": {"B8": 3, "C8": 2, "D8": "Tốt", "B9": 12, "D9": "Không sử dụng được",
                    "B16": "47 Lý Tự Trọng", "C16": 900.25, "D16": dt.datetime(2001, 9, 2),
                    "B17": "Số 2 Hòa Minh"},
}
# … and the same answers as the browser's form fields post them.
BROWSER_RAW: dict[str, Any] = {
    "officers_total": "57", "university": "40", "establishment": "50", "actual_staff": "52",
    "area_m2": "1520,5", "legal_status": "none", "it_skills": ["a", "b"],
    "built_on": "31/12/2019", "has_papers": "false", "notes": "Trụ sở xuống cấp",
    "vehicle_rows": [{"row": "car", "quantity": "3", "good": "2", "condition": "good"},
                     {"row": "motorbike", "quantity": "12", "condition": "unusable"}],
    "sites": [{"address": "47 Lý Tự Trọng", "land_m2": "900.25", "since": "02/09/2001"},
              {"address": "Số 2 Hòa Minh"}],
}


# --- the round trip -----------------------------------------------------------------------


def test_excel_round_trip_saves_the_same_answers_as_the_browser(
        world: World, people: Any, login: Any) -> None:
    client = login(people.officer)
    data = filled(download(client, world.pc08), EXCEL_CELLS)

    response = upload(client, world.pc08, data)
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    page = text(preview)
    assert "Khảo sát phương tiện 2026" in page and "Lưu bản nháp" in page
    assert "Xe › Mô tô › Tình trạng" in page and "Không sử dụng được" in page
    assert versions(world.pc08) == 0  # nothing saved before the confirmation

    saved = client.post(response["Location"], {"action": "save"})
    assert saved.status_code == 302
    world.pc08.refresh_from_db()
    assert world.pc08.current is not None and world.pc08.current.source == Source.EXCEL

    browser, problems = services.save_draft(world.pc06, BROWSER_RAW, people.outsider,
                                            Source.BROWSER)
    assert browser is not None and not [p for p in problems if p.severity == "error"]
    assert world.pc08.current.answers == browser.answers
    assert world.pc08.current.answers["area_m2"] == "1520.50"
    assert world.pc08.current.answers["sites"][0] == {
        "address": "47 Lý Tự Trọng", "land_m2": "900.25", "since": "2001-09-02"}


def test_a_downloaded_workbook_holds_the_saved_answers_and_uploads_unchanged(
        world: World, people: Any, login: Any) -> None:
    services.save_draft(world.pc08, BROWSER_RAW, people.officer, Source.BROWSER)
    world.pc08.refresh_from_db()
    client = login(people.officer)
    data = download(client, world.pc08)
    assert load_workbook(io.BytesIO(data))["Cán bộ"]["B4"].value == 57
    assert download(client, world.pc08) == data  # same answers, same bytes

    response = upload(client, world.pc08, data)
    preview = client.get(response["Location"])
    assert "Sổ tính không thay đổi câu trả lời nào." in text(preview)


def test_the_workbook_is_in_english_for_an_english_reader(
        world: World, people: Any, login: Any) -> None:
    people.officer.language = "en"
    people.officer.save()
    workbook = load_workbook(io.BytesIO(download(login(people.officer), world.pc08)))
    assert workbook.sheetnames == ["Cover", "Staff", "Vehicles", META_SHEET]


def test_download_is_audited(world: World, people: Any, login: Any) -> None:
    client = login(people.officer)
    before = AuditEvent.objects.count()
    download(client, world.pc08)
    assert AuditEvent.objects.count() == before + 1


def test_download_and_preview_do_not_query_per_answer(
        world: World, people: Any, login: Any,
        django_assert_max_num_queries: Any) -> None:
    services.save_draft(world.pc08, BROWSER_RAW, people.officer, Source.BROWSER)
    client = login(people.officer)
    with django_assert_max_num_queries(12):
        data = download(client, world.pc08)
    response = upload(client, world.pc08, filled(data, EXCEL_CELLS))
    with django_assert_max_num_queries(12):
        assert client.get(response["Location"]).status_code == 200


# --- errors save nothing ------------------------------------------------------------------


def test_text_in_a_number_cell_is_shown_with_its_sheet_and_cell_and_nothing_is_saved(
        world: World, people: Any, login: Any) -> None:
    client = login(people.officer)
    data = filled(download(client, world.pc08), {"Phương tiện": {"B8": "ba"}})
    response = upload(client, world.pc08, data)
    assert response.status_code == 200
    assert "Trang tính “Phương tiện”, ô B8 (“ba”): " in text(response)
    assert "Không thể lưu sổ tính: chưa có gì được lưu" in text(response)
    assert versions(world.pc08) == 0
    people.officer.language = "en"
    people.officer.save()
    english = upload(login(people.officer), world.pc08, data)
    assert "Sheet “Phương tiện”, cell B8 (“ba”): Enter a whole number." in text(english)


def test_a_rule_error_blocks_the_upload_and_a_warning_does_not(
        world: World, people: Any, login: Any) -> None:
    client = login(people.officer)
    empty = download(client, world.pc08)
    broken = upload(client, world.pc08, filled(empty, {"Cán bộ": {"B4": 10, "B5": 11}}))
    assert broken.status_code == 200
    assert "Trang tính “Cán bộ”, ô B5 (“11”): Số có bằng đại học vượt tổng số" in text(broken)
    assert versions(world.pc08) == 0

    warned = upload(client, world.pc08, filled(empty, {"Cán bộ": {"B6": 100, "B7": 115}}))
    assert warned.status_code == 302
    preview = client.get(warned["Location"])
    assert "Trang tính “Cán bộ”, ô B7 (“115”): Vượt biên chế trên 10%" in text(preview)
    assert client.post(warned["Location"], {"action": "save"}).status_code == 302
    assert versions(world.pc08) == 1


@pytest.mark.parametrize(("case", "expected"), [
    ("renamed", "“phieu.xlsx” không phải là sổ tính Excel (.xlsx)"),
    ("pdf_name", "“phieu.pdf” không phải là sổ tính Excel (.xlsx)"),
    ("too_large", "Tệp lớn hơn 5 MB (6.0 MB)"),
    ("other_unit", "Sổ tính này được tải về cho đơn vị khác (PC06)"),
    ("other_version", "Sổ tính này là phiên bản 99 của biểu mẫu “vehicles”"),
    ("no_meta", "Sổ tính này không phải là biểu mẫu khảo sát tải về từ dondoc"),
    ("hidden_sheet", "Trang tính ẩn “Ghi chép” không thuộc biểu mẫu"),
    ("edited_label", "Trang tính “Cán bộ”, ô A4: ô này phải là “Tổng số *”"),
])
def test_malformed_uploads_are_refused_with_a_precise_message(
        world: World, people: Any, login: Any, case: str, expected: str) -> None:
    client = login(people.officer)
    good = download(client, world.pc08)
    name = "phieu.xlsx"
    if case == "renamed":
        data = b"%PDF-1.4 a scanned survey"
    elif case == "pdf_name":
        data, name = good, "phieu.pdf"
    elif case == "too_large":
        data = b"PK\x03\x04" + b"\0" * (6 * 1024 * 1024)
    elif case == "other_unit":
        data = download(login(people.outsider), world.pc06)
    elif case == "other_version":
        other = parse_definition({**copy.deepcopy(FORM), "version": 99})
        data = write_workbook(other, {}, Cover(
            campaign_id=world.campaign.pk, campaign_title="x", unit_id=world.pc08.unit_id,
            unit_name="x", unit_code="PC08", submission_id=world.pc08.pk), "vi")
    else:
        workbook = load_workbook(io.BytesIO(good))
        if case == "no_meta":
            workbook.remove(workbook[META_SHEET])
        elif case == "hidden_sheet":
            workbook.create_sheet("Ghi chép").sheet_state = "hidden"
        elif case == "edited_label":
            workbook["Cán bộ"]["A4"] = "Tổng số cán bộ"
        out = io.BytesIO()
        workbook.save(out)
        data = out.getvalue()
    response = upload(client, world.pc08, data, name)
    assert response.status_code == 200
    assert expected in text(response)
    assert versions(world.pc08) == 0


# --- workflow, concurrency, access --------------------------------------------------------


def test_someone_saving_after_the_upload_makes_the_save_refused(
        world: World, people: Any, login: Any) -> None:
    client = login(people.officer)
    response = upload(client, world.pc08, filled(download(client, world.pc08), EXCEL_CELLS))
    services.save_draft(world.pc08, {"officers_total": "9"}, people.manager, Source.BROWSER)
    refused = client.post(response["Location"], {"action": "save"}, follow=True)
    assert "đã được người khác thay đổi sau khi bạn tải lên" in text(refused)
    world.pc08.refresh_from_db()
    assert world.pc08.current is not None and world.pc08.current.source == Source.BROWSER


def test_a_submitted_answer_cannot_be_replaced_by_a_workbook(
        world: World, people: Any, login: Any) -> None:
    services.save_draft(world.pc08, BROWSER_RAW, people.officer, Source.BROWSER)
    world.pc08.refresh_from_db()
    services.submit(world.pc08, people.manager)
    client = login(people.officer)
    page = client.get(url(world.pc08, "upload/"))
    assert "chỉ tải sổ tính lên lại được khi phiếu bị trả lại" in text(page)
    response = upload(client, world.pc08, filled(download(client, world.pc08), EXCEL_CELLS))
    assert response.status_code == 409
    assert versions(world.pc08) == 2  # the draft and the submission


def test_cancelling_the_preview_saves_nothing_and_forgets_the_file(
        world: World, people: Any, login: Any) -> None:
    client = login(people.officer)
    folder = Path(settings.MEDIA_ROOT) / "survey-uploads"
    before = set(folder.glob("*.xlsx"))
    response = upload(client, world.pc08, filled(download(client, world.pc08), EXCEL_CELLS))
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert set(folder.glob("*.xlsx")) - before == {folder / f"{token}.xlsx"}
    assert client.post(response["Location"], {"action": "cancel"}).status_code == 302
    assert not (folder / f"{token}.xlsx").exists()
    assert versions(world.pc08) == 0
    assert client.get(response["Location"]).status_code == 404


def test_another_units_submission_is_404_and_a_viewer_cannot_upload(
        world: World, people: Any, login: Any) -> None:
    outsider = login(people.outsider)  # manager of PC06
    assert outsider.get(url(world.pc08)).status_code == 404
    assert outsider.get(url(world.pc08, "upload/")).status_code == 404
    assert outsider.post(url(world.pc08, "upload/")).status_code == 404
    assert login(people.other_staff).get(url(world.pc08)).status_code == 404

    viewer = login(people.viewer)  # PC08, may read
    data = download(viewer, world.pc08)
    assert viewer.get(url(world.pc08, "upload/")).status_code == 403
    assert upload(viewer, world.pc08, filled(data, EXCEL_CELLS)).status_code == 403
    assert versions(world.pc08) == 0


def test_a_preview_token_is_only_its_uploaders(world: World, people: Any, login: Any) -> None:
    client = login(people.officer)
    response = upload(client, world.pc08, filled(download(client, world.pc08), EXCEL_CELLS))
    manager = login(people.manager)
    assert manager.get(response["Location"]).status_code == 404
    assert manager.post(response["Location"], {"action": "save"}).status_code == 404
    assert versions(world.pc08) == 0


# --- the built-in forms -------------------------------------------------------------------


def test_every_built_in_form_lays_out_and_reads_back_empty(db: None) -> None:
    cover = Cover(campaign_id=1, campaign_title="x", unit_id=2, unit_name="x",
                  unit_code="X", submission_id=3)
    forms = list(SurveyForm.objects.filter(builtin=True))
    assert len(forms) >= 5
    for form in forms:
        for lang in ("vi", "en"):
            data = write_workbook(form.parsed, {}, cover, lang)
            result = read_workbook(form.parsed, data, current={},
                                   expected=Expected(campaign_id=1, unit_id=2))
            assert (form.key, result.errors, result.answers) == (form.key, [], {})


def test_built_in_vehicles_form_round_trips_the_browser_answers(
        survey: Any, people: Any, login: Any) -> None:
    from dondoc.surveys.tests.conftest import VEHICLES_FILLED

    browser, _problems = services.save_draft(survey.pc08, VEHICLES_FILLED, people.officer,
                                             Source.BROWSER)
    assert browser is not None
    survey.pc08.refresh_from_db()
    client = login(people.officer)
    response = upload(client, survey.pc08, download(client, survey.pc08))
    assert response.status_code == 302
    assert client.post(response["Location"], {"action": "save"}).status_code == 302
    survey.pc08.refresh_from_db()
    assert survey.pc08.current.source == Source.EXCEL
    assert survey.pc08.current.answers == browser.answers


def test_the_links_partial_offers_the_upload_only_to_those_who_may_draft(world: World) -> None:
    from django.template.loader import render_to_string

    drafter = render_to_string("surveys/excel_links.html",
                               {"submission": world.pc08, "can_upload": True})
    reader = render_to_string("surveys/excel_links.html",
                              {"submission": world.pc08, "can_upload": False})
    assert url(world.pc08) in drafter and url(world.pc08, "upload/") in drafter
    assert url(world.pc08) in reader and url(world.pc08, "upload/") not in reader
