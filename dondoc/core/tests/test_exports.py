"""Exported text is never evaluated as a formula, and stays as the user typed it."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest

from dondoc.core.exports import formula_safe
from dondoc.plans import services

TRICKY = ["=HYPERLINK(\"http://x.example/\",\"Bấm\")", "+84 236 3822 123",
          "- Tuyên truyền Nghị quyết", "@SUM(1+1)", "=1+2"]


@pytest.mark.parametrize(("text", "safe"), [
    ("=SUM(A1:A3)", "'=SUM(A1:A3)"), ("+1", "'+1"), ("- Tuyên truyền", "'- Tuyên truyền"),
    ("@cmd", "'@cmd"), ("\t=1", "'\t=1"), ("Quán triệt", "Quán triệt"), ("", ""),
])
def test_untyped_cells_are_neutralised(text: str, safe: str) -> None:
    assert formula_safe(text) == safe


def test_the_xlsx_export_writes_formula_like_text_as_plain_text(login: Any, people: Any,
                                                                 work: Any) -> None:
    for title in TRICKY:
        services.task_create(actor=people.staff, document=work.document, title=title,
                             expected_product=title, lead_unit=work.traffic.lead_unit,
                             assigning_unit=work.document.owner_unit,
                             due_date=dt.date(2025, 9, 30))
    response = login(people.staff).get("/tasks/export.xlsx", {"document": work.document.pk})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value in TRICKY]
    assert {cell.value for cell in cells} == set(TRICKY)  # unchanged, no apostrophe
    assert all(cell.data_type == "s" for cell in cells)  # strings, not formulas
