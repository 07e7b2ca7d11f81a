"""The obstacle register as an Excel workbook (openpyxl, saved byte-identically by
``core.officedocs``): the rows the register shows, typed string cells (never evaluated as
formulas), ages counted to the register's day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font

from dondoc.core.officedocs import deterministic_xlsx
from dondoc.obstacles.models import Obstacle

_FONT = "Times New Roman"


def columns() -> list[tuple[str, int]]:
    return [
        (_("No."), 6), (_("Raised on"), 12), (_("Raised by unit"), 28),
        (_("Task or document"), 40), (_("Kind of obstacle"), 16),
        (_("Difficulty or obstacle"), 60), (_("Proposed solution"), 40),
        (_("Who must resolve it"), 30), (_("State"), 18), (_("Days open"), 10),
        (_("Leadership direction"), 40), (_("Resolution or reason for rejection"), 40),
        (_("Closed on"), 12),
    ]


def _text(cell: object, value: str) -> None:
    cell.value = value  # type: ignore[attr-defined]
    cell.data_type = TYPE_STRING  # type: ignore[attr-defined]


def export_obstacles_xlsx(obstacles: Iterable[Obstacle], out: IO[bytes], *,
                          day: dt.date) -> int:
    """Write the workbook to ``out``; the number of obstacles written."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Obstacles")[:31]
    heading = _("OBSTACLE REGISTER — as of %(day)s") % {"day": day.strftime("%d/%m/%Y")}
    sheet.append([heading])
    sheet["A1"].font = Font(name=_FONT, bold=True, size=13)
    header = columns()
    sheet.append([title for title, _width in header])
    for index, (_title, width) in enumerate(header, start=1):
        cell = sheet.cell(row=2, column=index)
        cell.font = Font(name=_FONT, bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[cell.column_letter].width = width
    count = 0
    for count, obstacle in enumerate(obstacles, start=1):
        row = 2 + count
        on = (f"{obstacle.task.code} {obstacle.task.title}" if obstacle.task else
              f"{obstacle.document.number} {obstacle.document.title}" if obstacle.document
              else "")
        closing = obstacle.resolution or obstacle.rejection_reason
        values: list[object] = [
            count, obstacle.raised_on.strftime("%d/%m/%Y"), obstacle.unit.name, on,
            obstacle.get_category_display(), obstacle.description, obstacle.proposed_solution,
            obstacle.resolver_label, obstacle.get_state_display(), obstacle.age_on(day),
            obstacle.direction, closing,
            obstacle.closed_on.strftime("%d/%m/%Y") if obstacle.closed_on else "",
        ]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column)
            if isinstance(value, int):
                cell.value = value
            else:
                _text(cell, str(value))
            cell.font = Font(name=_FONT)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A3"
    out.write(deterministic_xlsx(workbook, when=day))
    return count
