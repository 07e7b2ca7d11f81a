"""The matrix of unit reports (units × periods) as an Excel workbook.

Typed string cells (``strings_to_formulas=False``): a unit's name is never evaluated.
"""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext as _

from dondoc.unitreports.selectors import Matrix
from dondoc.unitreports.states import CELL_LABELS


def matrix_xlsx(matrices: list[Matrix], *, as_of_text: str) -> bytes:
    """One sheet per obligation: a row per unit, a column per period, the state and the
    submission day in each cell."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    head = book.add_format({"bold": True, "bg_color": "#DDE5F0", "border": 1,
                            "text_wrap": True, "valign": "top", "font_name": "Times New Roman"})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top",
                            "font_name": "Times New Roman"})
    title = book.add_format({"bold": True, "font_size": 13, "font_name": "Times New Roman"})
    for index, matrix in enumerate(matrices, start=1):
        sheet = book.add_worksheet(f"{index}")
        sheet.write_string(0, 0, matrix.obligation.title, title)
        sheet.write_string(1, 0, _("As of %(day)s") % {"day": as_of_text})
        sheet.write_string(3, 0, _("Unit code"), head)
        sheet.write_string(3, 1, _("Unit"), head)
        sheet.set_column(0, 0, 14)
        sheet.set_column(1, 1, 40)
        for column, period in enumerate(matrix.periods, start=2):
            sheet.write_string(3, column, period.label, head)
            sheet.set_column(column, column, 22)
        for row_index, row in enumerate(matrix.rows, start=4):
            sheet.write_string(row_index, 0, row.unit.code, cell)
            sheet.write_string(row_index, 1, row.unit.name, cell)
            for column, item in enumerate(row.cells, start=2):
                if item is None:
                    sheet.write_string(row_index, column, "", cell)
                    continue
                text = str(CELL_LABELS[item.state])
                if item.report is not None and item.report.first_submitted_on:
                    text += f"\n{item.report.first_submitted_on:%d/%m/%Y}"
                text += "\n" + _("Deadline %(day)s") % {"day": f"{item.deadline:%d/%m/%Y}"}
                sheet.write_string(row_index, column, text, cell)
        sheet.freeze_panes(4, 2)
    if not matrices:
        book.add_worksheet("1").write_string(0, 0, _("No reporting obligations."))
    book.close()
    return buffer.getvalue()
