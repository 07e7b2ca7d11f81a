"""Generated office documents: templates render, equal input gives equal bytes, clear errors."""

import io
from datetime import date

import docx
import openpyxl
import pytest

from dondoc.core import officedocs


def _template(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _texts(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def test_render_fills_variables_and_escapes_markup():
    out = officedocs.render_docx(_template("Kính gửi: {{ unit }}"), {"unit": "Công an <Hải Châu> & Co"})
    assert _texts(out) == ["Kính gửi: Công an <Hải Châu> & Co"]


def test_same_input_gives_same_bytes_and_date_goes_into_properties():
    template = _template("{{ a }}")
    first = officedocs.render_docx(template, {"a": "1"}, when=date(2026, 3, 31))
    second = officedocs.render_docx(template, {"a": "1"}, when=date(2026, 3, 31))
    assert first == second
    props = docx.Document(io.BytesIO(first)).core_properties
    assert props.modified.date() == date(2026, 3, 31)
    assert officedocs.render_docx(template, {"a": "2"}) != first


def test_unknown_variable_is_named_in_the_error():
    with pytest.raises(officedocs.TemplateProblem, match="signer"):
        officedocs.render_docx(_template("{{ signer }}"), {"unit": "x"})


def test_broken_template_and_non_docx_are_template_problems():
    with pytest.raises(officedocs.TemplateProblem):
        officedocs.render_docx(_template("{% for x in %}"), {})
    with pytest.raises(officedocs.TemplateProblem):
        officedocs.render_docx(b"not a zip at all", {})


def test_xlsx_is_byte_identical_for_equal_content():
    def book(value):
        wb = openpyxl.Workbook()
        wb.active["A1"] = value
        return wb

    assert officedocs.deterministic_xlsx(book(1)) == officedocs.deterministic_xlsx(book(1))
    assert officedocs.deterministic_xlsx(book(1)) != officedocs.deterministic_xlsx(book(2))
    assert openpyxl.load_workbook(io.BytesIO(officedocs.deterministic_xlsx(book(7)))).active["A1"].value == 7


@pytest.mark.parametrize(("day", "text"), [
    (date(2026, 1, 5), "Đà Nẵng, ngày 05 tháng 01 năm 2026"),
    (date(2026, 2, 28), "Đà Nẵng, ngày 28 tháng 02 năm 2026"),
    (date(2026, 11, 29), "Đà Nẵng, ngày 29 tháng 11 năm 2026"),
    (date(2026, 3, 9), "Đà Nẵng, ngày 09 tháng 3 năm 2026"),
])
def test_place_and_date_follow_decree_30(day, text):
    assert officedocs.decree30_date("Đà Nẵng", day) == text
    header = officedocs.administrative_header("Phòng Tham mưu", "Công an thành phố Đà Nẵng",
                                              "12/BC-PV01", "Đà Nẵng", day)
    assert header["issuing_body"] == "PHÒNG THAM MƯU"
    assert header["national_title"] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert header["motto"] == "Độc lập - Tự do - Hạnh phúc"
    assert header["place_date"] == text


def test_missing_converter_names_the_package(monkeypatch):
    monkeypatch.setattr(officedocs.shutil, "which", lambda name: None)
    with pytest.raises(officedocs.ConverterMissing, match="libreoffice-writer-nogui"):
        officedocs.docx_to_pdf(_template("x"))
    assert [m.package for m in officedocs.missing_converters()] == ["libreoffice-writer-nogui"]


@pytest.mark.skipif(officedocs.soffice_path() is None, reason="LibreOffice is not installed")
def test_docx_converts_to_pdf_with_the_text():
    pdf = officedocs.docx_to_pdf(officedocs.render_docx(_template("Báo cáo {{ n }}"), {"n": "Q3"}))
    assert pdf.startswith(b"%PDF")
    if officedocs.shutil.which("pdftoppm"):
        pages = officedocs.pdf_to_png_pages(pdf, dpi=40)
        assert len(pages) == 1
        assert pages[0].startswith(b"\x89PNG")
