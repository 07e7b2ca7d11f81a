"""Build the default Word template of the consolidated report (docxtpl tags).

    .venv/bin/python scripts/make_report_template.py [OUTPUT.docx]

Writes ``dondoc/reports/templates_docx/consolidated_report.docx`` by default: an
administrative report in the format of Decree 30/2020/NĐ-CP (A4, margins 20/20/30/15 mm,
Times New Roman, page numbers centred at the top from page 2), with the docxtpl tags of
the variables listed in docs/report-template.md. Staff copy it, edit the wording and
layout in Word and upload their version; this script only makes the starting point. The
committed file is its output: run it again after changing it.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dondoc.core.officedocs import normalise_ooxml  # noqa: E402 - after the path is set

DEFAULT_OUTPUT = ROOT / "dondoc" / "reports" / "templates_docx" / "consolidated_report.docx"
FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 11


def set_font(run, size: float | None = None, *, bold: bool = False, italic: bool = False):
    run.font.name = FONT
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(key), FONT)
    if size is not None:
        run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    return run


def paragraph(container, text: str = "", *, size: float = BODY_PT, bold: bool = False,
              italic: bool = False, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = False,
              before: float = 0, after: float = 6, keep_next: bool = False):
    para = container.add_paragraph()
    para.alignment = align
    fmt = para.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing = 1.0
    if indent:
        fmt.first_line_indent = Cm(1)
    if keep_next:
        fmt.keep_with_next = True
    if text:
        set_font(para.add_run(text), size, bold=bold, italic=italic)
    return para


def tag(container, text: str):
    """A paragraph holding only a docxtpl paragraph tag ({%p … %}): removed on render."""
    return paragraph(container, text, after=0)


def rule(container, width_cm: float, within_cm: float, *, after: float = 6):
    """A short centred line under a header block: the bottom border of an empty paragraph
    indented so that the border is ``width_cm`` long in a space ``within_cm`` wide."""
    para = paragraph(container, "", align=WD_ALIGN_PARAGRAPH.CENTER, after=after, before=1)
    fmt = para.paragraph_format
    fmt.line_spacing = Pt(2)
    side = (within_cm - width_cm) / 2
    fmt.left_indent, fmt.right_indent = Cm(side), Cm(side)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"),
                       ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    para._p.get_or_add_pPr().insert_element_before(borders, *PPR_AFTER_BORDER)
    return para


# Children of w:pPr and w:tblPr that must follow the elements added here (schema order).
PPR_AFTER_BORDER = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
                    "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                    "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc")
TBLPR_TAIL = ("w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription",
              "w:tblPrChange")


def fixed_widths(table, widths: list[float]) -> None:
    """Column widths that LibreOffice and Word both keep: a fixed layout, the grid and
    every cell."""
    properties = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.insert_element_before(layout, *TBLPR_TAIL)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(int(sum(widths) * 567)))
    width.set(qn("w:type"), "dxa")
    for old in properties.findall(qn("w:tblW")):
        properties.remove(old)
    properties.insert_element_before(width, "w:jc", "w:tblCellSpacing", "w:tblInd",
                                     "w:tblBorders", "w:shd", "w:tblLayout", *TBLPR_TAIL)
    for index, column in enumerate(table.columns):
        column.width = Cm(widths[index])
    for row in table.rows:
        for index, cell in enumerate(row.cells):
            cell.width = Cm(widths[index])


def tight_cells(table) -> None:
    """No left and right cell margins: the header blocks use the whole column."""
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption",
                                           "w:tblDescription", "w:tblPrChange")


def no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.insert_element_before(borders, "w:shd", "w:tblLayout", *TBLPR_TAIL)


def cell_text(cell, text: str, *, size: float = TABLE_PT, bold: bool = False,
              italic: bool = False, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    cell.paragraphs[0].text = ""
    para = cell.paragraphs[0]
    para.alignment = align
    para.paragraph_format.space_after = Pt(0)
    para.paragraph_format.space_before = Pt(0)
    if text:
        set_font(para.add_run(text), size, bold=bold, italic=italic)


def shade(cell, colour: str = "E7E6E6") -> None:
    properties = cell._tc.get_or_add_tcPr()
    fill = OxmlElement("w:shd")
    fill.set(qn("w:val"), "clear")
    fill.set(qn("w:color"), "auto")
    fill.set(qn("w:fill"), colour)
    properties.append(fill)


def repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)


def data_table(doc, headers: list[str], cells: list[str], widths: list[float], *,
               loop: str, total: list[str] | None = None, numeric_from: int = 2):
    """A bordered table: a header row, the docxtpl row loop (``{%tr for … %}``) and an
    optional total row. ``cells`` are the loop row's expressions."""
    rows = 4 + (1 if total else 0)
    table = doc.add_table(rows=rows, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for index, header in enumerate(headers):
        cell = table.rows[0].cells[index]
        cell_text(cell, header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        shade(cell)
    repeat_header(table.rows[0])
    cell_text(table.rows[1].cells[0], "{%tr " + loop + " %}")
    for index, expression in enumerate(cells):
        align = WD_ALIGN_PARAGRAPH.RIGHT if index >= numeric_from else WD_ALIGN_PARAGRAPH.LEFT
        if index == 0:
            align = WD_ALIGN_PARAGRAPH.CENTER
        cell_text(table.rows[2].cells[index], "{{ " + expression + " }}", align=align)
    cell_text(table.rows[3].cells[0], "{%tr endfor %}")
    if total:
        for index, expression in enumerate(total):
            align = (WD_ALIGN_PARAGRAPH.RIGHT if index >= numeric_from
                     else WD_ALIGN_PARAGRAPH.LEFT)
            cell_text(table.rows[4].cells[index], expression, bold=True, align=align)
    fixed_widths(table, widths)
    paragraph(doc, "", after=6)
    return table


def page_number_header(section) -> None:
    """Page numbers centred at the top, not on the first page (Decree 30/2020)."""
    section.different_first_page_header_footer = True
    para = section.header.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = para.add_run()
    set_font(run, 13)
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = " PAGE "
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(code)
    run._r.append(end)


def narrative(doc, variable: str) -> None:
    """A narrative section edited by staff: one paragraph per line of the text."""
    tag(doc, "{%p for line in " + variable + " %}")
    paragraph(doc, "{{ line }}", indent=True)
    tag(doc, "{%p endfor %}")


def heading(doc, text: str) -> None:
    paragraph(doc, text, bold=True, before=6, keep_next=True)


def build(output: Path) -> None:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(1.5)
    section.header_distance = Cm(1.0)
    page_number_header(section)
    doc.core_properties.title = "Báo cáo kết quả thực hiện"
    doc.core_properties.author = "dondoc"

    # Header blocks: governing and issuing bodies | national title and motto.
    header = doc.add_table(rows=2, cols=2)
    no_borders(header)
    tight_cells(header)
    header.autofit = False
    fixed_widths(header, [6.8, 9.7])
    left, right = header.rows[0].cells
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(left.paragraphs[0].add_run("{{ governing_body }}"), 12)
    left.paragraphs[0].paragraph_format.space_after = Pt(0)
    paragraph(left, "{{ issuing_body }}", size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
              after=0)
    rule(left, 2.2, 6.8)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    right.paragraphs[0].paragraph_format.space_after = Pt(0)
    set_font(right.paragraphs[0].add_run("{{ national_title }}"), 12, bold=True)
    paragraph(right, "{{ motto }}", size=13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
              after=0)
    rule(right, 5.0, 9.7)
    number_cell, date_cell = header.rows[1].cells
    cell_text(number_cell, "Số: {{ number }}", size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    cell_text(date_cell, "{{ place_date }}", size=13, italic=True,
              align=WD_ALIGN_PARAGRAPH.CENTER)

    tag(doc, "{%p if draft %}")
    paragraph(doc, "DỰ THẢO", size=12, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT, before=6)
    tag(doc, "{%p endif %}")
    paragraph(doc, "BÁO CÁO", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
              before=18, after=0)
    paragraph(doc, "{{ title }}", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
              after=0)
    rule(doc, 3.5, 16.5, after=12)
    paragraph(doc, "{{ introduction }}", indent=True)

    heading(doc, "I. TÌNH HÌNH CHUNG")
    narrative(doc, "general_situation_lines")

    heading(doc, "II. KẾT QUẢ THỰC HIỆN")
    paragraph(doc, "1. Kết quả thực hiện theo nhóm nhiệm vụ", bold=True, italic=True,
              keep_next=True)
    tag(doc, "{%p for group in groups %}")
    paragraph(doc, "{{ group.heading }}", italic=True, indent=True, keep_next=True)
    paragraph(doc, "{{ group.summary }}", indent=True)
    tag(doc, "{%p for line in group.completed_lines %}")
    paragraph(doc, "- {{ line }}", indent=True)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")

    paragraph(doc, "2. Số liệu thống kê (tính đến ngày {{ cut_off }})", bold=True,
              italic=True, keep_next=True)
    paragraph(doc, "Bảng 1. Tình trạng thực hiện nhiệm vụ", size=13, italic=True,
              align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    data_table(doc, ["STT", "Tình trạng", "Số nhiệm vụ", "Tỷ lệ (%)"],
               ["row.no", "row.label", "row.count", "row.share"], [1.2, 9.0, 3.0, 3.3],
               loop="for row in by_status",
               total=["", "Tổng số", "{{ totals.total }}", "100"])
    paragraph(doc, "Tỷ lệ hoàn thành đúng hạn: {{ totals.rate }}% (hoàn thành đúng hạn ÷ "
              "[đã hoàn thành + chưa hoàn thành đã quá hạn]).", size=13, italic=True)

    paragraph(doc, "Bảng 2. Kết quả theo đơn vị chủ trì", size=13, italic=True,
              align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    data_table(doc, ["STT", "Đơn vị", "Tổng số", "HT đúng hạn", "HT quá hạn",
                     "Đang TH trong hạn", "Đang TH quá hạn", "Chờ xác nhận",
                     "Tỷ lệ đúng hạn (%)"],
               ["row.no", "row.name", "row.total", "row.completed_on_time",
                "row.completed_late", "row.in_progress_on_time", "row.in_progress_overdue",
                "row.awaiting", "row.rate"],
               [1.2, 4.3, 1.4, 1.5, 1.5, 1.6, 1.6, 1.5, 1.9],
               loop="for row in by_unit",
               total=["", "Tổng cộng", "{{ totals.total }}", "{{ totals.completed_on_time }}",
                      "{{ totals.completed_late }}", "{{ totals.in_progress_on_time }}",
                      "{{ totals.in_progress_overdue }}", "{{ totals.awaiting }}",
                      "{{ totals.rate }}"])

    paragraph(doc, "Bảng 3. Kết quả theo nhóm nhiệm vụ", size=13, italic=True,
              align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    data_table(doc, ["STT", "Nhóm nhiệm vụ", "Tổng số", "Đã hoàn thành", "Quá hạn",
                     "Tỷ lệ đúng hạn (%)"],
               ["row.no", "row.name", "row.total", "row.completed", "row.overdue",
                "row.rate"],
               [1.2, 7.7, 1.7, 1.9, 1.7, 2.3], loop="for row in by_group",
               total=["", "Tổng cộng", "{{ totals.total }}", "{{ totals.completed }}",
                      "{{ totals.overdue }}", "{{ totals.rate }}"])

    paragraph(doc, "Bảng 4. So sánh với kỳ trước", size=13, italic=True,
              align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    data_table(doc, ["STT", "Chỉ tiêu", "{{ period_label }}", "{{ previous_label }}",
                     "Tăng (+), giảm (-)"],
               ["row.no", "row.label", "row.current", "row.previous", "row.change"],
               [1.2, 7.3, 2.6, 2.6, 2.8], loop="for row in comparison")

    heading(doc, "III. HẠN CHẾ, NGUYÊN NHÂN")
    narrative(doc, "shortcomings_lines")
    heading(doc, "IV. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ")
    narrative(doc, "difficulties_lines")
    heading(doc, "V. PHƯƠNG HƯỚNG, NHIỆM VỤ {{ next_period_phrase_upper }}")
    narrative(doc, "next_period_lines")
    paragraph(doc, "{{ closing }}", indent=True)

    # Recipients | signature.
    signature = doc.add_table(rows=1, cols=2)
    no_borders(signature)
    signature.autofit = False
    fixed_widths(signature, [8.0, 8.5])
    recipients, signer = signature.rows[0].cells
    cell_text(recipients, "Nơi nhận:", size=12, bold=True, italic=True)
    recipients.add_paragraph()
    tag_para = recipients.paragraphs[-1]
    set_font(tag_para.add_run("{%p for line in recipient_lines %}"), 11)
    line_para = recipients.add_paragraph()
    line_para.paragraph_format.space_after = Pt(0)
    set_font(line_para.add_run("- {{ line }}"), 11)
    end_para = recipients.add_paragraph()
    set_font(end_para.add_run("{%p endfor %}"), 11)
    cell_text(signer, "{{ signer_authority }}", size=14, bold=True,
              align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph(signer, "{{ signer_title }}", size=14, bold=True,
              align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    for _blank in range(4):
        paragraph(signer, "", align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    paragraph(signer, "{{ signer_name }}", size=14, bold=True,
              align=WD_ALIGN_PARAGRAPH.CENTER, after=0)

    # Appendix on its own page: the overdue tasks.
    appendix = doc.add_section(WD_SECTION.NEW_PAGE)
    appendix.left_margin, appendix.right_margin = Cm(3.0), Cm(1.5)
    paragraph(doc, "PHỤ LỤC", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    paragraph(doc, "DANH SÁCH NHIỆM VỤ QUÁ HẠN TÍNH ĐẾN NGÀY {{ cut_off }}", size=14,
              bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    paragraph(doc, "(Kèm theo Báo cáo số {{ number }})", size=13, italic=True,
              align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    tag(doc, "{%p if overdue %}")
    data_table(doc, ["STT", "Mã", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn",
                     "Số ngày quá hạn", "Tiến độ (%)"],
               ["row.no", "row.code", "row.title", "row.lead", "row.deadline",
                "row.days_overdue", "row.progress"],
               [1.2, 2.2, 5.7, 2.6, 2.0, 1.5, 1.3], loop="for row in overdue",
               numeric_from=4)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if overdue_more %}")
    paragraph(doc, "{{ overdue_more }}", size=13, italic=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if not overdue %}")
    paragraph(doc, "Không có nhiệm vụ quá hạn.", size=13, italic=True)
    tag(doc, "{%p endif %}")
    output.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    doc.save(buffer)
    # Fixed timestamps: running the script again without changes gives the same file.
    output.write_bytes(normalise_ooxml(buffer.getvalue()))


def main(argv: list[str]) -> int:
    output = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUTPUT
    build(output)
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
