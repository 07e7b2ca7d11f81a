"""Messy variants of one appendix read the same: a hypothesis generator lays the same
tasks out with merged cells, blank spacer rows, a header on two rows, stray footnotes and
dash/space variants in year ranges, and the parser must find the same tasks, leads and
deadlines every time."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from dondoc.imports.importing import UnitDirectory, UnitRef, parse_workbook

UNITS = [UnitRef(1, "BTP", "Bộ Tư pháp"), UnitRef(2, "BTC", "Bộ Tài chính"),
         UnitRef(3, "BNV", "Bộ Nội vụ"), UnitRef(4, "BCA", "Bộ Công an")]
DASHES = ["-", "–", "—", "‐", "−"]


@dataclass(frozen=True)
class Task:
    title: str
    lead: int
    first_year: int
    last_year: int


tasks_strategy = st.lists(
    st.builds(
        Task,
        title=st.sampled_from(["Rà soát văn bản", "Tập huấn cán bộ", "Tổng kết thi hành",
                               "Xây dựng cơ sở dữ liệu", "Kiểm tra, giám sát"]),
        lead=st.sampled_from([1, 2, 3, 4]),
        first_year=st.integers(2020, 2026),
        last_year=st.integers(2026, 2031),
    ),
    min_size=1, max_size=8,
)


@st.composite
def layouts(draw: st.DrawFn) -> tuple[list[Task], bytes]:
    tasks = draw(tasks_strategy)
    two_row_header = draw(st.booleans())
    merge_leads = draw(st.booleans())
    spacer_after = draw(st.sets(st.integers(0, len(tasks) - 1)))
    footnotes = draw(st.lists(st.sampled_from(
        ["Ghi chú: báo cáo trước ngày 15/12 hằng năm.", "[1] Theo Nghị quyết số 01/NQ-CP.",
         "(*) Kinh phí do ngân sách bảo đảm."]), max_size=3))
    wb = Workbook()
    ws = wb.active
    ws.append(["PHỤ LỤC PHÂN CÔNG NHIỆM VỤ"])
    ws.append([])
    if two_row_header:
        ws.append(["TT", "Nội dung công việc", "Cơ quan thực hiện", None, "Thời gian"])
        ws.append([None, None, "Chủ trì", "Phối hợp", None])
        top = ws.max_row - 1
        ws.merge_cells(f"C{top}:D{top}")
        for col in "ABE":
            ws.merge_cells(f"{col}{top}:{col}{top + 1}")
    else:
        ws.append(["STT", "Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn"])
    code = {unit.id: unit.code for unit in UNITS}
    leads: list[tuple[int, int]] = []  # (row, lead) of each task row
    for index, task in enumerate(tasks):
        dash = draw(st.sampled_from(DASHES))
        spaces = draw(st.sampled_from(["", " ", "  "]))
        prefix = draw(st.sampled_from(["", "Giai đoạn ", "giai đoạn "]))
        deadline = f"{prefix}{task.first_year}{spaces}{dash}{spaces}{task.last_year}"
        name = draw(st.sampled_from([code[task.lead], next(
            unit.name for unit in UNITS if unit.id == task.lead)]))
        ws.append([str(index + 1), task.title, name, "", deadline])
        leads.append((ws.max_row, task.lead))
        if index in spacer_after:
            ws.append([])
    if merge_leads:  # one lead cell merged down over consecutive tasks of the same unit
        start = 0
        for end in range(1, len(leads) + 1):
            if end == len(leads) or leads[end] != (leads[end - 1][0] + 1, leads[start][1]):
                first, last = leads[start][0], leads[end - 1][0]
                if last > first:
                    for row in range(first + 1, last + 1):
                        ws.cell(row=row, column=3).value = None
                    ws.merge_cells(f"C{first}:C{last}")
                start = end
    for note in footnotes:
        ws.append([note])
    buffer = io.BytesIO()
    wb.save(buffer)
    return tasks, buffer.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layouts())
def test_every_messy_layout_reads_the_same_tasks(layout: tuple[list[Task], bytes]) -> None:
    tasks, data = layout
    preview = parse_workbook(data, UnitDirectory(UNITS))
    assert not preview.has_errors, [(row.row_number, row.issues) for row in preview.rows]
    read = preview.tasks
    assert [row.title for row in read] == [task.title for task in tasks]
    assert [row.lead_unit_id for row in read] == [task.lead for task in tasks]
    for row, task in zip(read, tasks, strict=True):
        assert row.deadline is not None
        assert (row.deadline.kind, row.deadline.due, row.deadline.start) == (
            "fixed", dt.date(task.last_year, 12, 31), dt.date(task.first_year, 1, 1))
        assert row.flags == []
    assert all(row.kind == "skipped" for row in preview.rows if row.kind not in ("task",))
