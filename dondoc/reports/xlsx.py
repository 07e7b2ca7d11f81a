"""The consolidated report's tables in an Excel workbook: every table a sheet.

Sheets: the summary (by status, compared with the previous period), by unit, by task
group, overdue tasks, tasks completed in the period and tasks due in the next period.
Each has its title rows, a bold header with the panes frozen under it, widths, Vietnamese
number and date formats (``#,##0``, ``0.0``, ``dd/mm/yyyy``) and a total row. The same
snapshot gives the same bytes (``officedocs.deterministic_xlsx``).
"""

from __future__ import annotations

import datetime as dt
from copy import copy
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from dondoc.core import officedocs
from dondoc.progress.labels import status_label
from dondoc.reports.render import DOCUMENT_LANGUAGE, STATUS_ROWS, day_text, phrase_of

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FONT = Font(name="Times New Roman", bold=True, size=11)
BODY_FONT = Font(name="Times New Roman", size=11)
BOLD_FONT = Font(name="Times New Roman", size=11, bold=True)
TITLE_FONT = Font(name="Times New Roman", size=13, bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDE3EA")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAP = Alignment(wrap_text=True, vertical="top")
HEAD_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
INTEGER = "#,##0"
RATE = "0.0"
DATE = "dd/mm/yyyy"
FIRST_ROW = 4  # rows 1–2: title lines, row 4: the header


def _rate(value: str | None) -> Any:
    return float(Decimal(value)) if value is not None else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class _Sheet:
    """One table on its own sheet."""

    def __init__(self, book: Workbook, name: str, title: str, subtitle: str,
                 columns: list[tuple[str, float, str | None]]) -> None:
        self.ws = book.create_sheet(name[:31])
        self.columns = columns
        self.ws["A1"] = title
        self.ws["A1"].font = TITLE_FONT
        self.ws["A2"] = subtitle
        self.ws["A2"].font = Font(name="Times New Roman", italic=True, size=11)
        for index, (header, width, _fmt) in enumerate(columns, start=1):
            cell = self.ws.cell(row=FIRST_ROW, column=index, value=header)
            cell.font, cell.fill, cell.border, cell.alignment = (HEAD_FONT, HEAD_FILL, BORDER,
                                                                 HEAD_ALIGN)
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.ws.row_dimensions[FIRST_ROW].height = 32
        self.ws.freeze_panes = self.ws.cell(row=FIRST_ROW + 1, column=3)
        self.ws.print_title_rows = f"{FIRST_ROW}:{FIRST_ROW}"
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.paperSize = self.ws.PAPERSIZE_A4
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.row = FIRST_ROW
        self.styles: dict[tuple[str | None, bool, bool], Any] = {}

    def _style(self, fmt: str | None, total: bool, text: bool) -> Any:
        """The style of a body cell, made once per kind: openpyxl hashes style objects on
        every assignment, which cost seconds on the city's thousands of rows."""
        key = (fmt, total, text)
        style = self.styles.get(key)
        if style is None:
            cell = self.ws.cell(row=1, column=50)
            if fmt:
                cell.number_format = fmt
            cell.border = BORDER
            cell.font = BOLD_FONT if total else BODY_FONT
            if text:
                cell.alignment = WRAP
            if total:
                cell.fill = TOTAL_FILL
            style = self.styles[key] = copy(cell._style)
            self.ws._cells.pop((1, 50), None)
        return style

    def add(self, values: list[Any], *, total: bool = False) -> None:
        self.row += 1
        for index, value in enumerate(values, start=1):
            cell = self.ws.cell(row=self.row, column=index, value=value)
            cell._style = copy(self._style(self.columns[index - 1][2], total,
                                           isinstance(value, str)))


def _counts_values(counts: dict[str, Any]) -> list[Any]:
    return [counts["total"], counts["completed_on_time"], counts["completed_late"],
            counts["in_progress_on_time"], counts["in_progress_overdue"],
            counts["awaiting_confirmation"], counts["standing"], counts["suspended"],
            _rate(counts["rate"])]


def _count_columns(first: str, width: float) -> list[tuple[str, float, str | None]]:
    return [(_("No."), 6, None), (first, width, None), (_("Total"), 10, INTEGER),
            (_("Completed on time"), 12, INTEGER), (_("Completed late"), 12, INTEGER),
            (_("In progress, on time"), 12, INTEGER), (_("In progress, overdue"), 12, INTEGER),
            (_("Awaiting confirmation"), 12, INTEGER), (_("Standing"), 11, INTEGER),
            (_("Suspended"), 11, INTEGER), (_("On-time rate (%)"), 12, RATE)]


def _task_sheet(book: Workbook, name: str, title: str, subtitle: str, rows: list[dict[str, Any]],
                extra: list[tuple[str, float, str | None, Any]]) -> None:
    columns: list[tuple[str, float, str | None]] = [
               (_("No."), 6, None), (_("Code"), 16, None), (_("Task"), 60, None),
               (_("Document"), 14, None), (_("Group"), 8, None), (_("Lead unit"), 24, None),
               (_("Deadline"), 12, DATE)]
    columns += [(header, width, fmt) for header, width, fmt, _getter in extra]
    sheet = _Sheet(book, name, title, subtitle, columns)
    for index, row in enumerate(rows, start=1):
        sheet.add([index, row["code"], row["title"], row["document"], row["group"],
                   row["lead"], _date(row["deadline"]) or row["deadline_text"] or None]
                  + [getter(row) for _h, _w, _f, getter in extra])
    sheet.add(["", _("Total: %(count)s tasks") % {"count": f"{len(rows):,}".replace(",", ".")},
               *[""] * (len(columns) - 2)], total=True)


def render_xlsx(snapshot: dict[str, Any]) -> bytes:
    with translation.override(DOCUMENT_LANGUAGE):
        return _render(snapshot)


def _render(snapshot: dict[str, Any]) -> bytes:
    data, text = snapshot["data"], snapshot["text"]
    book = Workbook()
    book.remove(book.active)
    period = phrase_of(data["period"])
    title = f"{text['issuing_body']} — {text['title']}"
    subtitle = _("Figures as of %(day)s; %(scope)s; %(document)s and the documents "
                 "implementing it.") % {"day": day_text(data["cut_off"]),
                                        "scope": data["scope"]["name"],
                                        "document": data["document"]["number"]}
    totals = data["totals"]

    summary = _Sheet(book, pgettext("sheet", "Summary"), title, subtitle,
                     [(_("No."), 6, None), (_("Status"), 40, None),
                      (_("Tasks"), 12, INTEGER), (_("Share (%)"), 12, RATE)])
    for index, key in enumerate(STATUS_ROWS, start=1):
        share = (round(totals[key] * 100 / totals["total"], 1) if totals["total"] else None)
        summary.add([index, status_label(key), totals[key], share])
    summary.add(["", _("Total"), totals["total"], 100.0 if totals["total"] else None],
                total=True)
    summary.add(["", _("On-time rate (%)"), None, _rate(totals["rate"])], total=True)
    current, previous = data["periods"]["current"], data["periods"]["previous"]
    summary.row += 2
    for index, header in enumerate([_("No."), _("Figure"), current["label"],
                                    previous["label"], _("Change")], start=1):
        cell = summary.ws.cell(row=summary.row, column=index, value=header)
        cell.font, cell.fill, cell.border, cell.alignment = (HEAD_FONT, HEAD_FILL, BORDER,
                                                             HEAD_ALIGN)
    summary.ws.column_dimensions["E"].width = 12
    for index, (key, label) in enumerate(
            (("assigned", _("Assigned in the period")),
             ("completed_on_time", _("Completed in the period, on time")),
             ("completed_late", _("Completed in the period, late")),
             ("overdue_at_end", _("Overdue at the period's end"))), start=1):
        summary.row += 1
        for column, value in enumerate([index, label, current[key], previous[key],
                                        current[key] - previous[key]], start=1):
            cell = summary.ws.cell(row=summary.row, column=column, value=value)
            cell.border, cell.font = BORDER, BODY_FONT
            if column > 2:
                cell.number_format = INTEGER
    summary.row += 1
    rates = [_rate(current["rate"]), _rate(previous["rate"])]
    change = (round(rates[0] - rates[1], 1) if rates[0] is not None and rates[1] is not None
              else None)
    for column, value in enumerate([5, _("On-time rate of the tasks due in the period (%)"),
                                    rates[0], rates[1], change], start=1):
        cell = summary.ws.cell(row=summary.row, column=column, value=value)
        cell.border, cell.font = BORDER, BODY_FONT
        if column > 2:
            cell.number_format = RATE

    by_unit = _Sheet(book, _("By unit"), title, subtitle, _count_columns(_("Unit"), 44))
    for index, row in enumerate(data["by_unit"], start=1):
        name = (_("%(name)s (own tasks)") % {"name": row["name"]}) if row["own"] else row["name"]
        by_unit.add([index, name, *_counts_values(row["counts"])])
    by_unit.add(["", _("Total"), *_counts_values(totals)], total=True)

    by_group = _Sheet(book, _("By task group"), title, subtitle,
                      _count_columns(_("Task group"), 50))
    for index, row in enumerate(data["by_group"], start=1):
        name = (f"{row['number']}. {row['title']}" if row["number"]
                else _("Tasks outside any group"))
        if row["document"]:
            name = f"{row['document']} — {name}"
        by_group.add([index, name, *_counts_values(row["counts"])])
    by_group.add(["", _("Total"), *_counts_values(totals)], total=True)

    _task_sheet(book, _("Overdue tasks"), _("Overdue tasks as of %(day)s") % {
        "day": day_text(data["cut_off"])}, subtitle, data["overdue"],
        [(_("Days overdue"), 10, INTEGER, lambda row: row["days_overdue"]),
         (_("Progress (%)"), 10, INTEGER, lambda row: row["progress"])])
    _task_sheet(book, _("Completed tasks"), _("Tasks completed in %(period)s") % {
        "period": period}, subtitle, data["completed"],
        [(_("Completed on"), 12, DATE, lambda row: _date(row["completed_on"])),
         (_("Timeliness"), 18, None, lambda row: status_label(row["status"]))])
    _task_sheet(book, _("Due next period"), _("Tasks due in %(period)s") % {
        "period": phrase_of(data["next_period"])}, subtitle, data["due_next"],
        [(_("Progress (%)"), 10, INTEGER, lambda row: row["progress"]),
         (_("Expected product"), 30, None, lambda row: row["product"])])
    when = dt.date.fromisoformat(text["report_date"])
    return officedocs.deterministic_xlsx(book, when)


__all__ = ["officedocs", "render_xlsx"]
