"""Request and response shapes of the API (pydantic, through django-ninja).

Request bodies are strict: unknown fields, a number given as text or a date given as a
number are refused, so that a caller's mistake is reported instead of guessed at.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import P, PathEx, Schema
from pydantic import BeforeValidator, ConfigDict, Field, StrictBool, StrictInt

from dondoc.core import limits
from dondoc.organization.models import UnitKind
from dondoc.plans.models import (
    AccessLevel,
    DeadlineKind,
    DocumentKind,
    RequestStatus,
    TaskState,
)
from dondoc.progress.engine import Status

MAX_ID = limits.MAX_ID
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    """Only ``YYYY-MM-DD`` text (pydantic alone would also take numbers as timestamps)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError(_("Enter a valid date as YYYY-MM-DD."))
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(_("Enter a valid date as YYYY-MM-DD.")) from None
    if not limits.day_in_range(day):
        raise ValueError(_("Enter a date between %(first)s and %(last)s.") % {
            "first": limits.MIN_DAY.isoformat(), "last": limits.MAX_DAY.isoformat()})
    return day


def _clean_text(value: Any) -> Any:
    """Text that every database can store: no NUL character, no lone surrogate."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(_("The text contains a NUL character."))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(_("The text is not valid Unicode.")) from None
    return value


Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]
ApiDate = Annotated[dt.date, BeforeValidator(_iso_date)]
# An object id in the path: bounded, so that no database is asked for an impossible key.
ObjectId = PathEx[int, P(ge=1, le=MAX_ID)]


_CLEAN = BeforeValidator(_clean_text)
LONG = limits.LONG_TEXT_MAX  # as the pages' text areas
LongText = Annotated[str, Field(strict=True, max_length=LONG), _CLEAN]
RequiredLongText = Annotated[str, Field(strict=True, min_length=1, max_length=LONG), _CLEAN]
ShortText = Annotated[str, Field(strict=True, max_length=200), _CLEAN]
TaskCode = Annotated[str, Field(strict=True, max_length=60), _CLEAN]
TaskTitle = Annotated[str, Field(strict=True, min_length=1, max_length=1000), _CLEAN]
ProductText = Annotated[str, Field(strict=True, max_length=500), _CLEAN]
GroupNumber = Annotated[str, Field(strict=True, min_length=1, max_length=10), _CLEAN]
GroupTitle = Annotated[str, Field(strict=True, min_length=1, max_length=500), _CLEAN]
SearchText = Annotated[str, Field(max_length=200), _CLEAN]


class Body(Schema):
    """Base of request bodies: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid")


# Errors and pages ----------------------------------------------------------------------


class ErrorOut(Schema):
    code: str = Field(description="A stable machine-readable code, e.g. not_found, invalid.")
    message: str = Field(description="What went wrong, in the caller's language.")
    errors: dict[str, list[str]] = Field(description="Messages per field of the request.")


class PageMeta(Schema):
    count: int
    page: int
    page_size: int


# Units ---------------------------------------------------------------------------------


class UnitRef(Schema):
    id: int
    code: str
    name: str


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: UnitKind
    kind_label: str
    parent: int | None = Field(description="The parent unit, when it is visible to you.")
    depth: int = Field(description="1 for a root unit, 2 for its children, …")
    children: int = Field(description="Number of direct sub-units.")
    is_active: bool
    valid_from: dt.date | None
    valid_to: dt.date | None


class UnitPage(PageMeta):
    results: list[UnitOut]


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    language: str
    unit: UnitRef | None


# Documents and groups ------------------------------------------------------------------


class DocumentOut(Schema):
    id: int
    kind: DocumentKind
    kind_label: str
    number: str
    title: str
    issuer: str
    issue_date: dt.date
    summary: str
    parent: int | None
    owner_unit: UnitRef
    code_prefix: str
    access_level: AccessLevel
    shared_with_units: list[UnitRef]
    version: int


class DocumentPage(PageMeta):
    results: list[DocumentOut]


class GroupOut(Schema):
    id: int
    document: int
    number: str
    title: str
    order: int


class GroupPage(PageMeta):
    results: list[GroupOut]


class GroupIn(Body):
    number: GroupNumber
    title: GroupTitle
    order: Annotated[StrictInt, Field(ge=0, le=32767)] | None = None


DocumentNumber = Annotated[str, Field(strict=True, min_length=1, max_length=60), _CLEAN]
DocumentTitle = Annotated[str, Field(strict=True, min_length=1, max_length=500), _CLEAN]
Issuer = Annotated[str, Field(strict=True, min_length=1, max_length=255), _CLEAN]
CodePrefix = Annotated[str, Field(strict=True, min_length=1, max_length=20), _CLEAN]


class DocumentCreateIn(Body):
    kind: DocumentKind
    number: DocumentNumber
    title: DocumentTitle
    issuer: Issuer
    issue_date: ApiDate
    summary: LongText = ""
    parent: Id | None = Field(default=None, description="The document this one implements.")
    owner_unit: Id | None = Field(default=None, description=(
        "The managing unit (one you manage); default: the top of your scope."))
    code_prefix: CodePrefix = Field(description=(
        "Prefix of the codes of its tasks, e.g. KH118; unique."))
    access_level: AccessLevel = Field(default=AccessLevel.INTERNAL, description=(
        "public: anyone, also on the public portal; internal: every account of the "
        "agency's own units, not external agencies; restricted: only the units of "
        "shared_with_units and the managing unit's scope."))
    shared_with_units: Annotated[list[Id], Field(max_length=200)] = Field(
        default_factory=list, description="For a restricted document: the units (with "
        "their sub-units) that may read it.")


# Tasks ---------------------------------------------------------------------------------

Priority = Annotated[StrictInt, Field(ge=1, le=4)]


class PersonRef(Schema):
    id: int
    name: str
    unit: int | None


class TaskOut(Schema):
    id: int
    code: str
    title: str
    document: int
    group: int | None
    parent: int | None
    lead_unit: UnitRef
    coordinating_units: list[UnitRef]
    assignees: list[PersonRef] = Field(description=(
        "Officers named as responsible for the task inside their unit (cán bộ được giao)."))
    assigning_unit: int
    deadline_kind: DeadlineKind
    due_date: dt.date | None = Field(description="The original due date.")
    deadline: dt.date | None = Field(description="The deadline in force at the date asked.")
    expected_product: str
    priority: int
    tags: str
    state: TaskState
    progress: int
    status: Status | None = Field(
        description="Timeliness at the date asked; null when the task does not count then "
                    "(not yet assigned, or cancelled).")
    status_label: str
    due_soon: bool
    no_deadline: bool = Field(False, description=(
        "In progress with its deadline still to be set (deadline kind none); left out of "
        "the on-time rate."))
    not_started: bool
    assigned_on: dt.date
    completed_on: dt.date | None
    is_public: bool
    version: int


class TaskDetailOut(TaskOut):
    description: str
    days_overdue: int
    late: bool
    as_of: dt.date


class TaskPage(PageMeta):
    results: list[TaskOut]


class TaskCreateIn(Body):
    document: Id | None = Field(default=None, description="Required unless parent is given.")
    parent: Id | None = Field(default=None, description=(
        "Cascade: create a sub-task of this task for a sub-unit of its lead unit."))
    group: Id | None = None
    code: TaskCode = Field(default="", description="Empty: numbered automatically.")
    title: TaskTitle
    description: LongText = ""
    lead_unit: Id
    coordinating_units: Annotated[list[Id], Field(max_length=200)] = []
    deadline_kind: DeadlineKind = DeadlineKind.FIXED
    due_date: ApiDate | None = None
    expected_product: ProductText = ""
    priority: Priority = 2
    tags: ShortText = ""
    is_public: StrictBool = False


# The default of update fields: "not sent". It is never validated, so a field that is
# sent must have its type (sending null for a title is an error, not "unchanged").
UNSET: Any = None


def _without_null_defaults(schema: dict[str, Any]) -> None:
    for field in schema.get("properties", {}).values():
        if field.get("default", "") is None:
            del field["default"]


class DocumentUpdateIn(Body):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_without_null_defaults)

    kind: DocumentKind = Field(default=UNSET)
    number: DocumentNumber = Field(default=UNSET)
    title: DocumentTitle = Field(default=UNSET)
    issuer: Issuer = Field(default=UNSET)
    issue_date: ApiDate = Field(default=UNSET)
    summary: LongText = Field(default=UNSET)
    parent: Id | None = Field(default=UNSET)
    owner_unit: Id = Field(default=UNSET)
    code_prefix: CodePrefix = Field(default=UNSET)
    access_level: AccessLevel = Field(default=UNSET)
    shared_with_units: Annotated[list[Id], Field(max_length=200)] = Field(default=UNSET)


class TaskUpdateIn(Body):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_without_null_defaults)

    group: Id | None = Field(default=UNSET)
    title: TaskTitle = Field(default=UNSET)
    description: LongText = Field(default=UNSET)
    lead_unit: Id = Field(default=UNSET)
    coordinating_units: Annotated[list[Id], Field(max_length=200)] = Field(default=UNSET)
    deadline_kind: DeadlineKind = Field(default=UNSET)
    due_date: ApiDate | None = Field(default=UNSET)
    expected_product: ProductText = Field(default=UNSET)
    priority: Priority = Field(default=UNSET)
    tags: ShortText = Field(default=UNSET)
    is_public: StrictBool = Field(default=UNSET)


class ReasonIn(Body):
    reason: RequiredLongText


# Workflow records ----------------------------------------------------------------------


class ProgressOut(Schema):
    id: int
    task: int
    unit: UnitRef
    author: str
    reported_on: dt.date
    percent: int
    results: str
    difficulties: str
    proposals: str
    corrects: int | None


class ProgressPage(PageMeta):
    results: list[ProgressOut]


class ProgressIn(Body):
    unit: Id | None = Field(default=None, description=(
        "The reporting unit (the lead or a coordinating unit in your own subtree); "
        "default: the first of them."))
    percent: Annotated[StrictInt, Field(ge=0, le=100)]
    results: RequiredLongText
    difficulties: LongText = ""
    proposals: LongText = ""
    corrects: Id | None = Field(default=None, description="An earlier update this corrects.")


class DirectionOut(Schema):
    id: int
    task: int
    author: str
    text: str
    created_at: dt.datetime
    acknowledged_by: str
    acknowledged_at: dt.datetime | None


class DirectionPage(PageMeta):
    results: list[DirectionOut]


class DirectionIn(Body):
    text: RequiredLongText


class CompletionOut(Schema):
    id: int
    task: int
    submitted_by: str
    submitted_on: dt.date
    deadline_at_submission: dt.date | None
    late: bool
    note: str
    status: RequestStatus
    decided_by: str
    decided_on: dt.date | None
    decision_note: str


class CompletionPage(PageMeta):
    results: list[CompletionOut]


class CompletionIn(Body):
    note: RequiredLongText


class ExtensionOut(Schema):
    id: int
    task: int
    requested_by: str
    requested_on: dt.date
    current_due: dt.date | None = Field(description=(
        "Null when the record set the first deadline of a task assigned without one."))
    proposed_due: dt.date
    reason: str
    status: RequestStatus
    decided_by: str
    decided_on: dt.date | None
    decision_note: str


class ExtensionPage(PageMeta):
    results: list[ExtensionOut]


class ExtensionIn(Body):
    proposed_due: ApiDate
    reason: RequiredLongText


class DecisionIn(Body):
    decision: Literal["approve", "refuse"]
    note: LongText = ""


# Multipart forms: form fields arrive as text, so numbers are parsed (not strict).
FormText = Annotated[str, Field(max_length=LONG), _CLEAN]
RequiredFormText = Annotated[str, Field(min_length=1, max_length=LONG), _CLEAN]
FormId = Annotated[int, Field(ge=1, le=MAX_ID)]


class ProgressForm(Schema):
    unit: FormId | None = Field(default=None, description=(
        "The reporting unit (the lead or a coordinating unit in your own subtree); "
        "default: the first of them."))
    percent: Annotated[int, Field(ge=0, le=100)]
    results: RequiredFormText
    difficulties: FormText = ""
    proposals: FormText = ""
    corrects: FormId | None = Field(default=None, description="An earlier update this corrects.")


class CompletionForm(Schema):
    note: RequiredFormText


class TaskFileOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: dt.datetime


class ProgressWithFilesOut(ProgressOut):
    files: list[TaskFileOut]


class CompletionWithFilesOut(CompletionOut):
    files: list[TaskFileOut]


class ExtensionForm(Schema):
    proposed_due: ApiDate
    reason: RequiredFormText


class ExtensionWithFilesOut(ExtensionOut):
    files: list[TaskFileOut]


class DirectionForm(Schema):
    text: RequiredFormText


class DirectionWithFilesOut(DirectionOut):
    files: list[TaskFileOut]


class CommentOut(Schema):
    id: int
    task: int
    author: str
    text: str
    created_at: dt.datetime


class CommentPage(PageMeta):
    results: list[CommentOut]


class CommentIn(Body):
    text: Annotated[str, Field(strict=True, min_length=1, max_length=2000), _CLEAN]


class AssigneesIn(Body):
    officers: list[Id] = Field(max_length=100, description=(
        "Officers of your unit responsible for the task; an empty list gives it back to the "
        "unit as a whole. Officers of other units named on the task stay."))


class BulkConfirmIn(Body):
    tasks: list[Id] = Field(min_length=1, max_length=200, description=(
        "Tasks whose pending completion request you confirm."))


class BulkOutcomeOut(Schema):
    task: int
    code: str
    confirmed: bool
    error: str = Field(description="Why this task was not confirmed; empty when it was.")


class BulkConfirmOut(Schema):
    confirmed: int
    results: list[BulkOutcomeOut]


# Statistics ----------------------------------------------------------------------------


class CountsOut(Schema):
    total: int
    completed_on_time: int
    completed_late: int
    awaiting_confirmation: int
    awaiting_late: int
    in_progress_on_time: int
    in_progress_overdue: int
    due_soon: int
    standing: int
    suspended: int
    not_started: int
    no_deadline: int = Field(description=(
        "Part of in_progress_on_time: tasks whose deadline is still to be set."))
    completed: int
    open: int
    overdue_total: int
    on_time_rate: float | None = Field(description=(
        "Completed on time ÷ (completed + open tasks past their deadline); null when "
        "nothing is due yet."))
    on_time_percent: float | None = Field(description=(
        "The on-time rate in percent, rounded half up to one decimal, as the pages show "
        "it (2/7 → 28.6)."))


class StatGroupOut(Schema):
    key: int | None
    label: str
    counts: CountsOut


class StatisticsOut(Schema):
    as_of: dt.date
    unit: int | None
    document: int | None
    counts: CountsOut
    groups: list[StatGroupOut]
