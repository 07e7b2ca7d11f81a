"""The Excel export of the task list: same scope and filters as the list, bounded queries."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from dondoc.audit.models import AuditEvent
from dondoc.plans import services
from dondoc.plans.exports import COLUMNS, export_tasks_xlsx
from dondoc.plans.models import DeadlineKind, Document, Task
from dondoc.plans.selectors import filters_from_params, task_list
from dondoc.progress.labels import STATUS_STYLES

HEADER_ROW = 4  # 1-based: title, "as of", empty, header


def make_plan(org, people) -> Document:
    return services.document_create(
        actor=people.staff, kind="plan", number="118-KH/CATP", title="Kế hoạch thực hiện NQ 12",
        issuer="Công an thành phố Đà Nẵng", issue_date=dt.date(2022, 6, 20),
        owner_unit=org.catp, code_prefix="KH118")


def make_task(people, document, lead, *, title: str, days: int | None = 30,
              coordinating=(), kind: str = DeadlineKind.FIXED) -> Task:
    today = services.today()
    return services.task_create(
        actor=people.staff, document=document, title=title, lead_unit=lead,
        assigning_unit=document.owner_unit, coordinating_units=list(coordinating),
        deadline_kind=kind, due_date=today + dt.timedelta(days=days) if days is not None else None,
        expected_product="Báo cáo kết quả", assigned_on=today - dt.timedelta(days=60))


@pytest.fixture
def tasks(org, people):
    document = make_plan(org, people)
    return {
        "pc08": make_task(people, document, org.pc08, title="Quán triệt Nghị quyết tại PC08",
                          coordinating=[org.pv01, org.pc08_d1]),
        "pc08_late": make_task(people, document, org.pc08, title="Báo cáo quá hạn của PC08",
                               days=-5),
        "team": make_task(people, document, org.pc08_d1, title="Nhiệm vụ của Đội CSGT số 1",
                          kind=DeadlineKind.MONTHLY, days=None),
        "pc06": make_task(people, document, org.pc06, title="Nhiệm vụ riêng của PC06"),
    }


def rows_of(content: bytes) -> list[dict[str, object]]:
    sheet = load_workbook(io.BytesIO(content)).active
    header = [cell.value for cell in sheet[HEADER_ROW]]
    return [dict(zip(header, values, strict=True))
            for values in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


def test_export_holds_exactly_the_tasks_the_user_may_see(people, login, tasks) -> None:
    response = login(people.manager).get("/tasks/export.xlsx")  # PC08's manager
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "attachment" in response["Content-Disposition"]
    rows = rows_of(response.content)
    codes = {row["STT/Mã"] for row in rows}
    assert codes == {tasks["pc08"].code, tasks["pc08_late"].code, tasks["team"].code}
    assert tasks["pc06"].code not in codes  # another unit's task

    outsider_rows = rows_of(login(people.outsider).get("/tasks/export.xlsx").content)
    assert {row["STT/Mã"] for row in outsider_rows} == {tasks["pc06"].code}

    other_agency = rows_of(login(people.other_staff).get("/tasks/export.xlsx").content)
    assert other_agency == []


def test_export_has_the_import_columns_status_and_vietnamese_dates(people, login, tasks) -> None:
    content = login(people.staff).get("/tasks/export.xlsx").content
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert [cell.value for cell in sheet[HEADER_ROW]] == [label for label, _w in COLUMNS]
    assert sheet["A1"].value and "A1:J1" in {str(r) for r in sheet.merged_cells.ranges}

    rows = {row["STT/Mã"]: row for row in rows_of(content)}
    first = rows[tasks["pc08"].code]
    assert first["Nội dung nhiệm vụ"] == "Quán triệt Nghị quyết tại PC08"
    assert first["Đơn vị chủ trì"] == "Phòng Cảnh sát giao thông"
    # In the order of the unit tree (PC08's team sorts before PV01 by display order).
    assert first["Đơn vị phối hợp"] == "Đội CSGT số 1; Phòng Tham mưu"
    assert first["Sản phẩm"] == "Báo cáo kết quả"
    deadline = first["Thời hạn"]
    assert isinstance(deadline, dt.datetime) and deadline.date() == tasks["pc08"].deadline
    assert first["Trạng thái"] == str(STATUS_STYLES["in_progress_on_time"].label)
    assert first["Tiến độ (%)"] == 0
    assert first["Ngày hoàn thành"] is None
    assert rows[tasks["team"].code]["Thời hạn"] == "Hằng tháng"
    assert rows[tasks["pc08_late"].code]["Trạng thái"] == str(
        STATUS_STYLES["in_progress_overdue"].label)

    # Dates as dd/mm/yyyy; the status cell in the colour of the UI palette.
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1):
        if row[0].value == tasks["pc08_late"].code:
            assert row[4].number_format == "dd/mm/yyyy"
            overdue = STATUS_STYLES["in_progress_overdue"].colour.lstrip("#").upper()
            assert row[6].fill.fgColor.rgb.endswith(overdue)


def test_export_applies_the_same_filters_as_the_list(org, people, login, tasks) -> None:
    client = login(people.staff)
    for query in (f"lead={org.pc08.pk}&subtree=0", f"lead={org.pc08.pk}", "status=overdue",
                  f"coordinator={org.pv01.pk}", "q=quan triet", "sort=code"):
        params = dict(pair.split("=") for pair in query.split("&"))
        expected = [task.code for task in task_list(user=people.staff,
                                                    filters=filters_from_params(params))]
        rows = rows_of(client.get(f"/tasks/export.xlsx?{query}").content)
        assert [row["STT/Mã"] for row in rows] == expected, query
        assert expected  # every filter keeps something: the test means something
    only_pc08 = rows_of(client.get(f"/tasks/export.xlsx?lead={org.pc08.pk}&subtree=0").content)
    assert {row["STT/Mã"] for row in only_pc08} == {tasks["pc08"].code, tasks["pc08_late"].code}


def test_an_invalid_filter_is_refused(people, login, tasks) -> None:
    response = login(people.staff).get("/tasks/export.xlsx?due_from=31/31/2024")
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="export").exists()


def test_export_is_audited(people, login, tasks) -> None:
    login(people.manager).get("/tasks/export.xlsx?status=open")
    event = AuditEvent.objects.get(action="export")
    assert event.actor_name == "manager"
    assert event.object_type == "plans.task"
    assert event.changes["rows"] == [None, 3]
    assert event.changes["filters"] == [None, "status=open"]


def test_export_uses_a_bounded_number_of_queries(org, people, login, tasks,
                                                 django_assert_max_num_queries) -> None:
    document = Document.objects.get()
    for index in range(40):
        make_task(people, document, org.pc08 if index % 2 else org.pc06,
                  title=f"Nhiệm vụ {index}", coordinating=[org.pv01, org.px05])
    client = login(people.staff)
    # Session, user, scope, the task query, the coordinating units, the audit event.
    with django_assert_max_num_queries(12):
        response = client.get("/tasks/export.xlsx")
    assert len(rows_of(response.content)) == 44


def test_export_of_a_plain_list_reads_coordinating_units_in_one_query(people, tasks,
                                                         django_assert_num_queries) -> None:
    listed = list(task_list(user=people.staff, filters=filters_from_params({})))
    buffer = io.BytesIO()
    with django_assert_num_queries(1):  # the coordinating units, for all tasks at once
        count = export_tasks_xlsx(listed, buffer, title="Danh sách", as_of=services.today())
    assert count == 4
    assert len(rows_of(buffer.getvalue())) == 4


def test_an_empty_export_still_opens(people, login, org) -> None:
    rows = rows_of(login(people.staff).get("/tasks/export.xlsx").content)
    assert rows == []


def test_cell_text_is_never_a_formula(org, people, login) -> None:
    document = make_plan(org, people)
    make_task(people, document, org.pc08, title='=HYPERLINK("http://x.invalid","bấm")')
    content = login(people.staff).get("/tasks/export.xlsx").content
    sheet = load_workbook(io.BytesIO(content)).active
    cell = sheet.cell(row=HEADER_ROW + 1, column=2)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x.invalid","bấm")'
