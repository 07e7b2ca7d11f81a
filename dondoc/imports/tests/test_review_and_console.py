"""After the import: the needs-review list, clearing flags, the task-list filter, unit
groups; and the console: import-tasks --json / --new-document, import-units."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from dondoc.audit.models import AuditEvent
from dondoc.imports import imports
from dondoc.imports.models import ReviewFlag, UnitGroup
from dondoc.imports.tests.test_import_flow import NUMBER, make_plan, upload, xlsx
from dondoc.organization.models import Unit, UnitKind
from dondoc.plans.models import DeadlineKind, Document, Task

FLAGGED_ROWS = [
    ("I", "Quán triệt"),
    ("1", "Nhiệm vụ có hai đơn vị chủ trì", "PC08, PV01", "", "2024–2026", "Báo cáo",
     "", "Cấp Bộ"),
    ("2", "Nhiệm vụ chưa có thời hạn", "PX05", "Phòng XYZ", "Sau khi Luật được thông qua"),
    ("3", "Nhiệm vụ rõ ràng", "PV01", "", "30/6/2030"),
]
HEADER = ["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn",
          "Sản phẩm", "Ghi chú", "Cấp trình"]


@pytest.fixture
def imported(org, people) -> Document:
    document = make_plan(org, people)
    preview = imports.import_preview(user=people.staff, document=document,
                                     data=xlsx(*FLAGGED_ROWS, header=HEADER))
    imports.import_commit(actor=people.staff, document=document, preview=preview)
    return document


def test_flags_are_stored_with_the_task_and_its_cell(imported) -> None:
    several = Task.objects.get(title__startswith="Nhiệm vụ có hai")
    flag = several.review_flags.get()
    assert (flag.code, flag.column, flag.cell_text, flag.row_number) == (
        "several_leads", "lead", "PC08, PV01", 5)
    assert several.extra_columns == {"Cấp trình": "Cấp Bộ"}
    assert (several.starts_on, several.due_date) == (dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    assert several.deadline_text == "2024–2026"
    later = Task.objects.get(title__startswith="Nhiệm vụ chưa có")
    assert (later.deadline_kind, later.due_date, later.deadline_text) == (
        DeadlineKind.NONE, None, "Sau khi Luật được thông qua")
    assert sorted(later.review_flags.values_list("code", flat=True)) == [
        "deadline_to_set", "unknown_unit"]
    assert not Task.objects.get(title="Nhiệm vụ rõ ràng").review_flags.exists()


def test_the_review_list_shows_each_flag_and_clearing_is_audited(imported, people,
                                                                 login) -> None:
    client = login(people.staff)
    page = client.get(f"/documents/{imported.pk}/review/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "several_leads" in html and "deadline_to_set" in html and "unknown_unit" in html
    assert "“Sau khi Luật được thông qua”" in html
    assert "Nhiệm vụ rõ ràng" not in html
    flag = ReviewFlag.objects.get(code="several_leads")
    response = client.post(f"/review-flags/{flag.pk}/clear/",
                           {"next": f"/documents/{imported.pk}/review/"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.cleared_on is not None and flag.cleared_by == people.staff
    event = AuditEvent.objects.filter(message="review flag cleared").get()
    assert event.actor_name == "staff" and event.object_id == str(flag.task_id)
    assert "several_leads" not in client.get(f"/documents/{imported.pk}/review/").content.decode()
    # The task page shows the other column and what was written in the deadline cell.
    task_page = client.get(f"/tasks/{flag.task_id}/").content.decode()
    assert "Cấp trình" in task_page and "Cấp Bộ" in task_page and "2024–2026" in task_page


def test_who_may_not_decide_cannot_clear_a_flag(imported, people, login) -> None:
    flag = ReviewFlag.objects.get(code="several_leads")
    assert login(people.other_staff).post(f"/review-flags/{flag.pk}/clear/").status_code == 404
    assert login(people.officer).post(f"/review-flags/{flag.pk}/clear/").status_code == 403
    assert login(people.other_staff).get(f"/documents/{imported.pk}/review/").status_code == 404
    flag.refresh_from_db()
    assert flag.cleared_on is None


def test_the_task_list_filters_tasks_to_review(imported, people, login) -> None:
    client = login(people.staff)
    page = client.get(f"/tasks/?document={imported.pk}&needs_review=1")
    html = page.content.decode()
    assert "Nhiệm vụ có hai đơn vị chủ trì" in html and "Nhiệm vụ chưa có thời hạn" in html
    assert "Nhiệm vụ rõ ràng" not in html
    for flag in ReviewFlag.objects.all():
        flag.cleared_on = dt.date(2030, 1, 1)
        flag.save()
    assert "Nhiệm vụ có hai" not in client.get("/tasks/?needs_review=1").content.decode()


def test_the_export_has_the_other_columns_cell(imported, people, login) -> None:
    from openpyxl import load_workbook

    content = login(people.staff).get(f"/tasks/export.xlsx?document={imported.pk}").content
    sheet = load_workbook(io.BytesIO(content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(row for row in values if row[0] == "STT/Mã")
    assert header[-1] == "Các cột khác"
    row = next(row for row in values if row[1] == "Nhiệm vụ có hai đơn vị chủ trì")
    assert row[-1] == "Cấp trình: Cấp Bộ"
    later = next(row for row in values if row[1] == "Nhiệm vụ chưa có thời hạn")
    assert later[4] == "Sau khi Luật được thông qua"


def test_the_preview_chooses_a_lead_and_sets_the_assigned_date(org, people, login) -> None:
    plan = make_plan(org, people)
    client = login(people.staff)
    url = upload(client, plan, xlsx(*FLAGGED_ROWS, header=HEADER))["Location"]
    page = client.get(url).content.decode()
    assert 'name="lead_5"' in page and "20/06/2022" in page  # the document's issue date
    response = client.post(url, {"action": "confirm", "lead_5": str(org.pv01.pk),
                                 "assigned_on": "01/07/2022"})
    assert response.status_code == 302
    task = Task.objects.get(title__startswith="Nhiệm vụ có hai")
    assert task.lead_unit == org.pv01 and list(task.coordinating_units.all()) == [org.pc08]
    assert not task.review_flags.exists()  # settled in the preview
    assert task.assigned_on == dt.date(2022, 7, 1)


def test_a_lead_outside_the_candidates_is_refused(org, people) -> None:
    plan = make_plan(org, people)
    preview = imports.import_preview(user=people.staff, document=plan,
                                     data=xlsx(*FLAGGED_ROWS, header=HEADER))
    with pytest.raises(imports.ImportRefused):
        imports.import_commit(actor=people.staff, document=plan, preview=preview,
                              lead_overrides={5: org.pc06.pk})
    assert not Task.objects.exists()


# -- unit groups -------------------------------------------------------------------------


def test_staff_manage_unit_groups_that_the_importer_expands(org, people, login) -> None:
    client = login(people.staff)
    assert client.get("/unit-groups/").status_code == 200
    response = client.post("/unit-groups/new/", {
        "name": "Các phòng nghiệp vụ an ninh", "aliases": "Các phòng an ninh\n",
        "units": [org.px05.pk, org.pc06.pk]})
    assert response.status_code == 302
    group = UnitGroup.objects.get()
    assert group.owner_unit == org.catp and group.phrases == [
        "Các phòng nghiệp vụ an ninh", "Các phòng an ninh"]
    assert AuditEvent.objects.filter(object_type="imports.unitgroup", action="create").exists()
    plan = make_plan(org, people)
    preview = imports.import_preview(user=people.staff, document=plan, data=xlsx(
        ("1", "Rà soát", "PV01", "Các phòng an ninh", "30/6/2030")))
    assert set(preview.tasks[0].coordinating_unit_ids) == {org.px05.pk, org.pc06.pk}
    assert preview.tasks[0].flags == []
    # Another agency neither sees nor edits it; an officer may not manage groups.
    assert login(people.other_staff).get(f"/unit-groups/{group.pk}/edit/").status_code == 404
    assert login(people.officer).get("/unit-groups/").status_code == 403


# -- import-tasks ------------------------------------------------------------------------


def _command(*args: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_tasks", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_json_has_exactly_the_documented_shape(org, people, tmp_path) -> None:
    make_plan(org, people)
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(xlsx(*FLAGGED_ROWS, ("Ghi chú: số liệu đến 31/12.",), header=HEADER))
    result = json.loads(_command(str(path), "--document", NUMBER, "--json"))
    assert result["summary"] == {"groups": 1, "tasks": 3, "outputs": 0, "flags": 3,
                                 "errors": 0, "saved": False}
    rows = {row["row"]: row for row in result["rows"]}
    assert set(rows[5]) == {"row", "kind", "number", "title", "group", "lead", "coordinators",
                            "deadline", "parent_row", "flags", "errors"}
    assert rows[5] | {"flags": None} == {
        "row": 5, "kind": "task", "number": "1", "title": "Nhiệm vụ có hai đơn vị chủ trì",
        "group": "I", "lead": "PC08", "coordinators": ["PV01"],
        "deadline": {"kind": "fixed", "due": "2026-12-31", "start": "2024-01-01",
                     "text": "2024–2026"},
        "parent_row": None, "flags": None, "errors": []}
    assert [flag["code"] for flag in rows[5]["flags"]] == ["several_leads"]
    assert rows[6]["deadline"] == {"kind": "none", "due": None, "start": None,
                                   "text": "Sau khi Luật được thông qua"}
    assert rows[4]["kind"] == "group" and rows[4]["group"] is None
    assert rows[8]["kind"] == "skipped"
    assert not Task.objects.exists()


def test_new_document_is_created_with_the_tasks(org, people, tmp_path) -> None:
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(xlsx(*FLAGGED_ROWS, header=HEADER))
    args = [str(path), "--new-document", "29/NQ-CP", "--title", "Nghị quyết thử",
            "--issuer", "Chính phủ", "--issued", "05/03/2024", "--owner", "catp"]
    _command(*args)  # a preview creates nothing
    assert not Document.objects.filter(number="29/NQ-CP").exists()
    output = json.loads(_command(*args, "--commit", "--json"))
    assert output["summary"]["saved"] is True
    document = Document.objects.get(number="29/NQ-CP")
    assert (document.kind, document.code_prefix, document.owner_unit) == (
        "resolution", "NQ29", org.catp)
    assert set(document.tasks.values_list("assigned_on", flat=True)) == {dt.date(2024, 3, 5)}
    with pytest.raises(CommandError, match="--document"):
        _command(*args)


@pytest.mark.parametrize(("number", "kind", "prefix"), [
    ("1574/QĐ-TTg", "decision", "QD1574"), ("118-KH/ĐUCA", "plan", "KH118"),
])
def test_new_document_defaults_from_the_number(org, tmp_path, number, kind, prefix) -> None:
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(xlsx(("1", "Việc", "PV01", "", "2025")))
    _command(str(path), "--new-document", number, "--title", "T", "--issuer", "I",
             "--issued", "01/01/2025", "--owner", "CATP", "--commit")
    assert Document.objects.filter(number=number, kind=kind, code_prefix=prefix).exists()


def test_new_document_arguments_are_checked(org, tmp_path) -> None:
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(xlsx(("1", "Việc", "PV01", "", "2025")))
    base = [str(path), "--new-document", "1/KH", "--title", "T", "--issuer", "I"]
    with pytest.raises(CommandError, match="--issued, --owner"):
        _command(*base)
    with pytest.raises(CommandError, match="DD/MM/YYYY"):
        _command(*base, "--issued", "2025-01-01", "--owner", "CATP")
    with pytest.raises(CommandError, match="--owner"):
        _command(*base, "--issued", "01/01/2025", "--owner", "NOPE")


def test_a_file_that_is_not_a_workbook_exits_1(org, people, tmp_path) -> None:
    make_plan(org, people)
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(CommandError) as error:
        _command(str(path), "--document", NUMBER, "--json")
    assert error.value.returncode == 1


# -- import-units ------------------------------------------------------------------------


def _units(tmp_path: Path, text: str, *args: str) -> str:
    path = tmp_path / "units.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import_units", str(path), *args, stdout=out)
    return out.getvalue()


def test_import_units_previews_then_commits_with_parents_later_in_the_file(db, tmp_path) -> None:
    text = ("Tên đơn vị;Mã đơn vị;Đơn vị cấp trên;Loại;Nhóm\n"
            "Sở Tư pháp;STP;UBT;Phòng;Các sở, ban, ngành\n"
            "Ủy ban nhân dân tỉnh;UBT;;;\n"
            "Công an tỉnh;CAT;UBT;External agency;Các sở, ban, ngành | Lực lượng vũ trang\n")
    preview = _units(tmp_path, text)
    assert "3 unit(s): 3 create" in preview and not Unit.objects.exists()
    _units(tmp_path, text, "--commit")
    ubt = Unit.objects.get(code="UBT")
    assert ubt.kind == UnitKind.AGENCY and Unit.objects.get_parent(ubt) is None
    assert Unit.objects.get(code="STP").kind == UnitKind.DEPARTMENT
    assert Unit.objects.get(code="CAT").kind == UnitKind.EXTERNAL
    assert Unit.objects.get_parent(Unit.objects.get(code="STP")) == ubt
    assert set(UnitGroup.objects.get(name="Các sở, ban, ngành").units.values_list(
        "code", flat=True)) == {"STP", "CAT"}
    assert UnitGroup.objects.filter(name="Lực lượng vũ trang").exists()
    # Idempotent; names update; structure only with --update-structure (audited move).
    again = _units(tmp_path, text.replace("Sở Tư pháp;STP;UBT", "Sở Tư pháp tỉnh;STP;CAT"),
                   "--commit")
    stp = Unit.objects.get(code="STP")
    assert stp.name == "Sở Tư pháp tỉnh" and Unit.objects.get_parent(stp) == ubt
    assert "--update-structure" in again and Unit.objects.count() == 3
    _units(tmp_path, text.replace("Sở Tư pháp;STP;UBT", "Sở Tư pháp tỉnh;STP;CAT"),
           "--commit", "--update-structure")
    assert Unit.objects.get_parent(Unit.objects.get(code="STP")).code == "CAT"
    assert AuditEvent.objects.filter(action="move", object_type="organization.unit").exists()


def test_import_units_reports_errors_and_saves_nothing(db, tmp_path) -> None:
    text = ("code,name,parent_code,kind,scope_root\n"
            "A B,Bad code,,,\n"
            "X1,,,,\n"
            "X2,Child,NOWHERE,,\n"
            "X3,Kind,,planet,\n"
            "X4,Root flag,,,maybe\n")
    with pytest.raises(CommandError) as error:
        _units(tmp_path, text, "--commit")
    assert error.value.returncode == 1 and "5 error(s)" in str(error.value)
    assert not Unit.objects.exists()
    with pytest.raises(CommandError, match="name"):
        _units(tmp_path, "foo,bar\n1,2\n")


def test_import_units_accepts_scope_root_and_says_what_it_does(db, tmp_path) -> None:
    output = _units(tmp_path, "code,name,scope_root\nUBT,Ủy ban nhân dân tỉnh,1\n", "--commit")
    has_field = any(f.name == "is_scope_root" for f in Unit._meta.get_fields())
    if has_field:
        assert Unit.objects.get(code="UBT").is_scope_root  # type: ignore[attr-defined]
    else:
        assert "scope_root ignored: set by administrators" in output
