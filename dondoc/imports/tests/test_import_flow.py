"""Importing a task appendix end to end: upload → preview → confirm, bad files, rights, CLI."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation
from openpyxl import Workbook, load_workbook

from dondoc.audit.models import AuditEvent
from dondoc.imports import imports
from dondoc.imports.importing import COLUMN_LABELS
from dondoc.imports.samples import SAMPLE_GROUPS, sample_workbook
from dondoc.organization.models import Role, Unit, UnitKind
from dondoc.organization.tests.factories import UserFactory, make_unit
from dondoc.plans import services
from dondoc.plans.models import DeadlineKind, Document, Task, TaskGroup

# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------

HEADER = list(COLUMN_LABELS.values())  # STT, Nội dung nhiệm vụ, Đơn vị chủ trì, …
NUMBER = "118-KH/CATP"


def make_plan(org, people) -> Document:
    return services.document_create(
        actor=people.staff, kind="plan", number=NUMBER, title="Kế hoạch thực hiện Nghị quyết 12",
        issuer="Công an thành phố Đà Nẵng", issue_date=dt.date(2022, 6, 20),
        owner_unit=org.catp, code_prefix="KH118")


@pytest.fixture
def districts(org) -> tuple[Unit, Unit]:
    active = make_unit(org.catp, "CAQ-HC", "Công an quận Hải Châu", kind=UnitKind.DISTRICT)
    dissolved = make_unit(org.catp, "CAQ-TK", "Công an quận Thanh Khê", kind=UnitKind.DISTRICT,
                          is_active=False, valid_to=dt.date(2025, 2, 28))
    return active, dissolved


@pytest.fixture
def plan(org, people, districts) -> Document:
    # The messages are asserted in English here; Vietnamese is checked separately below.
    people.staff.language = "en"
    people.staff.save()
    return make_plan(org, people)


def xlsx(*rows: Sequence[object], header: Sequence[object] = HEADER,
         merges: Sequence[str] = ()) -> bytes:
    """A workbook: a merged title row, an empty row, the header (row 3), then ``rows``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.cell(row=1, column=1, value="PHỤ LỤC PHÂN CÔNG NHIỆM VỤ")
    sheet.merge_cells("A1:G1")
    for col, value in enumerate(header, start=1):
        sheet.cell(row=3, column=col, value=value)
    for number, row in enumerate(rows, start=4):
        for col, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=number, column=col, value=value)
    for ref in merges:
        sheet.merge_cells(ref)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CLEAN_ROWS: list[tuple[object, ...]] = [
    ("I", "Quán triệt, tuyên truyền"),
    ("1", "Tổ chức quán triệt Nghị quyết 12 đến toàn thể cán bộ", "PC08",
     "PV01; Công an các quận, huyện", "Quý IV/2030", "Báo cáo kết quả", "Theo Kế hoạch 118"),
    ("2", "Rà soát thực trạng trụ sở", "Phòng Cảnh sát quản lý hành chính", "",
     dt.datetime(2030, 6, 30), "", ""),
    ("II", "Chuyển đổi số, hiện đại hóa"),
    ("1", "Báo cáo tiến độ dự án camera", "PC06 ", "PC08-D1", "Hằng tháng", "Báo cáo tháng"),
    ("2", "Duy trì hệ thống thông tin", "PX05", None, "Thường xuyên"),
]


def upload(client: Client, document: Document, data: bytes, name: str = "phu-luc.xlsx"):
    return client.post(f"/documents/{document.pk}/import/",
                       {"file": SimpleUploadedFile(name, data)})


def pending_files() -> set[str]:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    return {path.name for path in folder.glob("*")} if folder.exists() else set()


def assert_nothing_saved() -> None:
    assert not Task.objects.exists()
    assert not TaskGroup.objects.exists()


# ---------------------------------------------------------------------------------------
# Upload → preview → confirm
# ---------------------------------------------------------------------------------------


def test_upload_preview_and_confirm_create_the_groups_and_tasks(
        org, people, login, plan) -> None:
    existing = services.group_create(actor=people.staff, document=plan, number="I",
                                     title="Lãnh đạo, quán triệt")
    client = login(people.staff)

    response = upload(client, plan, xlsx(*CLEAN_ROWS))
    assert response.status_code == 302
    preview_url = response["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    assert f"{token}.xlsx" in pending_files()
    assert Task.objects.count() == 0  # nothing before the confirmation

    page = client.get(preview_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tổ chức quán triệt Nghị quyết 12" in html
    assert "Confirm the import" in html or 'value="confirm"' in html
    assert page.context["task_count"] == 4 and page.context["group_count"] == 2
    assert "Lãnh đạo, quán triệt" in html  # the group already there is reused, and said so

    done = client.post(preview_url, {"action": "confirm"})
    assert done.status_code == 302
    # The import runs as a background job (at once in the tests): its page shows the result.
    job_page = client.get(done["Location"])
    assert job_page.context["job"].status == "succeeded"
    assert job_page.context["result_url"] == f"/documents/{plan.pk}/"
    assert f"{token}.xlsx" not in pending_files()

    groups = {group.number: group for group in TaskGroup.objects.filter(document=plan)}
    assert set(groups) == {"I", "II"} and groups["I"].pk == existing.pk
    tasks = {task.code: task for task in Task.objects.filter(document=plan)}
    assert set(tasks) == {"KH118-I.1", "KH118-I.2", "KH118-II.1", "KH118-II.2"}

    first = tasks["KH118-I.1"]
    assert first.group_id == existing.pk
    assert first.lead_unit_id == org.pc08.pk
    # "Công an các quận, huyện": the active district police only.
    assert set(first.coordinating_units.values_list("code", flat=True)) == {"PV01", "CAQ-HC"}
    assert (first.deadline_kind, first.due_date) == (DeadlineKind.FIXED, dt.date(2030, 12, 31))
    assert first.deadline == dt.date(2030, 12, 31)
    assert first.expected_product == "Báo cáo kết quả"
    assert first.description == "Theo Kế hoạch 118"
    assert first.assigning_unit_id == org.catp.pk
    assert first.assigned_on == plan.issue_date  # not the day of import: history holds
    assert first.created_by == people.staff

    assert tasks["KH118-I.2"].lead_unit_id == org.pc06.pk
    assert tasks["KH118-I.2"].due_date == dt.date(2030, 6, 30)
    monthly = tasks["KH118-II.1"]
    assert (monthly.deadline_kind, monthly.due_date) == (DeadlineKind.MONTHLY, None)
    assert list(monthly.coordinating_units.all()) == [org.pc08_d1]
    assert monthly.group_id == groups["II"].pk
    assert tasks["KH118-II.2"].deadline_kind == DeadlineKind.STANDING

    # Every creation is audited under the importing user.
    created = AuditEvent.objects.filter(object_type="plans.task", action="create")
    assert created.count() == 4
    assert set(created.values_list("actor_name", flat=True)) == {"staff"}


def test_preview_lists_every_row_with_its_status_and_reason(people, login, plan) -> None:
    data = xlsx(
        ("I", "Quán triệt"),
        ("1", "Nhiệm vụ không có thời hạn", "PC08", "Các đơn vị liên quan"),
        ("2", "Nhiệm vụ đầy đủ", "PV01", "", "30/6/2030"),
    )
    client = login(people.staff)
    response = client.get(upload(client, plan, data)["Location"])
    html = response.content.decode()
    preview = response.context["preview"]
    assert [row.status for row in preview.rows] == ["ok", "warning", "ok"]
    assert (preview.ok_count, preview.warning_count, preview.error_count) == (2, 1, 0)
    assert "The deadline cell is empty: the task has no deadline yet." in html
    assert "“Các đơn vị liên quan” does not name specific units" in html
    assert 'scope="rowgroup"' in html  # the group row is a section header
    assert "30/06/2030" in html


def test_preview_is_in_the_users_language(people, login, plan) -> None:
    client = login(people.staff)
    response = client.get(upload(client, plan,
                                 xlsx(("1", "Nhiệm vụ", "PX99", "", "30/6/2030")))["Location"])
    assert response["Content-Language"] == "en"
    assert "Unknown unit: “PX99”." in response.content.decode()
    people.staff.language = "vi"
    people.staff.save()
    client = login(people.staff)
    response = client.get(upload(client, plan,
                                 xlsx(("1", "Nhiệm vụ", "PX99", "", "30/6/2030")))["Location"])
    assert response["Content-Language"] == "vi"
    assert "Không tìm thấy đơn vị: “PX99”." in response.content.decode()


def test_cancelling_deletes_the_uploaded_file(people, login, plan) -> None:
    client = login(people.staff)
    url = upload(client, plan, xlsx(*CLEAN_ROWS))["Location"]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert client.post(url, {"action": "cancel"}).status_code == 302
    assert f"{token}.xlsx" not in pending_files()
    assert client.get(url).status_code == 404
    assert_nothing_saved()


def test_confirming_checks_the_file_again(org, people, login, plan) -> None:
    client = login(people.staff)
    url = upload(client, plan, xlsx(*CLEAN_ROWS))["Location"]
    # Between preview and confirmation, PC06 is dissolved: it may no longer lead a task.
    Unit.objects.filter(pk=org.pc06.pk).update(is_active=False)
    response = client.post(url, {"action": "confirm"})
    assert response.status_code == 302
    job = client.get(response["Location"]).context["job"]
    assert job.status == "failed" and "changed since the preview" in job.error
    assert_nothing_saved()
    again = client.get(url)
    # PC06 is no longer a unit one may name: the row keeps a provisional lead, flagged.
    row = next(row for row in again.context["preview"].tasks if row.lead_text == "PC06")
    assert [issue.code for issue in row.issues] == ["unknown_unit", "provisional_lead"]
    assert row.lead_unit_id == plan.owner_unit_id


def test_a_file_is_imported_once_only(people, login, plan) -> None:
    client = login(people.staff)
    url = upload(client, plan, xlsx(*CLEAN_ROWS))["Location"]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    # A second confirmation while the first one runs finds the file claimed.
    folder = Path(settings.MEDIA_ROOT) / "imports"
    claimed = folder / f"{token}.0000.claimed"
    (folder / f"{token}.xlsx").rename(claimed)
    assert client.post(url, {"action": "confirm"}).status_code == 302
    assert_nothing_saved()
    claimed.rename(folder / f"{token}.xlsx")

    assert client.post(url, {"action": "confirm"}).status_code == 302
    assert Task.objects.count() == 4
    again = client.post(url, {"action": "confirm"})  # the upload is used up
    assert again.status_code == 302 and again["Location"] == f"/documents/{plan.pk}/"
    assert Task.objects.count() == 4
    assert not list(folder.glob(f"{token}*"))


def test_an_expired_upload_asks_for_the_file_again(people, login, plan) -> None:
    client = login(people.staff)
    url = upload(client, plan, xlsx(*CLEAN_ROWS))["Location"]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    (Path(settings.MEDIA_ROOT) / "imports" / f"{token}.xlsx").unlink()  # swept
    response = client.post(url, {"action": "confirm"})
    assert response.status_code == 302
    assert response["Location"] == f"/documents/{plan.pk}/import/"
    assert_nothing_saved()


def test_groups_are_matched_by_number_and_unnumbered_ones_get_the_next_numeral(
        org, people, plan) -> None:
    services.group_create(actor=people.staff, document=plan, number="I", title="Có sẵn")
    data = xlsx(
        ("I", "Nhóm I trong tệp"),
        ("1", "Nhiệm vụ nhóm I", "PC08", "", "30/6/2030"),
        (None, "Nhóm không đánh số"),
        ("1", "Nhiệm vụ nhóm mới", "PC06", "", "30/6/2030"),
    )
    preview = imports.import_preview(user=people.staff, document=plan, data=data)
    assert [row.kind for row in preview.rows] == ["group", "task", "group", "task"]
    assert preview.rows[0].issues[0].code == "group_exists"
    result = imports.import_commit(actor=people.staff, document=plan, preview=preview)
    assert (result.groups_created, result.groups_reused, result.tasks_created) == (1, 1, 2)
    assert dict(TaskGroup.objects.values_list("number", "title")) == {
        "I": "Có sẵn", "II": "Nhóm không đánh số"}
    assert set(result.task_codes) == {"KH118-I.1", "KH118-II.1"}


def test_numbers_already_used_in_the_document_get_the_next_free_code(org, people, plan) -> None:
    group = services.group_create(actor=people.staff, document=plan, number="I", title="Có sẵn")
    services.task_create(actor=people.staff, document=plan, group=group, title="Có sẵn",
                         lead_unit=org.pc08, assigning_unit=org.catp,
                         due_date=dt.date(2030, 1, 1))  # takes KH118-I.1
    data = xlsx(("I", "Nhóm I"), ("1", "Nhiệm vụ mới", "PC08", "", "30/6/2030"),
                ("2", "Nhiệm vụ mới 2", "PC08", "", "30/6/2030"))
    preview = imports.import_preview(user=people.staff, document=plan, data=data)
    result = imports.import_commit(actor=people.staff, document=plan, preview=preview)
    assert result.task_codes == ("KH118-I.3", "KH118-I.2")


# ---------------------------------------------------------------------------------------
# Bad files: a clear error, nothing saved, nothing kept
# ---------------------------------------------------------------------------------------


def _zip_that_is_not_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


BAD_FILES = {
    "wrong columns": (
        "phu-luc.xlsx",
        lambda: xlsx(("1", "Nhiệm vụ", "PC08"), header=["STT", "Công việc", "Ghi chú"]),
        "No header row found",
    ),
    "content too long": (
        "phu-luc.xlsx",
        lambda: xlsx(("1", "N" * 1001, "PC08", "PV01", "30/6/2030")),
        "The task content is too long",
    ),
    "empty rows": (
        "phu-luc.xlsx",
        lambda: xlsx((), (None, None, None), ("",)),
        "No task rows were found below the header row.",
    ),
    "larger than 10 MB": (
        "phu-luc.xlsx",
        lambda: b"PK\x03\x04" + b"\0" * (10 * 1024 * 1024),
        "The file is larger than 10 MB",
    ),
    "text renamed .xlsx": (
        "phu-luc.xlsx",
        lambda: "STT;Nội dung;Chủ trì\n1;Nhiệm vụ;PC08\n".encode(),
        "is not one",
    ),
    "zip renamed .xlsx": (
        "phu-luc.xlsx", _zip_that_is_not_a_workbook, "The file is not an Excel workbook",
    ),
    "PDF": ("bao-cao.pdf", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "is not one"),
    "PDF renamed .xlsx": ("bao-cao.xlsx", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "is not one"),
    "empty file": ("phu-luc.xlsx", lambda: b"", "empty"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_gives_a_clear_error_and_saves_nothing(people, login, plan, case) -> None:
    name, make, message = BAD_FILES[case]
    before = pending_files()
    response = upload(login(people.staff), plan, make(), name=name)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "alert-danger" in html  # the error summary at the top
    assert "Confirm the import" not in html
    assert_nothing_saved()
    assert pending_files() == before


FLAGGED = {  # what used to refuse the whole file is now saved, with a flag to review
    "unknown unit": (("1", "Nhiệm vụ", "PX99", "PV01", "30/6/2030"),
                     ["unknown_unit", "provisional_lead"]),
    "bad date": (("1", "Nhiệm vụ", "PC08", "", "31/02/2030"), ["deadline_to_set"]),
    "merged cells": (("1", "Nhiệm vụ gộp ô", None, "PV01", "30/6/2030"),
                     ["missing_lead", "provisional_lead"]),
}


@pytest.mark.parametrize("case", list(FLAGGED))
def test_a_doubtful_row_is_saved_with_review_flags(people, login, plan, case) -> None:
    from dondoc.imports.models import ReviewFlag

    row, expected = FLAGGED[case]
    client = login(people.staff)
    response = upload(client, plan, xlsx(row, merges=["B4:C4"] if case == "merged cells"
                                         else ()))
    assert response.status_code == 302  # on to the preview: nothing blocks
    assert client.post(response["Location"], {"action": "confirm"}).status_code == 302
    task = Task.objects.get(document=plan)
    assert list(ReviewFlag.objects.filter(task=task).values_list("code", flat=True)) == expected
    if case != "bad date":
        assert task.lead_unit_id == plan.owner_unit_id  # the provisional lead
    else:
        assert (task.deadline_kind, task.due_date) == (DeadlineKind.NONE, None)
        assert task.deadline_text == "31/02/2030"


def test_import_commit_refuses_a_preview_with_errors(people, plan) -> None:
    preview = imports.import_preview(user=people.staff, document=plan,
                                     data=xlsx(("1", "N" * 1001, "PC08")))
    with pytest.raises(imports.ImportRefused):
        imports.import_commit(actor=people.staff, document=plan, preview=preview)
    assert_nothing_saved()


def test_one_bad_row_saves_none_of_the_good_ones(people, login, plan) -> None:
    rows = [*CLEAN_ROWS, ("3", "N" * 1001, "PC08", "", "Quý IV/2030")]
    response = upload(login(people.staff), plan, xlsx(*rows))
    assert response.status_code == 200
    assert response.context["preview"].error_count == 1
    assert_nothing_saved()


# ---------------------------------------------------------------------------------------
# Who may import
# ---------------------------------------------------------------------------------------


def test_a_user_who_cannot_see_the_document_gets_404(people, login, plan) -> None:
    client = login(people.other_staff)  # staff of another agency
    assert client.get(f"/documents/{plan.pk}/import/").status_code == 404
    assert upload(client, plan, xlsx(*CLEAN_ROWS)).status_code == 404
    assert_nothing_saved()


@pytest.mark.parametrize("persona", ["officer", "manager", "leader", "viewer"])
def test_a_user_who_sees_but_may_not_edit_the_document_gets_403(people, login, plan,
                                                                 persona) -> None:
    client = login(getattr(people, persona))
    assert client.get(f"/documents/{plan.pk}/import/").status_code == 403
    assert upload(client, plan, xlsx(*CLEAN_ROWS)).status_code == 403
    assert_nothing_saved()


def test_staff_sees_the_upload_form_with_the_template_links(people, login, plan) -> None:
    response = login(people.staff).get(f"/documents/{plan.pk}/import/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html
    assert "/tasks/import-template.xlsx" in html and "/tasks/import-sample.xlsx" in html
    assert "style=" not in html.split("<main", 1)[1]  # CSP: no inline styles


def test_confirming_someone_elses_preview_fails(org, people, login, plan) -> None:
    colleague = UserFactory(username="staff2", unit=org.pv01, role=Role.STAFF, otp_exempt=True)
    owner = login(people.staff)
    url = upload(owner, plan, xlsx(*CLEAN_ROWS))["Location"]
    token = url.rstrip("/").rsplit("/", 1)[-1]

    other = login(colleague)  # may edit the document too, but did not upload the file
    assert other.get(url).status_code == 404
    assert other.post(url, {"action": "confirm"}).status_code == 404
    assert other.post(url, {"action": "cancel"}).status_code == 404
    assert_nothing_saved()
    assert f"{token}.xlsx" in pending_files()  # still there for its owner

    # A forged token is refused the same way.
    assert owner.post(f"/documents/{plan.pk}/import/..%2F..%2Fsecret/",
                      {"action": "confirm"}).status_code == 404
    assert owner.post(url.replace(token, "A" * 32), {"action": "confirm"}).status_code == 404
    assert_nothing_saved()


def test_a_token_only_works_for_its_own_document(org, people, login, plan) -> None:
    second = services.document_create(
        actor=people.staff, kind="plan", number="119-KH/CATP", title="Kế hoạch khác",
        issuer="CATP", issue_date=dt.date(2022, 7, 1), owner_unit=org.catp, code_prefix="KH119")
    client = login(people.staff)
    url = upload(client, plan, xlsx(*CLEAN_ROWS))["Location"]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    response = client.post(f"/documents/{second.pk}/import/{token}/", {"action": "confirm"})
    assert response.status_code == 404
    assert_nothing_saved()


# ---------------------------------------------------------------------------------------
# Template and sample
# ---------------------------------------------------------------------------------------


def test_the_template_downloads_and_imports_its_examples(people, login) -> None:
    response = login(people.officer).get("/tasks/import-template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "Nội dung nhiệm vụ" in [cell.value for cell in sheet[4]]


def test_the_sample_downloads(people, login) -> None:
    response = login(people.officer).get("/tasks/import-sample.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.active.merged_cells.ranges  # messy on purpose


def test_downloads_need_a_login(client) -> None:
    for url in ("/tasks/import-template.xlsx", "/tasks/import-sample.xlsx",
                "/tasks/export.xlsx"):
        assert client.get(url).status_code == 302


def test_the_sample_imports_cleanly_into_the_demo_organisation(db) -> None:
    from dondoc.organization.demo import load_units

    units = load_units()
    staff = UserFactory(username="thammuu", unit=units["PV01"], role=Role.STAFF)
    document = services.document_create(
        actor=staff, kind="project", number="01/ĐA-CATP", title="Đề án tổng thể",
        issuer="Công an thành phố Đà Nẵng", issue_date=dt.date(2022, 7, 1),
        owner_unit=units["CATP"], code_prefix="DA01")
    preview = imports.import_preview(user=staff, document=document, data=sample_workbook())
    assert not preview.has_errors, [(r.row_number, r.issues) for r in preview.rows if r.issues]
    assert [group.number for group in preview.groups] == [n for n, _title in SAMPLE_GROUPS]
    assert len(preview.tasks) == 25
    assert preview.warning_count >= 2  # "Các đơn vị liên quan", a missing deadline
    kinds = {row.deadline.kind for row in preview.tasks if row.deadline}
    assert kinds == {"fixed", "monthly", "quarterly", "yearly", "standing", "none"}

    result = imports.import_commit(actor=staff, document=document, preview=preview)
    assert (result.groups_created, result.tasks_created) == (8, 25)
    # Dissolved district police still stand behind "CA các quận, huyện" of 2022.
    first = Task.objects.get(code="DA01-I.1")
    assert first.coordinating_units.filter(kind=UnitKind.DISTRICT).count() == 7
    merged = Task.objects.get(code="DA01-IV.12")  # lead and deadline merged from the row above
    assert merged.lead_unit.code == "PX01" and merged.due_date == dt.date(2023, 12, 31)


# ---------------------------------------------------------------------------------------
# The console command
# ---------------------------------------------------------------------------------------


def _run(*args: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_tasks", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_cli_prints_the_preview_and_saves_nothing_without_commit(plan, tmp_path) -> None:
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(xlsx(*CLEAN_ROWS))
    output = _run(str(path), "--document", NUMBER)
    assert "row     5  OK" in output
    assert "group I" in output
    assert "6 row(s): 2 group(s), 4 task(s)" in output
    assert "--commit" in output
    assert_nothing_saved()


def test_cli_exits_1_on_errors_and_saves_nothing(plan, tmp_path) -> None:
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(xlsx(*CLEAN_ROWS, ("3", "N" * 1001, "PC08", "", "30/6/2030")))
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_tasks", str(path), "--document", NUMBER, "--commit", stdout=out)
    assert error.value.returncode == 1
    assert "nothing saved" in str(error.value)
    assert "ERROR" in out.getvalue() and "[title_too_long]" in out.getvalue()
    assert_nothing_saved()


def test_cli_commits_a_clean_file(org, plan, people, tmp_path) -> None:
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(xlsx(*CLEAN_ROWS))
    output = _run(str(path), "--document", "kh118", "--commit", "--as", "staff")
    assert "Imported 4 task(s)" in output
    assert Task.objects.filter(document=plan).count() == 4
    assert set(AuditEvent.objects.filter(object_type="plans.task").values_list(
        "actor_name", flat=True)) == {"staff"}


@pytest.mark.parametrize(("args", "message"), [
    (["--document", "999-KH/XX"], "No document"),
    (["--document", NUMBER, "--as", "nobody"], "No active user"),
    (["--document", NUMBER, "--as", "officer"], "may not import"),
])
def test_cli_refuses_unknown_documents_and_users(plan, people, tmp_path, args, message) -> None:
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(xlsx(*CLEAN_ROWS))
    with pytest.raises(CommandError, match=message):
        _run(str(path), *args)
    assert_nothing_saved()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("missing.xlsx", None, "File not found"),
    ("bao-cao.pdf", b"%PDF-1.7\n", "is not one"),
    ("phu-luc.xlsx", b"%PDF-1.7\n", "is not one"),
])
def test_cli_refuses_missing_and_non_excel_files(plan, tmp_path, name, content,
                                                 message) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        _run(str(path), "--document", NUMBER, "--commit")
    assert_nothing_saved()


def test_system_import_without_a_user_uses_every_active_unit(org, plan, tmp_path) -> None:
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(xlsx(("1", "Nhiệm vụ cho đơn vị ngoài", "OTHER", "", "30/6/2030")))
    _run(str(path), "--document", NUMBER, "--commit")
    task = Task.objects.get()
    assert task.lead_unit == org.other
    assert task.created_by is None
    assert AuditEvent.objects.filter(object_type="plans.task").get().actor_name == "system"
