"""Export a list of tasks to Excel, in the columns of the import appendix plus their status.

Written with XlsxWriter in ``constant_memory`` mode: rows go straight to disk in order,
so memory stays flat however many tasks are exported. The tasks come from
``selectors.task_list`` (so an export holds exactly what the list shows); coordinating
units are read with one query per chunk of tasks, never one per task.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import IO, Final, NamedTuple

import xlsxwriter
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dondoc.plans.models import DeadlineKind, Task
from dondoc.progress.engine import Status
from dondoc.progress.labels import DUE_SOON, STATUS_STYLES, StatusStyle

__all__ = ["COLUMNS", "XLSX_CONTENT_TYPE", "export_tasks_xlsx"]

XLSX_CONTENT_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK: Final = 2000

# (header, width). The first columns are those of the import appendix, so an export can
# be edited and imported again (the importer ignores "STT/Mã" and "Trạng thái").
COLUMNS: Final = (
    ("STT/Mã", 16),
    ("Nội dung nhiệm vụ", 60),
    ("Đơn vị chủ trì", 28),
    ("Đơn vị phối hợp", 34),
    ("Thời hạn", 13),
    ("Sản phẩm", 30),
    ("Trạng thái", 22),
    ("Tiến độ (%)", 10),
    ("Ngày hoàn thành", 14),
    ("Các cột khác", 40),  # columns of an imported appendix the importer did not know
)
# Recurring and standing deadlines, written the way the importer reads them.
RECURRENCE_TEXT: Final[dict[str, str]] = {
    DeadlineKind.MONTHLY: "Hằng tháng",
    DeadlineKind.QUARTERLY: "Hằng quý",
    DeadlineKind.YEARLY: "Hằng năm",
    DeadlineKind.STANDING: "Thường xuyên",
    DeadlineKind.NONE: "Chưa xác định thời hạn",
}
COMPLETED: Final = frozenset({Status.COMPLETED_ON_TIME, Status.COMPLETED_LATE})
_FONT: Final = "Times New Roman"


class _Line(NamedTuple):
    """What one exported row needs, read without building model instances."""

    pk: int
    code: str
    title: str
    lead: str
    deadline_kind: str
    deadline: dt.date | None
    product: str
    progress: int
    completed_on: dt.date | None
    status: str | None
    due_soon: bool
    deadline_text: str = ""
    extra_columns: dict[str, str] | None = None


_FIELDS: Final = ("pk", "code", "title", "lead_unit__name", "deadline_kind", "deadline",
                  "expected_product", "progress", "completed_on", "deadline_text",
                  "extra_columns")


def _lines_of_queryset(tasks: QuerySet[Task]) -> Iterator[_Line]:
    # values_list: model instances for 20,000 tasks and their units cost more than the
    # query itself. The status annotations of task_list are used when present.
    annotations = tasks.query.annotations
    # As of the list's date: the deadline in force and the progress of that date.
    renamed = {"deadline": "deadline_at", "progress": "progress_at"}
    fields = [renamed[name] if renamed.get(name) in annotations else name for name in _FIELDS]
    extra = [name for name in ("status", "due_soon") if name in annotations]
    for values in tasks.values_list(*fields, *extra).iterator(chunk_size=CHUNK):
        (pk, code, title, lead, kind, deadline_at, product, progress, completed_on,
         deadline_text, extra_columns) = values[: len(fields)]
        found = dict(zip(extra, values[len(fields):], strict=True))
        yield _Line(pk, code, title, lead, kind, deadline_at, product, progress, completed_on,
                    found.get("status"), bool(found.get("due_soon", False)), deadline_text,
                    extra_columns)


def _lines_of_objects(tasks: Iterable[Task]) -> Iterator[_Line]:
    for task in tasks:
        yield _Line(
            task.pk, task.code, task.title, task.lead_unit.name, task.deadline_kind,
            getattr(task, "deadline_at", task.deadline), task.expected_product,
            getattr(task, "progress_at", task.progress),
            task.completed_on, getattr(task, "status", None),
            bool(getattr(task, "due_soon", False)), task.deadline_text, task.extra_columns,
        )


def _chunks(tasks: Iterable[Task]) -> Iterator[list[_Line]]:
    lines = (_lines_of_queryset(tasks) if isinstance(tasks, QuerySet)
             else _lines_of_objects(tasks))
    chunk: list[_Line] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _coordinating_names(task_ids: list[int]) -> dict[int, list[str]]:
    """Task id → names of its coordinating units, for a chunk of tasks: one query."""
    names: dict[int, list[str]] = {}
    through = Task.coordinating_units.through
    rows = (
        through.objects.filter(task_id__in=task_ids)
        .order_by("task_id", "unit__path")
        .values_list("task_id", "unit__name")
    )
    for task_id, name in rows:
        names.setdefault(task_id, []).append(name)
    return names


def _style_of(line: _Line) -> StatusStyle | None:
    if line.status == Status.IN_PROGRESS_ON_TIME and line.due_soon:
        return DUE_SOON
    return STATUS_STYLES.get(line.status) if line.status else None


def export_tasks_xlsx(tasks: Iterable[Task], stream: IO[bytes], *, title: str,
                      as_of: dt.date) -> int:
    """Write ``tasks`` (annotated with their status, e.g. by ``task_list``) to ``stream``
    as an .xlsx workbook; return the number of tasks written."""
    workbook = xlsxwriter.Workbook(stream, {
        "constant_memory": True,
        # Cell text is data, never a formula, number or link (no formula injection).
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    })
    workbook.set_properties({"title": title, "author": "dondoc"})
    sheet = workbook.add_worksheet("Nhiệm vụ")
    base = {"font_name": _FONT, "font_size": 11, "valign": "top", "border": 1}
    text = workbook.add_format({**base, "text_wrap": True})
    centre = workbook.add_format({**base, "align": "center"})
    number = workbook.add_format({**base, "align": "right"})
    day = workbook.add_format({**base, "align": "center", "num_format": "dd/mm/yyyy"})
    header = workbook.add_format({**base, "bold": True, "align": "center", "valign": "vcenter",
                                  "text_wrap": True, "bg_color": "#D9E1F2"})
    heading = workbook.add_format({"font_name": _FONT, "font_size": 14, "bold": True,
                                   "align": "center", "valign": "vcenter", "text_wrap": True})
    subheading = workbook.add_format({"font_name": _FONT, "font_size": 11, "italic": True,
                                      "align": "center"})
    status_formats = {
        style.colour: workbook.add_format({**base, "bold": True, "text_wrap": True,
                                           "font_color": "#FFFFFF", "bg_color": style.colour})
        for style in [*STATUS_STYLES.values(), DUE_SOON]
    }
    labels = {style.colour: str(style.label) for style in [*STATUS_STYLES.values(), DUE_SOON]}

    last_col = len(COLUMNS) - 1
    for col, (_label, width) in enumerate(COLUMNS):
        sheet.set_column(col, col, width)
    sheet.set_row(0, 30)
    sheet.merge_range(0, 0, 0, last_col, title, heading)
    as_of_text = _("As of %(day)s") % {"day": as_of.strftime("%d/%m/%Y")}
    sheet.merge_range(1, 0, 1, last_col, as_of_text, subheading)
    header_row = 3
    sheet.set_row(header_row, 30)
    for col, (label, _width) in enumerate(COLUMNS):
        sheet.write_string(header_row, col, label, header)

    row = header_row
    for chunk in _chunks(tasks):
        coordinating = _coordinating_names([line.pk for line in chunk])
        for line in chunk:
            row += 1
            sheet.write_string(row, 0, line.code, text)
            sheet.write_string(row, 1, line.title, text)
            sheet.write_string(row, 2, line.lead, text)
            sheet.write_string(row, 3, "; ".join(coordinating.get(line.pk, ())), text)
            if line.deadline is not None:
                sheet.write_datetime(row, 4, line.deadline, day)
            else:
                # A deadline still to set shows the text the appendix gave, if any.
                words = RECURRENCE_TEXT.get(line.deadline_kind, "")
                if line.deadline_kind == DeadlineKind.NONE and line.deadline_text:
                    words = line.deadline_text
                sheet.write_string(row, 4, words or line.deadline_text, centre)
            sheet.write_string(row, 5, line.product, text)
            style = _style_of(line)
            if style is not None:
                sheet.write_string(row, 6, labels[style.colour], status_formats[style.colour])
            else:
                sheet.write_blank(row, 6, None, text)
            sheet.write_number(row, 7, line.progress, number)
            if line.status in COMPLETED and line.completed_on is not None:
                sheet.write_datetime(row, 8, line.completed_on, day)
            else:
                sheet.write_blank(row, 8, None, day)
            others = "; ".join(f"{label}: {value}"
                               for label, value in (line.extra_columns or {}).items())
            sheet.write_string(row, 9, others, text)

    count = row - header_row
    sheet.freeze_panes(header_row + 1, 0)
    sheet.autofilter(header_row, 0, max(row, header_row), last_col)
    sheet.repeat_rows(header_row)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    workbook.close()
    return count
