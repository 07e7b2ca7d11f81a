"""Office files are checked inside, not only by their first bytes: a .docx or .xlsx must be
the document it claims to be, with no macros, ActiveX controls or programs in it."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from dondoc.core.files import validate_upload

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
VBA = "application/vnd.ms-office.vbaProject"


def _content_types(*overrides: tuple[str, str], defaults: str = "") -> str:
    parts = "".join(f'<Override PartName="{name}" ContentType="{kind}"/>'
                    for name, kind in overrides)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{defaults}{parts}</Types>')


def _package(parts: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return buffer.getvalue()


def _docx(content_types: str | None = None, extra: dict[str, str | bytes] | None = None,
          ) -> bytes:
    parts: dict[str, str | bytes] = {
        "_rels/.rels": "<Relationships/>",
        "word/document.xml": "<w:document/>",
    }
    if content_types is not None:
        parts["[Content_Types].xml"] = content_types
    parts.update(extra or {})
    return _package(parts)


PLAIN_DOCX = _docx(_content_types(("/word/document.xml", DOCX_MAIN)))


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "Nhiệm vụ"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _check(name: str, data: bytes) -> str:
    """The (English) reasons the file is refused; empty when accepted."""
    with translation.override("en"):
        try:
            validate_upload(SimpleUploadedFile(name, data))
        except ValidationError as refused:
            return " ".join(refused.messages)
    return ""


def test_a_plain_docx_and_a_real_xlsx_are_accepted(settings: Any) -> None:
    assert _check("bao-cao.docx", PLAIN_DOCX) == ""
    assert _check("phu-luc.xlsx", _xlsx()) == ""


@pytest.mark.parametrize(("data", "words"), [
    (_docx(_content_types(("/word/document.xml", DOCM_MAIN), ("/word/vbaProject.bin", VBA)),
           {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}), "macros"),
    (_docx(_content_types(("/word/document.xml", DOCM_MAIN))), "macros"),  # renamed .docm
    (_docx(_content_types(("/word/document.xml", DOCX_MAIN)),
           {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), "macros"),  # undeclared macro part
    (_docx(_content_types(("/word/document.xml", DOCX_MAIN),
                          ("/word/activeX/activeX1.xml",
                           "application/vnd.ms-office.activeX+xml")),
           {"word/activeX/activeX1.xml": "<ax/>"}), "ActiveX"),
    (_docx(_content_types(("/word/document.xml", DOCX_MAIN)),
           {"word/media/setup.exe": b"MZ\x90\x00"}), "program"),
    (_docx(_content_types(("/word/document.xml", DOCX_MAIN)),
           {"word/embeddings/run.js": "WScript.Shell"}), "program"),
    (_docx(_content_types(("/word/document.xml", DOCX_MAIN)),
           {"customXml/payload.dll": b"MZ"}), "program"),
    (_docx(None), "not an Office document"),  # a ZIP, not an Office package
    (_docx(_content_types(("/xl/workbook.xml", "application/vnd.openxmlformats-"
                           "officedocument.spreadsheetml.sheet.main+xml"))), "does not match"),
    (b"PK\x03\x04" + b"\x00" * 60, "damaged"),  # the magic bytes alone
])
def test_a_docx_with_active_content_or_the_wrong_parts_is_refused(data: bytes,
                                                                  words: str) -> None:
    assert words in _check("bao-cao.docx", data)


def test_a_docx_renamed_xlsx_is_refused() -> None:
    assert "does not match" in _check("phu-luc.xlsx", PLAIN_DOCX)


def test_an_xlsx_with_a_macro_project_is_refused() -> None:
    source = zipfile.ZipFile(io.BytesIO(_xlsx()))
    parts: dict[str, str | bytes] = {info.filename: source.read(info)
                                     for info in source.infolist()}
    parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0"
    assert "macros" in _check("phu-luc.xlsx", _package(parts))


def test_a_legacy_doc_with_a_vba_project_is_refused() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 5000
    assert _check("cong-van.doc", ole) == ""
    macro = ole + "_VBA_PROJECT_CUR".encode("utf-16-le") + b"\x00" * 10
    assert "macros" in _check("cong-van.doc", macro)


def test_a_docx_with_macros_is_refused_through_the_api_with_422(api: Any, people: Any,
                                                                work: Any) -> None:
    client = api(people.manager)
    macro = _docx(_content_types(("/word/document.xml", DOCM_MAIN)))
    response = client.client.post(
        f"/api/v1/tasks/{work.traffic.pk}/progress/upload",
        {"percent": "20", "results": "Đã làm", "files": SimpleUploadedFile("bb.docx", macro)},
        headers={"Authorization": f"Bearer {client.secret}"})
    assert response.status_code == 422
    assert "bb.docx" in " ".join(response.json()["errors"]["files"])
