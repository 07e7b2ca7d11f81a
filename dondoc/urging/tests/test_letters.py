"""Urging letters: who is urged on what, the DOCX as Decree 30 lays it out, the records."""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest
from docx import Document as Docx
from docx.shared import Mm

from dondoc.audit.models import AuditEvent
from dondoc.core import officedocs
from dondoc.urging import letters, selectors, services
from dondoc.urging.models import UrgingLetter, UrgingRecord
from dondoc.urging.signals import urging_sent
from dondoc.urging.tests.conftest import AS_OF, options

pytestmark = pytest.mark.django_db


def read(letter: UrgingLetter) -> Docx:
    with letter.file.open("rb") as handle:
        return Docx(io.BytesIO(handle.read()))


def all_text(document: Docx) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
    return "\n".join(parts)


def task_tables(document: Docx) -> list[list[list[str]]]:
    """The tables listing tasks (header "Mã nhiệm vụ"): their data rows, cell texts."""
    found = []
    for table in document.tables:
        rows = [[cell.text.strip() for cell in row.cells] for row in table.rows]
        if rows and "Mã nhiệm vụ" in rows[0]:
            found.append(rows[1:])
    return found


def test_all_units_with_overdue_tasks_are_exactly_those_in_scope(world, org, people) -> None:
    units = selectors.units_with_overdue(user=people.staff, scope=org.catp, as_of=AS_OF)
    # PC08 and PX05 have overdue tasks; the team only a due-soon one; PC06's overdue task
    # is suspended and its other one completed; OTHER is another agency's.
    assert sorted(unit.code for unit in units) == ["PC08", "PX05"]
    assert sorted(u.code for u in selectors.units_with_overdue(
        user=people.staff, scope=org.pc08, as_of=AS_OF)) == ["PC08"]
    # Before the first deadline nothing is overdue.
    import datetime as dt
    assert selectors.units_with_overdue(user=people.staff, scope=org.catp,
                                        as_of=dt.date(2024, 3, 1)) == []


def test_preview_lists_overdue_then_due_soon_tasks_per_unit(world, org, people) -> None:
    found = selectors.preview(user=people.staff, scope=org.catp, as_of=AS_OF,
                              due_soon_days=7, unit_ids=[org.pc08.pk, org.pc08_d1.pk])
    by_unit = {item.unit.code: [(row.task.pk, row.urged_as, row.days_overdue)
                                for row in item.rows] for item in found}
    assert by_unit == {
        "PC08": [(world.overdue_pc08.pk, "overdue", 31), (world.soon_pc08.pk, "due_soon", None)],
        "PC08-D1": [(world.soon_team.pk, "due_soon", None)],
    }
    # A shorter window drops what is not due within it.
    short = selectors.preview(user=people.staff, scope=org.catp, as_of=AS_OF,
                              due_soon_days=3, unit_ids=[org.pc08.pk, org.pc08_d1.pk])
    assert [[row.task.pk for row in item.rows] for item in short] == [[world.overdue_pc08.pk]]


def test_per_unit_letters_hold_exactly_each_units_tasks(world, org, people,
                                                        django_capture_on_commit_callbacks,
                                                        ) -> None:
    sent: list[tuple[str, list[str]]] = []

    def listener(sender, letter, units, **kwargs):
        sent.append((letter.number, [unit.code for unit in units]))

    urging_sent.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            issued = services.letters_generate(actor=people.staff, options=options(org))
    finally:
        urging_sent.disconnect(listener)
    assert [letter.number for letter in issued] == ["1/CATP-PV01", "2/CATP-PV01"]
    assert sent == [("1/CATP-PV01", ["PC08"]), ("2/CATP-PV01", ["PX05"])]
    pc08_letter, px05_letter = issued
    assert [row[1] for row in task_tables(read(pc08_letter))[0]] == [
        world.overdue_pc08.code, world.soon_pc08.code]
    rows = task_tables(read(px05_letter))
    assert len(rows) == 1 and [row[1] for row in rows[0]] == [world.overdue_px05.code]
    assert rows[0][0][3:] == ["15/04/2024", "16", "Quá hạn"]
    assert task_tables(read(pc08_letter))[0][1][4:] == ["—", "Sắp đến hạn"]
    # Recorded: per letter, unit and task; with the file's hash; audited.
    assert set(UrgingRecord.objects.values_list("letter__number", "unit__code", "task_id",
                                                "urged_as")) == {
        ("1/CATP-PV01", "PC08", world.overdue_pc08.pk, "overdue"),
        ("1/CATP-PV01", "PC08", world.soon_pc08.pk, "due_soon"),
        ("2/CATP-PV01", "PX05", world.overdue_px05.pk, "overdue")}
    with pc08_letter.file.open("rb") as handle:
        import hashlib
        assert hashlib.sha256(handle.read()).hexdigest() == pc08_letter.sha256
    assert AuditEvent.objects.filter(object_type="urging.urgingletter").count() == 2


def test_the_letter_has_the_decree_30_blocks_fonts_and_page(world, org, people) -> None:
    letter = services.letters_generate(
        actor=people.staff, options=options(org, unit_ids=[org.pc08.pk]))[0]
    document = read(letter)
    text = all_text(document)
    for block in ("BỘ CÔNG AN", "CÔNG AN THÀNH PHỐ ĐÀ NẴNG",
                  "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "Số: 1/CATP-PV01", "Đà Nẵng, ngày 02 tháng 5 năm 2024",
                  "V/v đôn đốc thực hiện nhiệm vụ quá hạn, sắp đến hạn",
                  "Kính gửi: Phòng Cảnh sát giao thông.", "Nơi nhận:", "- Như trên;",
                  "- Lưu: VT, PV01.", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Đại tá Trần Văn Bình",
                  "đến ngày 01/05/2024", "trước ngày 10/05/2024"):
        assert block in text, block
    assert "{{" not in text and "{%" not in text
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4
    assert abs(section.top_margin - Mm(20)) < Mm(1) and abs(section.bottom_margin - Mm(20)) < Mm(1)
    assert abs(section.left_margin - Mm(30)) < Mm(1) and abs(section.right_margin - Mm(15)) < Mm(1)
    assert document.styles["Normal"].font.name == "Times New Roman"
    runs = [run for paragraph in document.paragraphs for run in paragraph.runs if run.text]
    runs += [run for table in document.tables for row in table.rows for cell in row.cells
             for paragraph in cell.paragraphs for run in paragraph.runs if run.text.strip()]
    assert runs
    assert {run.font.name for run in runs} == {"Times New Roman"}
    sizes = {run.font.size.pt for run in runs}
    assert sizes <= {11.0, 12.0, 13.0, 14.0}
    body = [p for p in document.paragraphs if p.text.startswith(("Thực hiện", "Để bảo đảm"))]
    assert body and all(run.font.size.pt in (13.0, 14.0) for p in body for run in p.runs)
    # The Word file names Times New Roman for every script (also Vietnamese letters).
    with letter.file.open("rb") as handle:
        xml = zipfile.ZipFile(handle).read("word/document.xml").decode()
    assert 'w:eastAsia="Times New Roman"' in xml and "Arial" not in xml


def test_one_letter_to_many_units_has_an_appendix_per_unit(world, org, people) -> None:
    letter = services.letters_generate(
        actor=people.staff, options=options(org, mode="combined"))[0]
    assert sorted(letter.units.values_list("code", flat=True)) == ["PC08", "PX05"]
    document = read(letter)
    text = all_text(document)
    assert "Kính gửi:" in text and "- Phòng Cảnh sát giao thông;" in text
    assert "Phụ lục 1" in text and "Phụ lục 2" in text
    assert "chi tiết tại các Phụ lục" in text
    tables = task_tables(document)
    assert [[row[1] for row in rows] for rows in tables] == [
        [world.overdue_pc08.code, world.soon_pc08.code], [world.overdue_px05.code]]


def test_same_input_gives_the_same_bytes() -> None:
    first = letters.render_letter(letters.DEFAULT_TEMPLATE, letters.SAMPLE_FACTS)
    assert first == letters.render_letter(letters.DEFAULT_TEMPLATE, letters.SAMPLE_FACTS)


def test_a_batch_run_again_urges_nobody_twice(world, org, people) -> None:
    batch = uuid.uuid4()
    first = services.letters_generate(actor=people.staff, options=options(org), batch=batch)
    again = services.letters_generate(actor=people.staff, options=options(org), batch=batch)
    assert sorted(letter.pk for letter in again) == sorted(letter.pk for letter in first)
    assert UrgingLetter.objects.count() == 2


def test_nothing_to_urge_is_refused(world, org, people) -> None:
    from django.core.exceptions import ValidationError
    with pytest.raises(ValidationError, match="không có gì để đôn đốc"):
        services.letters_generate(actor=people.staff,
                                  options=options(org, unit_ids=[org.pc06.pk]))


def test_the_letter_renders_to_pdf_and_png_like_a_real_letter(world, org, people,
                                                              tmp_path) -> None:
    if officedocs.soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install "
                    "libreoffice-writer-nogui")
    letter = services.letters_generate(
        actor=people.staff, options=options(org, mode="combined"))[0]
    with letter.file.open("rb") as handle:
        pdf = officedocs.docx_to_pdf(handle.read())
    assert pdf.startswith(b"%PDF")
    try:
        pages = officedocs.pdf_to_png_pages(pdf, dpi=60)
    except officedocs.ConverterMissing as missing:
        pytest.skip(str(missing))
    assert len(pages) == 3  # the letter and one appendix per unit
    from pathlib import Path
    out = Path(__file__).resolve().parents[3] / "var" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    for index, page in enumerate(pages):
        (out / f"urging-letter-{index + 1}.png").write_bytes(page)
        # A4 portrait: height / width = 297 / 210.
        width = int.from_bytes(page[16:20], "big")
        height = int.from_bytes(page[20:24], "big")
        assert abs(height / width - 297 / 210) < 0.02
