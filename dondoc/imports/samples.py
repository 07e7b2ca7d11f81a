"""A realistic task appendix for trying the import: the Resolution 12 case of the demo.

Built in code at request time (no binary in the repository). It is messy on purpose,
the way appendices arrive from agencies: merged title rows, a two-row header with a row
of column numbers, group rows written three different ways, units by code, by name, by
short name, without diacritics, as "Name (CODE)" and as collective phrases, lead and
deadline cells merged down over two tasks, and deadlines as Excel dates, month cells and
Vietnamese text. Against the demo organisation it imports with warnings and no errors.
The documents, numbers and tasks are illustrative, not official.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import BinaryIO, Final

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["SAMPLE_GROUPS", "sample_workbook", "write_sample"]

# The eight task groups of the demo (domain-facts.md: assumed, not the official list).
SAMPLE_GROUPS: Final = (
    ("I", "Lãnh đạo của Đảng; quán triệt, tuyên truyền"),
    ("II", "Xây dựng chính trị, tư tưởng, đạo đức, văn hóa"),
    ("III", "Tổ chức bộ máy tinh gọn; Công an xã, phường chính quy"),
    ("IV", "Đội ngũ cán bộ; đào tạo, bồi dưỡng"),
    ("V", "Thể chế, chế độ, chính sách"),
    ("VI", "Hậu cần, cơ sở vật chất, trụ sở, trang bị, phương tiện"),
    ("VII", "Khoa học công nghệ, chuyển đổi số, hiện đại hóa"),
    ("VIII", "Hợp tác quốc tế; phối hợp; phong trào toàn dân bảo vệ an ninh Tổ quốc"),
)

Cell = str | dt.date | None
# (number, content, lead, coordinating, deadline, product, note); None = left empty
# (a merged cell continues from above, or nothing was written).
_TASKS: Final[dict[str, tuple[tuple[Cell, ...], ...]]] = {
    "I": (
        ("1", "Tổ chức hội nghị quán triệt, triển khai Nghị quyết số 12-NQ/TW đến toàn thể "
         "cán bộ, chiến sĩ", "PX03", "PV01; CA các quận, huyện", "Quý III/2022",
         "Báo cáo kết quả quán triệt", None),
        ("2", "Xây dựng Chương trình hành động của Đảng ủy Công an thành phố thực hiện Nghị "
         "quyết số 12-NQ/TW", "Phòng Tham mưu (PV01)", "PX03\nPX01", dt.date(2022, 7, 15),
         "Chương trình hành động", None),
        ("3", "Tuyên truyền kết quả thực hiện Nghị quyết trên báo chí, Trang thông tin điện "
         "tử Công an thành phố", "PX03", "Ban Tuyên giáo Thành ủy, Sở Thông tin và Truyền "
         "thông", "Thường xuyên", "Tin, bài, phóng sự", None),
    ),
    "II": (
        ("4.", "Xây dựng Công an thành phố trong sạch, vững mạnh về chính trị:\n- Đẩy mạnh "
         "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh;\n- Thực hiện tốt "
         "Sáu điều Bác Hồ dạy Công an nhân dân.",
         "Phòng Công tác đảng và công tác chính trị", "Các phòng nghiệp vụ", "Hằng năm",
         "Báo cáo kết quả hằng năm", None),
        ("5.", "Kiểm tra, giám sát việc chấp hành điều lệnh, kỷ luật, kỷ cương của cán bộ, "
         "chiến sĩ", "Thanh tra", "PX01", "Hằng quý", "Kết luận kiểm tra", None),
        ("6.", "Sơ kết 01 năm thực hiện Nghị quyết số 12-NQ/TW", "PV01",
         "Các đơn vị liên quan", "Tháng 3/2023", "Báo cáo sơ kết", None),
    ),
    "III": (
        ("7", "Rà soát, sắp xếp tổ chức bộ máy các phòng nghiệp vụ theo hướng tinh, gọn, "
         "mạnh", "PX01", "PV01, Các phòng nghiệp vụ", "31/12/2022",
         "Đề án sắp xếp tổ chức bộ máy", None),
        ("8", "Xây dựng Công an phường điển hình, kiểu mẫu về an ninh, trật tự và văn minh "
         "đô thị", "Công an phường Khuê Trung", "PV05; PX01", "6 tháng đầu năm 2023",
         "Mô hình điển hình", "Theo Nghị quyết số 13-NQ/TU"),
        ("9", "Bố trí Công an chính quy đảm nhiệm các chức danh Công an xã", "PX01",
         "Công an các xã, phường", "Quý IV/2022", "Quyết định điều động", None),
    ),
    "IV": (
        ("10", "Rà soát, đánh giá chất lượng đội ngũ cán bộ; xây dựng quy hoạch cán bộ lãnh "
         "đạo, chỉ huy các cấp", "Phòng Tổ chức cán bộ", "PV01", "30/9/2022",
         "Báo cáo đánh giá; quy hoạch cán bộ", None),
        # Lead and deadline merged down over tasks 11 and 12.
        ("11", "Đào tạo, bồi dưỡng nghiệp vụ, ngoại ngữ, tin học cho cán bộ, chiến sĩ",
         "PX01", "PA05", "Năm 2023", "Kế hoạch đào tạo", None),
        ("12", "Tập huấn kỹ năng chuyển đổi số cho Công an các xã, phường", None,
         "PA05, Công an các xã, phường", None, "Báo cáo kết quả tập huấn", None),
    ),
    "V": (
        ("13", "Rà soát các văn bản, quy trình công tác có liên quan để kiến nghị sửa đổi, "
         "bổ sung", "PV01", "PC06, PA03", "Trước 30/6/2023", "Báo cáo kiến nghị", None),
        ("14", "Tham mưu Ủy ban nhân dân thành phố ban hành chính sách hỗ trợ lực lượng Công "
         "an xã", "PH01", "Sở Tài chính; Sở Kế hoạch và Đầu tư", dt.date(2023, 9, 1),
         "Dự thảo chính sách hỗ trợ", "Thời hạn ghi theo tháng"),
        ("15", "Thực hiện đầy đủ chế độ, chính sách đối với cán bộ, chiến sĩ và thân nhân",
         "Phong Tai chinh", "PX01", None, None, None),
    ),
    "VI": (
        ("16", "Khảo sát, đánh giá thực trạng trụ sở, đất đai, trang bị, phương tiện của "
         "Công an các xã, phường", "PH10", "Công an các quận, huyện; Sở Tài nguyên và Môi "
         "trường", dt.date(2022, 10, 31), "Báo cáo thực trạng", None),
        ("17", "Đầu tư xây dựng trụ sở làm việc Công an xã, phường theo tiêu chuẩn",
         "Phòng Hậu cần (PH10)", "PH01; Sở Kế hoạch và Đầu tư; UBND quận Cẩm Lệ",
         "Năm 2025", "Trụ sở được đưa vào sử dụng", "Phân kỳ đầu tư 2023–2025"),
        ("18", "Trang bị phương tiện, công cụ hỗ trợ cho Công an các phường", "PH10",
         "PC08", "Quý II/2023", "Biên bản bàn giao", None),
    ),
    "VII": (
        ("19", "Triển khai Dự án hệ thống camera giám sát an ninh, trật tự có tích hợp tính "
         "năng thông minh", "PA05", "PH10, PC08, Sở TT&TT", "31/12/2024",
         "Hệ thống camera được nghiệm thu", None),
        ("20", "Triển khai ứng dụng dữ liệu dân cư, định danh và xác thực điện tử phục vụ "
         "chuyển đổi số", "PC06", "PA05; Công an các xã, phường", "Hằng tháng",
         "Báo cáo tháng", None),
        ("21", "Ứng dụng công nghệ thông tin trong quản lý văn bản, chỉ đạo, điều hành",
         "PV01", "PA06", "Tháng 12/2022", "Phần mềm quản lý văn bản", None),
    ),
    "VIII": (
        ("22", "Chủ động hợp tác quốc tế, trao đổi kinh nghiệm xây dựng lực lượng", "PA01",
         "PX03", "Năm 2024", "Báo cáo kết quả hợp tác", None),
        ("23", "Phối hợp với các sở, ban, ngành, địa phương thực hiện Nghị quyết", "PV01",
         "Ban Nội chính Thành ủy; UBND quận Hải Châu và UBND quận Cẩm Lệ", "Thường xuyên",
         "", None),
        ("24", "Đẩy mạnh phong trào toàn dân bảo vệ an ninh Tổ quốc; nhân rộng mô hình tự "
         "quản về an ninh, trật tự", "PV05", "Công an các xã, phường", "Hằng năm",
         "Mô hình được nhân rộng", None),
        ("25", "Tổ chức sơ kết 03 năm thực hiện Nghị quyết số 12-NQ/TW", "PV01",
         "Các phòng nghiệp vụ; Công an các xã, phường", "Quý I/2025",
         "Báo cáo sơ kết 03 năm", None),
    ),
}

_FONT = "Times New Roman"
_WIDTHS: Final = (7, 58, 24, 32, 16, 26, 18)
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)


def _title(ws: Worksheet, ref: str, text: str, *, bold: bool = True, italic: bool = False,
           size: int = 13) -> None:
    first = ref.split(":")[0]
    ws[first] = text
    ws[first].font = Font(name=_FONT, size=size, bold=bold, italic=italic)
    ws[first].alignment = _CENTRE
    ws.merge_cells(ref)


def _box(ws: Worksheet, row: int, *, bold: bool = False) -> None:
    for col in range(1, len(_WIDTHS) + 1):
        cell = ws.cell(row=row, column=col)
        cell.border = _BORDER
        cell.font = Font(name=_FONT, size=12, bold=bold)
        cell.alignment = _CENTRE if col in (1, 5) else _WRAP


def write_sample(stream: BinaryIO) -> None:
    """Write the sample appendix (an .xlsx) to ``stream``."""
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = "Phụ lục"
    for col, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[chr(64 + col)].width = width

    # Administrative header (Decree 30 style) and the appendix title, merged.
    _title(ws, "A1:C1", "CÔNG AN THÀNH PHỐ ĐÀ NẴNG", bold=False, size=12)
    _title(ws, "D1:G1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12)
    _title(ws, "A2:C2", "PHÒNG THAM MƯU", size=12)
    _title(ws, "D2:G2", "Độc lập - Tự do - Hạnh phúc")
    _title(ws, "A4:G4", "PHỤ LỤC", size=14)
    _title(ws, "A5:G5", "PHÂN CÔNG NHIỆM VỤ THỰC HIỆN NGHỊ QUYẾT SỐ 12-NQ/TW NGÀY 16/3/2022 "
           "CỦA BỘ CHÍNH TRỊ")
    _title(ws, "A6:G6", "(Kèm theo Kế hoạch số      /KH-CATP ngày      /6/2022 của Công an "
           "thành phố Đà Nẵng — số liệu minh họa)", bold=False, italic=True, size=12)
    ws.row_dimensions[5].height = 36

    # Two-row header, then the row of column numbers.
    for ref, text in (("A8:A9", "STT"), ("B8:B9", "Nội dung nhiệm vụ"),
                      ("C8:D8", "Đơn vị thực hiện"), ("E8:E9", "Thời gian hoàn thành"),
                      ("F8:F9", "Sản phẩm"), ("G8:G9", "Ghi chú")):
        ws[ref.split(":")[0]] = text
        ws.merge_cells(ref)
    ws["C9"], ws["D9"] = "Chủ trì", "Phối hợp"
    for row in (8, 9):
        _box(ws, row, bold=True)
    for col in range(1, len(_WIDTHS) + 1):
        ws.cell(row=10, column=col, value=f"({col})")
    _box(ws, 10)
    ws.freeze_panes = "A11"

    row = 11
    merged_from: dict[str, int] = {}
    for index, (number, title) in enumerate(SAMPLE_GROUPS):
        _box(ws, row, bold=True)
        if index % 3 == 1:  # "II. XÂY DỰNG …" written across the whole row
            ws.cell(row=row, column=1, value=f"{number}. {title.upper()}")
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
            ws.cell(row=row, column=1).alignment = Alignment(horizontal="left", wrap_text=True)
        else:  # "I" | "Lãnh đạo …" or "III." | "…"
            ws.cell(row=row, column=1, value=number if index % 3 == 0 else f"{number}.")
            ws.cell(row=row, column=2, value=title)
        row += 1
        for values in _TASKS[number]:
            _box(ws, row)
            for col, value in enumerate(values, start=1):
                if value is not None:
                    ws.cell(row=row, column=col, value=value)
                    if isinstance(value, dt.date):
                        ws.cell(row=row, column=col).number_format = (
                            "mm/yyyy" if value.day == 1 else "dd/mm/yyyy")
            if values[2] is None:  # lead and deadline merged down from the task above
                for col in (3, 5):
                    ws.merge_cells(start_row=merged_from["task"], start_column=col,
                                   end_row=row, end_column=col)
            merged_from["task"] = row
            row += 1
        if number == "IV":
            row += 1  # a stray empty line between sections
    workbook.save(stream)


def sample_workbook() -> bytes:
    """The sample appendix as bytes."""
    buffer = io.BytesIO()
    write_sample(buffer)
    return buffer.getvalue()
