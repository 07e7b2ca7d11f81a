"""Surveys on the pages: filling in the browser (drafts, messages next to the fields,
tables without JavaScript, conflicts), the review, the campaign page, the forms pages,
and 404 for what is outside the scope."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dondoc.surveys import services
from dondoc.surveys.models import (
    Campaign,
    CampaignStatus,
    Submission,
    SubmissionStatus,
    SurveyForm,
)
from dondoc.surveys.tests.conftest import VEHICLES_FILLED, Survey

ROW_KEYS = ["cars", "motorbikes", "boats", "fire_rescue", "specialised"]


def url(submission: Submission) -> str:
    return f"/surveys/submissions/{submission.pk}/"


def post_data(lock: int, rows: list[dict[str, Any]] | None = None, **extra: Any
              ) -> dict[str, Any]:
    data: dict[str, Any] = {"lock_version": lock, "action": "save"}
    for index, row in enumerate(rows if rows is not None else VEHICLES_FILLED["vehicles"]):
        for column, value in row.items():
            if column != "row":
                data[f"t-vehicles-{index}-{column}"] = value
    data.update(extra)
    return data


def fresh(submission: Submission) -> Submission:
    return Submission.objects.select_related("current").get(pk=submission.pk)


def test_an_officer_saves_a_draft_and_finds_it_again(login: Any, survey: Survey,
                                                     people: Any) -> None:
    client = login(people.officer)
    page = client.get(url(survey.pc08))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ô tô (xe con, xe bán tải)" in text and 'name="t-vehicles-0-quantity"' in text
    assert 'value="submit"' not in text  # officers draft; the manager submits
    response = client.post(url(survey.pc08), post_data(0, **{"f-vehicle_needs": "Thêm xe"}))
    assert response.status_code == 302
    saved = fresh(survey.pc08)
    assert saved.answers["vehicles"][0] == {"row": "cars", "quantity": 3, "good": 2, "fair": 1,
                                            "unusable": 0, "average_age": "6.5"}
    assert saved.current is not None and saved.current.source == "browser"
    again = client.get(url(survey.pc08)).content.decode()
    assert 'value="6,5"' in again and "Thêm xe" in again


def test_bad_values_come_back_next_to_the_field_and_nothing_is_lost(
        login: Any, survey: Survey, people: Any) -> None:
    client = login(people.officer)
    rows = [dict(r) for r in VEHICLES_FILLED["vehicles"]]
    rows[1]["quantity"] = "mười hai"
    response = client.post(url(survey.pc08), post_data(0, rows))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nhập số nguyên." in text  # Vietnamese by default
    assert 'href="#t-vehicles-1-quantity"' in text  # error summary links to the cell
    assert 'value="mười hai"' in text and 'value="6,5"' in text  # typed values kept
    assert fresh(survey.pc08).current is None  # nothing saved
    client.post("/i18n/setlang/", {"language": "en"})
    english = client.post(url(survey.pc08), post_data(0, rows)).content.decode()
    assert "Enter a whole number." in english


def test_a_rule_message_shows_in_the_users_language(login: Any, survey: Survey,
                                                    people: Any) -> None:
    client = login(people.officer)
    rows = [dict(r) for r in VEHICLES_FILLED["vehicles"]]
    rows[0]["good"] = "3"
    response = client.post(url(survey.pc08), post_data(0, rows))
    assert response.status_code == 400  # saved, but shown again with the message
    assert "Tốt + trung bình + hỏng phải bằng số lượng." in response.content.decode()
    assert fresh(survey.pc08).current is not None
    # the page shown again carries the saved version, so the next save is not a conflict
    assert 'name="lock_version" value="1"' in response.content.decode()


def test_the_manager_submits_with_warnings_confirmed(login: Any, survey: Survey,
                                                     people: Any, org: Any) -> None:
    form = SurveyForm.objects.get(key="equipment")
    campaign = services.campaign_create(
        actor=people.staff, title="Thiết bị", form=form, reference_date=dt.date(2026, 5, 1),
        deadline=dt.date(2026, 5, 31), units=[org.pc08])
    services.campaign_open(actor=people.staff, campaign=campaign)
    submission = Submission.objects.get(campaign=campaign)
    data: dict[str, Any] = {"lock_version": 0, "action": "submit"}
    for index in range(5):
        for column, value in {"standard": 10, "actual": 8, "good": 8, "fair": 0,
                              "unusable": 0}.items():
            data[f"t-equipment-{index}-{column}"] = value
    client = login(people.manager)
    response = client.post(url(submission), data)
    assert response.status_code == 400
    assert 'name="confirm_warnings"' in response.content.decode()
    assert fresh(submission).status == SubmissionStatus.DRAFT
    data.update(lock_version=fresh(submission).lock_version, confirm_warnings="1")
    assert client.post(url(submission), data).status_code == 302
    assert fresh(submission).status == SubmissionStatus.SUBMITTED


def test_errors_block_submitting(login: Any, survey: Survey, people: Any) -> None:
    client = login(people.manager)
    response = client.post(url(survey.pc08), post_data(0, VEHICLES_FILLED["vehicles"][:2],
                                                       action="submit"))
    assert response.status_code == 400
    assert "Trường thông tin này là bắt buộc." in response.content.decode()
    assert fresh(survey.pc08).status == SubmissionStatus.DRAFT


def test_a_second_editor_gets_a_conflict_and_overwrites_nothing(login: Any, survey: Survey,
                                                                people: Any) -> None:
    first, second = login(people.officer), login(people.manager)
    assert first.post(url(survey.pc08), post_data(0)).status_code == 302
    rows = [dict(r) for r in VEHICLES_FILLED["vehicles"]]
    rows[0]["quantity"] = "99"
    response = second.post(url(survey.pc08), post_data(0, rows))  # loaded before the save
    assert response.status_code == 409
    text = response.content.decode()
    assert "NOT saved" in text or "KHÔNG được lưu" in text
    assert 'value="99"' in text  # their typing is still on screen
    assert fresh(survey.pc08).answers["vehicles"][0]["quantity"] == 3


def test_free_rows_are_added_and_removed_without_javascript(login: Any, people: Any,
                                                            org: Any, survey: Survey) -> None:
    form = SurveyForm.objects.get(key="land_headquarters")
    campaign = services.campaign_create(
        actor=people.staff, title="Trụ sở", form=form, reference_date=dt.date(2026, 5, 1),
        deadline=dt.date(2026, 5, 31), units=[org.pc08])
    services.campaign_open(actor=people.staff, campaign=campaign)
    submission = Submission.objects.get(campaign=campaign)
    client = login(people.officer)
    page = client.get(url(submission)).content.decode()
    assert 'name="n-sites" value="2"' in page and 'name="add-sites"' in page
    typed = {"lock_version": 0, "n-sites": "2", "t-sites-0-address": "12 Lê Duẩn",
             "t-sites-0-land_area": "1.520,5", "t-sites-0-condition": "solid",
             "t-sites-1-address": "Tổ 5", "add-sites": "1"}
    more = client.post(url(submission), typed)
    assert more.status_code == 200
    text = more.content.decode()
    assert 'name="n-sites" value="5"' in text and 'value="12 Lê Duẩn"' in text
    assert fresh(submission).current is None  # adding rows saves nothing
    typed.pop("add-sites")
    typed.update({"n-sites": "5", "t-sites-3-address": "Kho", "t-sites-3-land_area": "50",
                  "t-sites-3-condition": "temporary", "del-sites-1": "1", "action": "save"})
    assert client.post(url(submission), typed).status_code == 302
    sites = fresh(submission).answers["sites"]
    assert [s["address"] for s in sites] == ["12 Lê Duẩn", "Kho"]
    assert sites[0]["land_area"] == "1520.5"


def test_a_file_field_takes_an_upload(login: Any, people: Any, org: Any,
                                      survey: Survey) -> None:
    form = SurveyForm.objects.get(key="land_headquarters")
    campaign = services.campaign_create(
        actor=people.staff, title="Trụ sở", form=form, reference_date=dt.date(2026, 5, 1),
        deadline=dt.date(2026, 5, 31), units=[org.pc08])
    services.campaign_open(actor=people.staff, campaign=campaign)
    submission = Submission.objects.get(campaign=campaign)
    client = login(people.officer)
    upload = SimpleUploadedFile("so-do.pdf", b"%PDF-1.4 site plan")
    response = client.post(url(submission), {
        "lock_version": 0, "n-sites": "1", "t-sites-0-address": "12 Lê Duẩn",
        "file-site_plan": upload, "action": "save"})
    assert response.status_code == 302
    answer = fresh(submission).answers["site_plan"]
    assert answer["name"] == "so-do.pdf"
    download = client.get(f"/surveys/files/{answer['attachment']}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(
        b"%PDF")
    assert login(people.outsider).get(
        f"/surveys/files/{answer['attachment']}/").status_code == 404


def test_staff_return_and_accept_from_the_page(login: Any, survey: Survey,
                                               people: Any) -> None:
    services.save_draft(survey.pc08, VEHICLES_FILLED, people.officer)
    services.submit(fresh(survey.pc08), people.manager)
    staff = login(people.staff)
    page = staff.get(url(survey.pc08)).content.decode()
    assert 'value="accept"' in page and 'name="comment"' in page
    assert staff.post(f"{url(survey.pc08)}review/", {"action": "return",
                                                     "comment": ""}).status_code == 302
    assert fresh(survey.pc08).status == SubmissionStatus.SUBMITTED  # a comment is required
    staff.post(f"{url(survey.pc08)}review/", {"action": "return",
                                              "comment": "Bổ sung tuổi trung bình"})
    assert fresh(survey.pc08).status == SubmissionStatus.RETURNED
    officer_page = login(people.officer).get(url(survey.pc08)).content.decode()
    assert "Bổ sung tuổi trung bình" in officer_page and 'value="save"' in officer_page
    services.submit(fresh(survey.pc08), people.manager)
    staff.post(f"{url(survey.pc08)}review/", {"action": "accept"})
    assert fresh(survey.pc08).status == SubmissionStatus.ACCEPTED
    read_only = login(people.manager).get(url(survey.pc08)).content.decode()
    assert 'name="t-vehicles-0-quantity"' not in read_only
    assert "Bổ sung tuổi trung bình" in read_only  # the history keeps the comment
    older = login(people.manager).get(url(survey.pc08) + "?version=1")
    assert older.status_code == 200
    assert login(people.manager).get(url(survey.pc08) + "?version=99").status_code == 404


def test_units_cannot_review_and_reviewers_cannot_fill(login: Any, survey: Survey,
                                                       people: Any) -> None:
    services.save_draft(survey.pc08, VEHICLES_FILLED, people.officer)
    services.submit(fresh(survey.pc08), people.manager)
    assert login(people.manager).post(f"{url(survey.pc08)}review/",
                                      {"action": "accept"}).status_code == 403
    services.return_(fresh(survey.pc08), people.staff, "Sửa lại")
    assert login(people.staff).post(url(survey.pc08), post_data(
        fresh(survey.pc08).lock_version)).status_code == 403
    assert login(people.viewer).post(url(survey.pc08), post_data(
        fresh(survey.pc08).lock_version)).status_code == 403


@pytest.mark.parametrize("who", ["outsider", "team_officer", "other_staff"])
def test_guessing_another_units_submission_is_a_404(login: Any, survey: Survey, people: Any,
                                                    who: str) -> None:
    client = login(getattr(people, who))
    assert client.get(url(survey.pc08)).status_code == 404
    assert client.post(url(survey.pc08), post_data(0)).status_code == 404
    assert client.post(f"{url(survey.pc08)}review/", {"action": "accept"}).status_code == 404


def test_the_campaign_page_shows_each_units_status(login: Any, survey: Survey,
                                                   people: Any) -> None:
    services.save_draft(survey.pc08, VEHICLES_FILLED, people.officer)
    services.submit(fresh(survey.pc08), people.manager)
    client = login(people.staff)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/surveys/campaigns/{survey.campaign.pk}/")
    assert response.status_code == 200
    rows = {row.submission.unit.code: row.state for row in response.context["rows"]}
    assert rows == {"PC08": "submitted", "PC08-D1": "not_started", "PC06": "not_started"}
    assert len(queries) < 25
    filtered = client.get(f"/surveys/campaigns/{survey.campaign.pk}/?state=not_started")
    assert {row.submission.unit.code for row in filtered.context["rows"]} == {"PC08-D1",
                                                                             "PC06"}
    mine = login(people.manager).get(f"/surveys/campaigns/{survey.campaign.pk}/")
    assert {row.submission.unit.code for row in mine.context["rows"]} == {"PC08", "PC08-D1"}
    assert login(people.other_staff).get(
        f"/surveys/campaigns/{survey.campaign.pk}/").status_code == 404


def test_late_units_are_flagged_after_the_deadline(login: Any, survey: Survey, people: Any,
                                                   time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    response = login(people.staff).get(f"/surveys/campaigns/{survey.campaign.pk}/?late=1")
    assert len(response.context["rows"]) == 3


def test_staff_create_open_and_close_a_campaign(login: Any, people: Any, org: Any,
                                                survey: Survey) -> None:
    client = login(people.staff)
    assert client.get("/surveys/new/").status_code == 200
    response = client.post("/surveys/new/", {
        "title": "Khảo sát thiết bị 2026", "form": SurveyForm.objects.get(key="equipment").pk,
        "reference_date": "01/06/2026", "deadline": "30/06/2026", "unit_mode": "subtree",
        "subtree_root": org.pc08.pk})
    assert response.status_code == 302
    campaign = Campaign.objects.get(title="Khảo sát thiết bị 2026")
    assert [u.code for u in campaign.units.all()] == ["PC08-D1"]
    assert client.post(f"/surveys/campaigns/{campaign.pk}/open/").status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.OPEN
    assert login(people.manager).post(
        f"/surveys/campaigns/{campaign.pk}/close/").status_code == 403
    client.post(f"/surveys/campaigns/{campaign.pk}/close/")
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.CLOSED


def test_campaign_form_errors_are_next_to_the_fields(login: Any, people: Any, org: Any,
                                                     survey: Survey) -> None:
    response = login(people.staff).post("/surveys/new/", {
        "title": "", "form": SurveyForm.objects.get(key="equipment").pk,
        "reference_date": "31/06/2026", "deadline": "30/06/2026", "unit_mode": "list",
        "baseline": survey.campaign.pk})
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"title", "reference_date", "units"}
    assert login(people.manager).get("/surveys/new/").status_code == 403


def test_the_campaign_list_links_a_unit_to_its_answer(login: Any, survey: Survey,
                                                      people: Any) -> None:
    text = login(people.manager).get("/surveys/").content.decode()
    assert "Khảo sát phương tiện 2026" in text and url(survey.pc08) in text
    assert "Khảo sát của tỉnh khác" not in text


def test_an_open_campaign_reads_as_open_not_as_a_view_button(login: Any, survey: Survey,
                                                             people: Any) -> None:
    text = login(people.staff).get("/surveys/").content.decode()
    assert ">Đang mở</span>" in text and ">Xem</span>" not in text
    assert '<option value="open">Đang mở</option>' in text  # the status filter too


def test_forms_are_listed_previewed_exported_and_imported(login: Any, people: Any,
                                                          survey: Survey) -> None:
    client = login(people.staff)
    listing = client.get("/surveys/forms/").content.decode()
    assert "Phương tiện" in listing and "Trình độ, năng lực cán bộ" in listing
    vehicles = SurveyForm.objects.get(key="vehicles")
    preview = client.get(f"/surveys/forms/{vehicles.pk}/").content.decode()
    assert "Xe chữa cháy, cứu nạn cứu hộ" in preview and "good + fair + unusable" in preview
    exported = client.get(f"/surveys/forms/{vehicles.pk}/export/")
    definition = json.loads(exported.content)
    assert definition["key"] == "vehicles"
    definition["title"]["vi"] = "Phương tiện (bản 2)"
    upload = SimpleUploadedFile("vehicles.json", json.dumps(definition).encode())
    response = client.post("/surveys/forms/import/", {"file": upload})
    assert response.status_code == 302
    assert SurveyForm.objects.get(key="vehicles", version=3).title_vi == "Phương tiện (bản 2)"


def test_a_bad_form_import_lists_every_problem(login: Any, people: Any, db: None) -> None:
    client = login(people.staff)
    bad = {"key": "x", "version": 1, "title": {"vi": "X"}, "sections": [
        {"key": "s", "title": {"vi": "S"}, "fields": [
            {"key": "a", "type": "integer", "label": {"vi": "A"}, "min": 5, "max": 1},
            {"key": "b", "type": "colour", "label": {"vi": "B"}}]}],
        "rules": [{"key": "r", "expr": "a.__class__", "message": {"vi": "m"}}]}
    response = client.post("/surveys/forms/import/", {"text": json.dumps(bad)})
    assert response.status_code == 400
    assert len(response.context["problems"]) == 3
    assert not SurveyForm.objects.filter(key="x").exists()
    broken = client.post("/surveys/forms/import/", {"text": "{not json"})
    assert broken.status_code == 400 and "JSON" in broken.content.decode()
    assert login(people.manager).get("/surveys/forms/import/").status_code == 403
