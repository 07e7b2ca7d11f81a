"""Urging letters and the tasks they urged in the JSON API, with the pages' scoping."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema
from pydantic import Field

from dondoc.api.common import PageQuery, paginate, responses, unit_ref, user
from dondoc.api.schemas import ObjectId, PageMeta, QueryId
from dondoc.urging import selectors
from dondoc.urging.models import UrgingLetter, UrgingRecord

router = Router(tags=["urging"])


class LetterOut(Schema):
    id: int
    number: str
    letter_date: dt.date
    as_of: dt.date
    subject: str
    mode: str = Field(description="per_unit or combined (one letter, an appendix per unit).")
    units: list[dict[str, Any]] = Field(description="The units it is addressed to.")
    signer: str
    sha256: str
    download_url: str


class LetterPage(PageMeta):
    results: list[LetterOut]


class RecordOut(Schema):
    letter: int
    letter_number: str
    letter_date: dt.date
    unit: dict[str, Any]
    task: dict[str, Any]
    urged_as: str = Field(description="overdue or due_soon.")
    deadline: dt.date | None
    days_overdue: int | None


class RecordPage(PageMeta):
    results: list[RecordOut]


class LetterQuery(PageQuery):
    unit: QueryId | None = Field(None, description="Only letters addressed to this unit.")


class RecordQuery(PageQuery):
    task: QueryId | None = Field(None, description="Only this task's urgings.")
    unit: QueryId | None = Field(None, description="Only the urgings of this unit.")
    letter: QueryId | None = Field(None, description="Only the tasks of this letter.")


def present_letter(letter: UrgingLetter) -> dict[str, Any]:
    return {
        "id": letter.pk, "number": letter.number, "letter_date": letter.letter_date,
        "as_of": letter.as_of, "subject": letter.subject, "mode": letter.mode,
        "units": [unit_ref(unit) for unit in letter.units.all()],
        "signer": f"{letter.signer_position} {letter.signer_name}".strip(),
        "sha256": letter.sha256,
        "download_url": reverse("urging_letter_download", args=[letter.pk]),
    }


def present_record(item: UrgingRecord) -> dict[str, Any]:
    return {
        "letter": item.letter_id, "letter_number": item.letter.number,
        "letter_date": item.letter.letter_date, "unit": unit_ref(item.unit),
        "task": {"id": item.task.pk, "code": item.task.code, "title": item.task.title},
        "urged_as": item.urged_as, "deadline": item.deadline,
        "days_overdue": item.days_overdue,
    }


@router.get("/urging/letters", response=responses({200: LetterPage}),
            summary="List urging letters")
def letter_list(request: HttpRequest, query: Query[LetterQuery]) -> dict[str, Any]:
    """Urging letters addressed to your units, and for staff and leaders those issued in
    their scope, newest first."""
    letters = selectors.letter_list(user=user(request), unit_id=query.unit)
    return paginate(letters, query, lambda page: [present_letter(item) for item in page])


@router.get("/urging/letters/{letter_id}", response=responses({200: LetterOut}),
            summary="One urging letter")
def letter_detail(request: HttpRequest, letter_id: ObjectId) -> dict[str, Any]:
    """An urging letter you may see; its file is at ``download_url``."""
    letter = selectors.letter_get(user=user(request), pk=letter_id)
    return present_letter(letter)


@router.get("/urging/records", response=responses({200: RecordPage}),
            summary="List urged tasks")
def record_list(request: HttpRequest, query: Query[RecordQuery]) -> dict[str, Any]:
    """Which task of which unit was urged by which letter, for the units of your scope."""
    records = selectors.record_list(user=user(request), task_id=query.task,
                                    unit_id=query.unit, letter_id=query.letter)
    return paginate(records, query, lambda page: [present_record(item) for item in page])
