"""Import a task appendix (Excel) into a document: preview first, then save all or nothing.

:mod:`dondoc.imports.importing` reads the workbook without touching the database. This
module puts it in context: it builds the unit directory from the units the user may
assign to (with the collective phrases of the organisation), adds the checks that need
the document (groups already there, field lengths), and commits a clean preview through
the ordinary services, so every group and task is validated and audited as if it had
been entered by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dondoc.audit.models import Action
from dondoc.audit.services import record
from dondoc.imports.importing import (
    KIND_GROUP,
    KIND_OUTPUT,
    KIND_TASK,
    LEVEL_ERROR,
    LEVEL_WARNING,
    MESSAGES,
    ImportPreview,
    ParsedRow,
    RowIssue,
    UnitDirectory,
    UnitRef,
    parse_workbook,
)
from dondoc.imports.models import ReviewFlag, UnitGroup
from dondoc.organization import scoping
from dondoc.organization.models import Unit, UnitKind
from dondoc.plans import services
from dondoc.plans.models import DeadlineKind, Document, Task, TaskGroup

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = [
    "COLLECTIVE_PHRASES",
    "IMPORT_MESSAGES",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ImportIssue",
    "ImportRefused",
    "ImportResult",
    "check_file",
    "import_commit",
    "import_preview",
    "lead_choices",
    "preview_fingerprint",
    "unit_directory",
]

MAX_FILE_BYTES: Final = 10 * 1024 * 1024
# The workbook's unpacked size, rows, columns and merged ranges are checked before it is
# loaded: see dondoc.imports.workbook_limits.
MAX_ROWS: Final = 10000
XLSX_MAGIC: Final = b"PK\x03\x04"

# Phrases that stand for every unit of a kind. "CA …" for "Công an …" is added by the
# directory itself; matching ignores case, diacritics and spaces around punctuation.
COLLECTIVE_PHRASES: Final[dict[str, tuple[str, ...]]] = {
    UnitKind.DISTRICT: (
        "Công an các quận, huyện",
        "Công an các quận huyện",
        "Công an các quận, huyện, thị xã",
        "Công an các huyện, quận",
        "Công an quận, huyện",
        "Công an các quận",
    ),
    UnitKind.WARD: (
        "Công an các xã, phường",
        "Công an các phường, xã",
        "Công an các xã, phường, thị trấn",
        "Công an các phường, xã, thị trấn",
        "Công an xã, phường",
        "Công an phường, xã",
        "Công an các phường",
        "Công an các xã",
    ),
    UnitKind.DEPARTMENT: (
        "Các phòng nghiệp vụ",
        "Các phòng nghiệp vụ Công an thành phố",
        "Các phòng chức năng",
        "Các phòng",
    ),
}

# Issues that need the database (the document's groups, the model's field lengths). Same
# shape as the parser's catalogue: English msgids, %(name)s placeholders, stable codes.
IMPORT_MESSAGES: Final[dict[str, StrOrPromise]] = {
    "file_too_large": _("The file is larger than %(limit)s MB: split it into several files."),
    "not_xlsx": _(
        "Only Excel workbooks (.xlsx) can be imported; “%(name)s” is not one. Open it in "
        "Excel and save it as “Excel Workbook (.xlsx)”."
    ),
    "empty_file": _("The file is empty."),
    "group_exists": _(
        "Group %(number)s already exists in this document (“%(title)s”): its tasks are "
        "added to it."
    ),
    "group_repeated": _(
        "Group %(number)s already appears in row %(row)s: its tasks are added to it."
    ),
    "group_title_too_long": _(
        "The group title is too long: %(length)s characters, at most %(max)s."
    ),
    "group_number_too_long": _(
        "The group number “%(number)s” is too long: at most %(max)s characters."
    ),
    "product_too_long": _("The product is too long: %(length)s characters, at most %(max)s."),
}

_SIMPLE_NUMBER = re.compile(r"^\d{1,4}(?:\.\d{1,4}){0,3}$")
_ROMAN_NUMERALS: Final = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)


@dataclass
class ImportIssue(RowIssue):
    """An issue found with the database's help; its text comes from IMPORT_MESSAGES."""

    @property
    def message(self) -> str:
        return str(IMPORT_MESSAGES[self.code]) % self.params


@dataclass(frozen=True)
class ImportResult:
    """What a commit saved."""

    groups_created: int
    groups_reused: int
    tasks_created: int
    task_codes: tuple[str, ...]
    outputs_created: int = 0


# ---------------------------------------------------------------------------------------
# The file
# ---------------------------------------------------------------------------------------


def _refuse(code: str, **params: Any) -> ValidationError:
    return ValidationError(str(IMPORT_MESSAGES[code]) % params, code=code)


def check_file(*, name: str, size: int, head: bytes) -> None:
    """Refuse anything but an .xlsx of at most 10 MB, by name, size *and* content.

    ``head`` is the first bytes of the file (four are enough). Raises ValidationError.
    """
    if PurePath(name).suffix.lower() != ".xlsx":
        raise _refuse("not_xlsx", name=PurePath(name).name or "?")
    if size > MAX_FILE_BYTES:
        raise _refuse("file_too_large", limit=MAX_FILE_BYTES // (1024 * 1024))
    if size == 0:
        raise _refuse("empty_file")
    if not head.startswith(XLSX_MAGIC):  # a PDF, a .xls or a text file renamed .xlsx
        raise _refuse("not_xlsx", name=PurePath(name).name)


# ---------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    units: list[Unit]
    collectives: dict[str, list[int]]

    @property
    def allowed_ids(self) -> set[int]:
        ids = {unit.pk for unit in self.units}
        for members in self.collectives.values():
            ids.update(members)
        return ids


_UNIT_FIELDS = ("id", "code", "name", "short_name", "kind", "is_active", "path", "depth")


def _assign_scope(user: Any | None) -> _Scope:
    """The units ``user`` may name in an appendix (``None``: the console, every unit)."""
    if user is None:
        assignable: QuerySet[Unit] = Unit.objects.filter(is_active=True)
        everything: QuerySet[Unit] = Unit.objects.all()
    else:
        assignable = scoping.units_assignable_by(user)
        everything = scoping.units_visible_to(user)
    units = list(assignable.only(*_UNIT_FIELDS).order_by("path"))
    if not units:
        return _Scope([], {})
    kinds = tuple(COLLECTIVE_PHRASES)
    members: dict[str, list[int]] = {kind: [] for kind in kinds}
    for unit in units:
        if unit.kind in members:
            members[unit.kind].append(unit.pk)
    missing = [kind for kind, ids in members.items() if not ids]
    if missing:
        # District police dissolved in 2025 are still named in older appendices: when a
        # kind has no active unit left in the scope, the phrase stands for the dissolved
        # ones. (The visible scope is the assignable one, dissolved units included.)
        for unit_id, kind in everything.filter(kind__in=missing).values_list("id", "kind"):
            members[kind].append(unit_id)
    collectives = {
        phrase: members[kind]
        for kind, phrases in COLLECTIVE_PHRASES.items()
        if members[kind]
        for phrase in phrases
    }
    collectives.update(_group_phrases(user, {unit.pk for unit in units}))
    return _Scope(units, collectives)


def _group_phrases(user: Any | None, assignable: set[int]) -> dict[str, list[int]]:
    """Phrase → member units of the unit groups ``user`` sees (members limited to the
    units the user may assign to). Two queries, whatever the number of groups."""
    groups = UnitGroup.objects.all()
    if user is not None:
        groups = groups.filter(Q(owner_unit__isnull=True)
                               | scoping.unit_scope_q(user, "owner_unit"))
    members: dict[int, list[int]] = {}
    through = UnitGroup.units.through
    for group_id, unit_id in through.objects.filter(unitgroup__in=groups).order_by(
            "unit__path").values_list("unitgroup_id", "unit_id"):
        if unit_id in assignable:
            members.setdefault(group_id, []).append(unit_id)
    phrases: dict[str, list[int]] = {}
    for group in groups:
        if members.get(group.pk):
            for phrase in group.phrases:
                phrases[phrase] = members[group.pk]
    return phrases


def unit_directory(user: Any | None) -> UnitDirectory:
    """The directory the parser resolves unit cells with, for ``user``."""
    scope = _assign_scope(user)
    return _directory(scope)


def _directory(scope: _Scope) -> UnitDirectory:
    refs = [
        UnitRef(unit.pk, unit.code, unit.name, unit.short_name, unit.kind) for unit in scope.units
    ]
    return UnitDirectory(refs, scope.collectives)


# ---------------------------------------------------------------------------------------
# Preview
# ---------------------------------------------------------------------------------------


def _field_max(model: Any, name: str) -> int:
    length = model._meta.get_field(name).max_length
    assert isinstance(length, int)
    return length


def import_preview(*, user: Any | None, document: Document, data: bytes) -> ImportPreview:
    """Read ``data`` as the task appendix of ``document``; nothing is saved.

    ``document`` may be unsaved (``import-tasks --new-document`` previews before creating
    it); its managing unit is the provisional lead of rows whose lead cannot be read.
    Raises ValidationError for a file that is too large (or unpacks too large); any other
    problem, including "not an Excel workbook", is an issue of the returned preview.
    """
    if len(data) > MAX_FILE_BYTES:
        raise _refuse("file_too_large", limit=MAX_FILE_BYTES // (1024 * 1024))
    preview = parse_workbook(data, _directory_with(user, document), max_rows=MAX_ROWS,
                             fallback_lead_id=document.owner_unit_id)
    _check_against_document(preview, document)
    return preview


def _directory_with(user: Any | None, document: Document) -> UnitDirectory:
    """The user's directory, which also knows the document's managing unit (the
    provisional lead), even when the user could not otherwise name it."""
    scope = _assign_scope(user)
    if document.owner_unit_id not in {unit.pk for unit in scope.units}:
        scope.units.append(document.owner_unit)
    return _directory(scope)


def _check_against_document(preview: ImportPreview, document: Document) -> None:
    existing = (dict(document.groups.values_list("number", "title")) if document.pk
                else {})
    title_max = _field_max(TaskGroup, "title")
    number_max = _field_max(TaskGroup, "number")
    product_max = _field_max(Task, "expected_product")
    seen: dict[str, int] = {}
    for row in preview.rows:
        if row.kind == KIND_GROUP:
            if row.number and row.number in seen:
                row.issues.append(ImportIssue(
                    LEVEL_WARNING, "group_repeated",
                    {"number": row.number, "row": str(seen[row.number])}))
            elif row.number in existing:
                row.issues.append(ImportIssue(
                    LEVEL_WARNING, "group_exists",
                    {"number": row.number, "title": existing[row.number]}))
            if row.number:
                seen.setdefault(row.number, row.row_number)
            if len(row.number) > number_max:
                row.issues.append(ImportIssue(
                    LEVEL_ERROR, "group_number_too_long",
                    {"number": row.number, "max": str(number_max)}))
            if title_max < len(row.title) and not _has(row, "title_too_long"):
                row.issues.append(ImportIssue(
                    LEVEL_ERROR, "group_title_too_long",
                    {"length": str(len(row.title)), "max": str(title_max)}))
        elif row.kind in (KIND_TASK, KIND_OUTPUT) and len(row.product) > product_max:
            row.issues.append(ImportIssue(
                LEVEL_ERROR, "product_too_long",
                {"length": str(len(row.product)), "max": str(product_max)}))


def _has(row: ParsedRow, code: str) -> bool:
    return any(issue.code == code for issue in row.issues)


def preview_fingerprint(preview: ImportPreview) -> str:
    """A digest of what would be saved: the confirm step checks it is still the same."""
    payload = [
        [
            row.row_number, row.kind, row.number, row.title, row.description, row.note,
            row.product, row.lead_unit_id, row.coordinating_unit_ids, row.group_row,
            row.deadline.kind if row.deadline else None,
            row.deadline.due.isoformat() if row.deadline and row.deadline.due else None,
            row.status, row.parent_row, row.extra, [issue.code for issue in row.issues],
        ]
        for row in preview.rows
    ]
    payload.append([issue.code for issue in preview.file_issues])
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------
# Commit
# ---------------------------------------------------------------------------------------

DEADLINE_KINDS: Final[dict[str, str]] = {
    "fixed": DeadlineKind.FIXED,
    "monthly": DeadlineKind.MONTHLY,
    "quarterly": DeadlineKind.QUARTERLY,
    "yearly": DeadlineKind.YEARLY,
    "standing": DeadlineKind.STANDING,
    "none": DeadlineKind.NONE,
}


ImportProgress = Callable[[int, int, str], None]  # done, total, what is being done


class ImportRefused(ValidationError):
    """The preview cannot be saved (it has errors, or names units out of scope)."""


def _roman(number: int) -> str:
    out = []
    for value, letters in _ROMAN_NUMERALS:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def _group_numbers(preview: ImportPreview, taken: Iterable[str]) -> dict[int, str]:
    """Excel row of each group → its number; unnumbered groups get the next free numeral."""
    used = set(taken) | {row.number for row in preview.groups if row.number}
    numbers: dict[int, str] = {}
    counter = 0
    for row in preview.groups:
        if row.number:
            numbers[row.row_number] = row.number
            continue
        counter += 1
        while _roman(counter) in used:
            counter += 1
        numbers[row.row_number] = _roman(counter)
        used.add(numbers[row.row_number])
    return numbers


def _task_codes(
    document: Document, tasks: Sequence[tuple[ParsedRow, TaskGroup | None]]
) -> list[str]:
    """A code per task: ``PREFIX-GROUP.NUMBER`` with the number written in the file when it
    is free, otherwise the next free number (the rule of ``services.next_task_code``)."""
    prefix = document.code_prefix
    taken = set(Task.objects.filter(code__startswith=prefix).values_list("code", flat=True))

    def base(group: TaskGroup | None) -> str:
        return f"{prefix}-{group.number}" if group is not None else prefix

    codes: list[str | None] = []
    for row, group in tasks:  # first the numbers the file gives
        code = f"{base(group)}.{row.number}" if _SIMPLE_NUMBER.match(row.number) else None
        if code is not None and (code in taken or len(code) > _field_max(Task, "code")):
            code = None
        if code is not None:
            taken.add(code)
        codes.append(code)
    result: list[str] = []
    for (_row, group), code in zip(tasks, codes, strict=True):
        if code is None:
            number = 1
            while f"{base(group)}.{number}" in taken:
                number += 1
            code = f"{base(group)}.{number}"
            taken.add(code)
        result.append(code)
    return result


def _flag_rows(preview: ImportPreview,
               lead_overrides: Mapping[int, int]) -> dict[int, list[RowIssue]]:
    """Excel row → the flags its task keeps. A lead chosen in the preview among the row's
    candidates settles the lead flags of that row."""
    lead_codes = {"several_leads", "conditional_lead", "provisional_lead", "vague_lead",
                  "missing_lead"}
    flags: dict[int, list[RowIssue]] = {}
    for row in preview.rows:
        kept = row.flags
        if row.row_number in lead_overrides:
            kept = [issue for issue in kept
                    if not (issue.code in lead_codes or issue.column == "lead")]
        flags[row.row_number] = kept
    return flags


def lead_choices(row: ParsedRow) -> list[int]:
    """The units the preview offers as lead of a flagged row (several or conditional
    leads): choosing one there settles the flag."""
    return list(row.lead_candidates) if len(row.lead_candidates) > 1 else []


def import_commit(*, actor: Any | None, document: Document, preview: ImportPreview,
                  assigned_on: dt.date | None = None,
                  lead_overrides: Mapping[int, int] | None = None,
                  progress: ImportProgress | None = None,
                  before_publish: Callable[[], None] | None = None) -> ImportResult:
    """Create the preview's groups, tasks and outputs in ``document``: all or none.

    Groups are matched to the document's existing groups by number; tasks are assigned by
    the document's managing unit on ``assigned_on`` (default: the document's issue date),
    validated and audited one by one; an output row becomes a sub-task of its task. Every
    flag of a saved row is stored with its task for review. ``lead_overrides`` (Excel row
    → unit id) applies leads chosen in the preview among a row's candidates.

    The top-level tasks are prepared and validated first, without writing; then one
    transaction saves everything, so a large appendix holds the database's write lock (on
    SQLite, the whole database) as briefly as possible. ``progress(done, total, message)``
    is told how far it got; ``before_publish()`` runs first inside that transaction (a job
    checks it still holds its lease). Raises :class:`ImportRefused` when the preview has
    errors, or when the document changed meanwhile so that a task code is no longer free.
    """
    if preview.has_errors:
        raise ImportRefused(_("The file has errors: correct them and upload it again."),
                            code="has_errors")
    if not preview.tasks:
        raise ImportRefused(MESSAGES["no_tasks"], code="no_tasks")
    overrides = dict(lead_overrides or {})
    by_row = {row.row_number: row for row in preview.rows}
    for row_number, unit_id in overrides.items():
        row = by_row.get(row_number)
        if row is None or unit_id not in lead_choices(row):
            raise ImportRefused(_("The lead chosen for row %(row)s is not one of its "
                                  "candidates.") % {"row": row_number}, code="bad_choice")
    report = progress or _no_progress
    total = 2 * len(preview.tasks)  # preparing, then saving, weigh the same
    report(0, total, str(_("Checking the tasks")))
    document = Document.objects.select_related("owner_unit").get(pk=document.pk)
    scope = _assign_scope(actor)
    allowed = scope.allowed_ids | {document.owner_unit_id}
    saved_rows = [row for row in preview.rows if row.kind in (KIND_TASK, KIND_OUTPUT)]
    leads: dict[int, int] = {}
    coordinators: dict[int, list[int]] = {}
    for row in saved_rows:
        lead = overrides.get(row.row_number, row.lead_unit_id)
        if lead is None:
            raise ImportRefused(_("Row %(row)s has no lead unit.") % {"row": row.row_number},
                                code="no_lead")
        leads[row.row_number] = lead
        coordinators[row.row_number] = [
            unit_id for unit_id in dict.fromkeys(
                [*row.coordinating_unit_ids,
                 *([row.lead_unit_id] if row.row_number in overrides and row.lead_unit_id
                   else [])])
            if unit_id != lead]
    wanted = set(leads.values()) | {i for ids in coordinators.values() for i in ids}
    if not wanted <= allowed:
        raise ImportRefused(_("The file names units you may not assign tasks to."),
                            code="out_of_scope")
    units: Mapping[int, Unit] = Unit.objects.in_bulk(wanted)

    # Prepare: the groups to create are unsaved placeholders until the publish step.
    groups: dict[str, TaskGroup] = {group.number: group for group in document.groups.all()}
    existing = set(groups)
    titles = {row.row_number: row.title for row in preview.groups}
    group_of_row: dict[int, TaskGroup] = {}
    for row_number, number in _group_numbers(preview, existing).items():
        if number not in groups:
            groups[number] = TaskGroup(document=document, number=number,
                                       title=titles[row_number])
        group_of_row[row_number] = groups[number]
    used = {group.number for group in group_of_row.values()}
    reused = len(used & existing)
    day = assigned_on or document.issue_date

    def new_task(row: ParsedRow, group: TaskGroup | None, code: str,
                 parent: Task | None = None) -> services.NewTask:
        assert row.deadline is not None
        description = "\n\n".join(part for part in (row.description, row.note) if part)
        return services.NewTask(
            group=group, code=code, title=row.title, description=description,
            lead_unit=units[leads[row.row_number]],
            coordinating_units=[units[i] for i in coordinators[row.row_number]],
            deadline_kind=DEADLINE_KINDS[row.deadline.kind], due_date=row.deadline.due,
            expected_product=row.product, parent=parent, starts_on=row.deadline.start,
            deadline_text=row.deadline_text, extra_columns=dict(row.extra),
        )

    rows = [(row, group_of_row.get(row.group_row) if row.group_row else None)
            for row in preview.tasks]
    codes = _task_codes(document, rows)
    items = [new_task(row, group, code) for (row, group), code in zip(rows, codes, strict=True)]
    checking = str(_("Checking the tasks"))
    batch = services.tasks_bulk_prepare(
        actor=actor, document=document, assigning_unit=document.owner_unit, items=items,
        assigned_on=day, progress=lambda done: report(done, total, checking))
    report(len(batch.tasks), total,
           str(_("Saving %(count)s tasks") % {"count": len(batch.tasks)}))

    # Publish: one short transaction, all or nothing.
    with transaction.atomic():
        if before_publish is not None:
            before_publish()
        # One import into a document at a time (a row lock; SQLite locks the database).
        document = Document.objects.select_for_update().select_related("owner_unit").get(
            pk=document.pk)
        if Task.objects.filter(code__in=codes).exists():
            raise ImportRefused(_("The document changed while the import was being "
                                  "prepared: check the preview and import again."),
                                code="changed")
        current = {group.number: group for group in document.groups.all()}
        order = max((group.order for group in current.values()), default=0)
        created = 0
        saved: dict[str, TaskGroup] = {}
        for number, group in groups.items():
            if group.pk is not None:
                continue
            if number in current:  # created meanwhile by someone else: use it
                saved[number] = current[number]
                continue
            order += 1
            created += 1
            saved[number] = services.group_create(
                actor=actor, document=document, number=number, title=group.title,
                order=order)
        for task in batch.tasks:
            if task.group is not None and task.group.pk is None:
                task.group = saved[task.group.number]
        tasks = services.tasks_bulk_insert(actor=actor, batch=batch)
        task_of_row = {row.row_number: task
                       for (row, _group), task in zip(rows, tasks, strict=True)}
        # Second outputs become sub-tasks of the task above: few, saved once their
        # parents have ids.
        outputs: list[services.NewTask] = []
        output_rows: list[ParsedRow] = []
        taken = set(Task.objects.filter(parent__in=tasks).values_list("code", flat=True))
        for row in preview.outputs:
            parent = task_of_row.get(row.parent_row or 0)
            if parent is None:
                continue
            index = 1
            while f"{parent.code}.{index}" in taken:
                index += 1
            taken.add(f"{parent.code}.{index}")
            outputs.append(new_task(row, parent.group, f"{parent.code}.{index}", parent))
            output_rows.append(row)
        children = services.tasks_bulk_create(
            actor=actor, document=document, assigning_unit=document.owner_unit,
            items=outputs, assigned_on=day) if outputs else []
        task_of_row.update({row.row_number: task
                            for row, task in zip(output_rows, children, strict=True)})
        flags = _flag_rows(preview, overrides)
        ReviewFlag.objects.bulk_create([
            ReviewFlag(task=task, code=issue.code, message=issue.message[:2000],
                       column=issue.column, cell_text=issue.cell[:2000],
                       row_number=row_number)
            for row_number, task in task_of_row.items()
            for issue in flags.get(row_number, [])
        ], batch_size=1000)
        record(actor=actor, action=Action.CREATE, obj=document,
               unit_id=document.owner_unit_id, message="import",
               changes={"imported_tasks": [None, len(tasks)],
                        "imported_outputs": [None, len(children)],
                        "created_groups": [None, created],
                        "assigned_on": [None, day.isoformat()]})
    report(total, total, str(_("Saved")))
    return ImportResult(groups_created=created, groups_reused=reused, tasks_created=len(tasks),
                        task_codes=tuple(task.code for task in tasks),
                        outputs_created=len(children))


def _no_progress(done: int, total: int, message: str) -> None:
    return None
