"""The urging letter's template variables, built from plain data, and its rendering.

``letter_context`` turns what the services gathered (units and their tasks, the signer,
the number…) into the variables a Word template sees (docs/urging-template.md lists
them); ``SAMPLE_CONTEXT`` is the same shape filled with sample data, used to check an
uploaded template before it replaces the default one. The letter is written in
Vietnamese whatever the language of the person generating it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dondoc.core import officedocs

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "templates_docx" / "urging_letter.docx"
DEFAULT_SUBJECT = "V/v đôn đốc thực hiện nhiệm vụ quá hạn, sắp đến hạn"
STATUS_TEXT = {"overdue": "Quá hạn", "due_soon": "Sắp đến hạn"}


def day_text(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


@dataclass(frozen=True)
class UrgedTask:
    """One task of a unit's list, as the letter shows it."""

    code: str
    title: str
    deadline: dt.date | None
    urged_as: str  # "overdue" or "due_soon"
    days_overdue: int | None
    progress: int
    document_number: str = ""


@dataclass(frozen=True)
class UnitTasks:
    name: str
    code: str
    tasks: tuple[UrgedTask, ...]

    @property
    def overdue(self) -> int:
        return sum(1 for task in self.tasks if task.urged_as == "overdue")

    @property
    def due_soon(self) -> int:
        return sum(1 for task in self.tasks if task.urged_as == "due_soon")


@dataclass(frozen=True)
class LetterFacts:
    """Everything one letter says, in plain data."""

    governing_body: str
    issuer_name: str
    staff_unit_name: str
    staff_unit_code: str
    number: str
    place: str
    letter_date: dt.date
    as_of: dt.date
    subject: str
    units: tuple[UnitTasks, ...]
    combined: bool
    due_soon_days: int
    signer_authority: str
    signer_position: str
    signer_name: str
    copies_to: tuple[str, ...]
    reply_by: dt.date | None = None
    document: dict[str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _task_row(index: int, task: UrgedTask) -> dict[str, Any]:
    return {
        "index": index,
        "code": task.code,
        "title": task.title,
        "deadline": day_text(task.deadline),
        "days_overdue": str(task.days_overdue) if task.days_overdue is not None else "—",
        "status": STATUS_TEXT.get(task.urged_as, task.urged_as),
        "progress": task.progress,
        "document": task.document_number,
    }


def letter_context(facts: LetterFacts) -> dict[str, Any]:
    """The variables of the Word template for one letter."""
    header = officedocs.administrative_header(
        issuing_body=facts.issuer_name, governing_body=facts.governing_body,
        number=facts.number, place=facts.place, day=facts.letter_date)
    units = [{
        "name": unit.name, "code": unit.code,
        "overdue_count": unit.overdue, "due_soon_count": unit.due_soon,
        "tasks": [_task_row(index, task) for index, task in enumerate(unit.tasks, start=1)],
    } for unit in facts.units]
    return {
        **header,
        "issuer_name": facts.issuer_name,
        "staff_unit_name": facts.staff_unit_name,
        "staff_unit_code": facts.staff_unit_code,
        "subject": facts.subject,
        "letter_date": day_text(facts.letter_date),
        "as_of": day_text(facts.as_of),
        "reply_by": day_text(facts.reply_by),
        "due_soon_days": facts.due_soon_days,
        "document": facts.document,
        "combined": facts.combined,
        "recipients": [unit.name for unit in facts.units],
        "units": units,
        "total_overdue": sum(unit.overdue for unit in facts.units),
        "total_due_soon": sum(unit.due_soon for unit in facts.units),
        "signer_authority": facts.signer_authority,
        "signer_position": facts.signer_position,
        "signer_name": facts.signer_name,
        "copies_to": list(facts.copies_to),
        **facts.extra,
    }


def render_letter(template: Path | bytes, facts: LetterFacts) -> bytes:
    """The letter as DOCX bytes (byte-identical for the same template and facts)."""
    return officedocs.render_docx(template, letter_context(facts), when=facts.letter_date)


SAMPLE_FACTS = LetterFacts(
    governing_body="Bộ Công an",
    issuer_name="Công an thành phố Đà Nẵng",
    staff_unit_name="Phòng Tham mưu",
    staff_unit_code="PV01",
    number="15/CATP-PV01",
    place="Đà Nẵng",
    letter_date=dt.date(2026, 11, 29),
    as_of=dt.date(2026, 11, 29),
    subject=DEFAULT_SUBJECT,
    units=(
        UnitTasks("Phòng Cảnh sát giao thông", "PC08", (
            UrgedTask("KH118-III.2", "Rà soát, sắp xếp tổ chức bộ máy các đội nghiệp vụ",
                      dt.date(2026, 9, 30), "overdue", 60, 40, "118-KH/ĐUCA"),
            UrgedTask("KH118-VI.4", "Báo cáo nhu cầu trang bị phương tiện tuần tra",
                      dt.date(2026, 12, 5), "due_soon", None, 70, "118-KH/ĐUCA"),
        )),
        UnitTasks("Công an quận Hải Châu", "CAQ-HC", (
            UrgedTask("KH118-III.7", "Xây dựng mô hình Công an phường điển hình, kiểu mẫu",
                      dt.date(2026, 10, 31), "overdue", 29, 10, "118-KH/ĐUCA"),
        )),
    ),
    combined=True,
    due_soon_days=7,
    signer_authority="KT. GIÁM ĐỐC",
    signer_position="PHÓ GIÁM ĐỐC",
    signer_name="Đại tá Nguyễn Văn An",
    copies_to=("Như trên", "Đồng chí Giám đốc (để báo cáo)", "Lưu: VT, PV01"),
    reply_by=dt.date(2026, 12, 10),
    document={"kind": "Kế hoạch", "number": "118-KH/ĐUCA", "issue_date": "25/5/2022",
              "issuer": "Đảng ủy Công an Trung ương",
              "title": "thực hiện Nghị quyết số 12-NQ/TW của Bộ Chính trị"},
)


def sample_context() -> dict[str, Any]:
    return letter_context(SAMPLE_FACTS)


def check_template(template: bytes) -> None:
    """Raise ``officedocs.TemplateProblem`` unless ``template`` renders a letter to one
    unit and a letter to several units with the sample data."""
    single = LetterFacts(**{**SAMPLE_FACTS.__dict__, "units": SAMPLE_FACTS.units[:1],
                            "combined": False})
    render_letter(template, single)
    render_letter(template, SAMPLE_FACTS)
