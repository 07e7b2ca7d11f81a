"""Writes for documents and tasks: each runs in one transaction and is audited.

Every workflow step (assign, report, request completion or extension, decide, suspend,
cancel, transfer) keeps the task's derived fields (deadline in force, completion date,
pending request, last report) in step with the records the status engine reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dondoc.audit.models import Action
from dondoc.audit.services import PendingEvent, diff, record, record_many, snapshot
from dondoc.core.bulk import PreparedRows, insert_rows, prepare_rows
from dondoc.core.concurrency import ConflictError, save_versioned
from dondoc.core.files import DOCUMENT_TYPES, sha256_of, storage_name, validate_upload
from dondoc.notifications import events as notifications
from dondoc.organization import scoping
from dondoc.organization.models import Unit, User
from dondoc.plans.models import (
    AccessLevel,
    AgencyCoordination,
    CompletionRequest,
    DeadlineExtension,
    DeadlineKind,
    Direction,
    Document,
    DocumentAttachment,
    LeadUnitChange,
    RequestStatus,
    Suspension,
    Task,
    TaskComment,
    TaskEvent,
    TaskEventKind,
    TaskFile,
    TaskGroup,
    TaskState,
)
from dondoc.progress.models import ProgressUpdate

DOCUMENT_FIELDS = ["kind", "number", "title", "issuer", "issue_date", "summary", "parent",
                   "owner_unit", "code_prefix", "access_level", "shared_with_units"]
TASK_FIELDS = ["document", "group", "parent", "code", "title", "description", "lead_unit",
               "coordinating_units", "assigning_unit", "deadline_kind", "due_date", "deadline",
               "expected_product", "priority", "tags", "state", "progress", "is_public"]


COMMENT_MAX_LENGTH = 2000


class WorkflowError(Exception):
    """A step the task's current state does not allow; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DecisionRefused(WorkflowError):
    """The actor may not decide this request: they made it, their unit leads the task, or
    the task is outside what they decide (segregation of duties, docs/security.md)."""


def _check_decider(actor: Any, task: Task, requested_by_id: int | None) -> None:
    """Refuse a decision by the requester or by the lead side. Steps recorded by the system
    (no person: imports, history) are not decisions of anyone and pass."""
    if not _is_user(actor):
        return
    reason = scoping.decision_refusal(actor, task, requested_by_id)
    if reason is not None:
        raise DecisionRefused(reason)


def today() -> dt.date:
    """The business day in Asia/Ho_Chi_Minh."""
    return timezone.localdate()


def _event(task: Task, actor: Any, kind: str, summary: str, on: dt.date | None = None) -> None:
    """A timeline line; ``on`` dates it when the step is recorded after the fact."""
    at = timezone.now()
    if on is not None and on != timezone.localdate(at):
        at = timezone.make_aware(dt.datetime.combine(on, dt.time(12)))
    TaskEvent.objects.create(task=task, actor=actor if _is_user(actor) else None, kind=kind,
                             summary=summary[:500], at=at)


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _actor(actor: Any) -> Any:
    return actor if _is_user(actor) else None


# Documents ---------------------------------------------------------------------------


def _check_sharing(document: Document, shared_with_units: Sequence[Unit] | None) -> None:
    if shared_with_units and document.access_level != AccessLevel.RESTRICTED:
        raise ValidationError({"shared_with_units": _(
            "Only a restricted document is shared with chosen units; choose the access "
            "level 'restricted' or remove the units.")})


@transaction.atomic
def document_create(*, actor: Any, shared_with_units: Sequence[Unit] = (),
                    **fields: Any) -> Document:
    document = Document(**fields, created_by=_actor(actor))
    _check_sharing(document, shared_with_units)
    document.full_clean()
    document.save()
    document.shared_with_units.set(shared_with_units)
    record(actor=actor, action=Action.CREATE, obj=document, unit_id=document.owner_unit_id,
           changes=diff({}, snapshot(document, DOCUMENT_FIELDS)))
    return document


@transaction.atomic
def document_update(*, actor: Any, document: Document, expected_version: int,
                    shared_with_units: Sequence[Unit] | None = None,
                    **fields: Any) -> Document:
    """Change the fields given; ``shared_with_units`` replaces the list when given. A
    document that is no longer restricted keeps no sharing list."""
    before = snapshot(Document.objects.get(pk=document.pk), DOCUMENT_FIELDS)
    for name, value in fields.items():
        setattr(document, name, value)
    if document.parent_id and _document_is_ancestor(document, document.parent_id):
        raise ValidationError({"parent": _("A document cannot implement one of its own "
                                           "implementing documents.")})
    _check_sharing(document, shared_with_units)
    document.full_clean()
    save_versioned(document, expected_version=expected_version, fields=list(fields))
    if shared_with_units is not None:
        document.shared_with_units.set(shared_with_units)
    elif document.access_level != AccessLevel.RESTRICTED:
        document.shared_with_units.clear()
    record(actor=actor, action=Action.UPDATE, obj=document, unit_id=document.owner_unit_id,
           changes=diff(before, snapshot(document, DOCUMENT_FIELDS)))
    return document


def _document_is_ancestor(document: Document, parent_id: int) -> bool:
    """True when ``parent_id`` is the document itself or one of its descendants."""
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None and current not in seen:
        if current == document.pk:
            return True
        seen.add(current)
        current = Document.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    return False


@transaction.atomic
def document_attach(*, actor: Any, document: Document, upload: UploadedFile) -> DocumentAttachment:
    validate_upload(upload, allowed=DOCUMENT_TYPES)
    attachment = DocumentAttachment(
        document=document, original_name=(upload.name or "file")[:255], size=upload.size or 0,
        sha256=sha256_of(upload), uploaded_by=_actor(actor),
    )
    attachment.file.save(storage_name("documents", upload.name or ""), upload, save=False)
    attachment.save()
    record(actor=actor, action=Action.CREATE, obj=attachment, unit_id=document.owner_unit_id,
           changes={"file": [None, attachment.original_name], "document": [None, document.pk]})
    return attachment


@transaction.atomic
def group_create(*, actor: Any, document: Document, number: str, title: str,
                 order: int | None = None) -> TaskGroup:
    if order is None:
        order = document.groups.count() + 1
    group = TaskGroup(document=document, number=number.strip(), title=title.strip(), order=order)
    group.full_clean()
    group.save()
    record(actor=actor, action=Action.CREATE, obj=group, unit_id=document.owner_unit_id,
           changes=diff({}, snapshot(group, ["number", "title", "order"])))
    return group


# Tasks -------------------------------------------------------------------------------


def next_task_code(document: Document, group: TaskGroup | None, parent: Task | None) -> str:
    if parent is not None:
        base = parent.code
    elif group is not None:
        base = f"{document.code_prefix}-{group.number}"
    else:
        base = document.code_prefix
    taken = set(Task.objects.filter(code__startswith=f"{base}.").values_list("code", flat=True))
    number = 1
    while f"{base}.{number}" in taken:
        number += 1
    return f"{base}.{number}"


def _check_units(lead_unit: Unit, coordinating_units: Iterable[Unit]) -> list[Unit]:
    if not lead_unit.is_active:
        raise ValidationError({"lead_unit": _("%(unit)s has been dissolved; choose its "
                                              "successor.") % {"unit": lead_unit.name}})
    return [unit for unit in coordinating_units if unit.pk != lead_unit.pk]


@transaction.atomic
def task_create(
    *, actor: Any, document: Document, title: str, lead_unit: Unit,
    assigning_unit: Unit, deadline_kind: str = DeadlineKind.FIXED,
    due_date: dt.date | None = None, group: TaskGroup | None = None,
    parent: Task | None = None, coordinating_units: Sequence[Unit] = (),
    description: str = "", expected_product: str = "", priority: int = 2, tags: str = "",
    assigned_on: dt.date | None = None, code: str = "", is_public: bool = False,
) -> Task:
    """Assign a new task (or a sub-task when ``parent`` is given).

    A fixed deadline without a date is a deadline still to be set (kind ``none``); a
    deadline "to set" whose date is already given is a fixed one.
    """
    deadline_kind = _kind_for_due(deadline_kind, due_date)
    coordinators = _check_units(lead_unit, coordinating_units)
    if group is not None and group.document_id != document.pk:
        raise ValidationError({"group": _("The group belongs to another document.")})
    if parent is not None:
        if not lead_unit.is_in_subtree_of(parent.lead_unit) or lead_unit.pk == parent.lead_unit_id:
            raise ValidationError({"lead_unit": _(
                "A sub-task goes to a sub-unit of %(unit)s.") % {"unit": parent.lead_unit.name}})
        if not parent.is_open:
            raise ValidationError(_("Sub-tasks can only be added to an open task."))
    task = Task(
        document=document, group=group, parent=parent,
        code=code or next_task_code(document, group, parent), title=title.strip(),
        description=description, lead_unit=lead_unit, assigning_unit=assigning_unit,
        deadline_kind=deadline_kind, due_date=due_date if deadline_kind == DeadlineKind.FIXED
        else None, expected_product=expected_product, priority=priority, tags=tags,
        assigned_on=assigned_on or today(), is_public=is_public, created_by=_actor(actor),
        agency=scoping.agency_of(lead_unit),
    )
    task.deadline = task.due_date
    task.full_clean(exclude=["coordinating_units"])
    task.save()
    task.coordinating_units.set(coordinators)
    if coordinators:
        agency_coordinations_refresh([task.pk])
    summary = _("Assigned to %(unit)s") % {"unit": lead_unit.name}
    if parent is not None:
        _event(parent, actor, TaskEventKind.CASCADED,
               _("Sub-task %(code)s for %(unit)s") % {"code": task.code, "unit": lead_unit.name},
               on=task.assigned_on)
    _event(task, actor, TaskEventKind.ASSIGNED, summary, on=task.assigned_on)
    record(actor=actor, action=Action.CREATE, obj=task, unit_id=lead_unit.pk,
           changes=diff({}, snapshot(task, TASK_FIELDS)))
    notifications.task_created(task=task, actor=actor)
    return task


def _kind_for_due(kind: str, due_date: dt.date | None) -> str:
    if kind == DeadlineKind.FIXED and due_date is None:
        return DeadlineKind.NONE
    if kind == DeadlineKind.NONE and due_date is not None:
        return DeadlineKind.FIXED
    return kind


@dataclass(frozen=True)
class NewTask:
    """One task of a bulk creation (an imported appendix)."""

    code: str
    title: str
    lead_unit: Unit
    group: TaskGroup | None = None
    coordinating_units: Sequence[Unit] = ()
    deadline_kind: str = DeadlineKind.FIXED
    due_date: dt.date | None = None
    description: str = ""
    expected_product: str = ""
    priority: int = 2
    tags: str = ""
    parent: Task | None = None  # a second output of an imported task (same lead allowed)
    starts_on: dt.date | None = None
    deadline_text: str = ""
    extra_columns: dict[str, str] | None = None


@transaction.atomic
def tasks_bulk_create(*, actor: Any, document: Document, assigning_unit: Unit,
                      items: Sequence[NewTask], assigned_on: dt.date | None = None,
                      ) -> list[Task]:
    """Assign many tasks at once with the same rules as :func:`task_create`, in a few
    queries: validated in memory, inserted in batches, each one audited."""
    batch = tasks_bulk_prepare(actor=actor, document=document, assigning_unit=assigning_unit,
                               items=items, assigned_on=assigned_on)
    return tasks_bulk_insert(actor=actor, batch=batch)


@dataclass
class TaskBatch:
    """Tasks built, validated and converted to database rows, not saved yet."""

    tasks: list[Task]
    items: Sequence[NewTask]
    rows: PreparedRows
    changes: list[dict[str, list[Any]]]
    events: PreparedRows  # the "assigned" events, their task column filled at the insert


def tasks_bulk_prepare(*, actor: Any, document: Document, assigning_unit: Unit,
                       items: Sequence[NewTask], assigned_on: dt.date | None = None,
                       progress: Callable[[int], None] | None = None) -> TaskBatch:
    """The first half of :func:`tasks_bulk_create`: the tasks built, validated and turned
    into rows and audit changes, without writing — a long import does this outside its
    short write transaction. ``progress(n)`` is called every few hundred tasks. A group
    of an item may still be unsaved: it must be saved before the insert."""
    day = assigned_on or today()
    taken = set(Task.objects.filter(code__in=[item.code for item in items])
                .values_list("code", flat=True))
    if taken or len({item.code for item in items}) != len(items):
        raise ValidationError(_("Task codes must be unique: %(codes)s") % {
            "codes": ", ".join(sorted(taken)) or _("repeated in the list")})
    tasks: list[Task] = []
    agencies = scoping.agencies_of(item.lead_unit for item in items)
    for item in items:
        _check_units(item.lead_unit, item.coordinating_units)
        if item.group is not None and item.group.document_id != document.pk:
            raise ValidationError({"group": _("The group belongs to another document.")})
        kind = _kind_for_due(item.deadline_kind, item.due_date)
        due = item.due_date if kind == DeadlineKind.FIXED else None
        task = Task(
            document=document, group=item.group, code=item.code, title=item.title.strip(),
            description=item.description, lead_unit=item.lead_unit,
            assigning_unit=assigning_unit, deadline_kind=kind, due_date=due,
            deadline=due, expected_product=item.expected_product, priority=item.priority,
            tags=item.tags, assigned_on=day, created_by=_actor(actor), parent=item.parent,
            starts_on=item.starts_on, deadline_text=item.deadline_text[:500],
            extra_columns=item.extra_columns or {}, agency=agencies[item.lead_unit.pk],
        )
        # Relations are objects already in hand: skip the per-row existence queries.
        task.full_clean(exclude=["coordinating_units", "document", "group", "lead_unit",
                                 "assigning_unit", "parent", "created_by", "agency"],
                        validate_unique=False, validate_constraints=False)
        task.search_text = task.compute_search_text()
        tasks.append(task)
        if progress is not None and len(tasks) % 500 == 0:
            progress(len(tasks))
    changes = [diff({}, _bulk_snapshot(task, item))
               for task, item in zip(tasks, items, strict=True)]
    at = timezone.now()
    events = prepare_rows(TaskEvent, [
        TaskEvent(actor=_actor(actor), kind=TaskEventKind.ASSIGNED, at=at,
                  summary=(_("Assigned to %(unit)s") % {"unit": task.lead_unit.name})[:500])
        for task in tasks
    ])
    return TaskBatch(tasks, items, prepare_rows(Task, tasks), changes, events)


def tasks_bulk_insert(*, actor: Any, batch: TaskBatch) -> list[Task]:
    """The second half of :func:`tasks_bulk_create`: insert a prepared batch (with the
    coordinating units, assignment events and audit events), in the caller's transaction.
    Only prepared statements run here, so the write lock is held briefly."""
    tasks, items = batch.tasks, batch.items
    group_column = batch.rows.column_index("group_id")
    for task, row, change in zip(tasks, batch.rows.rows, batch.changes, strict=True):
        if task.group is not None:  # a group saved after the preparation has its id now
            task.group_id = task.group.pk
            row[group_column] = task.group_id
            change["group"] = [None, task.group_id]
    insert_rows(batch.rows)
    if tasks:
        from dondoc.dashboards.invalidation import changed_on

        # Bulk inserts send no signal: month-end snapshots from the earliest day on go.
        changed_on(min(task.assigned_on for task in tasks))
    ids: dict[str, int] = {}
    codes = [task.code for task in tasks]
    for start in range(0, len(codes), 500):
        ids.update(Task.objects.filter(code__in=codes[start:start + 500])
                   .values_list("code", "id"))
    for task in tasks:
        task.pk = ids[task.code]
        task._state.adding = False
        task._state.db = "default"
    through = Task.coordinating_units.through
    coordinations = [through(task_id=task.pk, unit_id=unit.pk)
                     for task, item in zip(tasks, items, strict=True)
                     for unit in _check_units(item.lead_unit, item.coordinating_units)]
    insert_rows(prepare_rows(through, coordinations))
    agency_coordinations_refresh({row.task_id for row in coordinations})
    task_column = batch.events.column_index("task_id")
    for task, row in zip(tasks, batch.events.rows, strict=True):
        row[task_column] = task.pk
    insert_rows(batch.events)
    record_many(actor=actor, events=[
        PendingEvent(action=Action.CREATE, obj=task, unit_id=task.lead_unit_id,
                     changes=change, message="import")
        for task, change in zip(tasks, batch.changes, strict=True)
    ])
    notifications.tasks_imported(tasks=tasks, actor=actor)
    return tasks


def _bulk_snapshot(task: Task, item: NewTask) -> dict[str, Any]:
    values = snapshot(task, [name for name in TASK_FIELDS if name != "coordinating_units"])
    values["coordinating_units"] = sorted(unit.pk for unit in item.coordinating_units
                                          if unit.pk != item.lead_unit.pk)
    return values


@transaction.atomic
def task_update(*, actor: Any, task: Task, expected_version: int,
                coordinating_units: Sequence[Unit] | None = None, **fields: Any) -> Task:
    """Edit a task's definition. Changing the due date corrects the original deadline.

    A task assigned without a deadline (kind ``none``) keeps that kind when it is given
    a date, whether the form says "fixed" or "to set": the date is *set* from today (see
    :func:`task_set_deadline`), so the days before keep having no deadline.
    """
    current = Task.objects.get(pk=task.pk)
    before = snapshot(current, TASK_FIELDS)
    kind_asked = fields.get("deadline_kind", current.deadline_kind)
    if current.deadline_kind == DeadlineKind.NONE and kind_asked in {DeadlineKind.NONE,
                                                                     DeadlineKind.FIXED}:
        new_due = fields.pop("due_date", None)
        fields.pop("deadline_kind", None)
        if new_due is not None and new_due != current.deadline:
            if current.version != expected_version:
                raise ConflictError
            task_set_deadline(actor=actor, task=task, due=new_due)
            task.refresh_from_db()
            expected_version = task.version
    for name, value in fields.items():
        setattr(task, name, value)
    if task.deadline_kind != DeadlineKind.FIXED:
        task.due_date = None
    if "due_date" in fields or "deadline_kind" in fields:
        approved = task.extensions.filter(status=RequestStatus.APPROVED).order_by(
            "-decided_on", "-id").first()
        if task.deadline_kind == DeadlineKind.NONE:
            task.deadline = approved.proposed_due if approved else None
        else:
            task.deadline = (approved.proposed_due if approved and task.due_date
                             else task.due_date)
        _rejudge_completions(task)
        fields = {**fields, "due_date": task.due_date, "deadline": task.deadline,
                  "pending_late": task.pending_late, "completion_late": task.completion_late}
    _check_units(task.lead_unit, [])
    if "lead_unit" in fields:
        task.agency = scoping.agency_of(task.lead_unit)
        fields = {**fields, "agency": task.agency}
    task.full_clean(exclude=["coordinating_units"])
    save_versioned(task, expected_version=expected_version, fields=list(fields))
    if coordinating_units is not None:
        task.coordinating_units.set(_check_units(task.lead_unit, coordinating_units))
    if coordinating_units is not None or "lead_unit" in fields:
        agency_coordinations_refresh([task.pk])
    changes = diff(before, snapshot(task, TASK_FIELDS))
    if changes:
        _event(task, actor, TaskEventKind.EDITED,
               _("Edited: %(fields)s") % {"fields": ", ".join(
                   str(getattr(Task._meta.get_field(name), "verbose_name", name))
                   for name in changes)})
    record(actor=actor, action=Action.UPDATE, obj=task, unit_id=task.lead_unit_id,
           changes=changes)
    if "deadline" in changes:
        notifications.deadline_changed(task=task, actor=actor)
    return task


def _rejudge_completions(task: Task) -> None:
    """Judge each completion request again against the deadline in force on its
    submission day, as the status engine does: a due date corrected later, or an
    extension approved on the very day of a submission, changes whether it was late."""
    approved = list(task.extensions.filter(status=RequestStatus.APPROVED,
                                           decided_on__isnull=False).order_by("decided_on", "id"))
    for request in task.completion_requests.all():
        in_force = task.due_date
        for extension in approved:
            if extension.decided_on is not None and extension.decided_on <= request.submitted_on:
                in_force = extension.proposed_due
        late = in_force is not None and request.submitted_on > in_force
        if (late, in_force) != (request.late, request.deadline_at_submission):
            request.late, request.deadline_at_submission = late, in_force
            request.save(update_fields=["late", "deadline_at_submission"])
        if request.status == RequestStatus.PENDING and task.state == TaskState.SUBMITTED:
            task.pending_late = late
        elif request.status == RequestStatus.APPROVED:
            task.completion_late = late


@transaction.atomic
def task_set_deadline(*, actor: Any, task: Task, due: dt.date, on: dt.date | None = None,
                      ) -> DeadlineExtension:
    """Set the deadline of a task assigned without one (kind ``none``), from ``on``.

    Recorded like an approved extension from no deadline, with its own date: statistics
    as of earlier dates still see a task without a deadline. Setting it again later is
    recorded the same way (from the deadline then in force).
    """
    task = _lock(task)
    if task.deadline_kind != DeadlineKind.NONE:
        raise WorkflowError(_("Only a task whose deadline is still to be set can be given "
                              "one this way; extend a fixed deadline instead."))
    if not task.is_open:
        raise WorkflowError(_("The task is closed; its deadline can no longer change."))
    if task.extensions.filter(status=RequestStatus.PENDING).exists():
        raise WorkflowError(_("An extension request is waiting for a decision; decide it "
                              "first."))
    day = on or today()
    if day < task.assigned_on:
        raise ValidationError({"due_date": _("The deadline cannot be set before the task "
                                             "was assigned.")})
    if due < task.assigned_on:
        raise ValidationError({"due_date": _("The deadline cannot be before the assignment "
                                             "date (%(day)s).") % {
            "day": task.assigned_on.strftime("%d/%m/%Y")}})
    setting = DeadlineExtension.objects.create(
        task=task, requested_by=_actor(actor), requested_on=day, current_due=task.deadline,
        proposed_due=due, reason=_("Deadline set"), status=RequestStatus.APPROVED,
        decided_by=_actor(actor), decided_on=day,
    )
    before = task.deadline
    task.deadline = due
    _rejudge_completions(task)
    _save_task(task, ["deadline", "pending_late", "completion_late"])
    _event(task, actor, TaskEventKind.EXTENSION,
           _("Deadline set to %(day)s") % {"day": due.strftime("%d/%m/%Y")}, on=day)
    record(actor=actor, action=Action.UPDATE, obj=task, unit_id=task.lead_unit_id,
           changes={"deadline": [before.isoformat() if before else None, due.isoformat()]},
           message="deadline set")
    notifications.deadline_changed(task=task, actor=actor)
    return setting


def _lock(task: Task) -> Task:
    return Task.objects.select_for_update().get(pk=task.pk)


def _save_task(task: Task, fields: list[str]) -> None:
    """Workflow changes bump the version too, so an edit form opened before them is stale."""
    save_versioned(task, expected_version=task.version, fields=fields)


def _attach(task: Task, actor: Any, uploads: Iterable[UploadedFile], **link: Any) -> list[TaskFile]:
    uploads = list(uploads)
    for upload in uploads:  # all checked before any is written: a refusal leaves no file
        validate_upload(upload)
    files = []
    for upload in uploads:
        item = TaskFile(task=task, original_name=(upload.name or "file")[:255],
                        size=upload.size or 0, sha256=sha256_of(upload),
                        uploaded_by=_actor(actor), **link)
        item.file.save(storage_name("tasks", upload.name or ""), upload, save=False)
        item.save()
        files.append(item)
    return files


@transaction.atomic
def progress_post(
    *, actor: Any, task: Task, unit: Unit, percent: int, results: str,
    difficulties: str = "", proposals: str = "", files: Sequence[UploadedFile] = (),
    corrects: ProgressUpdate | None = None, reported_on: dt.date | None = None,
) -> ProgressUpdate:
    """Append a progress update; the first one moves the task to 'in progress'."""
    task = _lock(task)
    if task.state in {TaskState.COMPLETED, TaskState.CANCELLED}:
        raise WorkflowError(_("This task is closed; no more progress can be reported."))
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": _("Progress is a percentage from 0 to 100.")})
    if corrects is not None and corrects.task_id != task.pk:
        raise ValidationError({"corrects": _("The corrected update belongs to another task.")})
    day = reported_on or today()
    update = ProgressUpdate(task=task, unit=unit, author=_actor(actor), reported_on=day,
                            percent=percent, results=results.strip(),
                            difficulties=difficulties.strip(), proposals=proposals.strip(),
                            corrects=corrects)
    update.full_clean()
    update.save()
    _attach(task, actor, files, progress_update=update)
    fields = ["last_progress_on"]
    task.last_progress_on = max(task.last_progress_on or day, day)
    if unit.pk == task.lead_unit_id:
        task.progress = percent
        fields.append("progress")
    if task.state in {TaskState.ASSIGNED, TaskState.RETURNED}:
        task.state = TaskState.IN_PROGRESS
        fields.append("state")
    _save_task(task, fields)
    record(actor=actor, action=Action.CREATE, obj=update, unit_id=unit.pk,
           changes={"task": [None, task.pk], "percent": [None, percent]},
           message="correction" if corrects else "")
    return update


@transaction.atomic
def completion_request(*, actor: Any, task: Task, note: str,
                       files: Sequence[UploadedFile] = (), submitted_on: dt.date | None = None,
                       ) -> CompletionRequest:
    task = _lock(task)
    if task.state not in {TaskState.ASSIGNED, TaskState.IN_PROGRESS, TaskState.RETURNED}:
        raise WorkflowError(_("Completion can only be requested for a task in progress."))
    if not note.strip():
        raise ValidationError({"note": _("Describe the results and the product delivered.")})
    day = submitted_on or today()
    late = task.deadline is not None and day > task.deadline
    request = CompletionRequest.objects.create(
        task=task, submitted_by=_actor(actor), submitted_on=day, note=note.strip(),
        deadline_at_submission=task.deadline, late=late,
    )
    _attach(task, actor, files, completion_request=request)
    task.state = TaskState.SUBMITTED
    task.pending_since = day
    task.pending_late = late
    _save_task(task, ["state", "pending_since", "pending_late"])
    _event(task, actor, TaskEventKind.COMPLETION, _("Completion requested"))
    record(actor=actor, action=Action.CREATE, obj=request, unit_id=task.lead_unit_id,
           changes={"task": [None, task.pk], "late": [None, late]})
    notifications.completion_requested(request=request, actor=actor)
    return request


def _record_decision(request: CompletionRequest | DeadlineExtension, *, actor: Any,
                     approve: bool, note: str, decided_on: dt.date | None, asked_on: dt.date,
                     refusal_needs: str) -> dt.date:
    """Check and store a decision on a pending request (the caller holds the task lock)."""
    if request.status != RequestStatus.PENDING:
        raise WorkflowError(_("This request has already been decided."))
    if not approve and not note.strip():
        raise ValidationError({"note": refusal_needs})
    day = decided_on or today()
    if day < asked_on:
        raise WorkflowError(_("A decision cannot be dated before the request."))
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    request.decided_by = _actor(actor)
    request.decided_on = day
    request.decision_note = note.strip()
    request.save(update_fields=["status", "decided_by", "decided_on", "decision_note"])
    return day


@transaction.atomic
def completion_decide(*, actor: Any, request: CompletionRequest, accept: bool, note: str = "",
                      decided_on: dt.date | None = None) -> CompletionRequest:
    """Accept (the task is completed as of the submission date) or return with a reason."""
    task = _lock(request.task)
    request = CompletionRequest.objects.select_for_update().get(pk=request.pk)
    _check_decider(actor, task, request.submitted_by_id)
    day = _record_decision(request, actor=actor, approve=accept, note=note,
                           decided_on=decided_on, asked_on=request.submitted_on,
                           refusal_needs=_("Say why the task is returned."))
    task.pending_since = None
    task.pending_late = False
    if accept:
        task.state = TaskState.COMPLETED
        task.completed_on = request.submitted_on
        task.accepted_on = day
        task.completion_late = request.late
        task.progress = 100
        summary = _("Completion confirmed")
    else:
        task.state = TaskState.RETURNED
        summary = _("Returned for rework: %(reason)s") % {"reason": note.strip()}
    _save_task(task, ["state", "completed_on", "accepted_on", "completion_late", "progress",
                      "pending_since", "pending_late"])
    _event(task, actor, TaskEventKind.COMPLETION, summary)
    record(actor=actor, action=Action.UPDATE, obj=request, unit_id=task.lead_unit_id,
           changes={"status": [RequestStatus.PENDING, request.status]}, message=note[:200])
    notifications.completion_decided(request=request, actor=actor, accepted=accept)
    return request


@transaction.atomic
def extension_request(*, actor: Any, task: Task, proposed_due: dt.date, reason: str,
                      requested_on: dt.date | None = None,
                      files: Sequence[UploadedFile] = ()) -> DeadlineExtension:
    task = _lock(task)
    if task.deadline_kind not in {DeadlineKind.FIXED, DeadlineKind.NONE} or task.deadline is None:
        raise WorkflowError(_("Only tasks with a fixed deadline can be extended."))
    if not task.is_open or task.state == TaskState.SUBMITTED:
        raise WorkflowError(_("An extension can only be requested for a task in progress."))
    if task.extensions.filter(status=RequestStatus.PENDING).exists():
        raise WorkflowError(_("An extension request is already waiting for a decision."))
    if proposed_due <= task.deadline:
        raise ValidationError({"proposed_due": _(
            "The proposed deadline must be after the current one (%(day)s)."
        ) % {"day": task.deadline.strftime("%d/%m/%Y")}})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    extension = DeadlineExtension.objects.create(
        task=task, requested_by=_actor(actor), requested_on=requested_on or today(),
        current_due=task.deadline, proposed_due=proposed_due, reason=reason.strip(),
    )
    _attach(task, actor, files, extension=extension)
    _event(task, actor, TaskEventKind.EXTENSION,
           _("Extension requested to %(day)s") % {"day": proposed_due.strftime("%d/%m/%Y")})
    record(actor=actor, action=Action.CREATE, obj=extension, unit_id=task.lead_unit_id,
           changes={"proposed_due": [None, proposed_due.isoformat()]})
    notifications.extension_requested(extension=extension, actor=actor)
    return extension


@transaction.atomic
def extension_decide(*, actor: Any, extension: DeadlineExtension, approve: bool,
                     note: str = "", decided_on: dt.date | None = None) -> DeadlineExtension:
    task = _lock(extension.task)
    extension = DeadlineExtension.objects.select_for_update().get(pk=extension.pk)
    _check_decider(actor, task, extension.requested_by_id)
    if approve and extension.status == RequestStatus.PENDING and not task.is_open:
        raise WorkflowError(_("The task is closed; its deadline can no longer change."))
    _record_decision(extension, actor=actor, approve=approve, note=note, decided_on=decided_on,
                     asked_on=extension.requested_on,
                     refusal_needs=_("Say why the extension is refused."))
    if approve:
        task.deadline = extension.proposed_due
        _rejudge_completions(task)
        _save_task(task, ["deadline", "pending_late", "completion_late"])
        summary = _("Deadline extended to %(day)s (original %(original)s)") % {
            "day": extension.proposed_due.strftime("%d/%m/%Y"),
            "original": task.due_date.strftime("%d/%m/%Y") if task.due_date else "—"}
    else:
        summary = _("Extension refused: %(reason)s") % {"reason": note.strip()}
    _event(task, actor, TaskEventKind.EXTENSION, summary)
    record(actor=actor, action=Action.UPDATE, obj=extension, unit_id=task.lead_unit_id,
           changes={"status": [RequestStatus.PENDING, extension.status]})
    notifications.extension_decided(extension=extension, actor=actor, approved=approve)
    return extension


def _reopened_state(task: Task) -> str:
    return TaskState.IN_PROGRESS if task.last_progress_on else TaskState.ASSIGNED


def _record_withdrawal(request: CompletionRequest | DeadlineExtension, *, actor: Any,
                       on: dt.date | None, asked_on: dt.date) -> dt.date:
    """Check and store the withdrawal of a pending request on ``on`` (default today), like
    :func:`_record_decision` (the caller holds the task lock)."""
    if request.status != RequestStatus.PENDING:
        raise WorkflowError(_("Only a request still waiting for a decision can be withdrawn."))
    day = on or today()
    if day < asked_on:
        raise WorkflowError(_("A request cannot be withdrawn before it was made."))
    request.status = RequestStatus.WITHDRAWN
    request.decided_by = _actor(actor)
    request.decided_on = day
    request.save(update_fields=["status", "decided_by", "decided_on"])
    return day


@transaction.atomic
def completion_withdraw(*, actor: Any, request: CompletionRequest,
                        on: dt.date | None = None) -> CompletionRequest:
    """The requesting unit takes back a pending completion request: the task is open again.

    The request is kept, marked withdrawn on ``on``: on the days before, it still counts as
    awaiting confirmation (the status engine reads the withdrawal day as its end)."""
    task = _lock(request.task)
    request = CompletionRequest.objects.select_for_update().get(pk=request.pk)
    day = _record_withdrawal(request, actor=actor, on=on, asked_on=request.submitted_on)
    task.state = _reopened_state(task)
    task.pending_since = None
    task.pending_late = False
    _save_task(task, ["state", "pending_since", "pending_late"])
    _event(task, actor, TaskEventKind.COMPLETION, _("Completion request withdrawn"), on=day)
    record(actor=actor, action=Action.UPDATE, obj=request, unit_id=task.lead_unit_id,
           changes={"status": [RequestStatus.PENDING, RequestStatus.WITHDRAWN]})
    return request


@transaction.atomic
def extension_withdraw(*, actor: Any, extension: DeadlineExtension,
                       on: dt.date | None = None) -> DeadlineExtension:
    """The requesting unit takes back a pending extension request; the deadline stays."""
    task = _lock(extension.task)
    extension = DeadlineExtension.objects.select_for_update().get(pk=extension.pk)
    day = _record_withdrawal(extension, actor=actor, on=on, asked_on=extension.requested_on)
    _event(task, actor, TaskEventKind.EXTENSION, _("Extension request withdrawn"), on=day)
    record(actor=actor, action=Action.UPDATE, obj=extension, unit_id=task.lead_unit_id,
           changes={"status": [RequestStatus.PENDING, RequestStatus.WITHDRAWN]})
    return extension


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one task of a bulk confirmation: ``error`` is empty on success."""

    task_id: int
    task_code: str
    error: str = ""


def completions_confirm_many(*, actor: Any, task_ids: Sequence[int]) -> list[BulkOutcome]:
    """Accept the pending completion request of each task, each in its own transaction and
    audited like a single decision (``completion_decide``). A task the actor may not see,
    whose requests the actor may not decide, or with nothing pending is refused on its own,
    with the reason; the others are confirmed."""
    wanted = list(dict.fromkeys(task_ids))
    tasks = scoping.tasks_visible_to(actor).in_bulk(wanted)
    decidable = set(scoping.tasks_decidable_by(actor).filter(pk__in=list(tasks))
                    .values_list("pk", flat=True))
    pending = {request.task_id: request for request in CompletionRequest.objects.filter(
        task_id__in=list(tasks), status=RequestStatus.PENDING).select_related("task")}
    outcomes: list[BulkOutcome] = []
    for task_id in wanted:
        task = tasks.get(task_id)
        if task is None:
            outcomes.append(BulkOutcome(task_id, "", _("No such task in your scope.")))
        elif task_id not in decidable:
            outcomes.append(BulkOutcome(task_id, task.code,
                                        _("You may not decide on this task's requests.")))
        elif task_id not in pending:
            outcomes.append(BulkOutcome(task_id, task.code,
                                        _("No completion request is waiting on this task.")))
        else:
            try:
                completion_decide(actor=actor, request=pending[task_id], accept=True)
            except (WorkflowError, ValidationError, PermissionDenied) as error:
                reason = getattr(error, "message", "") or " ".join(
                    getattr(error, "messages", [])) or str(error) or _("Not allowed.")
                outcomes.append(BulkOutcome(task_id, task.code, str(reason)))
            else:
                outcomes.append(BulkOutcome(task_id, task.code))
    return outcomes


@transaction.atomic
def comment_add(*, actor: Any, task: Task, text: str) -> TaskComment:
    """A message on the task's thread (the notification centre hooks in here)."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the comment.")})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError({"text": _("A comment has at most %(limit)d characters.")
                               % {"limit": COMMENT_MAX_LENGTH}})
    comment = TaskComment.objects.create(task=task, author=_actor(actor), text=text)
    record(actor=actor, action=Action.CREATE, obj=comment, unit_id=task.lead_unit_id,
           changes={"task": [None, task.pk], "text": [None, text[:200]]})
    notifications.task_commented(comment=comment, actor=actor)
    return comment


@transaction.atomic
def task_assign_people(*, actor: Any, task: Task, unit: Unit, officers: Sequence[User],
                       ) -> list[User]:
    """Name the officers of ``unit`` responsible for ``task`` (cán bộ được giao), replacing
    the unit's earlier choice; people of other units named on the task stay. Work inside a
    unit goes to people by this field, without a request or a decision."""
    task = _lock(task)
    if unit.pk != task.lead_unit_id and not task.coordinating_units.filter(pk=unit.pk).exists():
        raise ValidationError({"officers": _("%(unit)s neither leads nor coordinates this "
                                             "task.") % {"unit": unit.name}})
    if not task.is_open:
        raise WorkflowError(_("This task is closed; its officers can no longer change."))
    strangers = [person for person in officers if person.unit_id != unit.pk or
                 not person.is_active]
    if strangers:
        raise ValidationError({"officers": _("Not an active officer of %(unit)s: %(names)s") % {
            "unit": unit.name, "names": ", ".join(_person_name(p) for p in strangers)}})
    current = list(task.assignees.all())
    before = sorted(person.pk for person in current)
    keep = [person for person in current if person.unit_id != unit.pk]
    chosen = list(dict.fromkeys(officers))
    task.assignees.set([*keep, *chosen])
    after = sorted(person.pk for person in [*keep, *chosen])
    if before != after:
        names = ", ".join(_person_name(person) for person in chosen) or _("nobody")
        _event(task, actor, TaskEventKind.PEOPLE, _("Officers of %(unit)s assigned: %(names)s")
               % {"unit": unit.name, "names": names})
        record(actor=actor, action=Action.UPDATE, obj=task, unit_id=unit.pk,
               changes={"assignees": [before, after]})
        notifications.people_named(task=task, people=[person for person in chosen
                                                      if person.pk not in before], actor=actor)
    return chosen


def _person_name(person: Any) -> str:
    return str(person.get_full_name() or person.username)


@transaction.atomic
def task_suspend(*, actor: Any, task: Task, reason: str, start: dt.date | None = None) -> Task:
    task = _lock(task)
    if task.state in {TaskState.COMPLETED, TaskState.CANCELLED, TaskState.SUSPENDED}:
        raise WorkflowError(_("Only an open task can be suspended."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the suspension.")})
    if task.state == TaskState.SUBMITTED:
        raise WorkflowError(_("Decide on the pending completion request first."))
    Suspension.objects.create(task=task, start=start or today(), reason=reason.strip(),
                              by=_actor(actor))
    before = task.state
    task.state = TaskState.SUSPENDED
    _save_task(task, ["state"])
    _event(task, actor, TaskEventKind.STATE, _("Suspended: %(reason)s") % {"reason": reason},
           on=start)
    record(actor=actor, action=Action.UPDATE, obj=task, unit_id=task.lead_unit_id,
           changes={"state": [before, task.state]}, message=reason[:200])
    return task


@transaction.atomic
def task_resume(*, actor: Any, task: Task, end: dt.date | None = None) -> Task:
    task = _lock(task)
    suspension = task.suspensions.filter(end__isnull=True).first()
    if task.state != TaskState.SUSPENDED or suspension is None:
        raise WorkflowError(_("This task is not suspended."))
    suspension.end = end or today()
    suspension.save(update_fields=["end"])
    task.state = TaskState.IN_PROGRESS if task.last_progress_on else TaskState.ASSIGNED
    _save_task(task, ["state"])
    _event(task, actor, TaskEventKind.STATE, _("Resumed"), on=suspension.end)
    record(actor=actor, action=Action.UPDATE, obj=task, unit_id=task.lead_unit_id,
           changes={"state": [TaskState.SUSPENDED, task.state]})
    return task


@transaction.atomic
def task_cancel(*, actor: Any, task: Task, reason: str, on: dt.date | None = None) -> Task:
    task = _lock(task)
    if task.state in {TaskState.COMPLETED, TaskState.CANCELLED}:
        raise WorkflowError(_("This task is already closed."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    before = task.state
    task.state = TaskState.CANCELLED
    task.cancelled_on = on or today()
    task.pending_since = None
    task.pending_late = False
    _save_task(task, ["state", "cancelled_on", "pending_since", "pending_late"])
    # Waiting requests die with the task: a cancelled task can no longer be completed.
    for requests in (task.extensions, task.completion_requests):
        requests.filter(status=RequestStatus.PENDING).update(
            status=RequestStatus.REFUSED, decided_on=task.cancelled_on,
            decision_note=_("Task cancelled"))
    _event(task, actor, TaskEventKind.STATE, _("Cancelled: %(reason)s") % {"reason": reason},
           on=task.cancelled_on)
    record(actor=actor, action=Action.UPDATE, obj=task, unit_id=task.lead_unit_id,
           changes={"state": [before, task.state]}, message=reason[:200])
    return task


@transaction.atomic
def direction_add(*, actor: Any, task: Task, text: str,
                  files: Sequence[UploadedFile] = ()) -> Direction:
    if not text.strip():
        raise ValidationError({"text": _("Write the direction.")})
    direction = Direction.objects.create(task=task, author=_actor(actor), text=text.strip())
    attached = _attach(task, actor, files, direction=direction)
    changes: dict[str, Any] = {"task": [None, task.pk]}
    if attached:
        changes["files"] = [None, [item.original_name for item in attached]]
    record(actor=actor, action=Action.CREATE, obj=direction, unit_id=task.lead_unit_id,
           changes=changes)
    notifications.direction_given(direction=direction, actor=actor)
    return direction


@transaction.atomic
def direction_acknowledge(*, actor: Any, direction: Direction) -> Direction:
    if direction.acknowledged_at is not None:
        return direction
    direction.acknowledged_by = _actor(actor)
    direction.acknowledged_at = timezone.now()
    direction.save(update_fields=["acknowledged_by", "acknowledged_at"])
    record(actor=actor, action=Action.UPDATE, obj=direction, unit_id=direction.task.lead_unit_id,
           changes={"acknowledged": [False, True]})
    return direction


def task_agencies_refresh(*, under: Unit) -> int:
    """Set the stored agency (``Task.agency``) of every task led in ``under``'s subtree
    again, after the unit tree changed there (a unit moved, a scope root set or cleared):
    one UPDATE per agency and batch of units, only for the rows that change. The agency
    is derived data, so the rows' versions and audit trail are left alone (the tree
    change itself is audited). Returns the number of tasks changed."""
    units_of: dict[int | None, list[int]] = {}
    for unit_id, agency_id in scoping.agencies_in_subtree(under).items():
        units_of.setdefault(agency_id, []).append(unit_id)
    changed = 0
    for agency_id, unit_ids in units_of.items():
        for start in range(0, len(unit_ids), 500):
            led = Task.objects.filter(lead_unit_id__in=unit_ids[start:start + 500])
            stale = (led.filter(agency__isnull=False) if agency_id is None
                     else led.exclude(agency_id=agency_id))
            changed += stale.update(agency_id=agency_id)
    through = Task.coordinating_units.through
    agency_coordinations_refresh([
        *Task.objects.filter(lead_unit__path__startswith=under.path).values_list(
            "pk", flat=True),
        *through.objects.filter(unit__path__startswith=under.path).values_list(
            "task_id", flat=True)])
    return changed


def agency_coordinations_refresh(task_ids: Iterable[int]) -> int:
    """Make the :class:`AgencyCoordination` rows of these tasks match their coordinating
    units, their lead's agency and the unit tree: a row for each agency of a coordinating
    unit other than the task's own (units outside every scope root give none). Only the
    rows that change are written. Called by every service that changes a task's
    coordinating units or lead unit, or the unit tree; returns the rows added or removed.
    The rows are derived data: not audited (the change that caused them is)."""
    through = Task.coordinating_units.through
    ids = sorted(set(task_ids))
    agency_of_unit: dict[int, int | None] = {}
    changed = 0
    for start in range(0, len(ids), 2000):
        chunk = ids[start:start + 2000]
        pairs = list(through.objects.filter(task_id__in=chunk).values_list("task_id", "unit_id"))
        missing = {unit for _, unit in pairs} - agency_of_unit.keys()
        if missing:
            agency_of_unit.update(scoping.agency_ids_of(missing))
        lead_agency = dict(Task.objects.filter(pk__in=chunk).values_list("pk", "agency_id"))
        wanted = {(agency, task) for task, unit in pairs
                  if (agency := agency_of_unit.get(unit)) is not None
                  and agency != lead_agency.get(task)}
        have = {(agency, task): pk for pk, agency, task in AgencyCoordination.objects.filter(
            task_id__in=chunk).values_list("pk", "agency_id", "task_id")}
        gone = [pk for key, pk in have.items() if key not in wanted]
        if gone:
            AgencyCoordination.objects.filter(pk__in=gone).delete()
        new = [AgencyCoordination(agency_id=agency, task_id=task)
               for agency, task in sorted(wanted - have.keys())]
        AgencyCoordination.objects.bulk_create(new, batch_size=1000)
        changed += len(gone) + len(new)
    return changed


@transaction.atomic
def tasks_transfer(*, actor: Any, from_unit: Unit, to_unit: Unit,
                   on: dt.date | None = None) -> int:
    """Hand the open tasks of a dissolved or merged unit to its successor, as lead and as
    coordinator. History is kept: statistics before ``on`` still count the old unit."""
    if from_unit.pk == to_unit.pk:
        raise WorkflowError(_("Choose a different unit to transfer to."))
    if not to_unit.is_active:
        raise WorkflowError(_("%(unit)s is dissolved too.") % {"unit": to_unit.name})
    day = on or today()
    moved = 0
    agency = scoping.agency_of(to_unit)
    touched: list[int] = []
    open_filter = Q(state__in=[s.value for s in TaskState if s not in
                               {TaskState.COMPLETED, TaskState.CANCELLED}])
    for task in Task.objects.select_for_update().filter(open_filter, lead_unit=from_unit):
        LeadUnitChange.objects.create(task=task, old_unit=from_unit, new_unit=to_unit,
                                      changed_on=day)
        task.lead_unit = to_unit
        task.agency = agency
        _save_task(task, ["lead_unit", "agency"])
        task.coordinating_units.remove(to_unit)
        touched.append(task.pk)
        _event(task, actor, TaskEventKind.TRANSFERRED, _(
            "Lead transferred from %(old)s to %(new)s") % {"old": from_unit.name,
                                                           "new": to_unit.name}, on=day)
        record(actor=actor, action=Action.UPDATE, obj=task, unit_id=to_unit.pk,
               changes={"lead_unit": [from_unit.pk, to_unit.pk]}, message="transfer")
        moved += 1
    for task in Task.objects.filter(open_filter, coordinating_units=from_unit):
        task.coordinating_units.remove(from_unit)
        if task.lead_unit_id != to_unit.pk:
            task.coordinating_units.add(to_unit)
        _event(task, actor, TaskEventKind.TRANSFERRED, _(
            "Coordination transferred from %(old)s to %(new)s") % {"old": from_unit.name,
                                                                   "new": to_unit.name}, on=day)
        record(actor=actor, action=Action.UPDATE, obj=task, unit_id=task.lead_unit_id,
               changes={"coordinating_units": [from_unit.pk, to_unit.pk]}, message="transfer")
        moved += 1
        touched.append(task.pk)
    agency_coordinations_refresh(touched)
    return moved


__all__ = ["ConflictError", "DecisionRefused", "WorkflowError"]
