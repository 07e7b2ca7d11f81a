"""An inspection's recommendations and the status of each, as an Excel workbook."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from dondoc.inspections.models import Inspection
from dondoc.inspections.selectors import FollowUp
from dondoc.progress.labels import DUE_SOON, NO_DEADLINE, STATUS_STYLES

_FONT = "Times New Roman"


def _colour(follow_up: FollowUp) -> str | None:
    if follow_up.due_soon:
        return DUE_SOON.colour
    if follow_up.no_deadline:
        return NO_DEADLINE.colour
    style = STATUS_STYLES.get(follow_up.status)
    return style.colour if style else None


def recommendations_xlsx(inspection: Inspection, rows: list[tuple[Any, FollowUp]], *,
                         as_of: dt.date) -> bytes:
    """One row per recommendation: unit, text, due date, task, status, progress."""
    stream = io.BytesIO()
    book = xlsxwriter.Workbook(stream, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    book.set_properties({"title": inspection.title, "author": "dondoc"})
    sheet = book.add_worksheet(_("Recommendations")[:31])
    base = {"font_name": _FONT, "font_size": 11, "valign": "top", "border": 1}
    text = book.add_format({**base, "text_wrap": True})
    right = book.add_format({**base, "align": "right"})
    day = book.add_format({**base, "align": "center", "num_format": "dd/mm/yyyy"})
    header = book.add_format({**base, "bold": True, "align": "center", "text_wrap": True,
                              "bg_color": "#D9E1F2"})
    heading = book.add_format({"font_name": _FONT, "font_size": 14, "bold": True,
                               "align": "center", "text_wrap": True})
    coloured: dict[str, Any] = {}
    columns = [(_("No."), 5), (_("Unit"), 28), (_("Recommendation"), 60), (_("Due date"), 12),
               (_("Task"), 16), (_("Status"), 22), (_("Progress %"), 10)]
    for col, (_label, width) in enumerate(columns):
        sheet.set_column(col, col, width)
    last = len(columns) - 1
    sheet.merge_range(0, 0, 0, last, inspection.title, heading)
    subtitle = _("Recommendations and their status as of %(day)s") % {
        "day": as_of.strftime("%d/%m/%Y")}
    if inspection.conclusion is not None:
        subtitle += f" · {inspection.conclusion.number}"
    sheet.merge_range(1, 0, 1, last, subtitle, book.add_format({"font_name": _FONT,
                                                                "italic": True,
                                                                "align": "center"}))
    top = 3
    for col, (label, _width) in enumerate(columns):
        sheet.write_string(top, col, label, header)
    for number, (item, follow_up) in enumerate(rows, start=1):
        row = top + number
        sheet.write_number(row, 0, number, right)
        sheet.write_string(row, 1, item.unit.name, text)
        sheet.write_string(row, 2, item.text, text)
        sheet.write_datetime(row, 3, dt.datetime.combine(item.due_date, dt.time()), day)
        sheet.write_string(row, 4, item.task.code if item.task else "", text)
        colour = _colour(follow_up)
        if colour is not None:
            if colour not in coloured:
                coloured[colour] = book.add_format({**base, "bold": True, "text_wrap": True,
                                                    "font_color": "#FFFFFF",
                                                    "bg_color": colour})
            sheet.write_string(row, 5, follow_up.label, coloured[colour])
        else:
            sheet.write_string(row, 5, follow_up.label, text)
        if follow_up.progress is not None:
            sheet.write_number(row, 6, follow_up.progress, right)
        else:
            sheet.write_blank(row, 6, None, right)
    sheet.freeze_panes(top + 1, 0)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    book.close()
    return stream.getvalue()
