"""The survey workbook without a database: layout, bytes, reading back, malformed files."""

from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook

from dondoc.surveys.definition import FormDefinition, parse_definition
from dondoc.surveys.workbook import (
    MAX_FILE_BYTES,
    META_SHEET,
    Cover,
    Expected,
    WorkbookRefused,
    answer_changes,
    check_file,
    layout_form,
    read_workbook,
    write_workbook,
)


def L(vi: str, en: str | None = None) -> dict[str, str]:
    return {"vi": vi, "en": en or vi}


CONDITIONS = [{"value": "good", "label": L("Tốt", "Good")},
              {"value": "fair", "label": L("Trung bình", "Fair")},
              {"value": "unusable", "label": L("Không sử dụng được", "Unusable")}]

FORM: dict[str, Any] = {
    "key": "vehicles",
    "version": 2,
    "title": L("Phương tiện, trụ sở", "Vehicles and sites"),
    "description": L("Số liệu tại ngày báo cáo", "Figures at the reference date"),
    "sections": [
        {"key": "staff", "title": L("Cán bộ", "Staff"),
         "help": L("Tính cả hợp đồng", "Contract staff included"),
         "fields": [
             {"key": "officers_total", "type": "integer", "label": L("Tổng số", "Total"),
              "required": True, "min": 0, "max": 100000},
             {"key": "university", "type": "integer", "label": L("Đại học", "University"),
              "min": 0},
             {"key": "establishment", "type": "integer", "label": L("Biên chế", "Establishment"),
              "min": 0},
             {"key": "actual_staff", "type": "integer", "label": L("Hiện có", "Actual"),
              "min": 0},
             {"key": "area_m2", "type": "decimal", "label": L("Diện tích", "Area"),
              "places": 2, "min": 0, "unit": L("m²")},
             {"key": "legal_status", "type": "choice", "label": L("Pháp lý", "Legal status"),
              "choices": [{"value": "red_book", "label": L("Sổ đỏ", "Red book")},
                          {"value": "none", "label": L("Chưa có", "None")}]},
             {"key": "it_skills", "type": "multichoice", "label": L("Tin học", "IT"),
              "choices": [{"value": "a", "label": L("Chứng chỉ A", "Level A")},
                          {"value": "b", "label": L("Chứng chỉ B", "Level B")}]},
             {"key": "built_on", "type": "date", "label": L("Ngày xây", "Built on")},
             {"key": "has_papers", "type": "boolean", "label": L("Có giấy tờ", "Papers")},
             {"key": "notes", "type": "text", "label": L("Ghi chú", "Notes"),
              "max_length": 200},
             {"key": "plan_scan", "type": "file", "label": L("Bản vẽ", "Plan")},
         ]},
        {"key": "vehicles", "title": L("Phương tiện", "Vehicles"),
         "fields": [
             {"key": "vehicle_rows", "type": "table", "label": L("Xe", "Vehicles"),
              "rows": [{"key": "car", "label": L("Ô tô", "Cars")},
                       {"key": "motorbike", "label": L("Mô tô", "Motorbikes")}],
              "columns": [
                  {"key": "quantity", "type": "integer", "label": L("Số lượng", "Quantity"),
                   "min": 0},
                  {"key": "good", "type": "integer", "label": L("Số tốt", "Good ones"),
                   "min": 0},
                  {"key": "condition", "type": "choice", "label": L("Tình trạng", "Condition"),
                   "choices": CONDITIONS},
              ]},
             {"key": "sites", "type": "table", "label": L("Trụ sở", "Sites"), "max_rows": 5,
              "columns": [
                  {"key": "address", "type": "text", "label": L("Địa chỉ", "Address"),
                   "required": True},
                  {"key": "land_m2", "type": "decimal", "label": L("Đất", "Land"), "min": 0},
                  {"key": "since", "type": "date", "label": L("Từ ngày", "Since")},
              ]},
         ]},
    ],
    "rules": [
        {"key": "degree_le_total", "expr": "university <= officers_total", "severity": "error",
         "fields": ["university"],
         "message": L("Số có bằng đại học vượt tổng số", "University graduates exceed the total")},
        {"key": "staff_warn", "expr": "actual_staff <= establishment * 1.1",
         "severity": "warning", "fields": ["actual_staff"],
         "message": L("Vượt biên chế trên 10%", "More than 10% over establishment")},
        {"key": "good_le_quantity", "table": "vehicle_rows", "expr": "good <= quantity",
         "severity": "error", "fields": ["good"],
         "message": L("Số tốt vượt số lượng", "Good ones exceed the quantity")},
    ],
}

COVER = Cover(campaign_id=7, campaign_title="Khảo sát phương tiện 2026", unit_id=31,
              unit_name="Phòng Cảnh sát giao thông", unit_code="PC08", submission_id=90,
              reference_date=dt.date(2026, 6, 30), deadline=dt.date(2026, 8, 15))
EXPECTED = Expected(campaign_id=7, unit_id=31)

ANSWERS: dict[str, Any] = {
    "officers_total": 120, "university": 80, "establishment": 100, "actual_staff": 105,
    "area_m2": "1520.50", "legal_status": "red_book", "it_skills": ["a", "b"],
    "built_on": "2020-05-01", "has_papers": True, "notes": "Trụ sở chính",
    "plan_scan": {"attachment": 17, "name": "ban-ve.pdf"},
    "vehicle_rows": [{"row": "car", "quantity": 3, "good": 2, "condition": "good"},
                     {"row": "motorbike", "quantity": 12, "condition": "fair"}],
    "sites": [{"address": "47 Lý Tự Trọng", "land_m2": "900.25", "since": "2001-09-02"},
              {"address": "Số 2 Hòa Minh"}],
}


@pytest.fixture(autouse=True)
def vietnamese() -> Any:
    with translation.override("vi"):
        yield


@pytest.fixture
def defn() -> FormDefinition:
    return parse_definition(copy.deepcopy(FORM))


def workbook_bytes(defn: FormDefinition, answers: dict[str, Any] | None = None,
                   lang: str = "vi") -> bytes:
    return write_workbook(defn, answers or {}, COVER, lang)


def edited(data: bytes, change: Callable[[Any], None]) -> bytes:
    """The workbook after ``change(workbook)``, saved as Excel would."""
    workbook = load_workbook(io.BytesIO(data))
    change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read(defn: FormDefinition, data: bytes, current: dict[str, Any] | None = None) -> Any:
    return read_workbook(defn, data, expected=EXPECTED, current=current or {})


def refusal(defn: FormDefinition, data: bytes, expected: Expected = EXPECTED) -> str:
    with pytest.raises(WorkbookRefused) as info:
        read_workbook(defn, data, expected=expected, current={})
    return info.value.messages[0]


# --- the workbook as downloaded ---------------------------------------------------------


def test_it_has_a_cover_a_sheet_per_section_and_a_hidden_protected_information_sheet(
        defn: FormDefinition) -> None:
    workbook = load_workbook(io.BytesIO(workbook_bytes(defn, ANSWERS)))
    assert workbook.sheetnames == ["Thông tin chung", "Cán bộ", "Phương tiện", META_SHEET]
    meta = workbook[META_SHEET]
    assert meta.sheet_state == "hidden" and meta.protection.sheet
    values = {row[0]: row[1] for row in meta.iter_rows(max_col=2, values_only=True)}
    assert values["form_key"] == "vehicles" and values["form_version"] == "2"
    assert values["campaign"] == "7" and values["unit"] == "31"
    assert len(values["layout"]) == 32
    cover = workbook["Thông tin chung"]
    text = " ".join(str(c) for row in cover.iter_rows(values_only=True) for c in row if c)
    for expected in ("Khảo sát phương tiện 2026", "Phòng Cảnh sát giao thông (PC08)",
                     "30/06/2026", "15/08/2026", "“vehicles”, phiên bản 2",
                     "Nhập câu trả lời vào các ô màu vàng", "Type the answers in the yellow"):
        assert expected in text
    assert workbook.security is not None and workbook.security.lockStructure


def test_labels_are_vietnamese_or_english_as_the_user_reads(defn: FormDefinition) -> None:
    vi = load_workbook(io.BytesIO(workbook_bytes(defn)))
    with translation.override("en"):
        en = load_workbook(io.BytesIO(workbook_bytes(defn, lang="en")))
    assert vi["Cán bộ"]["A4"].value == "Tổng số *"
    assert en.sheetnames[:3] == ["Cover", "Staff", "Vehicles"]
    assert en["Staff"]["A4"].value == "Total *"
    assert en["Staff"]["C4"].value == "Whole number, from 0 to 100000."


def test_input_cells_are_unlocked_and_the_rest_protected(defn: FormDefinition) -> None:
    sheet = load_workbook(io.BytesIO(workbook_bytes(defn)))["Cán bộ"]
    assert sheet.protection.sheet and sheet.protection.insertRows
    assert sheet["B4"].protection.locked is False
    assert sheet["A4"].protection.locked is True and sheet["C4"].protection.locked is True


def test_cells_carry_validations_and_formats(defn: FormDefinition) -> None:
    workbook = load_workbook(io.BytesIO(workbook_bytes(defn)))
    staff = workbook["Cán bộ"]
    kinds = {str(dv.sqref): (dv.type, dv.formula1, dv.formula2)
             for dv in staff.data_validations.dataValidation}
    assert kinds["B4"] == ("whole", "0", "100000")
    assert kinds["B8"] == ("decimal", "0", "1000000000000000")
    assert kinds["B9"][0] == "list" and kinds["B9"][1].startswith(f"'{META_SHEET}'!$")
    assert kinds["B11"][0] == "date"
    assert kinds["B12"][0] == "list"
    assert staff["B11"].number_format == "dd/mm/yyyy"
    assert staff["B8"].number_format == "#,##0.00"
    lists = [[c for c in column if c] for column in workbook[META_SHEET].iter_cols(
        min_col=4, values_only=True)]
    assert ["legal_status", "Sổ đỏ", "Chưa có"] in lists
    assert ["has_papers", "Có", "Không"] in lists
    assert ["vehicle_rows.condition", "Tốt", "Trung bình", "Không sử dụng được"] in lists


def test_it_is_prefilled_with_the_current_answers(defn: FormDefinition) -> None:
    workbook = load_workbook(io.BytesIO(workbook_bytes(defn, ANSWERS)))
    staff, vehicles = workbook["Cán bộ"], workbook["Phương tiện"]
    assert staff["B4"].value == 120
    assert staff["B9"].value == "Sổ đỏ"
    assert staff["B10"].value == "Chứng chỉ A; Chứng chỉ B"
    assert staff["B11"].value == dt.datetime(2020, 5, 1)
    assert staff["B12"].value == "Có"
    fixed = {vehicles.cell(row=r, column=1).value: [vehicles.cell(row=r, column=c).value
                                                    for c in (2, 3, 4)] for r in (8, 9)}
    assert fixed == {"Ô tô": [3, 2, "Tốt"], "Mô tô": [12, None, "Trung bình"]}
    assert vehicles["A16"].value == "1" and vehicles["B16"].value == "47 Lý Tự Trọng"


def test_the_same_submission_gives_the_same_bytes(defn: FormDefinition) -> None:
    assert workbook_bytes(defn, ANSWERS) == workbook_bytes(defn, copy.deepcopy(ANSWERS))
    assert workbook_bytes(defn, ANSWERS) != workbook_bytes(defn, {"officers_total": 1})


# --- reading it back --------------------------------------------------------------------


def test_an_untouched_workbook_reads_back_to_the_same_answers(defn: FormDefinition) -> None:
    result = read(defn, workbook_bytes(defn, ANSWERS), current=ANSWERS)
    assert result.errors == []
    assert result.answers == ANSWERS
    assert answer_changes(defn, ANSWERS, result.answers) == []


def test_cells_filled_in_excel_become_typed_answers(defn: FormDefinition) -> None:
    def fill(workbook: Any) -> None:
        staff, vehicles = workbook["Cán bộ"], workbook["Phương tiện"]
        staff["B4"] = 57
        staff["B5"] = "12"
        staff["B8"] = 1520.5
        staff["B9"] = "Chưa có"
        staff["B10"] = "Chứng chỉ B"
        staff["B11"] = dt.datetime(2019, 12, 31)
        staff["B12"] = "Không"
        staff["B13"] = 2026  # a number typed in a text cell
        vehicles["B9"] = 4
        vehicles["D9"] = "Không sử dụng được"
        vehicles["B16"] = "Tổ 5, Hòa Khánh"
        vehicles["C16"] = 0.1 + 0.2  # Excel shows 0.3: so is the answer
        vehicles["D16"] = "02/09/2001"

    result = read(defn, edited(workbook_bytes(defn), fill))
    assert result.errors == []
    assert result.answers == {
        "officers_total": 57, "university": 12, "area_m2": "1520.50",
        "legal_status": "none", "it_skills": ["b"], "built_on": "2019-12-31",
        "has_papers": False, "notes": "2026",
        "vehicle_rows": [{"row": "motorbike", "quantity": 4, "condition": "unusable"}],
        "sites": [{"address": "Tổ 5, Hòa Khánh", "land_m2": "0.3", "since": "2001-09-02"}],
    }


def test_file_answers_are_kept_from_the_current_answers(defn: FormDefinition) -> None:
    current = {"plan_scan": {"attachment": 17, "name": "ban-ve.pdf"}}
    result = read(defn, workbook_bytes(defn), current=current)
    assert result.answers == current


def test_text_in_a_number_cell_names_the_sheet_the_cell_and_the_value(
        defn: FormDefinition) -> None:
    data = edited(workbook_bytes(defn), lambda wb: wb["Phương tiện"].__setitem__("B8", "ba"))
    assert read(defn, data).errors == [
        "Trang tính “Phương tiện”, ô B8 (“ba”): " + gettext("Enter a whole number.")]
    with translation.override("en"):
        assert read(defn, data).errors == [
            "Sheet “Phương tiện”, cell B8 (“ba”): Enter a whole number."]


def test_every_bad_cell_is_reported(defn: FormDefinition) -> None:
    def fill(workbook: Any) -> None:
        staff = workbook["Cán bộ"]
        staff["B4"] = -3
        staff["B8"] = "1.234,567"
        staff["B9"] = "Sổ hồng"
        staff["B11"] = "31/02/2026"
        staff["B12"] = "có lẽ"
        workbook["Phương tiện"]["C16"] = "nhiều"

    with translation.override("en"):
        errors = read(defn, edited(workbook_bytes(defn), fill)).errors
    assert [error.split(":")[0] for error in errors] == [
        "Sheet “Cán bộ”, cell B4 (“-3”)", "Sheet “Cán bộ”, cell B8 (“1.234,567”)",
        "Sheet “Cán bộ”, cell B9 (“Sổ hồng”)", "Sheet “Cán bộ”, cell B11 (“31/02/2026”)",
        "Sheet “Cán bộ”, cell B12 (“có lẽ”)", "Sheet “Phương tiện”, cell C16 (“nhiều”)"]


def test_rule_errors_point_at_their_cell_and_warnings_are_kept_apart(
        defn: FormDefinition) -> None:
    def fill(workbook: Any) -> None:
        staff, vehicles = workbook["Cán bộ"], workbook["Phương tiện"]
        staff["B4"], staff["B5"] = 10, 11        # university > total: error
        staff["B6"], staff["B7"] = 100, 115      # 15% over establishment: warning
        vehicles["B8"], vehicles["C8"] = 2, 5    # good ones > quantity, cars row

    with translation.override("en"):
        result = read(defn, edited(workbook_bytes(defn), fill))
    assert result.errors == [
        "Sheet “Cán bộ”, cell B5 (“11”): University graduates exceed the total",
        "Sheet “Phương tiện”, cell C8 (“5”): Good ones exceed the quantity"]
    assert result.warnings == [
        "Sheet “Cán bộ”, cell B7 (“115”): More than 10% over establishment"]


def test_a_formula_counts_by_its_computed_value_and_without_one_is_an_error(
        defn: FormDefinition) -> None:
    data = edited(workbook_bytes(defn), lambda wb: wb["Cán bộ"].__setitem__("B4", "=2+3"))
    with translation.override("en"):
        assert read(defn, data).errors == [
            "Sheet “Cán bộ”, cell B4: the formula has no computed value; open the file in "
            "Excel, save it and upload it again, or type the value."]


# --- malformed workbooks ----------------------------------------------------------------


@pytest.fixture
def english() -> Any:
    with translation.override("en"):
        yield


def test_another_form_version_is_refused(defn: FormDefinition, english: None) -> None:
    older = parse_definition({**copy.deepcopy(FORM), "version": 1})
    data = write_workbook(older, {}, COVER, "vi")
    assert refusal(defn, data) == (
        "This workbook is version 1 of form “vehicles”, but this campaign uses version 2: "
        "download the form again and copy your answers into it.")
    with translation.override("vi"):
        assert "phiên bản 1" in refusal(defn, data)


def test_another_form_is_refused(defn: FormDefinition, english: None) -> None:
    other = parse_definition({**copy.deepcopy(FORM), "key": "land"})
    assert refusal(defn, write_workbook(other, {}, COVER, "vi")).startswith(
        "This workbook is form “land”, but this campaign uses form “vehicles”")


def test_another_campaign_or_unit_is_refused(defn: FormDefinition, english: None) -> None:
    data = workbook_bytes(defn)
    assert refusal(defn, data, Expected(campaign_id=8, unit_id=31)).startswith(
        "This workbook was downloaded for another survey campaign")
    assert refusal(defn, data, Expected(campaign_id=7, unit_id=32)) == (
        "This workbook was downloaded for another unit (PC08): download the form of your "
        "own unit's submission.")


def test_an_edited_label_is_an_error_at_its_cell(defn: FormDefinition, english: None) -> None:
    data = edited(workbook_bytes(defn), lambda wb: wb["Cán bộ"].__setitem__("A5", "Cao đẳng"))
    assert read(defn, data).errors == [
        "Sheet “Cán bộ”, cell A5: “Đại học” is expected here but the cell holds “Cao "
        "đẳng”; labels must not be edited and rows or cells must not be inserted, deleted "
        "or moved: download the form again."]


def test_an_inserted_row_moves_the_labels_and_is_refused(defn: FormDefinition,
                                                         english: None) -> None:
    def insert(workbook: Any) -> None:
        sheet = workbook["Cán bộ"]
        sheet.insert_rows(6)
        sheet["B6"] = 5

    errors = read(defn, edited(workbook_bytes(defn, ANSWERS), insert)).errors
    assert errors[0].startswith("Sheet “Cán bộ”, cell A6: “Biên chế” is expected here but "
                                "the cell holds “—”")
    assert any("more changed labels" in error for error in errors)


def test_a_value_outside_the_answer_cells_is_an_error(defn: FormDefinition,
                                                      english: None) -> None:
    data = edited(workbook_bytes(defn), lambda wb: wb["Phương tiện"].__setitem__("F8", 9))
    assert read(defn, data).errors == [
        "Sheet “Phương tiện”, cell F8: a value outside the answer cells (“9”); enter answers "
        "only in the yellow cells, without inserting rows or columns."]


def test_a_changed_layout_checksum_is_refused(defn: FormDefinition, english: None) -> None:
    data = edited(workbook_bytes(defn), lambda wb: wb[META_SHEET].__setitem__("B10", "0" * 32))
    assert refusal(defn, data).startswith("The layout of this workbook does not match the form")


def test_added_hidden_and_missing_sheets_are_errors(defn: FormDefinition,
                                                    english: None) -> None:
    def change(workbook: Any) -> None:
        workbook.create_sheet("Nháp")
        workbook.create_sheet("Ẩn").sheet_state = "hidden"
        workbook["Phương tiện"].sheet_state = "hidden"
        del workbook["Cán bộ"]

    assert read(defn, edited(workbook_bytes(defn), change)).errors == [
        "Sheet “Phương tiện” of the form is hidden: unhide it, so that what is sent is what "
        "you see.",
        "Sheet “Nháp” is not part of the form: delete it and upload the file again.",
        "Hidden sheet “Ẩn” is not part of the form: unhide it, delete it and upload the "
        "file again.",
        "Sheet “Cán bộ” is missing: the workbook must keep every sheet of the form."]


def test_a_workbook_without_the_information_sheet_is_refused(defn: FormDefinition,
                                                             english: None) -> None:
    data = edited(workbook_bytes(defn), lambda wb: wb.remove(wb[META_SHEET]))
    assert refusal(defn, data).startswith("This workbook is not a survey form downloaded "
                                          "from dondoc")
    plain = Workbook()
    out = io.BytesIO()
    plain.save(out)
    assert refusal(defn, out.getvalue()).startswith("This workbook is not a survey form")


def test_files_that_are_not_workbooks_are_refused(defn: FormDefinition, english: None) -> None:
    with pytest.raises(WorkbookRefused, match=r"“khao-sat\.pdf” is not an Excel workbook"):
        check_file(name="khao-sat.pdf", size=100, head=b"%PDF-1.4")
    with pytest.raises(WorkbookRefused, match=r"“doi-ten\.xlsx” is not an Excel workbook"):
        check_file(name="doi-ten.xlsx", size=100, head=b"%PDF-1.4")
    with pytest.raises(WorkbookRefused, match="The file is empty"):
        check_file(name="rong.xlsx", size=0, head=b"")
    with pytest.raises(WorkbookRefused, match=r"larger than 5 MB \(6.0 MB\)"):
        check_file(name="lon.xlsx", size=6 * 1024 * 1024, head=b"PK\x03\x04")
    assert MAX_FILE_BYTES == 5 * 1024 * 1024
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert refusal(defn, docx.getvalue()).startswith("The file cannot be read as an Excel "
                                                     "workbook")
    assert refusal(defn, b"PK\x03\x04 broken").startswith("The file cannot be read")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(defn: FormDefinition,
                                                     english: None) -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    assert len(bomb.getvalue()) < 200_000
    assert refusal(defn, bomb.getvalue()).startswith(
        "The workbook is too large once unpacked (60 MB, at most 50 MB)")


def test_a_sheet_with_too_many_rows_is_refused_before_loading(defn: FormDefinition,
                                                              english: None) -> None:
    def stuff(workbook: Any) -> None:
        sheet = workbook["Cán bộ"]
        for row in range(100, 20_200):
            sheet.cell(row=row, column=1, value=1)

    assert refusal(defn, edited(workbook_bytes(defn), stuff)).startswith(
        "Sheet “Cán bộ” has 20,001 rows, at most 20,000")


def test_free_rows_beyond_the_maximum_are_not_offered(defn: FormDefinition) -> None:
    layout = layout_form(defn, "vi", {"sites": 5})
    refs = [cell.ref for sheet in layout.sheets for cell in sheet.inputs
            if cell.key == "sites" and cell.column == "address"]
    assert refs == ["B16", "B17", "B18", "B19", "B20"]


def test_changes_list_what_the_upload_changes(defn: FormDefinition) -> None:
    after = copy.deepcopy(ANSWERS)
    after["officers_total"] = 121
    after["vehicle_rows"][1]["condition"] = "unusable"
    del after["notes"]
    changes = answer_changes(defn, ANSWERS, after, "vi")
    assert [(c.where, c.before, c.after) for c in changes] == [
        ("Tổng số", "120", "121"), ("Ghi chú", "Trụ sở chính", ""),
        ("Xe › Mô tô › Tình trạng", "Trung bình", "Không sử dụng được")]


def test_many_stray_values_are_counted_not_all_listed(defn: FormDefinition,
                                                      english: None) -> None:
    def scribble(workbook: Any) -> None:
        for row in range(30, 37):
            workbook["Cán bộ"][f"E{row}"] = "x"

    errors = read(defn, edited(workbook_bytes(defn), scribble)).errors
    assert len(errors) == 6
    assert errors[-1] == "Sheet “Cán bộ”: 2 more values outside the answer cells."
