"""Refuse a workbook too big to load, before openpyxl builds it in memory.

openpyxl's normal mode (the parser needs merged cells, which read-only mode lacks) makes
an object per cell *and per cell of every merged range*: an 8 MB file with one huge
merged range took two minutes and 2.4 GB. So the .xlsx is first read as the zip it is:
the total unpacked size from the zip directory, then each worksheet's XML streamed (never
loaded whole) for its rows and columns with values, its cells and its ``<mergeCell
ref>`` ranges (each range's rows × columns). Beyond the limits below the file is refused
with a clear, translated message. Real appendices have at most a few thousand rows and a
dozen columns.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import IO, Any, Final
from xml.etree import ElementTree as ET  # as openpyxl: expat ≥ 2.4 refuses entity bombs

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

MAX_UNPACKED_BYTES: Final = 50 * 1024 * 1024
MAX_SHEET_ROWS: Final = 20_000  # rows holding a value
MAX_SHEET_COLUMNS: Final = 100  # the last column holding a value
MAX_SHEET_CELLS: Final = 300_000  # cells present (with a value or only a format)
MAX_MERGED_RANGE_CELLS: Final = 10_000  # e.g. a column merged down 10,000 rows
MAX_MERGED_CELLS: Final = 100_000  # all merged ranges of one sheet together

MESSAGES: Final = {
    "unpacks_too_large": _(
        "The workbook is too large once unpacked (%(size)s MB, at most %(limit)s MB): "
        "split it into several files."),
    "too_many_rows": _(
        "Sheet “%(sheet)s” has %(count)s rows, at most %(limit)s can be imported: split the "
        "appendix into several files, or delete the empty rows below the table."),
    "too_many_columns": _(
        "Sheet “%(sheet)s” has %(count)s columns, at most %(limit)s: delete the empty "
        "columns to the right of the table."),
    "too_many_cells": _(
        "Sheet “%(sheet)s” has more than %(limit)s cells (with a value or a format): split "
        "the appendix into several files, or clear the formats outside the table."),
    "merged_range_too_large": _(
        "Sheet “%(sheet)s” has a merged range %(range)s of %(count)s cells, at most "
        "%(limit)s: unmerge it in Excel and upload the file again."),
    "too_many_merged_cells": _(
        "Sheet “%(sheet)s” has more than %(limit)s merged cells: unmerge the large "
        "ranges in Excel and upload the file again."),
}

_MAIN_NS: Final = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS: Final = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS: Final = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL: Final = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


class WorkbookTooLarge(ValidationError):
    """The workbook exceeds a limit; the message says which and what to do."""


def _refuse(code: str, **params: Any) -> WorkbookTooLarge:
    return WorkbookTooLarge(str(MESSAGES[code]) % params, code=code, params=params)


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _cell(ref: str) -> tuple[int, int] | None:
    match = _CELL.match(ref.strip())
    if match is None:
        return None
    return int(match.group(2)), _column_number(match.group(1))


def range_size(ref: str) -> tuple[int, int]:
    """Rows and columns covered by ``A1:C10`` (or a single cell); (0, 0) if unreadable."""
    start, _sep, end = ref.partition(":")
    first, last = _cell(start), _cell(end or start)
    if first is None or last is None:
        return 0, 0
    return abs(last[0] - first[0]) + 1, abs(last[1] - first[1]) + 1


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Zip member of each worksheet → the name the user sees in Excel."""
    names: dict[str, str] = {}
    try:
        with archive.open("xl/_rels/workbook.xml.rels") as handle:
            targets = {
                rel.get("Id", ""): rel.get("Target", "")
                for rel in ET.parse(handle).getroot().iter(f"{_PKG_REL_NS}Relationship")  # noqa: S314
            }
        with archive.open("xl/workbook.xml") as handle:
            for sheet in ET.parse(handle).getroot().iter(f"{_MAIN_NS}sheet"):  # noqa: S314
                target = targets.get(sheet.get(f"{_REL_NS}id", ""), "").lstrip("/")
                member = target if target.startswith("xl/") else f"xl/{target}"
                names[member] = sheet.get("name", "")
    except (KeyError, ET.ParseError, OSError, zipfile.BadZipFile):
        pass  # names are only for the messages: the member's file name will do
    return names


def _worksheets(archive: zipfile.ZipFile) -> Iterator[str]:
    for info in archive.infolist():
        name = info.filename
        if name.startswith("xl/worksheets/") and name.endswith(".xml") and "/_rels/" not in name:
            yield name


def _check_sheet(stream: IO[bytes], sheet: str) -> None:
    """Stream one worksheet's XML: rows and columns that hold values, all cells, merges.

    Excel's ``<dimension ref>`` is not a limit by itself: one formatted cell far below
    the table (common, and harmless: openpyxl stores the cells that exist) stretches it
    to a million rows. The rows and columns that hold a value, and the cells present,
    are what cost memory; those are counted.
    """
    rows = cells = merged_cells = max_col = 0
    row_has_value = False
    for _event, element in ET.iterparse(stream, events=("end",)):  # noqa: S314
        tag = _local(element.tag)
        if tag == "c":
            cells += 1
            if cells > MAX_SHEET_CELLS:
                raise _refuse("too_many_cells", sheet=sheet, limit=_n(MAX_SHEET_CELLS))
            if len(element):  # <v>, <is> or <f>: a value, not only a format
                row_has_value = True
                position = _cell(element.get("r", ""))
                if position is not None and position[1] > max_col:
                    max_col = position[1]
                    _check_size(sheet, rows, max_col)
        elif tag == "row":
            if row_has_value:
                rows += 1
                _check_size(sheet, rows, max_col)
            row_has_value = False
            element.clear()  # keep memory flat: the row has been counted
        elif tag == "mergeCell":
            ref = element.get("ref", "")
            height, width = range_size(ref)
            size = height * width
            if size > MAX_MERGED_RANGE_CELLS:
                raise _refuse("merged_range_too_large", sheet=sheet, range=ref,
                              count=_n(size), limit=_n(MAX_MERGED_RANGE_CELLS))
            merged_cells += size
            if merged_cells > MAX_MERGED_CELLS:
                raise _refuse("too_many_merged_cells", sheet=sheet,
                              limit=_n(MAX_MERGED_CELLS))


def _check_size(sheet: str, rows: int, columns: int) -> None:
    if rows > MAX_SHEET_ROWS:
        raise _refuse("too_many_rows", sheet=sheet, count=_n(rows),
                      limit=_n(MAX_SHEET_ROWS))
    if columns > MAX_SHEET_COLUMNS:
        raise _refuse("too_many_columns", sheet=sheet, count=columns,
                      limit=MAX_SHEET_COLUMNS)


def check_workbook(data: bytes | IO[bytes]) -> None:
    """Raise :class:`WorkbookTooLarge` (a ValidationError) for a workbook beyond the limits.

    Anything that is not a readable zip passes: the parser then reports "not an Excel
    workbook" as usual. A file-like ``data`` is read from where it is and put back.
    """
    position = None
    if isinstance(data, bytes | bytearray | memoryview):
        source: IO[bytes] = io.BytesIO(data)
    else:
        source, position = data, data.tell()
    try:
        with zipfile.ZipFile(source) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                raise _refuse("unpacks_too_large", size=unpacked // (1024 * 1024),
                              limit=MAX_UNPACKED_BYTES // (1024 * 1024))
            names = _sheet_names(archive)
            for member in _worksheets(archive):
                label = names.get(member) or member.rsplit("/", 1)[-1]
                try:
                    with archive.open(member) as stream:
                        _check_sheet(stream, label)
                except (ET.ParseError, zipfile.BadZipFile, OSError, EOFError):
                    continue  # a broken sheet: openpyxl refuses the file itself
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, RuntimeError):
        return
    finally:
        if position is not None:
            source.seek(position)
