"""A target's measurements as an Excel workbook, saved byte-identically."""

from __future__ import annotations

import datetime as dt
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font

from dondoc.core.officedocs import deterministic_xlsx
from dondoc.targets.models import Measurement, Target

_FONT = "Times New Roman"


def export_measurements_xlsx(target: Target, measurements: list[Measurement], out: IO[bytes],
                             *, day: dt.date) -> int:
    """Every measurement, corrected ones included (marked); the number written."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Measurements")[:31]
    sheet.append([f"{target.name} ({target.measure_unit}) — {target.document.number}"])
    sheet["A1"].font = Font(name=_FONT, bold=True, size=13)
    sheet.append([_("Baseline: %(value)s on %(day)s; target: %(target)s on %(tday)s") % {
        "value": target.baseline_value, "day": f"{target.baseline_date:%d/%m/%Y}",
        "target": target.target_value, "tday": f"{target.target_date:%d/%m/%Y}"}])
    header = [(_("No."), 6), (_("Unit"), 30), (_("End of the period"), 14), (_("Value"), 14),
              (_("Note"), 40), (_("Evidence file"), 24), (_("Entered by"), 22),
              (_("Entered at"), 18), (_("Status"), 22)]
    sheet.append([title for title, _width in header])
    for index, (_title, width) in enumerate(header, start=1):
        cell = sheet.cell(row=3, column=index)
        cell.font = Font(name=_FONT, bold=True)
        cell.alignment = Alignment(wrap_text=True)
        sheet.column_dimensions[cell.column_letter].width = width
    corrected = {item.supersedes_id for item in measurements}
    count = 0
    for count, item in enumerate(measurements, start=1):
        status = (_("Corrected by a later entry") if item.pk in corrected
                  else _("Correction") if item.supersedes_id else _("Current"))
        values: list[object] = [
            count, item.unit.name if item.unit else _("The whole target"),
            f"{item.period_end:%d/%m/%Y}", float(item.value), item.note, item.original_name,
            item.entered_by.get_full_name() if item.entered_by else "",
            f"{timezone.localtime(item.entered_at):%d/%m/%Y %H:%M}", status]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=3 + count, column=column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = TYPE_STRING
            cell.font = Font(name=_FONT)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A4"
    out.write(deterministic_xlsx(workbook, when=day))
    return count
