"""Tests of the Excel task-appendix parser: workbooks are built in memory, no database."""

from __future__ import annotations

import datetime as dt
import re
import time
import zipfile
from collections.abc import Callable, Sequence
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from dondoc.imports import importing
from dondoc.imports.importing import (
    MESSAGES,
    Deadline,
    DeadlineError,
    ImportPreview,
    ParsedRow,
    UnitDirectory,
    UnitRef,
    parse_deadline,
    parse_workbook,
    write_template,
)

# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------

CITY = 1
UNITS = [
    UnitRef(CITY, "CATP", "Công an thành phố Đà Nẵng", "CATP Đà Nẵng", "agency", None),
    UnitRef(10, "PV01", "Phòng Tham mưu", "Tham mưu", "department", CITY),
    UnitRef(11, "PX01", "Phòng Tổ chức cán bộ", "TCCB", "department", CITY),
    UnitRef(12, "PX03", "Phòng Công tác đảng và công tác chính trị", "CTĐ", "department", CITY),
    UnitRef(13, "PH01", "Phòng Tài chính", "Tài chính", "department", CITY),
    UnitRef(14, "PH10", "Phòng Hậu cần", "Hậu cần", "department", CITY),
    UnitRef(
        15,
        "PA05",
        "Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",
        "An ninh mạng",
        "department",
        CITY,
    ),
    UnitRef(16, "PC08", "Phòng Cảnh sát giao thông", "CSGT", "department", CITY),
    UnitRef(20, "CAQHC", "Công an quận Hải Châu", "CA Hải Châu", "district", CITY),
    UnitRef(21, "CAQTK", "Công an quận Thanh Khê", "CA Thanh Khê", "district", CITY),
    UnitRef(22, "CAHHV", "Công an huyện Hòa Vang", "CA Hòa Vang", "district", CITY),
    UnitRef(30, "SOTC", "Sở Tài chính", "", "external", None),
]
DISTRICTS = [20, 21, 22]
COLLECTIVES = {"Công an các quận, huyện": DISTRICTS}

HEADER = [
    "STT",
    "Nội dung nhiệm vụ",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Thời hạn",
    "Sản phẩm",
    "Ghi chú",
]
TITLE_ROWS: list[list[object]] = [
    ["PHỤ LỤC PHÂN CÔNG NHIỆM VỤ"],
    ["(Kèm theo Kế hoạch số 118/KH-CATP ngày 25/5/2022 của Công an thành phố)"],
    [],
]
# With TITLE_ROWS and HEADER, the first data row is row 5.
FIRST = len(TITLE_ROWS) + 2


def directory() -> UnitDirectory:
    return UnitDirectory(UNITS, COLLECTIVES)


def build(
    rows: Sequence[Sequence[object]],
    *,
    merges: Sequence[str] = (),
    bold: Sequence[str] = (),
    formats: dict[str, str] | None = None,
    extra_sheets: dict[str, Sequence[Sequence[object]]] | None = None,
    active_first: bool = True,
) -> bytes:
    """An .xlsx file whose first sheet holds ``rows`` (None or missing = empty cell)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Phụ lục"
    _fill(sheet, rows)
    for ref in merges:
        sheet.merge_cells(ref)
    for ref in bold:
        sheet[ref].font = Font(bold=True)
    for ref, number_format in (formats or {}).items():
        sheet[ref].number_format = number_format
    for title, extra_rows in (extra_sheets or {}).items():
        _fill(workbook.create_sheet(title), extra_rows)
    if not active_first:
        workbook.active = len(workbook.worksheets) - 1
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fill(sheet: object, rows: Sequence[Sequence[object]]) -> None:
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=r, column=c, value=value)  # type: ignore[attr-defined]


def appendix(*data: Sequence[object], header: Sequence[object] = HEADER) -> list[list[object]]:
    """Title rows, the header, then ``data`` (the first data row is row ``FIRST``)."""
    return [*(list(row) for row in TITLE_ROWS), list(header), *(list(row) for row in data)]


def task(
    number: object = "1",
    title: object = "Rà soát trụ sở",
    lead: object = "PV01",
    coordinating: object = None,
    deadline: object = "30/6/2023",
    product: object = None,
    note: object = None,
) -> list[object]:
    return [number, title, lead, coordinating, deadline, product, note]


def parse(rows: Sequence[Sequence[object]], **kwargs: object) -> ImportPreview:
    build_kwargs = {k: v for k, v in kwargs.items() if k != "max_rows"}
    data = build(rows, **build_kwargs)  # type: ignore[arg-type]
    max_rows = kwargs.get("max_rows", 10000)
    return parse_workbook(data, directory(), max_rows=max_rows)  # type: ignore[arg-type]


def only_task(preview: ImportPreview) -> ParsedRow:
    assert not preview.file_issues, [i.code for i in preview.file_issues]
    assert len(preview.tasks) == 1
    return preview.tasks[0]


def codes(row_or_preview: ParsedRow | ImportPreview) -> list[str]:
    if isinstance(row_or_preview, ImportPreview):
        return [issue.code for issue in row_or_preview.file_issues]
    return [issue.code for issue in row_or_preview.issues]


def lead_of(cell: str) -> ParsedRow:
    return only_task(parse(appendix(task(lead=cell))))


def coordinators_of(cell: str, lead: str = "PV01") -> ParsedRow:
    return only_task(parse(appendix(task(lead=lead, coordinating=cell))))


# ---------------------------------------------------------------------------------------
# Header detection
# ---------------------------------------------------------------------------------------


def test_messy_header_below_merged_title_rows() -> None:
    rows = appendix(
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],  # column numbers row
        ["I", "Công tác lãnh đạo, chỉ đạo"],
        task("1", "Quán triệt Nghị quyết", "PX03", "PV01", "Quý IV/2022", "Báo cáo", "x"),
    )
    preview = parse(rows, merges=["A1:G1", "A2:G2"])
    assert preview.file_issues == []
    assert preview.header_row == 4
    assert preview.columns == {
        "number": 1,
        "content": 2,
        "lead": 3,
        "coordinating": 4,
        "deadline": 5,
        "product": 6,
        "note": 7,
    }
    group, item = preview.rows
    assert (group.kind, group.row_number, group.number) == ("group", 6, "I")
    assert (item.kind, item.row_number, item.number) == ("task", 7, "1")
    assert item.title == "Quán triệt Nghị quyết"
    assert item.lead_unit_id == 12
    assert item.coordinating_unit_ids == [10]
    assert item.deadline == Deadline("fixed", dt.date(2022, 12, 31), "Quý IV/2022")
    assert (item.product, item.note) == ("Báo cáo", "x")
    assert item.status == "ok"


@pytest.mark.parametrize(
    "header",
    [
        [
            "STT",
            "Nội dung nhiệm vụ",
            "Đơn vị chủ trì",
            "Đơn vị phối hợp",
            "Thời hạn",
            "Sản phẩm",
            "Ghi chú",
        ],
        [
            "TT",
            "Nội dung công việc",
            "Cơ quan chủ trì",
            "Phối hợp",
            "Thời gian hoàn thành",
            "Sản phẩm đầu ra",
            "Ghi chú",
        ],
        [
            "Số TT",
            "Nhiệm vụ",
            "Chủ trì",
            "Cơ quan phối hợp",
            "Thời gian thực hiện",
            "Kết quả",
            None,
        ],
        [
            "STT",
            "NOI DUNG NHIEM VU",
            "DON VI CHU TRI",
            "DON VI PHOI HOP",
            "THOI HAN",
            "SAN PHAM",
            "GHI CHU",
        ],
        [
            "TT.",
            "Nội dung công việc (nhiệm vụ)",
            "Đơn vị chủ trì thực hiện:",
            "Đơn vị phối hợp\nthực hiện",
            "Thời hạn\n(ngày/tháng/năm)",
            "Sản phẩm",
            "Ghi chú",
        ],
    ],
    ids=["standard", "variant-co-quan", "short-names", "no-diacritics-upper", "noisy"],
)
def test_header_name_variants(header: list[object]) -> None:
    preview = parse(appendix(task(coordinating="PX01", product="Báo cáo"), header=header))
    item = only_task(preview)
    assert item.lead_unit_id == 10
    assert item.coordinating_unit_ids == [11]
    assert item.deadline is not None and item.deadline.due == dt.date(2023, 6, 30)
    assert item.product == "Báo cáo"
    expected = {"number", "content", "lead", "coordinating", "deadline", "product"}
    assert expected <= set(preview.columns)


def test_columns_in_another_order() -> None:
    header = ["Đơn vị chủ trì", "TT", "Thời hạn", "Nhiệm vụ"]
    preview = parse(appendix(["PH10", "1", "Năm 2023", "Mua sắm phương tiện"], header=header))
    item = only_task(preview)
    assert (item.number, item.title, item.lead_unit_id) == ("1", "Mua sắm phương tiện", 14)
    assert item.deadline == Deadline("fixed", dt.date(2023, 12, 31), "Năm 2023")


def test_two_row_header() -> None:
    rows = [
        ["PHỤ LỤC"],
        ["STT", "Nội dung", "Đơn vị thực hiện", None, "Thời gian"],
        [None, None, "Chủ trì", "Phối hợp", None],
        ["1", "Xây dựng đề án", "PV01", "PX01, PH01", "Quý I/2023"],
    ]
    preview = parse(rows, merges=["A2:A3", "B2:B3", "C2:D2", "E2:E3"])
    item = only_task(preview)
    assert preview.header_row == 3
    assert item.row_number == 4
    assert item.lead_unit_id == 10
    assert item.coordinating_unit_ids == [11, 13]
    assert item.deadline is not None and item.deadline.due == dt.date(2023, 3, 31)


def test_header_repeated_on_a_later_page_is_skipped() -> None:
    preview = parse(appendix(task("1"), HEADER, task("2", "Việc khác")))
    assert [row.number for row in preview.tasks] == ["1", "2"]
    assert all(row.status == "ok" for row in preview.rows)


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        (["STT", "Nội dung nhiệm vụ", "Thời hạn", "Ghi chú"], "Đơn vị chủ trì"),
        (["STT", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn"], "Nội dung nhiệm vụ"),
        (["Cột A", "Cột B", "Cột C"], "Nội dung nhiệm vụ, Đơn vị chủ trì"),
    ],
    ids=["no-lead", "no-content", "nothing"],
)
def test_missing_columns(header: list[object], missing: str) -> None:
    preview = parse(appendix(["1", "x", "y", "z"], header=header))
    assert codes(preview) == ["missing_columns"]
    assert preview.file_issues[0].params["columns"] == missing
    assert preview.has_errors
    assert preview.rows == []


def test_header_after_row_15_is_not_found() -> None:
    rows = [[f"dòng {i}"] for i in range(16)] + [HEADER, task()]
    assert codes(parse(rows)) == ["missing_columns"]


def test_the_sheet_with_the_header_is_read() -> None:
    data = build(
        [["Hướng dẫn điền phụ lục"], ["Xem sheet sau"]],
        extra_sheets={"Nhiệm vụ": appendix(task())},
    )
    preview = parse_workbook(data, directory())
    assert preview.sheet_name == "Nhiệm vụ"
    assert only_task(preview).lead_unit_id == 10


def test_several_task_sheets_reads_the_active_one_and_warns() -> None:
    data = build(
        appendix(task("1", "Việc của sheet 1")),
        extra_sheets={"Khác": appendix(task("1", "Việc của sheet 2"))},
        active_first=False,
    )
    preview = parse_workbook(data, directory())
    assert preview.sheet_name == "Khác"
    assert codes(preview) == ["other_sheets"]
    assert preview.file_issues[0].level == "warning"
    assert [row.title for row in preview.tasks] == ["Việc của sheet 2"]
    assert not preview.has_errors


# ---------------------------------------------------------------------------------------
# Groups and rows
# ---------------------------------------------------------------------------------------


def test_roman_group_rows_and_task_numbers() -> None:
    rows = appendix(
        task("1", "Việc trước mọi nhóm"),
        ["I", "Công tác lãnh đạo, chỉ đạo"],
        task("1", "Việc một"),
        task("1.1", "Việc một chấm một"),
        ["II.", "  Tổ chức   bộ máy  "],
        task(2, "Việc hai"),
        task(3.0, "Việc ba"),
        ["XII", "Nhóm mười hai"],
    )
    preview = parse(rows)
    assert [(row.kind, row.number) for row in preview.rows] == [
        ("task", "1"),
        ("group", "I"),
        ("task", "1"),
        ("task", "1.1"),
        ("group", "II"),
        ("task", "2"),
        ("task", "3"),
        ("group", "XII"),
    ]
    assert [row.group_number for row in preview.tasks] == [None, "I", "I", "II", "II"]
    assert [row.group_row for row in preview.tasks] == [None, 6, 6, 9, 9]
    assert preview.groups[1].title == "Tổ chức bộ máy"
    group = preview.groups[0]
    assert (group.lead_unit_id, group.deadline, group.issues) == (None, None, [])
    assert len(preview.groups) == 3 and len(preview.tasks) == 5


def test_group_title_written_in_the_number_cell_merged_across() -> None:
    rows = appendix(["I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO"], task("1"))
    preview = parse(rows, merges=[f"A{FIRST}:G{FIRST}"])
    group = preview.groups[0]
    assert (group.number, group.title) == ("I", "CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO")
    assert preview.tasks[0].group_number == "I"


def test_unnumbered_group_rows() -> None:
    rows = appendix(
        [None, "Nhiệm vụ chung"],  # only the content cell: a group
        task("1"),
        [None, "Nhiệm vụ cụ thể", None, None, None, None, "in đậm"],  # bold content
        task("1", "Việc khác"),
    )
    preview = parse(rows, bold=[f"B{FIRST + 2}"])
    assert [row.kind for row in preview.rows] == ["group", "task", "group", "task"]
    assert [g.number for g in preview.groups] == ["", ""]
    assert [t.group_row for t in preview.tasks] == [FIRST, FIRST + 2]


def test_unnumbered_plain_row_with_more_data_is_a_task() -> None:
    preview = parse(appendix([None, "Việc không số", None, None, None, "Báo cáo"]))
    item = only_task(preview)
    assert item.number == ""
    assert codes(item) == ["missing_lead", "deadline_to_set"]


def test_units_on_a_group_row_are_ignored_with_a_warning() -> None:
    preview = parse(appendix(["I", "Nhóm", "PV01", None, "2023"], task()))
    group = preview.groups[0]
    assert group.lead_unit_id is None and group.deadline is None
    assert codes(group) == ["group_units_ignored"]
    assert group.status == "warning"


def test_empty_rows_are_skipped_and_row_numbers_kept() -> None:
    rows = appendix([], task("1"), [None, "   ", None], [], task("2", "Việc hai"), ["3"])
    preview = parse(rows)
    assert [row.row_number for row in preview.rows] == [FIRST + 1, FIRST + 4]
    assert all(row.status == "ok" for row in preview.rows)


def test_a_row_without_task_text_is_skipped_and_listed() -> None:
    preview = parse(appendix(task("1", None, "PV01"), task("2", "Việc có nội dung")))
    skipped, kept = preview.rows
    assert (skipped.kind, [i.code for i in skipped.issues]) == ("skipped", ["no_task_text"])
    assert skipped.status == "ok" and not preview.has_errors
    assert kept.kind == "task"


def test_a_file_whose_rows_all_lack_task_text_has_no_tasks() -> None:
    preview = parse(appendix(task("1", None, "PV01")))
    assert codes(preview) == ["no_tasks"] and preview.has_errors


def test_title_too_long() -> None:
    preview = parse(appendix(task("1", "x" * 1001), task("2", "y" * 1000)))
    too_long, longest = preview.tasks
    assert codes(too_long) == ["title_too_long"]
    assert too_long.issues[0].params == {"length": "1001", "max": "1000"}
    assert longest.status == "ok"


def test_content_with_bullets_becomes_title_and_description() -> None:
    content = "Xây dựng Đề án hiện đại hóa:\n- Khảo sát hiện trạng\n- Lập dự toán"
    wrapped = "Tổ chức hội nghị sơ kết\n01 năm thực hiện Nghị quyết"
    preview = parse(appendix(task("1", content), task("2", wrapped)))
    first, second = preview.tasks
    assert first.title == "Xây dựng Đề án hiện đại hóa"
    assert first.description == "- Khảo sát hiện trạng\n- Lập dự toán"
    assert second.title == "Tổ chức hội nghị sơ kết 01 năm thực hiện Nghị quyết"
    assert second.description == ""


def test_duplicate_number_in_a_group_warns() -> None:
    rows = appendix(["I", "Nhóm"], task("1"), task("1", "Việc khác"), ["II", "Nhóm 2"], task("1"))
    preview = parse(rows)
    assert [codes(row) for row in preview.tasks] == [[], ["duplicate_number"], []]
    assert preview.tasks[1].issues[0].params == {"number": "1", "row": str(FIRST + 1)}


def test_no_tasks() -> None:
    preview = parse(appendix(["I", "Chỉ có nhóm"]))
    assert codes(preview) == ["no_tasks"]
    assert preview.has_errors


def test_preview_counts() -> None:
    rows = appendix(
        ["I", "Nhóm"],
        task("1"),
        task("2", deadline=None),
        task("3", lead="PV99"),
        task("4", "x" * 1001),
    )
    preview = parse(rows)
    assert (preview.ok_count, preview.warning_count, preview.error_count) == (2, 2, 1)
    assert [row.status for row in preview.rows] == ["ok", "ok", "warning", "warning", "error"]
    assert preview.has_errors


# ---------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "unit_id"),
    [
        ("PV01", 10),
        ("pv01", 10),
        ("Phòng Tham mưu", 10),
        ("Tham mưu", 10),
        ("phong tham muu", 10),
        ("PHÒNG THAM MƯU", 10),
        ("Phòng  Tham   mưu.", 10),
        ("Phòng Tham mưu (PV01)", 10),
        ("Tham mưu (PV01)", 10),
        ("(PV01)", 10),
        ("PV01 - Phòng Tham mưu", 10),
        ("Công an quận Hải Châu", 20),
        ("CA quận Hải Châu", 20),
        ("ca quan hai chau", 20),
        ("CA Hải Châu", 20),
        ("Công an TP Đà Nẵng", CITY),
        ("Phòng Công tác đảng và công tác chính trị", 12),
        ("Phòng Công tác Đảng và Công tác chính trị (PX03)", 12),
        ("Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao", 15),
        ("Sở Tài chính", 30),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_unit_mentions(cell: str, unit_id: int) -> None:
    item = lead_of(cell)
    assert item.lead_unit_id == unit_id
    assert codes(item) == []


def test_name_with_wrong_code_in_brackets_prefers_the_code() -> None:
    assert lead_of("Phòng Hậu cần (PV01)").lead_unit_id == 10


@pytest.mark.parametrize(
    "cell",
    [
        "PX01, PH01, PH10",
        "PX01; PH01; PH10",
        "PX01\nPH01\nPH10",
        "- PX01\n- PH01\n- PH10.",
        "PX01, PH01 và PH10",
        "PX01 và PH01 và PH10",
        "Tổ chức cán bộ, Tài chính và Phòng Hậu cần",
        "PX01/PH01/PH10",
        "PX01 + PH01 & PH10",
    ],
    ids=[
        "comma",
        "semicolon",
        "newline",
        "bullets",
        "va",
        "va-only",
        "names",
        "slash",
        "plus-ampersand",
    ],
)
def test_several_units_per_cell_with_each_separator(cell: str) -> None:
    item = coordinators_of(cell)
    assert item.coordinating_unit_ids == [11, 13, 14]
    assert codes(item) == []


def test_slash_splits_only_when_both_sides_are_units() -> None:
    item = coordinators_of("Tham mưu/Kỹ thuật")
    assert item.coordinating_unit_ids == []
    assert codes(item) == ["unknown_unit"]
    assert item.issues[0].params == {"text": "Tham mưu/Kỹ thuật"}


def test_separator_inside_a_unit_name_does_not_split_it() -> None:
    cell = "Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao; PX03 và PH01"
    item = coordinators_of(cell)
    assert item.coordinating_unit_ids == [15, 12, 13]
    assert codes(item) == []


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Công an các quận, huyện", DISTRICTS),
        ("Công an các quận,\nhuyện", DISTRICTS),
        ("CA các quận, huyện", DISTRICTS),
        ("cong an cac quan , huyen", DISTRICTS),
        ("PH01, Công an các quận, huyện và PX01", [13, *DISTRICTS, 11]),
        ("Công an quận Hải Châu, Công an các quận, huyện", DISTRICTS),
    ],
    ids=["plain", "line-break", "ca", "no-diacritics", "among-others", "overlap"],
)
def test_collective_phrase_expands(cell: str, expected: list[int]) -> None:
    item = coordinators_of(cell)
    assert item.coordinating_unit_ids == expected
    assert codes(item) == []


def test_collective_phrase_as_lead_is_vague_and_its_units_coordinate() -> None:
    item = lead_of("Công an các quận, huyện")
    assert item.lead_unit_id is None and item.provisional_lead
    assert codes(item) == ["vague_lead"]
    assert item.issues[0].params == {"text": "Công an các quận, huyện"}
    assert item.issues[0].level == "warning"
    assert len(item.coordinating_unit_ids) == 3


@pytest.mark.parametrize(
    "phrase",
    [
        "các đơn vị liên quan",
        "Các đơn vị liên quan",
        "đơn vị liên quan",
        "các cơ quan liên quan",
        "Các cơ quan, đơn vị liên quan",
    ],
)
def test_vague_phrase_in_coordinators_is_a_warning(phrase: str) -> None:
    item = coordinators_of(f"PX01, {phrase}")
    assert item.coordinating_unit_ids == [11]
    assert codes(item) == ["needs_review"]
    assert item.issues[0].params == {"text": phrase}
    assert item.status == "warning"


def test_vague_phrase_as_lead_is_an_error() -> None:
    item = lead_of("Các đơn vị liên quan")
    assert codes(item) == ["vague_lead"]
    assert item.lead_unit_id is None


def test_unknown_unit_in_lead_and_coordinators() -> None:
    item = only_task(parse(appendix(task(lead="Phòng XYZ", coordinating="PX01, pv 99"))))
    assert codes(item) == ["unknown_unit", "unknown_unit"]
    assert [issue.params["text"] for issue in item.issues] == ["Phòng XYZ", "pv 99"]
    assert [issue.column for issue in item.issues] == ["lead", "coordinating"]
    assert all(issue.level == "warning" for issue in item.issues)  # flags, never errors
    assert item.lead_unit_id is None and item.provisional_lead
    assert item.coordinating_unit_ids == [11]


@pytest.mark.parametrize("cell", ["PV01, PX01", "PV01 và PX01", "PV01\nPX01", "PV01/PX01"])
def test_several_leads(cell: str) -> None:
    item = lead_of(cell)
    assert codes(item) == ["several_leads"]
    assert item.issues[0].params["count"] == "2"
    # The first is the lead, the others coordinate; the reviewer chooses later.
    assert (item.lead_unit_id, item.coordinating_unit_ids) == (10, [11])
    assert item.lead_candidates == [10, 11] and item.status == "warning"


@pytest.mark.parametrize("cell", [None, "", "  ", " - "])
def test_missing_lead(cell: object) -> None:
    item = only_task(parse(appendix(task(lead=cell, product="Báo cáo"))))
    assert codes(item) == ["missing_lead"]


def test_same_unit_twice_in_lead_is_one_lead() -> None:
    item = lead_of("PV01, Phòng Tham mưu")
    assert (item.lead_unit_id, codes(item)) == (10, [])


def test_lead_repeated_among_coordinators_is_dropped() -> None:
    item = coordinators_of("PX01, Phòng Tham mưu, PV01, PX01", lead="Tham mưu")
    assert item.lead_unit_id == 10
    assert item.coordinating_unit_ids == [11]
    assert codes(item) == []


def test_ambiguous_unit() -> None:
    units = [*UNITS, UnitRef(99, "PV01B", "Phòng Tham mưu 2", "Tham mưu", "department", CITY)]
    resolved = UnitDirectory(units).resolve_cell("Tham mưu, PV01B")
    assert resolved.unit_ids == [99]
    assert resolved.ambiguous == ["Tham mưu"]
    data = build(appendix(task(lead="Tham mưu")))
    item = only_task(parse_workbook(data, UnitDirectory(units)))
    assert codes(item) == ["ambiguous_unit"]


def test_resolve_cell_returns_a_fresh_result_each_time() -> None:
    units = directory()
    first = units.resolve_cell("PV01, XYZ")
    first.unit_ids.append(999)
    first.unknown.clear()
    again = units.resolve_cell("PV01, XYZ")
    assert (again.unit_ids, again.unknown) == ([10], ["XYZ"])


def test_resolve_empty_cell() -> None:
    resolved = directory().resolve_cell("")
    assert (resolved.unit_ids, resolved.unknown, resolved.needs_review) == ([], [], [])


# ---------------------------------------------------------------------------------------
# Deadlines
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "due"),
    [
        ("30/6/2022", "fixed", dt.date(2022, 6, 30)),
        ("30/06/2022", "fixed", dt.date(2022, 6, 30)),
        ("30-6-2022", "fixed", dt.date(2022, 6, 30)),
        ("30.6.2022", "fixed", dt.date(2022, 6, 30)),
        ("30/6/22", "fixed", dt.date(2022, 6, 30)),
        ("2022-06-30", "fixed", dt.date(2022, 6, 30)),
        ("Trước ngày 30/6/2022", "fixed", dt.date(2022, 6, 30)),
        ("trước 30/6/2022.", "fixed", dt.date(2022, 6, 30)),
        ("Chậm nhất ngày 30/6/2022", "fixed", dt.date(2022, 6, 30)),
        ("Ngày 30 tháng 6 năm 2022", "fixed", dt.date(2022, 6, 30)),
        ("Tháng 6/2022", "fixed", dt.date(2022, 6, 30)),
        ("tháng 6 năm 2022", "fixed", dt.date(2022, 6, 30)),
        ("Trong tháng 02/2024", "fixed", dt.date(2024, 2, 29)),
        ("02/2023", "fixed", dt.date(2023, 2, 28)),
        ("Quý IV/2022", "fixed", dt.date(2022, 12, 31)),
        ("Quý 4 năm 2022", "fixed", dt.date(2022, 12, 31)),
        ("quý I/2023", "fixed", dt.date(2023, 3, 31)),
        ("Quý II - 2023", "fixed", dt.date(2023, 6, 30)),
        ("Trong quý III năm 2023", "fixed", dt.date(2023, 9, 30)),
        ("6 tháng đầu năm 2023", "fixed", dt.date(2023, 6, 30)),
        ("6 tháng cuối năm 2023", "fixed", dt.date(2023, 12, 31)),
        ("9 tháng đầu năm 2023", "fixed", dt.date(2023, 9, 30)),
        ("Năm 2023", "fixed", dt.date(2023, 12, 31)),
        ("2023", "fixed", dt.date(2023, 12, 31)),
        ("Cuối năm 2025", "fixed", dt.date(2025, 12, 31)),
        (2023, "fixed", dt.date(2023, 12, 31)),
        (2023.0, "fixed", dt.date(2023, 12, 31)),
        (dt.date(2023, 5, 15), "fixed", dt.date(2023, 5, 15)),
        (dt.datetime(2023, 5, 15, 0, 0), "fixed", dt.date(2023, 5, 15)),
        ("Thường xuyên", "standing", None),
        ("Liên tục", "standing", None),
        ("Thường xuyên, liên tục", "standing", None),
        ("THƯỜNG XUYÊN", "standing", None),
        ("Hằng tháng", "monthly", None),
        ("Hàng tháng", "monthly", None),
        ("Định kỳ hằng tháng (trước ngày 20)", "monthly", None),
        ("Hằng quý", "quarterly", None),
        ("Hàng quý", "quarterly", None),
        ("Hằng năm", "yearly", None),
        ("Hàng năm", "yearly", None),
    ],
    ids=str,
)
def test_deadline_forms(value: object, kind: str, due: dt.date | None) -> None:
    deadline = parse_deadline(value)
    assert (deadline.kind, deadline.due) == (kind, due)
    if isinstance(value, str):
        assert deadline.source == value.strip()


@pytest.mark.parametrize(
    "value",
    [
        "31/2/2023",
        "30/13/2023",
        "Tháng 13/2023",
        "Quý V/2023",
        "13 tháng đầu năm 2023",
        "sớm",
        "30/6",
        "Năm 1800",
        "Quý IV",
        45000,
        30.6,
        True,
    ],
    ids=str,
)
def test_invalid_deadline(value: object) -> None:
    with pytest.raises(DeadlineError) as raised:
        parse_deadline(value)
    assert raised.value.code == "bad_deadline"


@pytest.mark.parametrize("value", [None, "", "   "], ids=repr)
def test_empty_deadline_for_parse_deadline(value: object) -> None:
    with pytest.raises(DeadlineError) as raised:
        parse_deadline(value)
    assert raised.value.code == "missing_deadline"


def test_invalid_deadline_on_a_row_is_a_deadline_to_set() -> None:
    item = only_task(parse(appendix(task(deadline="31/2/2023"))))
    assert codes(item) == ["deadline_to_set"]
    assert item.issues[0].params == {"text": "31/2/2023"}
    assert item.deadline == Deadline("none", None, "31/2/2023")


def test_empty_deadline_on_a_task_is_a_deadline_to_set() -> None:
    item = only_task(parse(appendix(task(deadline=None))))
    assert codes(item) == ["deadline_to_set"]
    assert item.issues[0].level == "warning"
    assert item.deadline == Deadline("none", None, "")


def test_excel_date_cells() -> None:
    rows = appendix(
        task("1", deadline=dt.datetime(2023, 6, 30)),
        task("2", "Việc hai", deadline=dt.datetime(2023, 2, 1)),
    )
    preview = parse(rows, formats={f"E{FIRST}": "dd/mm/yyyy", f"E{FIRST + 1}": "mm/yyyy"})
    fixed, month = preview.tasks
    assert fixed.deadline == Deadline("fixed", dt.date(2023, 6, 30), "30/06/2023")
    # "2/2023" typed in Excel becomes 1 February with a month format: the month is meant.
    assert month.deadline == Deadline("fixed", dt.date(2023, 2, 28), "02/2023")


# ---------------------------------------------------------------------------------------
# Merged cells
# ---------------------------------------------------------------------------------------


def test_merged_lead_coordinating_and_deadline_cells_apply_to_every_row() -> None:
    rows = appendix(
        task("1", "Việc một", "Công an các quận, huyện", "PV01", "Quý IV/2022"),
        task("2", "Việc hai", None, None, None),
        task("3", "Việc ba", None, None, None),
        task("4", "Việc bốn", "PH10", None, "2023"),
    )
    merges = [f"C{FIRST + 1}:C{FIRST + 3}", f"D{FIRST}:D{FIRST + 2}", f"E{FIRST}:E{FIRST + 2}"]
    rows[FIRST - 1 + 1][2] = "PX01"  # lead of task 2: its own cell, then merged below
    preview = parse(rows, merges=merges)
    assert [row.lead_unit_id for row in preview.tasks] == [None, 11, 11, 11]
    assert codes(preview.tasks[0]) == ["vague_lead"]
    assert [row.coordinating_unit_ids for row in preview.tasks][1:] == [[10], [10], []]
    assert [row.deadline.due for row in preview.tasks if row.deadline] == [
        dt.date(2022, 12, 31),
        dt.date(2022, 12, 31),
        dt.date(2022, 12, 31),
        dt.date(2023, 12, 31),
    ]
    assert [row.lead_text for row in preview.tasks][1:] == ["PX01", "PX01", "PX01"]


def test_merged_lead_with_collective_over_rows() -> None:
    rows = appendix(
        task("1", "Việc một", "PV01", "Công an các quận, huyện"),
        task("2", "Việc hai", "PX01", None),
    )
    preview = parse(rows, merges=[f"D{FIRST}:D{FIRST + 1}"])
    assert [row.coordinating_unit_ids for row in preview.tasks] == [DISTRICTS, DISTRICTS]


def test_merged_title_rows_only_give_their_text_once() -> None:
    preview = parse(appendix(task()), merges=["A1:G2"])
    assert only_task(preview).row_number == FIRST


def test_a_row_under_merged_number_and_content_is_an_output_of_the_task_above() -> None:
    rows = appendix(
        task("1", "Khảo sát trụ sở", "CA Hải Châu", deadline="Quý I/2023",
             product="Báo cáo khảo sát"),
        task(None, None, "CA Thanh Khê", deadline=None, product="Đề xuất đầu tư"),
        task(None, None, None, deadline="Quý III/2023", product="Dự án"),
    )
    merges = [f"A{FIRST}:A{FIRST + 2}", f"B{FIRST}:B{FIRST + 2}", f"E{FIRST}:E{FIRST + 1}",
              f"C{FIRST + 1}:C{FIRST + 2}"]
    preview = parse(rows, merges=merges)
    (first,) = preview.tasks
    second, third = preview.outputs
    assert (first.title, first.lead_unit_id, codes(first)) == ("Khảo sát trụ sở", 20, [])
    # Never a new top-level task with a copied title: a sub-task with its own product.
    assert (second.parent_row, second.title, second.number) == (FIRST, "Đề xuất đầu tư", "")
    assert second.lead_unit_id == 21  # the row names its own lead
    assert second.deadline is not None and second.deadline.due == dt.date(2023, 3, 31)
    assert third.deadline is not None and third.deadline.due == dt.date(2023, 9, 30)
    assert third.lead_unit_id == 21  # merged from the row above
    assert codes(second) == [] and codes(third) == []


# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------


def _zip_without_workbook() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


def _truncated_xlsx() -> bytes:
    return build(appendix(task()))[:300]


@pytest.mark.parametrize(
    "make",
    [
        lambda: b"STT;Noi dung;Don vi chu tri\n1;Viec;PV01\n",
        lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,  # old .xls (OLE2)
        lambda: b"",
        _truncated_xlsx,
        _zip_without_workbook,
    ],
    ids=["text", "pdf", "xls", "empty", "truncated-xlsx", "other-zip"],
)
def test_not_an_excel_file(make: Callable[[], bytes]) -> None:
    preview = parse_workbook(make(), directory())
    assert codes(preview) == ["not_excel"]
    assert preview.rows == [] and preview.has_errors


def test_file_object_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(build(appendix(task())))
    with path.open("rb") as handle:
        preview = parse_workbook(handle, directory())
    assert only_task(preview).lead_unit_id == 10


def test_stray_formatted_cell_far_below_costs_nothing() -> None:
    workbook = Workbook()
    sheet = workbook.active
    _fill(sheet, appendix(task()))
    sheet.cell(row=1_048_576, column=3).font = Font(bold=True)  # styled, no value
    sheet.merge_cells(f"C{FIRST}:C{FIRST + 5_000}")
    buffer = BytesIO()
    workbook.save(buffer)
    started = time.perf_counter()
    preview = parse_workbook(buffer.getvalue(), directory())
    assert only_task(preview).lead_unit_id == 10
    assert time.perf_counter() - started < 5


def test_too_many_rows() -> None:
    rows = appendix(*(task(str(n), f"Việc {n}") for n in range(1, 12)))
    preview = parse(rows, max_rows=10)
    assert codes(preview) == ["too_many_rows"]
    assert preview.file_issues[0].params == {"max": "10"}
    assert preview.rows == [] and preview.has_errors
    assert not codes(parse(rows, max_rows=11))


# ---------------------------------------------------------------------------------------
# Messages and template
# ---------------------------------------------------------------------------------------


def test_every_issue_code_has_a_message() -> None:
    source = Path(importing.__file__).read_text(encoding="utf-8")
    used = set(re.findall(r'RowIssue\(\s*LEVEL_\w+,\s*"(\w+)"', source))
    used |= set(re.findall(r'flag\("(\w+)"', source))
    used |= set(re.findall(r'DeadlineError\("(\w+)"', source))
    assert len(used) > 15
    assert used <= set(MESSAGES)


def test_message_is_formatted_with_params() -> None:
    from django.conf import settings

    item = lead_of("PV99")
    assert item.issues[0].params == {"text": "PV99"}
    if not settings.configured:  # run without pytest-django: translations need settings
        pytest.skip("Django settings are not configured")
    assert "PV99" in item.issues[0].message
    every_param = {"text": "x", "count": "2", "row": "7", "number": "1", "max": "10",
                   "candidates": "A, B", "unit": "PV01", "due": "31/12/2025"}
    every_param |= {"length": "1001", "columns": "STT", "rows": "15", "sheet": "Phụ lục"}
    for code, template in MESSAGES.items():
        assert str(template) % every_param, code


def test_template_is_styled_and_parses_cleanly() -> None:
    buffer = BytesIO()
    write_template(buffer)
    data = buffer.getvalue()

    sheet = load_workbook(BytesIO(data)).active
    assert "A1:G1" in {str(rng) for rng in sheet.merged_cells.ranges}
    header = [sheet.cell(row=4, column=c).value for c in range(1, 8)]
    assert header == HEADER
    assert all(sheet.cell(row=4, column=c).font.b for c in range(1, 8))
    assert sheet.cell(row=4, column=2).border.left.style == "thin"
    assert sheet.freeze_panes == "A5"
    assert sheet.column_dimensions["B"].width >= 40

    preview = parse_workbook(data, directory())
    assert not preview.has_errors, [(r.row_number, codes(r)) for r in preview.rows]
    assert [row.kind for row in preview.rows] == ["group", "task", "task"]
    first, second = preview.tasks
    assert (first.lead_unit_id, first.coordinating_unit_ids) == (12, [10, *DISTRICTS])
    assert (second.lead_unit_id, second.coordinating_unit_ids) == (14, [13, 10])


def test_template_to_a_path(tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    write_template(path)
    assert only_group_and_tasks(parse_workbook(path.read_bytes(), directory()))


def only_group_and_tasks(preview: ImportPreview) -> bool:
    return len(preview.groups) == 1 and len(preview.tasks) == 2
