"""Build the default Word template of the urging letter (công văn đôn đốc).

Run ``.venv/bin/python scripts/make_urging_template.py`` after changing this script; it
writes ``dondoc/urging/templates_docx/urging_letter.docx`` (committed). The template is
a docxtpl (Jinja) template laid out as Decree 30/2020/NĐ-CP, Appendix I, prescribes for
an official letter: A4 portrait, margins 20/20/30/15 mm, Times New Roman; governing and
issuing body top left with the number and the abstract ("V/v …") under them, national
title and motto top right with the place and date; "Kính gửi:", the body with a table of
each unit's tasks, the signature block and "Nơi nhận:"; page numbers centred at the top
from page 2. The variables are documented in docs/urging-template.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

FONT = "Times New Roman"
TARGET = (Path(__file__).resolve().parent.parent / "dondoc" / "urging" / "templates_docx"
          / "urging_letter.docx")


def set_font(run, size: float, *, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def para(container, text: str = "", *, size: float = 14, bold: bool = False,
         italic: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER, before: float = 0,
         after: float = 0, first_line: float | None = None, left: float | None = None,
         line: float = 1.0):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing = line
    if first_line is not None:
        fmt.first_line_indent = Cm(first_line)
    if left is not None:
        fmt.left_indent = Cm(left)
    run = paragraph.add_run(text)
    set_font(run, size, bold=bold, italic=italic)
    return paragraph


def tag(container, text: str):
    """A paragraph holding only a docxtpl paragraph tag ({%p … %}): removed when rendered."""
    return para(container, text, size=2, align=WD_ALIGN_PARAGRAPH.LEFT)


def rule(container, width_mm: float, cell_width_mm: float):
    """A short centred line (under the issuing body, under the motto): the top border of
    an empty paragraph indented from both sides."""
    paragraph = para(container, "", size=2)
    side = Mm((cell_width_mm - width_mm) / 2)
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"),
                       ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    paragraph._p.get_or_add_pPr().append(borders)
    return paragraph


def first_paragraph(cell):
    """A cell starts with one empty paragraph: remove it, paragraphs are added after."""
    cell._tc.remove(cell.paragraphs[0]._p)
    return cell


def no_borders(table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def no_cell_margins(table) -> None:
    """Header and signature columns use their whole width (no inner cell padding)."""
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)


def fixed_layout(table, widths_mm: list[float]) -> None:
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    grid = table._tbl.tblGrid
    for column, width in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=True):
        column.set(qn("w:w"), str(int(Mm(width).twips)))


TASK_COLUMNS = [("TT", 10), ("Mã nhiệm vụ", 26), ("Nội dung nhiệm vụ", 61), ("Thời hạn", 24),
                ("Số ngày quá hạn", 20), ("Tình trạng", 24)]


def task_table(document) -> None:
    """The table of one unit's tasks: a header row, then one row per task (docxtpl
    ``{%tr for %}`` row loop)."""
    table = document.add_table(rows=4, cols=len(TASK_COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    fixed_layout(table, [width for _label, width in TASK_COLUMNS])
    header = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    header._tr.get_or_add_trPr().append(repeat)
    for cell, (label, _width) in zip(header.cells, TASK_COLUMNS, strict=True):
        first_paragraph(cell)
        para(cell, label, size=12, bold=True)
    loop_start, data, loop_end = table.rows[1], table.rows[2], table.rows[3]
    first_paragraph(loop_start.cells[0])
    para(loop_start.cells[0], "{%tr for t in unit.tasks %}", size=2)
    first_paragraph(loop_end.cells[0])
    para(loop_end.cells[0], "{%tr endfor %}", size=2)
    values = [("{{ t.index }}", WD_ALIGN_PARAGRAPH.CENTER),
              ("{{ t.code }}", WD_ALIGN_PARAGRAPH.LEFT),
              ("{{ t.title }}", WD_ALIGN_PARAGRAPH.LEFT),
              ("{{ t.deadline }}", WD_ALIGN_PARAGRAPH.CENTER),
              ("{{ t.days_overdue }}", WD_ALIGN_PARAGRAPH.CENTER),
              ("{{ t.status }}", WD_ALIGN_PARAGRAPH.CENTER)]
    for cell, (text, align) in zip(data.cells, values, strict=True):
        first_paragraph(cell)
        para(cell, text, size=12, align=align)


def page_number_header(section) -> None:
    """Page numbers centred at the top, 13 pt, not on the first page."""
    section.different_first_page_header_footer = True
    header = section.header
    paragraph = header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    set_font(run, 13)
    begin, code, end = (OxmlElement("w:fldChar"), OxmlElement("w:instrText"),
                        OxmlElement("w:fldChar"))
    begin.set(qn("w:fldCharType"), "begin")
    code.set(qn("xml:space"), "preserve")
    code.text = " PAGE "
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(code)
    run._r.append(end)


def build() -> Document:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    document.core_properties.title = "Công văn đôn đốc"
    document.core_properties.author = "dondoc"

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    page_number_header(section)
    for empty in list(document.paragraphs):  # the blank template's empty paragraph
        empty._p.getparent().remove(empty._p)

    # Header: issuing side (left), national title (right).
    left_width, right_width = 72, 93
    head = document.add_table(rows=1, cols=2)
    no_borders(head)
    no_cell_margins(head)
    fixed_layout(head, [left_width, right_width])
    left, right = (first_paragraph(cell) for cell in head.rows[0].cells)
    para(left, "{{ governing_body }}", size=13)
    para(left, "{{ issuing_body }}", size=13, bold=True)
    rule(left, 25, left_width)
    para(left, "Số: {{ number }}", size=13, before=4)
    para(left, "{{ subject }}", size=12, before=4)
    para(right, "{{ national_title }}", size=12, bold=True)
    para(right, "{{ motto }}", size=13, bold=True)
    rule(right, 57, right_width)
    para(right, "{{ place_date }}", size=14, italic=True, before=8)

    # Kính gửi
    para(document, "", size=14, after=6)
    tag(document, "{%p if recipients|length == 1 %}")
    para(document, "Kính gửi: {{ recipients[0] }}.", size=14, after=6)
    tag(document, "{%p else %}")
    para(document, "Kính gửi:", size=14, align=WD_ALIGN_PARAGRAPH.LEFT, left=3.5)
    tag(document, "{%p for r in recipients %}")
    para(document, "- {{ r }}{% if loop.last %}.{% else %};{% endif %}", size=14,
         align=WD_ALIGN_PARAGRAPH.LEFT, left=5.0)
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")

    body_text = dict(size=14, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line=1.27, before=6,
                     line=1.15)
    para(document,
         "Thực hiện {% if document %}{{ document.kind }} số {{ document.number }} ngày "
         "{{ document.issue_date }} của {{ document.issuer }} về {{ document.title }}"
         "{% else %}các nhiệm vụ được giao{% endif %}, qua theo dõi, tổng hợp tình hình "
         "thực hiện đến ngày {{ as_of }}, {{ issuer_name }} nhận thấy "
         "{% if combined %}{{ units|length }} đơn vị{% else %}{{ units[0].name }}{% endif %}"
         " còn {{ total_overdue }} nhiệm vụ đã quá hạn nhưng chưa hoàn thành"
         "{% if total_due_soon %} và {{ total_due_soon }} nhiệm vụ sắp đến hạn (trong "
         "{{ due_soon_days }} ngày tới){% endif %}"
         "{% if combined %} (chi tiết tại các Phụ lục kèm theo).{% else %}, cụ thể như sau:"
         "{% endif %}", **body_text)

    tag(document, "{%p if not combined %}")
    tag(document, "{%p for unit in units %}")
    task_table(document)
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")

    para(document,
         "Để bảo đảm tiến độ, chất lượng thực hiện nhiệm vụ theo tinh thần “làm đến đâu, "
         "dứt điểm đến đó”, {{ issuer_name }} đề nghị "
         "{% if combined %}các đơn vị{% else %}{{ units[0].name }}{% endif %} khẩn trương "
         "chỉ đạo, tập trung hoàn thành các nhiệm vụ đã quá hạn; chủ động triển khai, bảo "
         "đảm hoàn thành đúng thời hạn các nhiệm vụ sắp đến hạn.", **body_text)
    para(document,
         "Kết quả thực hiện, khó khăn, vướng mắc (nếu có) báo cáo về {{ issuer_name }} "
         "(qua {{ staff_unit_name }}){% if reply_by %} trước ngày {{ reply_by }}{% endif %}"
         " để tổng hợp, báo cáo lãnh đạo./.", **body_text)
    para(document, "", size=14)

    # Signature block: recipients of copies (left, small type), signer (right).
    sign = document.add_table(rows=1, cols=2)
    no_borders(sign)
    no_cell_margins(sign)
    fixed_layout(sign, [80, 85])
    copies, signer = (first_paragraph(cell) for cell in sign.rows[0].cells)
    para(copies, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    tag(copies, "{%p for c in copies_to %}")
    para(copies, "- {{ c }}{% if loop.last %}.{% else %};{% endif %}", size=11,
         align=WD_ALIGN_PARAGRAPH.LEFT)
    tag(copies, "{%p endfor %}")
    tag(signer, "{%p if signer_authority %}")
    para(signer, "{{ signer_authority }}", size=14, bold=True)
    tag(signer, "{%p endif %}")
    para(signer, "{{ signer_position }}", size=14, bold=True)
    for _blank in range(4):
        para(signer, "", size=14)
    para(signer, "{{ signer_name }}", size=14, bold=True)

    # Appendices of a letter to several units: one per unit, each on a new page.
    tag(document, "{%p if combined %}")
    tag(document, "{%p for unit in units %}")
    breaker = para(document, "", size=14)
    breaker.runs[0].add_break(WD_BREAK.PAGE)
    para(document, "Phụ lục {{ loop.index }}", size=14, bold=True)
    para(document, "DANH SÁCH NHIỆM VỤ QUÁ HẠN, SẮP ĐẾN HẠN", size=14, bold=True)
    para(document, "của {{ unit.name }}", size=14, bold=True)
    para(document, "(Kèm theo Công văn số {{ number }} ngày {{ letter_date }} "
                   "của {{ issuer_name }})", size=13, italic=True, after=8)
    task_table(document)
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")
    return document


def main() -> int:
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    build().save(str(TARGET))
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
