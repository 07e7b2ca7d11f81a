"""Build the corpus workbooks from their YAML: ``python -m dondoc.imports.tests.corpus.build``
writes each ``<name>.xlsx`` beside its ``<name>.yaml``.

A YAML holds the public source, the document, the unit list it is imported against, the
sheet as the appendix lays it out (title rows, one- or two-row header, merged cells,
spacer rows, notes below the table) and, row by row, what the import must make of it.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent


def names() -> list[str]:
    return sorted(path.stem for path in HERE.glob("*.yaml"))


def load(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8"))
    return spec


def layout(spec: dict[str, Any]) -> tuple[list[tuple[int, dict[str, Any]]], int]:
    """(Excel row, row spec) of each data row, and the header's first row."""
    sheet = spec["sheet"]
    row = len(sheet.get("title_rows", [])) + 2  # a blank line under the title
    header_row = row
    row += len(sheet["header"])
    placed = []
    for item in sheet["rows"]:
        placed.append((row, item))
        row += 1
    return placed, header_row


def workbook(spec: dict[str, Any]) -> bytes:
    sheet = spec["sheet"]
    wb = Workbook()
    ws = wb.active
    ws.title = sheet.get("name", "Phụ lục")
    for index, text in enumerate(sheet.get("title_rows", []), start=1):
        ws.cell(row=index, column=1, value=text).font = Font(bold=True)
    placed, header_row = layout(spec)
    for offset, cells in enumerate(sheet["header"]):
        for col, value in enumerate(cells, start=1):
            if value is not None:
                ws.cell(row=header_row + offset, column=col, value=value).font = Font(bold=True)
    for row, item in placed:
        for col, value in enumerate(item.get("cells", []), start=1):
            if value is not None and value != "":
                cell = ws.cell(row=row, column=col, value=value)
                if item.get("bold"):
                    cell.font = Font(bold=True)
    rows = {f"r{index}": row for index, (row, _item) in enumerate(placed, start=1)}
    rows["h"] = header_row
    rows["h2"] = header_row + 1
    for merge in sheet.get("merges", []):
        ws.merge_cells(merge.format(**rows))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def main(argv: list[str]) -> None:
    for name in argv or names():
        (HERE / f"{name}.xlsx").write_bytes(workbook(load(name)))
        print(f"wrote {name}.xlsx")


if __name__ == "__main__":
    main(sys.argv[1:])
