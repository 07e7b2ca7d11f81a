"""A survey form as an Excel workbook to fill offline, and the checked reading of it back.

``write_workbook`` lays out one unit's submission: a cover sheet, one sheet per section
(simple fields as label | answer | notes rows, tables as grids) and a hidden, protected
information sheet naming the form, its version, the campaign, the unit and a checksum of
the layout. Input cells are unlocked, everything else is protected (no password: it only
guards against accidental edits), and input cells carry Excel validations (lists,
whole numbers, numbers, dates as dd/mm/yyyy).

``read_workbook`` takes an uploaded file back: it refuses what is not the workbook of this
submission (another form, version, campaign or unit; sheets added, hidden or missing;
labels edited or rows moved; values typed outside the answer cells) and returns the raw
values of the answer cells, which :func:`dondoc.surveys.definition.clean_answers` then
checks like any browser input. Every problem names the sheet and the cell.

The layout is a pure function of the form definition, the language and the number of
rows offered to free-row tables, so the upload is checked by laying the form out again.
No database access here: the views give the campaign and unit as a :class:`Cover`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from dondoc.core.officedocs import deterministic_xlsx
from dondoc.imports.workbook_limits import check_workbook
from dondoc.surveys.definition import (
    Field,
    FormDefinition,
    Problem,
    clean_answers,
)

__all__ = [
    "FORMAT_VERSION",
    "MAX_FILE_BYTES",
    "META_SHEET",
    "Change",
    "Cover",
    "Expected",
    "Layout",
    "UploadResult",
    "WorkbookRefused",
    "answer_changes",
    "check_file",
    "layout_form",
    "read_workbook",
    "write_workbook",
]

FORMAT_VERSION: Final = "1"
META_SHEET: Final = "_dondoc"  # never translated: the upload finds it by this name
META_MARKER: Final = "dondoc-survey-workbook"
MAX_FILE_BYTES: Final = 5 * 1024 * 1024
XLSX_MAGIC: Final = b"PK\x03\x04"
# Rows a free-row table offers when the form sets no maximum: enough for a unit's sites or
# vehicle categories, with room for more than it has already entered.
FREE_ROWS_DEFAULT: Final = 30
FREE_ROWS_SPARE: Final = 10
FREE_ROWS_CAP: Final = 500
MAX_MESSAGES: Final = 100  # problems listed for one upload; the count of the rest follows
MAX_LABEL_MESSAGES_PER_SHEET: Final = 5

_FONT: Final = "Times New Roman"
_INPUT_FILL: Final = PatternFill("solid", fgColor="FFF9E5")
_HEAD_FILL: Final = PatternFill("solid", fgColor="E7EEF7")
_FIRST_ROW: Final = 4  # rows 1–3: section title, section help, column headers
_SHEET_NAME_BAD: Final = re.compile(r"[\[\]:*?/\\]")
_EXCEL_SERIAL_MIN: Final = int(to_excel(dt.date(1900, 1, 2)))
_EXCEL_SERIAL_MAX: Final = int(to_excel(dt.date(2200, 12, 31)))
_NUMBER_LIMIT: Final = "1000000000000000"

MESSAGES: Final = {
    "not_xlsx": gettext_lazy(
        "“%(name)s” is not an Excel workbook (.xlsx): upload the workbook downloaded from "
        "this page, saved as “Excel Workbook (.xlsx)”."),
    "empty_file": gettext_lazy("The file is empty."),
    "file_too_large": gettext_lazy(
        "The file is larger than %(limit)s MB (%(size)s MB): a survey workbook is much "
        "smaller; download the form again and copy your answers into it."),
    "unreadable": gettext_lazy(
        "The file cannot be read as an Excel workbook (it is damaged or is another kind of "
        "file): download the form again."),
    "no_meta": gettext_lazy(
        "This workbook is not a survey form downloaded from dondoc (its hidden information "
        "sheet is missing or was changed): download the form of this submission and fill "
        "that one."),
    "wrong_form": gettext_lazy(
        "This workbook is form “%(found)s”, but this campaign uses form “%(expected)s”: "
        "download the form of this submission."),
    "wrong_version": gettext_lazy(
        "This workbook is version %(found)s of form “%(form)s”, but this campaign uses "
        "version %(expected)s: download the form again and copy your answers into it."),
    "wrong_campaign": gettext_lazy(
        "This workbook was downloaded for another survey campaign: download the form of "
        "this submission."),
    "wrong_unit": gettext_lazy(
        "This workbook was downloaded for another unit (%(unit)s): download the form of "
        "your own unit's submission."),
    "layout_changed": gettext_lazy(
        "The layout of this workbook does not match the form (it was changed after "
        "download): download the form again and copy your answers into it."),
    "missing_sheet": gettext_lazy(
        "Sheet “%(sheet)s” is missing: the workbook must keep every sheet of the form."),
    "extra_sheet": gettext_lazy(
        "Sheet “%(sheet)s” is not part of the form: delete it and upload the file again."),
    "extra_hidden_sheet": gettext_lazy(
        "Hidden sheet “%(sheet)s” is not part of the form: unhide it, delete it and upload "
        "the file again."),
    "hidden_sheet": gettext_lazy(
        "Sheet “%(sheet)s” of the form is hidden: unhide it, so that what is sent is what "
        "you see."),
    "label_changed": gettext_lazy(
        "Sheet “%(sheet)s”, cell %(cell)s: “%(expected)s” is expected here but the cell "
        "holds “%(found)s”; labels must not be edited and rows or cells must not be "
        "inserted, deleted or moved: download the form again."),
    "more_labels_changed": gettext_lazy(
        "Sheet “%(sheet)s”: %(count)s more changed labels."),
    "outside": gettext_lazy(
        "Sheet “%(sheet)s”, cell %(cell)s: a value outside the answer cells (“%(value)s”); "
        "enter answers only in the yellow cells, without inserting rows or columns."),
    "formula_without_value": gettext_lazy(
        "Sheet “%(sheet)s”, cell %(cell)s: the formula has no computed value; open the "
        "file in Excel, save it and upload it again, or type the value."),
    "more_outside": gettext_lazy(
        "Sheet “%(sheet)s”: %(count)s more values outside the answer cells."),
}


class WorkbookRefused(ValidationError):
    """The upload cannot be read as this submission's workbook; the message says why."""


def _refuse(code: str, **params: Any) -> WorkbookRefused:
    return WorkbookRefused(str(MESSAGES[code]) % params, code=code, params=params)


# ---------------------------------------------------------------------------------------
# What the workbook is for
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cover:
    """The campaign, unit and submission a workbook is made for (shown on the cover)."""

    campaign_id: int
    campaign_title: str
    unit_id: int
    unit_name: str
    unit_code: str
    submission_id: int
    reference_date: dt.date | None = None
    deadline: dt.date | None = None


@dataclass(frozen=True)
class Expected:
    """What an upload must be: this form version, for this campaign and unit."""

    campaign_id: int
    unit_id: int


# ---------------------------------------------------------------------------------------
# The layout: a pure function of the definition, the language and free-row capacities
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InputCell:
    """An answer cell: a simple field (``row`` and ``column`` None) or a table cell."""

    sheet: str
    ref: str
    field: Field          # the field, or the table column
    key: str              # the top-level field (or table) key
    row: int | None = None
    column: str | None = None


@dataclass
class SheetLayout:
    name: str
    title_ref: str = "A1"
    labels: dict[str, str] = field(default_factory=dict)   # checked on upload
    notes: dict[str, str] = field(default_factory=dict)    # written, not checked
    inputs: list[InputCell] = field(default_factory=list)
    bold: set[str] = field(default_factory=set)
    heads: set[str] = field(default_factory=set)           # header cells (filled)
    last_row: int = 3
    last_column: int = 3


@dataclass
class Layout:
    """Where every label and answer cell of a form goes."""

    lang: str
    cover_name: str
    sheets: list[SheetLayout]
    capacities: dict[str, int]
    # (field key, table row, column key) → (sheet, cell): where a problem is shown
    anchors: dict[tuple[str, int | None, str | None], tuple[str, str]]

    def checksum(self, defn: FormDefinition) -> str:
        """A digest of the structure: sheets, label texts and positions, answer cells."""
        payload = {
            "format": FORMAT_VERSION, "form": defn.key, "version": defn.version,
            "lang": self.lang, "capacities": self.capacities,
            "sheets": [
                {"name": sheet.name, "labels": sorted(sheet.labels.items()),
                 "inputs": [[cell.ref, cell.key, cell.row, cell.column]
                            for cell in sheet.inputs]}
                for sheet in self.sheets
            ],
        }
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def sheet(self, name: str) -> SheetLayout | None:
        return next((sheet for sheet in self.sheets if sheet.name == name), None)


def _sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (31 characters, no []:*?/\\, not quoted)."""
    base = _SHEET_NAME_BAD.sub("-", title).strip().strip("'").strip() or "Sheet"
    base = base[:31]
    name, number = base, 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name = base[: 31 - len(suffix)] + suffix
        number += 1
    taken.add(name.casefold())
    return name


def _label(f: Field, lang: str) -> str:
    return f.label(lang) + (" *" if f.required else "")


def _range_text(f: Field) -> str:
    low, high = f.min, f.max
    if low is not None and high is not None:
        return _("from %(min)s to %(max)s") % {"min": _number(low), "max": _number(high)}
    if low is not None:
        return _("at least %(min)s") % {"min": _number(low)}
    if high is not None:
        return _("at most %(max)s") % {"max": _number(high)}
    return ""


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _yes_no() -> tuple[str, str]:
    return pgettext("survey answer", "Yes"), pgettext("survey answer", "No")


def _note(f: Field, lang: str) -> str:
    """What an answer cell takes: type, range, choices, unit of measure, help."""
    parts: list[str] = []
    if f.type == "integer":
        parts.append(", ".join(filter(None, [_("Whole number"), _range_text(f)])))
    elif f.type == "decimal":
        kind = (_("Number, at most %(places)s decimal places") % {"places": f.places}
                if f.places is not None else pgettext("survey workbook", "Number"))
        parts.append(", ".join(filter(None, [kind, _range_text(f)])))
    elif f.type == "text":
        if f.max_length:
            parts.append(_("Text, at most %(count)s characters") % {"count": f.max_length})
        else:
            parts.append(pgettext("survey workbook", "Text"))
    elif f.type == "choice":
        parts.append(_("Choose from the list"))
    elif f.type == "multichoice":
        parts.append(_("One or more of, separated by “;”: %(choices)s")
                     % {"choices": "; ".join(c.label(lang) for c in f.choices)})
    elif f.type == "date":
        parts.append(_("Date, dd/mm/yyyy"))
    elif f.type == "boolean":
        yes, no = _yes_no()
        parts.append(_("%(yes)s or %(no)s") % {"yes": yes, "no": no})
    elif f.type == "file":
        parts.append(_("Attach the file in the browser: files cannot be sent in the "
                       "workbook."))
    unit = f.unit(lang)
    if unit:
        parts.append(_("Unit: %(unit)s") % {"unit": unit})
    help_text = f.help(lang)
    if help_text:
        parts.append(help_text)
    return ". ".join(part.rstrip(".") for part in parts if part) + "." if parts else ""


def free_row_capacity(f: Field, existing: int) -> int:
    """Rows offered by a free-row table: its maximum, or room beyond what is entered."""
    if f.max_rows:
        return max(min(f.max_rows, FREE_ROWS_CAP), existing)
    return min(max(FREE_ROWS_DEFAULT, f.min_rows or 0, existing + FREE_ROWS_SPARE),
               max(FREE_ROWS_CAP, existing))


def capacities_for(defn: FormDefinition, answers: Mapping[str, Any]) -> dict[str, int]:
    return {
        f.key: free_row_capacity(f, len(answers.get(f.key) or []))
        for f in defn.fields if f.type == "table" and not f.has_fixed_rows
    }


def layout_form(defn: FormDefinition, lang: str, capacities: Mapping[str, int]) -> Layout:
    """Lay the form out for ``lang`` (texts in that language, like the labels)."""
    with translation.override(lang):
        return _layout(defn, lang, capacities)


def _layout(defn: FormDefinition, lang: str, capacities: Mapping[str, int]) -> Layout:
    taken = {META_SHEET.casefold()}
    cover_name = _sheet_name(pgettext("survey workbook", "Cover"), taken)
    layout = Layout(lang=lang, cover_name=cover_name, sheets=[],
                    capacities={key: int(value) for key, value in capacities.items()},
                    anchors={})
    for section in defn.sections:
        sheet = SheetLayout(name=_sheet_name(section.title(lang), taken))
        layout.sheets.append(sheet)
        sheet.labels["A1"] = section.title(lang)
        sheet.bold.add("A1")
        if section.help(lang):
            sheet.notes["A2"] = section.help(lang)
        if any(f.type != "table" for f in section.fields):
            sheet.notes.update({"A3": pgettext("survey workbook", "Question"),
                                "B3": pgettext("survey workbook", "Answer"),
                                "C3": pgettext("survey workbook", "Notes")})
            sheet.heads.update({"A3", "B3", "C3"})
        row = _FIRST_ROW
        for f in section.fields:
            if f.type == "table":
                row = _layout_table(layout, sheet, f, lang, row,
                                    capacities.get(f.key, FREE_ROWS_DEFAULT))
                continue
            sheet.labels[f"A{row}"] = _label(f, lang)
            sheet.notes[f"C{row}"] = _note(f, lang)
            if f.type == "file":
                sheet.notes[f"B{row}"] = _("(attach in the browser)")
            else:
                sheet.inputs.append(InputCell(sheet.name, f"B{row}", f, f.key))
            layout.anchors[(f.key, None, None)] = (sheet.name, f"B{row}")
            sheet.last_row = row
            row += 1
    return layout


def _layout_table(layout: Layout, sheet: SheetLayout, table: Field, lang: str, row: int,
                  capacity: int) -> int:
    """A table from ``row``: its title, help, column headers, notes, then its rows."""
    if row > _FIRST_ROW:
        row += 1  # a blank row sets the table apart from the fields above
    title = f"A{row}"
    sheet.labels[title] = _label(table, lang)
    sheet.bold.add(title)
    layout.anchors[(table.key, None, None)] = (sheet.name, title)
    if table.help(lang):
        sheet.notes[f"A{row + 1}"] = table.help(lang)
    head = row + 2
    sheet.notes[f"A{head}"] = (pgettext("survey workbook", "Row") if table.has_fixed_rows
                               else pgettext("survey workbook", "No."))
    sheet.heads.add(f"A{head}")
    for index, column in enumerate(table.columns, start=2):
        letter = get_column_letter(index)
        sheet.labels[f"{letter}{head}"] = _label(column, lang)
        sheet.heads.add(f"{letter}{head}")
        sheet.notes[f"{letter}{head + 1}"] = _note(column, lang)
        layout.anchors[(table.key, None, column.key)] = (sheet.name, f"{letter}{head}")
    sheet.last_column = max(sheet.last_column, len(table.columns) + 1)
    first = head + 2
    count = len(table.rows) if table.has_fixed_rows else capacity
    for position in range(count):
        number = first + position
        if table.has_fixed_rows:
            sheet.labels[f"A{number}"] = table.rows[position].label(lang)
        else:
            sheet.labels[f"A{number}"] = str(position + 1)
        layout.anchors[(table.key, position, None)] = (sheet.name, f"A{number}")
        for index, column in enumerate(table.columns, start=2):
            ref = f"{get_column_letter(index)}{number}"
            sheet.inputs.append(InputCell(sheet.name, ref, column, table.key, position,
                                          column.key))
            layout.anchors[(table.key, position, column.key)] = (sheet.name, ref)
    sheet.last_row = first + count - 1
    return first + count + 1  # a blank row after the table


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------


def _cell_value(f: Field, value: Any, lang: str) -> Any:
    """A stored answer as the cell shows it (labels for choices, Yes/No, real dates)."""
    if value is None or value == "" or value == []:
        return None
    if f.type == "integer":
        return int(value)
    if f.type == "decimal":
        return Decimal(str(value))
    if f.type == "date":
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    if f.type == "boolean":
        yes, no = _yes_no()
        return yes if value else no
    if f.type == "choice":
        return f.choice_label(str(value), lang)
    if f.type == "multichoice":
        values = value if isinstance(value, list) else [value]
        return "; ".join(f.choice_label(str(item), lang) for item in values)
    return str(value)


def _number_format(f: Field) -> str:
    if f.type == "integer":
        return "#,##0"
    if f.type == "decimal":
        return "#,##0." + "0" * f.places if f.places else "#,##0.##########"
    if f.type == "date":
        return "dd/mm/yyyy"
    return "@"


def _validation(f: Field, lists: Mapping[str, str]) -> DataValidation | None:
    """The Excel validation of an answer cell (the upload checks again: Excel's can be
    bypassed by pasting)."""
    kind: dict[str, Any]
    if f.type in ("integer", "decimal"):
        low = _number(f.min) if f.min is not None else "-" + _NUMBER_LIMIT
        high = _number(f.max) if f.max is not None else _NUMBER_LIMIT
        kind = {"type": "whole" if f.type == "integer" else "decimal", "operator": "between",
                "formula1": low, "formula2": high}
        message = (_("Enter a whole number") if f.type == "integer" else _("Enter a number"))
        range_text = _range_text(f)
        if range_text:
            message = f"{message}, {range_text}"
    elif f.type == "date":
        kind = {"type": "date", "operator": "between", "formula1": str(_EXCEL_SERIAL_MIN),
                "formula2": str(_EXCEL_SERIAL_MAX)}
        message = _("Enter a date as dd/mm/yyyy")
    elif f.type in ("choice", "boolean") and f.key in lists:
        kind = {"type": "list", "formula1": lists[f.key]}
        message = _("Choose a value from the list")
    elif f.type == "text" and f.max_length:
        kind = {"type": "textLength", "operator": "lessThanOrEqual",
                "formula1": str(f.max_length)}
        message = _("At most %(count)s characters") % {"count": f.max_length}
    else:
        return None
    return DataValidation(allow_blank=True, showErrorMessage=True, errorStyle="stop",
                          errorTitle=_("Value not accepted")[:32], error=message[:255],
                          **kind)


def _write_meta(workbook: Workbook, defn: FormDefinition, layout: Layout, cover: Cover,
                lists_source: Iterable[tuple[str, list[str]]]) -> dict[str, str]:
    sheet = workbook.create_sheet(META_SHEET)
    rows = [
        (META_MARKER, FORMAT_VERSION),
        ("form_key", defn.key),
        ("form_version", str(defn.version)),
        ("campaign", str(cover.campaign_id)),
        ("unit", str(cover.unit_id)),
        ("unit_code", cover.unit_code),
        ("submission", str(cover.submission_id)),
        ("language", layout.lang),
        ("capacities", json.dumps(layout.capacities, sort_keys=True)),
        ("layout", layout.checksum(defn)),
    ]
    for number, (name, value) in enumerate(rows, start=1):
        sheet.cell(row=number, column=1, value=name)
        cell = sheet.cell(row=number, column=2, value=value)
        cell.data_type = TYPE_STRING
    refs: dict[str, str] = {}
    for offset, (path, values) in enumerate(lists_source):
        column = 4 + offset
        letter = get_column_letter(column)
        sheet.cell(row=1, column=column, value=path)
        for number, value in enumerate(values, start=2):
            sheet.cell(row=number, column=column, value=value).data_type = TYPE_STRING
        refs[path] = f"'{META_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True
    return refs


def _list_values(defn: FormDefinition, lang: str) -> list[tuple[str, list[str]]]:
    """The choice lists of the form, by field key (table columns as "table.column")."""
    lists: list[tuple[str, list[str]]] = []

    def add(path: str, f: Field) -> None:
        if f.type == "choice":
            lists.append((path, [choice.label(lang) for choice in f.choices]))
        elif f.type == "boolean":
            lists.append((path, list(_yes_no())))

    for f in defn.fields:
        if f.type == "table":
            for column in f.columns:
                add(f"{f.key}.{column.key}", column)
        else:
            add(f.key, f)
    return lists


def _write_cover(sheet: Worksheet, defn: FormDefinition, cover: Cover, layout: Layout) -> None:
    lang = layout.lang

    def day(value: dt.date | None) -> str:
        return f"{value:%d/%m/%Y}" if value else "—"

    sheet.title = layout.cover_name
    lines: list[tuple[str, str]] = [
        (pgettext("survey workbook", "Survey campaign"), cover.campaign_title),
        (pgettext("survey workbook", "Unit"), f"{cover.unit_name} ({cover.unit_code})"),
        (pgettext("survey workbook", "Reference date"), day(cover.reference_date)),
        (pgettext("survey workbook", "Deadline"), day(cover.deadline)),
        (pgettext("survey workbook", "Form"), _("%(title)s — key “%(key)s”, version %(version)s")
         % {"title": defn.title(lang), "key": defn.key, "version": defn.version}),
    ]
    sheet["A1"] = defn.title(lang)
    sheet["A1"].font = Font(name=_FONT, bold=True, size=14)
    for number, (name, value) in enumerate(lines, start=3):
        sheet.cell(row=number, column=1, value=name).font = Font(name=_FONT, bold=True)
        cell = sheet.cell(row=number, column=2, value=value)
        cell.data_type = TYPE_STRING
        cell.font = Font(name=_FONT)
    row = 3 + len(lines) + 1
    description = defn.description(lang)
    if description:
        sheet.cell(row=row, column=1, value=description).font = Font(name=_FONT, italic=True)
        row += 2
    sheet.cell(row=row, column=1, value=_("How to fill in this workbook")).font = Font(
        name=_FONT, bold=True)
    # Both languages: the workbook may be passed on to someone who reads the other.
    instructions = [
        ("1. Nhập câu trả lời vào các ô màu vàng; các ô khác được khoá để tránh sửa nhầm.",
         "1. Type the answers in the yellow cells; the other cells are locked against "
         "accidental edits."),
        ("2. Không đổi tên, thêm, xoá hay ẩn trang tính; không chèn hoặc xoá hàng, cột.",
         "2. Do not rename, add, delete or hide sheets; do not insert or delete rows or "
         "columns."),
        ("3. Ngày ghi theo dạng dd/mm/yyyy; số không kèm đơn vị; chọn giá trị trong danh "
         "sách khi ô có danh sách.",
         "3. Dates as dd/mm/yyyy; numbers without units; pick from the list where the cell "
         "has one."),
        ("4. Tải tệp lên trang phiếu khảo sát: hệ thống kiểm tra, cho xem trước thay đổi, "
         "chỉ lưu (bản nháp) khi bạn xác nhận.",
         "4. Upload the file on the submission's page: it is checked, the changes are "
         "shown, and saved (as a draft) only when you confirm."),
        ("5. Tệp đính kèm (trường kiểu tệp) chỉ nộp được trên trình duyệt.",
         "5. Attachments (file fields) can only be added in the browser."),
    ]
    for vi_text, en_text in instructions:
        row += 1
        sheet.cell(row=row, column=1, value=vi_text).font = Font(name=_FONT)
        row += 1
        sheet.cell(row=row, column=1, value=en_text).font = Font(name=_FONT, italic=True,
                                                                  color="555555")
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 70
    sheet.protection.sheet = True


def write_workbook(defn: FormDefinition, answers: Mapping[str, Any], cover: Cover,
                   lang: str) -> bytes:
    """The workbook of one submission, pre-filled with ``answers``; same input, same bytes."""
    with translation.override(lang):
        layout = _layout(defn, lang, capacities_for(defn, answers))
        workbook = Workbook()
        first = workbook.active
        assert first is not None
        _write_cover(first, defn, cover, layout)
        section_sheets = [workbook.create_sheet(sheet.name) for sheet in layout.sheets]
        refs = _write_meta(workbook, defn, layout, cover, _list_values(defn, lang))
        values = _answer_cells(defn, answers, layout)
        styles = _Styles(workbook)
        for sheet, plan in zip(section_sheets, layout.sheets, strict=True):
            _write_section(sheet, plan, values, refs, styles)
        workbook.security = WorkbookProtection(lockStructure=True)
        return deterministic_xlsx(workbook)


def _answer_cells(defn: FormDefinition, answers: Mapping[str, Any],
                  layout: Layout) -> dict[tuple[str, str], Any]:
    """(sheet, cell) → the value to pre-fill."""
    values: dict[tuple[str, str], Any] = {}
    for sheet in layout.sheets:
        for cell in sheet.inputs:
            f = defn.field(cell.key)
            if cell.row is None:
                value = answers.get(cell.key)
            else:
                rows = answers.get(cell.key) or []
                if f.has_fixed_rows:
                    row_key = f.rows[cell.row].key
                    found = next((r for r in rows if isinstance(r, Mapping)
                                  and r.get("row") == row_key), None)
                else:
                    found = rows[cell.row] if cell.row < len(rows) else None
                value = found.get(cell.column) if isinstance(found, Mapping) else None
            shown = _cell_value(cell.field, value, layout.lang)
            if shown is not None:
                values[(sheet.name, cell.ref)] = shown
    return values


class _Styles:
    """Named cell styles, registered once per workbook: one assignment per cell (setting
    font, fill, alignment and protection one by one costs a style lookup each)."""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self.names: set[str] = set()

    def _named(self, name: str, parts: Callable[[], dict[str, Any]]) -> str:
        if name not in self.names:
            self.workbook.add_named_style(NamedStyle(name=name, **parts()))
            self.names.add(name)
        return name

    def static(self, kind: str) -> str:
        def parts() -> dict[str, Any]:
            font = {"title": Font(name=_FONT, bold=True, size=12),
                    "head": Font(name=_FONT, bold=True), "label": Font(name=_FONT),
                    "note": Font(name=_FONT, italic=True, size=9, color="555555")}[kind]
            extra = {"fill": _HEAD_FILL} if kind == "head" else {}
            return {"font": font, "alignment": Alignment(wrap_text=True, vertical="top"),
                    **extra}

        return self._named(f"dondoc {kind}", parts)

    def answer(self, f: Field) -> str:
        number_format = _number_format(f)
        wrap = f.type in ("text", "multichoice")

        def parts() -> dict[str, Any]:
            return {"font": Font(name=_FONT), "fill": _INPUT_FILL,
                    "number_format": number_format, "protection": Protection(locked=False),
                    "alignment": Alignment(wrap_text=wrap, vertical="top")}

        return self._named(f"dondoc answer {number_format}{' wrap' if wrap else ''}", parts)


def _write_section(sheet: Worksheet, plan: SheetLayout, values: Mapping[tuple[str, str], Any],
                   refs: Mapping[str, str], styles: _Styles) -> None:
    for ref, text in {**plan.notes, **plan.labels}.items():
        cell = sheet[ref]
        cell.value = text
        cell.data_type = TYPE_STRING
        cell.style = styles.static(
            "title" if ref in plan.bold else "head" if ref in plan.heads
            else "label" if ref in plan.labels else "note")
    validations: dict[str, DataValidation | None] = {}
    for item in plan.inputs:
        cell = sheet[item.ref]
        value = values.get((plan.name, item.ref))
        if value is not None:
            cell.value = value
            if isinstance(value, str):
                cell.data_type = TYPE_STRING
        cell.style = styles.answer(item.field)
        path = item.key if item.column is None else f"{item.key}.{item.column}"
        if path not in validations:
            validations[path] = _validation(
                item.field, {item.field.key: refs[path]} if path in refs else {})
            if validations[path] is not None:
                sheet.add_data_validation(validations[path])
        validation = validations[path]
        if validation is not None:
            validation.add(item.ref)
    sheet.column_dimensions["A"].width = 42
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["C"].width = 40
    for column in range(4, plan.last_column + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 18
    sheet.freeze_panes = "A4"
    sheet.protection.sheet = True
    # Resizing rows and columns does not move cells: allowed. Inserting or deleting is not.
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


# ---------------------------------------------------------------------------------------
# Reading an upload back
# ---------------------------------------------------------------------------------------


def check_file(*, name: str, size: int, head: bytes) -> None:
    """Refuse anything but an .xlsx of at most 5 MB, by name, size and content."""
    shown = PurePath(name).name or "?"
    if PurePath(name).suffix.lower() != ".xlsx":
        raise _refuse("not_xlsx", name=shown)
    if size == 0:
        raise _refuse("empty_file")
    if size > MAX_FILE_BYTES:
        raise _refuse("file_too_large", limit=MAX_FILE_BYTES // (1024 * 1024),
                      size=f"{size / (1024 * 1024):.1f}")
    if not head.startswith(XLSX_MAGIC):  # a PDF, an old .xls or a text file renamed
        raise _refuse("not_xlsx", name=shown)


@dataclass
class UploadResult:
    """What an uploaded workbook holds: typed answers and the problems, with cells."""

    answers: dict[str, Any]
    errors: list[str]
    warnings: list[str]
    problems: list[Problem]
    more_errors: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return f"{value:%d/%m/%Y}"
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float):
        return format(Decimal(format(value, ".15g")).normalize(), "f") if value == value \
            else str(value)
    text = str(value).strip()
    return text if len(text) <= 60 else text[:57] + "…"


def _raw_value(f: Field, value: Any) -> Any:
    """A cell's value as ``clean_answers`` takes it (blank: None)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if f.type == "multichoice":
            return [part for part in re.split(r"[;\n]", text) if part.strip()]
        return text
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        # Excel keeps 15 significant digits: 0.1 + 0.2 is 0.3, not 0.30000000000000004.
        number = Decimal(format(value, ".15g"))
        return _text_of(value) if f.type == "text" else number
    if isinstance(value, int):
        return str(value) if f.type == "text" else value
    if isinstance(value, dt.datetime | dt.date):
        return value if f.type == "date" else _text_of(value)
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return str(value)


def _load(data: bytes, *, data_only: bool) -> Any:
    try:
        return load_workbook(io.BytesIO(data), data_only=data_only, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds on damaged files
        raise _refuse("unreadable") from error


def _meta_values(workbook: Any) -> dict[str, str]:
    if META_SHEET not in workbook.sheetnames:
        raise _refuse("no_meta")
    sheet = workbook[META_SHEET]
    values: dict[str, str] = {}
    for row in sheet.iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
        if row and isinstance(row[0], str):
            values[row[0]] = "" if len(row) < 2 or row[1] is None else str(row[1])
    if values.get(META_MARKER) != FORMAT_VERSION:
        raise _refuse("no_meta")
    return values


def _meta_int(meta: Mapping[str, str], name: str) -> int:
    try:
        return int(meta.get(name, ""))
    except ValueError:
        raise _refuse("no_meta") from None


def _check_identity(defn: FormDefinition, meta: Mapping[str, str],
                    expected: Expected) -> tuple[str, dict[str, int]]:
    """The workbook's language and capacities, once it is known to be for this submission."""
    form_key = meta.get("form_key", "")
    if form_key != defn.key:
        raise _refuse("wrong_form", found=form_key[:60], expected=defn.key)
    version = _meta_int(meta, "form_version")
    if version != defn.version:
        raise _refuse("wrong_version", found=version, form=defn.key, expected=defn.version)
    if _meta_int(meta, "campaign") != expected.campaign_id:
        raise _refuse("wrong_campaign")
    if _meta_int(meta, "unit") != expected.unit_id:
        raise _refuse("wrong_unit", unit=meta.get("unit_code", "")[:40] or "?")
    lang = meta.get("language", "")
    if lang not in ("vi", "en"):
        raise _refuse("no_meta")
    try:
        raw = json.loads(meta.get("capacities", ""))
    except ValueError:
        raise _refuse("no_meta") from None
    if not isinstance(raw, dict) or not all(
            isinstance(key, str) and isinstance(value, int) and not isinstance(value, bool)
            and 0 <= value <= max(FREE_ROWS_CAP, 1000) for key, value in raw.items()):
        raise _refuse("no_meta")
    return lang, raw


def _check_sheets(workbook: Any, layout: Layout) -> list[str]:
    errors: list[str] = []
    expected = {layout.cover_name, META_SHEET, *(sheet.name for sheet in layout.sheets)}
    present = set(workbook.sheetnames)
    for name in workbook.sheetnames:
        state = workbook[name].sheet_state
        if name not in expected:
            code = "extra_sheet" if state == "visible" else "extra_hidden_sheet"
            errors.append(str(MESSAGES[code]) % {"sheet": name})
        elif name != META_SHEET and state != "visible":
            errors.append(str(MESSAGES["hidden_sheet"]) % {"sheet": name})
    for name in [layout.cover_name, *(sheet.name for sheet in layout.sheets)]:
        if name not in present:
            errors.append(str(MESSAGES["missing_sheet"]) % {"sheet": name})
    return errors


def _same_text(found: Any, expected: str) -> bool:
    if found is None:
        return not expected
    return " ".join(str(found).split()) == " ".join(expected.split())


def _check_section_sheet(sheet: Any, plan: SheetLayout) -> list[str]:
    """Labels in place and nothing typed outside the answer cells."""
    errors: list[str] = []
    changed = 0
    for ref, text in plan.labels.items():
        found = sheet[ref].value
        if not _same_text(found, text):
            changed += 1
            if changed <= MAX_LABEL_MESSAGES_PER_SHEET:
                errors.append(str(MESSAGES["label_changed"]) % {
                    "sheet": plan.name, "cell": ref, "expected": _text_of(text) or "—",
                    "found": _text_of(found) or "—"})
    if changed > MAX_LABEL_MESSAGES_PER_SHEET:
        errors.append(str(MESSAGES["more_labels_changed"]) % {
            "sheet": plan.name, "count": changed - MAX_LABEL_MESSAGES_PER_SHEET})
    known = set(plan.labels) | set(plan.notes) | {cell.ref for cell in plan.inputs}
    outside = 0
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
                continue
            if cell.coordinate in known:
                continue
            outside += 1
            if outside <= MAX_LABEL_MESSAGES_PER_SHEET:
                errors.append(str(MESSAGES["outside"]) % {
                    "sheet": plan.name, "cell": cell.coordinate, "value": _text_of(cell.value)})
    if outside > MAX_LABEL_MESSAGES_PER_SHEET:
        errors.append(str(MESSAGES["more_outside"]) % {
            "sheet": plan.name, "count": outside - MAX_LABEL_MESSAGES_PER_SHEET})
    return errors


def _cell_message(sheet: str, ref: str, value: Any, message: str) -> str:
    shown = _text_of(value)
    if shown:
        return _("Sheet “%(sheet)s”, cell %(cell)s (“%(value)s”): %(message)s") % {
            "sheet": sheet, "cell": ref, "value": shown, "message": message}
    return _("Sheet “%(sheet)s”, cell %(cell)s: %(message)s") % {
        "sheet": sheet, "cell": ref, "message": message}


def _problem_message(problem: Problem, layout: Layout,
                     cell_values: Mapping[tuple[str, str], Any]) -> str:
    for key in ((problem.field, problem.row, problem.column),
                (problem.field, problem.row, None), (problem.field, None, problem.column),
                (problem.field, None, None)):
        where = layout.anchors.get(key)
        if where is not None:
            sheet, ref = where
            return _cell_message(sheet, ref, cell_values.get(where), problem.message)
    return problem.message


def read_workbook(defn: FormDefinition, data: bytes, *, expected: Expected,
                  current: Mapping[str, Any]) -> UploadResult:
    """Read an upload as this submission's workbook and check its answers as a draft.

    Raises :class:`WorkbookRefused` when the file is not this submission's workbook at all
    (not an xlsx, too large, another form, version, campaign or unit, layout changed);
    otherwise returns every problem found, each naming its sheet and cell. File fields
    cannot travel in a workbook: their ``current`` answers are kept.
    """
    try:
        check_workbook(data)  # unpacked size, rows, cells, merges: before loading
    except ValidationError as error:
        raise WorkbookRefused(error.messages[0], code="too_large") from error
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise _refuse("unreadable")
    except zipfile.BadZipFile as error:
        raise _refuse("unreadable") from error
    workbook = _load(data, data_only=False)
    meta = _meta_values(workbook)
    lang, capacities = _check_identity(defn, meta, expected)
    if set(capacities) != {f.key for f in defn.fields
                           if f.type == "table" and not f.has_fixed_rows}:
        raise _refuse("layout_changed")
    layout = layout_form(defn, lang, capacities)
    if meta.get("layout") != layout.checksum(defn):
        raise _refuse("layout_changed")
    errors = _check_sheets(workbook, layout)
    cached: Any = None
    raw: dict[str, Any] = {}
    cell_values: dict[tuple[str, str], Any] = {}
    table_rows: dict[str, dict[int, dict[str, Any]]] = {}
    for plan in layout.sheets:
        if plan.name not in workbook.sheetnames:
            continue
        sheet = workbook[plan.name]
        errors.extend(_check_section_sheet(sheet, plan))
        for item in plan.inputs:
            cell = sheet[item.ref]
            value = cell.value
            if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")
                                         and cell.data_type != TYPE_STRING):
                if cached is None:
                    cached = _load(data, data_only=True)
                value = cached[plan.name][item.ref].value
                if value is None:
                    errors.append(str(MESSAGES["formula_without_value"])
                                  % {"sheet": plan.name, "cell": item.ref})
                    continue
            cell_values[(plan.name, item.ref)] = value
            converted = _raw_value(item.field, value)
            if item.row is None:
                if converted is not None:
                    raw[item.key] = converted
            else:
                row = table_rows.setdefault(item.key, {}).setdefault(item.row, {})
                if converted is not None:
                    assert item.column is not None
                    row[item.column] = converted
    for f in defn.fields:
        if f.type == "file":
            if current.get(f.key):
                raw[f.key] = current[f.key]
        elif f.type == "table":
            raw[f.key] = _table_rows(f, table_rows.get(f.key, {}))
    answers, problems = clean_answers(defn, raw, partial=True)
    messages = [_problem_message(p, layout, cell_values) for p in problems]
    errors.extend(m for m, p in zip(messages, problems, strict=True) if p.severity == "error")
    warnings = [m for m, p in zip(messages, problems, strict=True) if p.severity != "error"]
    more = max(0, len(errors) - MAX_MESSAGES)
    return UploadResult(answers=answers, errors=errors[:MAX_MESSAGES], warnings=warnings,
                        problems=problems, more_errors=more)


def _table_rows(f: Field, rows: Mapping[int, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Fixed rows by key; free rows up to the last one filled (positions = sheet rows)."""
    if f.has_fixed_rows:
        return [{"row": row.key, **rows.get(position, {})}
                for position, row in enumerate(f.rows) if rows.get(position)]
    filled = [position for position, values in rows.items() if values]
    if not filled:
        return []
    return [dict(rows.get(position, {})) for position in range(max(filled) + 1)]


# ---------------------------------------------------------------------------------------
# What an upload changes
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One answer that differs: where (section › field › row › column), before, after."""

    section: str
    where: str
    before: str
    after: str


def display_value(f: Field, value: Any, lang: str | None = None) -> str:
    """An answer as people read it: labels for choices, Yes/No, dd/mm/yyyy, file names."""
    if value is None or value == "" or value == []:
        return ""
    if f.type == "boolean":
        yes, no = _yes_no()
        return yes if value else no
    if f.type == "date":
        try:
            return f"{dt.date.fromisoformat(str(value)):%d/%m/%Y}"
        except ValueError:
            return str(value)
    if f.type == "choice":
        return f.choice_label(str(value), lang)
    if f.type == "multichoice":
        values = value if isinstance(value, list) else [value]
        return "; ".join(f.choice_label(str(item), lang) for item in values)
    if f.type == "file":
        return str(value.get("name", "")) if isinstance(value, Mapping) else str(value)
    return str(value)


def _rows_by_position(f: Field, value: Any) -> dict[int, Mapping[str, Any]]:
    rows = [r for r in value if isinstance(r, Mapping)] if isinstance(value, list) else []
    if f.has_fixed_rows:
        keys = [row.key for row in f.rows]
        return {keys.index(r["row"]): r for r in rows if r.get("row") in keys}
    return dict(enumerate(rows))


def answer_changes(defn: FormDefinition, before: Mapping[str, Any],
                   after: Mapping[str, Any], lang: str | None = None) -> list[Change]:
    """Every answer that ``after`` changes, in the form's order (tables cell by cell)."""
    changes: list[Change] = []
    for section in defn.sections:
        title = section.title(lang)
        for f in section.fields:
            if f.type != "table":
                old = display_value(f, before.get(f.key), lang)
                new = display_value(f, after.get(f.key), lang)
                if old != new:
                    changes.append(Change(title, f.label(lang), old, new))
                continue
            old_rows = _rows_by_position(f, before.get(f.key))
            new_rows = _rows_by_position(f, after.get(f.key))
            for position in sorted(set(old_rows) | set(new_rows)):
                row_label = (f.rows[position].label(lang) if f.has_fixed_rows
                             else _("row %(number)s") % {"number": position + 1})
                for column in f.columns:
                    old = display_value(column, old_rows.get(position, {}).get(column.key),
                                        lang)
                    new = display_value(column, new_rows.get(position, {}).get(column.key),
                                        lang)
                    if old != new:
                        where = " › ".join((f.label(lang), row_label, column.label(lang)))
                        changes.append(Change(title, where, old, new))
    return changes
