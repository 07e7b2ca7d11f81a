"""The whole campaign in Excel, read back with openpyxl: sheets, rows in tree order,
subtotals, flattened tables, the free-row table's sheet, formats, scoping and audit."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import load_workbook

from dondoc.audit.models import Action, AuditEvent
from dondoc.surveys.exports import export_campaign_xlsx
from dondoc.surveys.tests.test_consolidation_world import (  # noqa: F401 - the fixture
    World,
    world_fixture,
)

TODAY = dt.date(2026, 5, 15)


def _book(user: Any, world: World, include_submitted: bool = False) -> Any:
    out = io.BytesIO()
    export_campaign_xlsx(user=user, campaign=world.now, out=out,
                         include_submitted=include_submitted, today=TODAY)
    return load_workbook(io.BytesIO(out.getvalue()))


def _table(sheet: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The keys row (5) and the data rows below it."""
    keys = [cell.value for cell in sheet[5]]
    return keys, [row for row in sheet.iter_rows(min_row=6, values_only=True)]


def test_one_sheet_per_section_and_one_per_free_row_table(world: World, people: Any) -> None:
    book = _book(people.staff, world)
    assert book.sheetnames == ["Đợt khảo sát", "Thông tin chung", "Phương tiện", "Trụ sở",
                               "Cơ sở"]
    keys, _rows = _table(book["Phương tiện"])
    assert keys == ["unit", "unit_name", "status", "vehicles.cars.quantity", "vehicles.cars.good",
                    "vehicles.cars.condition", "vehicles.motorbikes.quantity",
                    "vehicles.motorbikes.good", "vehicles.motorbikes.condition"]
    keys, _rows = _table(book["Trụ sở"])
    assert keys == ["unit", "unit_name", "status", "sites.land", "sites.rows"]


def test_rows_follow_the_tree_with_subtotals(world: World, people: Any) -> None:
    keys, rows = _table(_book(people.staff, world)["Thông tin chung"])
    officers = keys.index("officers")
    lines = [(row[0], row[1], row[officers]) for row in rows]
    assert [line[0] for line in lines] == ["CATP", "PC08", "PC08", "PC08-D1", "PC06", "PX05"]
    assert lines[0][1].endswith("cộng") and lines[0][2] == 117  # 110 + 7
    assert lines[1][2] == 110  # PC08's subtree: PC08-D1 is not accepted
    assert lines[2][2] == 110  # PC08's own answers
    assert lines[3][2] is None and lines[5][2] is None  # submitted only; not started
    assert rows[0][2] == "2/4 đơn vị" and rows[4][2] == "Đã tiếp nhận"  # PC06, accepted


def test_including_submitted_answers(world: World, people: Any) -> None:
    keys, rows = _table(_book(people.staff, world, include_submitted=True)["Phương tiện"])
    cars = keys.index("vehicles.cars.quantity")
    assert rows[0][cars] == 5 + 2 + 2  # PC08, PC08-D1 (submitted) and PC06


def test_free_rows_are_summed_and_listed(world: World, people: Any) -> None:
    book = _book(people.staff, world)
    keys, rows = _table(book["Trụ sở"])
    assert (rows[0][keys.index("sites.land")], rows[0][keys.index("sites.rows")]) == (1200, 1)
    keys, rows = _table(book["Cơ sở"])
    assert rows == [("PC08", "Phòng Cảnh sát giao thông", 1, "1 Lê Duẩn", 1200, "Tốt")]


def test_formats_and_text_cells(world: World, people: Any) -> None:
    sheet = _book(people.staff, world)["Thông tin chung"]
    keys, rows = _table(sheet)
    assert sheet.freeze_panes == "C6"
    pc06 = 6 + [row[0] for row in rows].index("PC06")
    officers = sheet.cell(row=pc06, column=keys.index("officers") + 1)
    assert officers.number_format == "#,##0"
    notes = sheet.cell(row=pc06, column=keys.index("notes") + 1)
    assert notes.value == "=SUM(A1:A9) không phải công thức" and notes.data_type == "s"
    rating = sheet.cell(row=pc06, column=keys.index("rating") + 1)
    assert rating.value == "Trung bình"  # the choice's label


def test_a_unit_manager_exports_their_subtree(world: World, people: Any) -> None:
    _keys, rows = _table(_book(people.manager, world)["Thông tin chung"])
    assert [row[0] for row in rows] == ["PC08", "PC08", "PC08-D1"]


def test_the_download_is_audited(world: World, people: Any, login: Any) -> None:
    response = login(people.staff).get(f"/surveys/campaigns/{world.now.pk}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    event = AuditEvent.objects.filter(action=Action.EXPORT).latest("seq")
    assert event.object_id == str(world.now.pk)
