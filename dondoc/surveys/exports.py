"""A whole survey campaign in one Excel workbook, and a comparison with its baseline.

The campaign workbook: a first sheet saying what it holds (campaign, form, reference date,
deadline, which submissions count), then one sheet per section of the form with one row
per answering unit in unit-tree order (names indented by level) and, for every unit with
units below it, a subtotal row (bold) summing its subtree's numbers — or, for a number
whose field says ``"aggregate": "average"`` (``min``, ``max``), their mean (smallest,
largest): an average is never added up. Tables are flattened: a fixed-row table gives one
column per row and column (``table.row.column``); a free-row table gives its numeric
columns combined over the rows (``table.column``: summed, or averaged…) and its number of
rows, and a sheet of its own lists every row with its unit. Under the labels, a second
header row gives each column's key, so that a column is found by key whatever the
language. Numbers carry Excel number formats (shown ``1.234,5`` by a Vietnamese Excel),
dates ``dd/mm/yyyy``.

Written with XlsxWriter in ``constant_memory`` mode (rows go to disk in order): 500 units
× 200 fields take about a second (``make bench``, ``survey.export.s``), so the export is
answered synchronously, like the task list's, without the background queue.

Every text cell is written as a typed string (``strings_to_formulas=False``): spreadsheet
programs never evaluate a unit's answer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from dondoc.surveys import definition as defs
from dondoc.surveys.comparison import Comparison
from dondoc.surveys.consolidation import (
    CampaignTree,
    TreeUnit,
    answers_of,
    campaign_tree,
    definition_of,
    status_label,
)
from dondoc.surveys.models import Campaign

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FONT = "Times New Roman"
HEADER_ROW, KEY_ROW, FIRST_ROW = 3, 4, 5  # 0-based rows of the labels, the keys, the data
FIXED_COLUMNS = 3  # unit code, unit name, status
_BAD_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    """One column of a section sheet: where its value comes from in a unit's answers."""

    key: str
    label: str
    kind: str  # "integer", "decimal", "date" or "text"
    places: int
    get: Callable[[Mapping[str, Any]], Any]
    aggregate: str = defs.DEFAULT_AGGREGATE  # how the subtotals combine the units' numbers

    @property
    def numeric(self) -> bool:
        return self.kind in ("integer", "decimal")


def _number(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _converter(f: defs.Field) -> tuple[str, Callable[[Any], Any]]:
    """The kind of cell a field gives and how an answer becomes the cell's value."""
    if f.is_numeric:
        return ("integer" if f.type == "integer" else "decimal"), _number
    if f.type == "date":
        def day(value: Any) -> dt.date | None:
            try:
                return dt.date.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                return None
        return "date", day
    if f.type == "boolean":
        yes, no = _("Yes"), _("No")
        return "text", lambda value: None if value is None else (yes if value else no)
    if f.type in ("choice", "multichoice"):
        labels = {choice.value: choice.label() for choice in f.choices}

        def chosen(value: Any) -> str | None:
            if value is None or value == "":
                return None
            values = value if isinstance(value, list) else [value]
            return "; ".join(labels.get(str(v), str(v)) for v in values)
        return "text", chosen
    if f.type == "file":
        return "text", lambda value: value.get("name") if isinstance(value, Mapping) else None
    return "text", lambda value: None if value is None or value == "" else str(value)


def _rows_of(answers: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    rows = answers.get(key)
    return [row for row in rows if isinstance(row, Mapping)] if isinstance(rows, list) else []


# What a subtotal row holds for a number that is not summed, said in its column's head.
_SUBTOTAL_NOTES: dict[str, Callable[[], str]] = {
    "average": lambda: _("%(label)s (subtotals: average of the units)"),
    "min": lambda: _("%(label)s (subtotals: smallest of the units)"),
    "max": lambda: _("%(label)s (subtotals: largest of the units)"),
}
_ROWS_NOTES: dict[str, Callable[[], str]] = {
    "sum": lambda: _("%(table)s — %(column)s (sum of the rows)"),
    "average": lambda: _("%(table)s — %(column)s (average of the rows)"),
    "min": lambda: _("%(table)s — %(column)s (smallest of the rows)"),
    "max": lambda: _("%(table)s — %(column)s (largest of the rows)"),
}


def _kind(kind: str, f: defs.Field) -> str:
    """The cell kind of a field's column: the mean of whole numbers is not whole."""
    return "decimal" if kind == "integer" and not f.is_summed else kind


def _head(label: str, f: defs.Field) -> str:
    note = _SUBTOTAL_NOTES.get(f.aggregate) if f.is_numeric else None
    return note() % {"label": label} if note else label


def section_columns(section: defs.Section) -> list[Column]:
    """The columns of a section's sheet, in the form's order."""
    columns: list[Column] = []
    for f in section.fields:
        if f.type != "table":
            kind, convert = _converter(f)

            def simple(answers: Mapping[str, Any], key: str = f.key,
                       convert: Callable[[Any], Any] = convert) -> Any:
                return convert(answers.get(key))
            columns.append(Column(f.key, _head(f.label(), f), _kind(kind, f), f.places or 0, simple,
                                  f.aggregate))
            continue
        if f.has_fixed_rows:
            for row in f.rows:
                for column in f.columns:
                    kind, convert = _converter(column)

                    def cell(answers: Mapping[str, Any], table: str = f.key, row_key: str = row.key,
                             column_key: str = column.key,
                             convert: Callable[[Any], Any] = convert) -> Any:
                        for item in _rows_of(answers, table):
                            if item.get("row") == row_key:
                                return convert(item.get(column_key))
                        return None
                    columns.append(Column(
                        f"{f.key}.{row.key}.{column.key}",
                        _head(f"{f.label()} — {row.label()} — {column.label()}", column),
                        _kind(kind, column), column.places or 0, cell, column.aggregate))
            continue
        for column in f.columns:
            if not column.is_numeric:
                continue

            def total(answers: Mapping[str, Any], table: str = f.key,
                      column_key: str = column.key,
                      aggregate: str = column.aggregate) -> Decimal | None:
                values = [_number(item.get(column_key)) for item in _rows_of(answers, table)]
                return defs.combine([value for value in values if value is not None],
                                    aggregate)
            label = _ROWS_NOTES[column.aggregate]() % {"table": f.label(),
                                                       "column": column.label()}
            # The mean of whole numbers is not whole: shown as a decimal.
            kind = "integer" if column.type == "integer" and column.is_summed else "decimal"
            columns.append(Column(f"{f.key}.{column.key}", _head(label, column), kind,
                                  column.places or 0, total, column.aggregate))

        def count(answers: Mapping[str, Any], table: str = f.key) -> int | None:
            return len(_rows_of(answers, table)) if answers.get(table) is not None else None
        columns.append(Column(f"{f.key}.rows", _("%(table)s — number of rows") % {
            "table": f.label()}, "integer", 0, count))
    return columns


def sheet_name(title: str, used: set[str]) -> str:
    """A worksheet name Excel accepts (31 characters, none of []:*?/\\), unique."""
    base = _BAD_SHEET_CHARACTERS.sub(" ", title).strip().strip("'") or _("Sheet")
    name, number = base[:31], 1
    while name.casefold() in used:
        number += 1
        suffix = f" ({number})"
        name = base[: 31 - len(suffix)] + suffix
    used.add(name.casefold())
    return name


class _Formats:
    """XlsxWriter formats, made once each."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.cache: dict[tuple[Any, ...], Any] = {}
        self.title = book.add_format({"bold": True, "font_size": 13, "font_name": _FONT})
        self.note = book.add_format({"italic": True, "font_name": _FONT})
        self.head = book.add_format({"bold": True, "bg_color": "#DDE3EA", "border": 1,
                                     "text_wrap": True, "valign": "top", "font_name": _FONT})
        self.key = book.add_format({"font_color": "#555555", "font_size": 9, "border": 1,
                                    "bg_color": "#F2F4F7", "font_name": _FONT})

    def get(self, kind: str, *, places: int = 0, bold: bool = False, indent: int = 0) -> Any:
        cache_key = (kind, places, bold, indent)
        found = self.cache.get(cache_key)
        if found is None:
            spec: dict[str, Any] = {"font_name": _FONT, "bold": bold, "valign": "top"}
            if kind == "integer":
                spec["num_format"] = "#,##0"
            elif kind == "decimal":
                spec["num_format"] = "#,##0." + "0" * places if places else "#,##0.##"
            elif kind == "date":
                spec["num_format"] = "dd/mm/yyyy"
            if indent:
                spec["indent"] = indent
            found = self.cache[cache_key] = self.book.add_format(spec)
        return found


def _write_value(sheet: Any, row: int, column: int, value: Any, fmt: Any) -> None:
    if value is None:
        return
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        sheet.write_number(row, column, float(value), fmt)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, column, dt.datetime.combine(value, dt.time()), fmt)
    else:
        sheet.write_string(row, column, str(value), fmt)


def _heading(sheet: Any, formats: _Formats, title: str, note: str) -> None:
    sheet.write_string(0, 0, title, formats.title)
    sheet.write_string(1, 0, note, formats.note)


def campaign_note(campaign: Campaign, defn: defs.FormDefinition,
                  include_submitted: bool) -> str:
    counted = (_("accepted and submitted (not yet accepted) answers")
               if include_submitted else _("accepted answers only"))
    return _("Form %(form)s (%(key)s, version %(version)s) · reference date %(day)s · "
             "counted: %(counted)s") % {
        "form": defn.title(), "key": defn.key, "version": defn.version,
        "day": f"{campaign.reference_date:%d/%m/%Y}" if campaign.reference_date else "—",
        "counted": counted}


def export_campaign_xlsx(*, user: Any, campaign: Campaign, out: IO[bytes],
                         include_submitted: bool = False,
                         today: dt.date | None = None) -> int:
    """Write the campaign's workbook to ``out`` as ``user`` may see it; the number of
    units whose answers it holds."""
    today = today or timezone.localdate()
    defn = definition_of(campaign)
    tree = campaign_tree(user, campaign)
    answers = answers_of(user, campaign, include_submitted=include_submitted)
    members = [unit for unit in tree.units if unit.member]
    counted = [unit for unit in members if unit.pk in answers]
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    book.set_properties({"title": campaign.title, "created": dt.datetime.combine(
        today, dt.time())})
    formats = _Formats(book)
    used: set[str] = set()
    note = campaign_note(campaign, defn, include_submitted)
    _write_cover(book, formats, used, campaign, defn, note, len(members), len(counted), today)
    for section in defn.sections:
        columns = section_columns(section)
        if columns:
            _write_section(book, formats, sheet_name(section.title(), used), campaign.title,
                           note, tree, answers, columns)
    for f in defn.fields:
        if f.type == "table" and not f.has_fixed_rows:
            _write_free_table(book, formats, sheet_name(f.label(), used), campaign.title,
                              note, f, counted, answers)
    book.close()
    return len(counted)


def _write_cover(book: Any, formats: _Formats, used: set[str], campaign: Campaign,
                 defn: defs.FormDefinition, note: str, members: int, counted: int,
                 today: dt.date) -> None:
    sheet = book.add_worksheet(sheet_name(_("Campaign"), used))
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 70)
    _heading(sheet, formats, campaign.title, note)
    lines: list[tuple[str, Any]] = [
        (_("Purpose"), campaign.purpose or ""),
        (_("Form"), f"{defn.title()} ({defn.key}, {_('version')} {defn.version})"),
        (_("Reference date"), campaign.reference_date),
        (_("Deadline"), campaign.deadline),
        (_("Units that must answer"), members),
        (_("Units whose answers are counted"), counted),
        (_("Exported on"), today),
    ]
    for index, (label, value) in enumerate(lines, start=3):
        sheet.write_string(index, 0, label, formats.head)
        kind = "date" if isinstance(value, dt.date) else (
            "integer" if isinstance(value, int) else "text")
        _write_value(sheet, index, 1, value, formats.get(kind))


def _subtotals(tree: CampaignTree, values: dict[int, list[Any]], columns: list[Column]
               ) -> tuple[dict[int, list[Any]], dict[int, tuple[int, int]]]:
    """Per unit of the tree: its subtree's numbers combined (summed, or averaged… as each
    column says) and (answered, expected)."""
    summed = [index for index, column in enumerate(columns)
              if column.numeric and column.aggregate == "sum"]
    others = [index for index, column in enumerate(columns)
              if column.numeric and column.aggregate != "sum"]
    sums: dict[int, list[Any]] = {unit.pk: [None] * len(columns) for unit in tree.units}
    gathered: dict[tuple[int, int], list[Decimal]] = {}
    counts: dict[int, list[int]] = {unit.pk: [0, 0] for unit in tree.units}
    for unit in tree.units:
        if not unit.member:
            continue
        own = values.get(unit.pk)
        for above in tree.ancestors_of(unit):
            counts[above.pk][1] += 1
            if own is None:
                continue
            counts[above.pk][0] += 1
            row = sums[above.pk]
            for index in summed:
                value = own[index]
                if value is not None:
                    row[index] = value if row[index] is None else row[index] + value
            for index in others:
                if own[index] is not None:
                    gathered.setdefault((above.pk, index), []).append(own[index])
    for (pk, index), numbers in gathered.items():
        sums[pk][index] = defs.combine(numbers, columns[index].aggregate)
    return sums, {pk: (pair[0], pair[1]) for pk, pair in counts.items()}


def _write_section(book: Any, formats: _Formats, name: str, title: str, note: str,
                   tree: CampaignTree, answers: dict[int, dict[str, Any]],
                   columns: list[Column]) -> None:
    sheet = book.add_worksheet(name)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 42)
    sheet.set_column(2, 2, 22)
    sheet.set_column(FIXED_COLUMNS, FIXED_COLUMNS + len(columns) - 1, 16)
    sheet.freeze_panes(FIRST_ROW, 2)
    _heading(sheet, formats, title, note)
    heads = [_("Unit code"), _("Unit"), _("Status"), *(column.label for column in columns)]
    keys = ["unit", "unit_name", "status", *(column.key for column in columns)]
    sheet.set_row(HEADER_ROW, 45)
    # Row by row: in constant_memory mode a row is written out once the next one starts.
    for index, head in enumerate(heads):
        sheet.write_string(HEADER_ROW, index, head, formats.head)
    for index, key in enumerate(keys):
        sheet.write_string(KEY_ROW, index, key, formats.key)
    values = {pk: [column.get(unit_answers) for column in columns]
              for pk, unit_answers in answers.items()}
    sums, counts = _subtotals(tree, values, columns)
    cell_formats = [(formats.get(c.kind, places=c.places),
                     formats.get(c.kind, places=c.places, bold=True)) for c in columns]
    row = FIRST_ROW
    if tree.root is None and tree.units:
        row = _write_grand_total(sheet, formats, row, tree, values, columns, cell_formats)
    for unit in tree.units:
        if unit.has_children:
            answered, expected = counts[unit.pk]
            sheet.write_string(row, 0, unit.code, formats.get("text", bold=True))
            sheet.write_string(row, 1, _("%(unit)s — subtotal") % {"unit": unit.name},
                               formats.get("text", bold=True, indent=unit.level))
            sheet.write_string(row, 2, _("%(answered)d of %(expected)d units") % {
                "answered": answered, "expected": expected}, formats.get("text", bold=True))
            for index, column in enumerate(columns):
                if column.numeric:
                    _write_value(sheet, row, FIXED_COLUMNS + index, sums[unit.pk][index],
                                 cell_formats[index][1])
            row += 1
        if unit.member:
            label = (_("%(unit)s (its own answers)") % {"unit": unit.name}
                     if unit.has_children else unit.name)
            level = unit.level + 1 if unit.has_children else unit.level
            sheet.write_string(row, 0, unit.code, formats.get("text"))
            sheet.write_string(row, 1, label, formats.get("text", indent=level))
            sheet.write_string(row, 2, status_label(unit.status), formats.get("text"))
            own = values.get(unit.pk)
            if own is not None:
                for index, value in enumerate(own):
                    _write_value(sheet, row, FIXED_COLUMNS + index, value, cell_formats[index][0])
            row += 1


def _write_grand_total(sheet: Any, formats: _Formats, row: int, tree: CampaignTree,
                       values: dict[int, list[Any]], columns: list[Column],
                       cell_formats: list[tuple[Any, Any]]) -> int:
    members = [unit for unit in tree.units if unit.member]
    sheet.write_string(row, 1, _("Total"), formats.get("text", bold=True))
    sheet.write_string(row, 2, _("%(answered)d of %(expected)d units") % {
        "answered": sum(1 for unit in members if unit.pk in values),
        "expected": len(members)}, formats.get("text", bold=True))
    for index, column in enumerate(columns):
        if not column.numeric:
            continue
        present = [own[index] for own in values.values() if own[index] is not None]
        _write_value(sheet, row, FIXED_COLUMNS + index, defs.combine(present, column.aggregate),
                     cell_formats[index][1])
    return row + 1


def _write_free_table(book: Any, formats: _Formats, name: str, title: str, note: str,
                      table: defs.Field, counted: list[TreeUnit],
                      answers: dict[int, dict[str, Any]]) -> None:
    sheet = book.add_worksheet(name)
    converters = [_converter(column) for column in table.columns]
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 42)
    sheet.set_column(2, 2, 8)
    sheet.set_column(3, 2 + len(table.columns), 18)
    sheet.freeze_panes(FIRST_ROW, 2)
    _heading(sheet, formats, title, f"{table.label()} · {note}")
    heads = [_("Unit code"), _("Unit"), _("Row"), *(c.label() for c in table.columns)]
    keys = ["unit", "unit_name", "row", *(f"{table.key}.{c.key}" for c in table.columns)]
    sheet.set_row(HEADER_ROW, 45)
    # Row by row: in constant_memory mode a row is written out once the next one starts.
    for index, head in enumerate(heads):
        sheet.write_string(HEADER_ROW, index, head, formats.head)
    for index, key in enumerate(keys):
        sheet.write_string(KEY_ROW, index, key, formats.key)
    cell_formats = [formats.get(kind, places=column.places or 0)
                    for (kind, _convert), column in zip(converters, table.columns, strict=True)]
    row = FIRST_ROW
    for unit in counted:
        for number, item in enumerate(_rows_of(answers[unit.pk], table.key), start=1):
            sheet.write_string(row, 0, unit.code, formats.get("text"))
            sheet.write_string(row, 1, unit.name, formats.get("text"))
            sheet.write_number(row, 2, number, formats.get("integer"))
            for index, (column, (_kind, convert)) in enumerate(
                    zip(table.columns, converters, strict=True)):
                _write_value(sheet, row, 3 + index, convert(item.get(column.key)),
                             cell_formats[index])
            row += 1


def export_comparison_xlsx(result: Comparison, out: IO[bytes]) -> int:
    """The comparison in a workbook: the overall sheet (one row a field: like for like —
    the units counted in both campaigns — then all the units counted) and the per-unit
    sheet (one row a unit and field with a value in either campaign); rows written."""
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    formats = _Formats(book)
    used: set[str] = set()
    percent = book.add_format({"num_format": "+0.0%;-0.0%;0.0%", "font_name": _FONT})
    change = book.add_format({"num_format": "+#,##0.##;-#,##0.##;0", "font_name": _FONT})
    number = formats.get("decimal")
    not_available = _("n/a")
    title = _("%(now)s compared with %(before)s") % {"now": result.campaign.title,
                                                      "before": result.baseline.title}
    note = _("Baseline %(before)s (%(n_before)d units counted) · now %(now)s (%(n_now)d "
             "units counted) · like for like: %(n_both)d units counted in both · "
             "counted: %(counted)s") % {
        "before": f"{result.baseline.reference_date:%d/%m/%Y}",
        "now": f"{result.campaign.reference_date:%d/%m/%Y}",
        "n_before": result.answered_baseline, "n_now": result.answered_now,
        "n_both": result.answered_both,
        "counted": _("accepted and submitted (not yet accepted) answers")
        if result.include_submitted else _("accepted answers only")}

    def cells(sheet: Any, row: int, first: int, item: Any) -> None:
        for offset, (value, fmt) in enumerate(((item.baseline, number), (item.now, number),
                                                (item.change, change))):
            if value is None:
                sheet.write_string(row, first + offset, not_available, formats.get("text"))
            else:
                sheet.write_number(row, first + offset, float(value), fmt)
        if item.percent is None:
            sheet.write_string(row, first + 3, not_available, formats.get("text"))
        else:
            sheet.write_number(row, first + 3, float(item.percent) / 100, percent)

    def start(name: str, heads: list[tuple[str, int]]) -> Any:
        sheet = book.add_worksheet(sheet_name(name, used))
        _heading(sheet, formats, title, note)
        for index, (head, width) in enumerate(heads):
            sheet.set_column(index, index, width)
            sheet.write_string(HEADER_ROW, index, head, formats.head)
        sheet.freeze_panes(HEADER_ROW + 1, 0)
        return sheet

    values = [(_("Baseline"), 16), (_("Now"), 16), (_("Change"), 14), (_("Change (per cent)"), 12)]
    like = _("like for like (%(n)d units)") % {"n": result.answered_both}
    every = _("all units")
    sheet = start(_("Overall"), [(_("Field key"), 24), (_("Field"), 50),
                                 *[(f"{head} — {like}", width + 4) for head, width in values],
                                 *[(f"{head} — {every}", width) for head, width in values]])
    for row, field_row in enumerate(result.fields, start=HEADER_ROW + 1):
        sheet.write_string(row, 0, field_row.key, formats.get("text"))
        sheet.write_string(row, 1, field_row.label, formats.get("text"))
        cells(sheet, row, 2, field_row.like_for_like)
        cells(sheet, row, 6, field_row.overall)
    sheet = start(_("Per unit"), [(_("Unit code"), 12), (_("Unit"), 40), (_("Field key"), 24),
                                  (_("Field"), 40), *values])
    row = HEADER_ROW + 1
    for field_row in result.fields:
        for unit_row in result.per_unit(field_row.key):
            if unit_row.change.baseline is None and unit_row.change.now is None:
                continue
            sheet.write_string(row, 0, unit_row.unit.code, formats.get("text"))
            sheet.write_string(row, 1, unit_row.unit.name, formats.get("text"))
            sheet.write_string(row, 2, field_row.key, formats.get("text"))
            sheet.write_string(row, 3, field_row.label, formats.get("text"))
            cells(sheet, row, 4, unit_row.change)
            row += 1
    book.close()
    return row - HEADER_ROW - 1
