"""The task workflow: progress updates, directions, completion and extension requests
and the decisions on them. Each write is a service call, audited like the pages'."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import FileResponse, HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, UploadedFile
from ninja.responses import Status

from dondoc.api.common import PageQuery, paginate, person, responses, unit_ref, user
from dondoc.api.errors import ApiError, invalid
from dondoc.api.schemas import (
    AssigneesIn,
    BulkConfirmIn,
    BulkConfirmOut,
    CommentIn,
    CommentOut,
    CommentPage,
    CompletionForm,
    CompletionIn,
    CompletionOut,
    CompletionPage,
    CompletionWithFilesOut,
    DecisionIn,
    DirectionForm,
    DirectionIn,
    DirectionOut,
    DirectionPage,
    DirectionWithFilesOut,
    ExtensionForm,
    ExtensionIn,
    ExtensionOut,
    ExtensionPage,
    ExtensionWithFilesOut,
    ObjectId,
    ProgressForm,
    ProgressIn,
    ProgressOut,
    ProgressPage,
    ProgressWithFilesOut,
)
from dondoc.core.files import validate_upload
from dondoc.core.limits import MAX_FILES_PER_SUBMISSION
from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.plans import services
from dondoc.plans.models import (
    CompletionRequest,
    DeadlineExtension,
    Direction,
    Task,
    TaskComment,
    TaskFile,
)
from dondoc.progress.models import ProgressUpdate

router = Router(tags=["workflow"])

MAX_FILES = MAX_FILES_PER_SUBMISSION  # evidence files per update or request, as the pages

def _visible_task(request: HttpRequest, task_id: int) -> Task:
    return scoping.get_visible_or_404(scoping.tasks_visible_to(user(request)), pk=task_id)


def _task_for(request: HttpRequest, task_id: int, allowed: Any) -> Task:
    """404 outside the scope; 403 when visible but the step is not the caller's."""
    return scoping.get_editable_or_403(scoping.tasks_visible_to(user(request)), allowed,
                                       pk=task_id)


# Presenters ----------------------------------------------------------------------------


# The columns ``present_update`` reads, with its unit's reference and its author's name.
PRESENTED_UPDATE_FIELDS = (
    "task_id", "reported_on", "percent", "results", "difficulties", "proposals",
    "corrects_id", "unit__code", "unit__name", "author__username", "author__first_name",
    "author__last_name",
)


def present_update(update: ProgressUpdate) -> dict[str, Any]:
    return {"id": update.pk, "task": update.task_id, "unit": unit_ref(update.unit),
            "author": person(update.author), "reported_on": update.reported_on,
            "percent": update.percent, "results": update.results,
            "difficulties": update.difficulties, "proposals": update.proposals,
            "corrects": update.corrects_id}


def present_direction(direction: Direction) -> dict[str, Any]:
    return {"id": direction.pk, "task": direction.task_id, "author": person(direction.author),
            "text": direction.text, "created_at": direction.created_at,
            "acknowledged_by": person(direction.acknowledged_by),
            "acknowledged_at": direction.acknowledged_at}


def present_completion(request: CompletionRequest) -> dict[str, Any]:
    return {"id": request.pk, "task": request.task_id,
            "submitted_by": person(request.submitted_by), "submitted_on": request.submitted_on,
            "deadline_at_submission": request.deadline_at_submission, "late": request.late,
            "note": request.note, "status": request.status,
            "decided_by": person(request.decided_by), "decided_on": request.decided_on,
            "decision_note": request.decision_note}


def present_extension(extension: DeadlineExtension) -> dict[str, Any]:
    return {"id": extension.pk, "task": extension.task_id,
            "requested_by": person(extension.requested_by),
            "requested_on": extension.requested_on, "current_due": extension.current_due,
            "proposed_due": extension.proposed_due, "reason": extension.reason,
            "status": extension.status, "decided_by": person(extension.decided_by),
            "decided_on": extension.decided_on, "decision_note": extension.decision_note}


def present_files(files: Iterable[TaskFile]) -> list[dict[str, Any]]:
    return [{"id": item.pk, "name": item.original_name, "size": item.size,
             "sha256": item.sha256, "uploaded_by": person(item.uploaded_by),
             "uploaded_at": item.uploaded_at} for item in files]


def _check_files(files: Sequence[UploadedFile]) -> None:
    """Every file's type (extension and content) and size, before anything is saved."""
    if len(files) > MAX_FILES:
        raise invalid("files", _("Give at most %(limit)s items.") % {"limit": MAX_FILES})
    messages: list[str] = []
    for upload in files:
        try:
            validate_upload(upload)
        except DjangoValidationError as error:
            messages.extend(f"{upload.name}: {message}" for message in error.messages)
    if messages:
        raise ApiError(422, "invalid", _("Some fields are not valid."), {"files": messages})


# Progress ------------------------------------------------------------------------------


@router.get("/tasks/{task_id}/progress", response=responses({200: ProgressPage}),
            summary="A task's progress updates")
def progress_list(request: HttpRequest, query: Query[PageQuery],
                  task_id: ObjectId) -> dict[str, Any]:
    """The progress updates of a task you may see, oldest first."""
    # The task's scope test is a subquery of the updates' query: one query when there are
    # updates; only an empty page asks whether the task is visible at all (404 if not).
    visible = scoping.tasks_visible_to(user(request)).filter(pk=task_id).values("pk")
    updates = ProgressUpdate.objects.filter(task__in=visible).select_related(
        "unit", "author").only(*PRESENTED_UPDATE_FIELDS).order_by("reported_on", "id")
    page = paginate(updates, query, lambda page: [present_update(item) for item in page])
    if not page["results"]:
        _visible_task(request, task_id)
    return page


def _post_progress(request: HttpRequest, task_id: int, payload: ProgressIn | ProgressForm,
                   files: Sequence[UploadedFile] = ()) -> ProgressUpdate:
    caller = user(request)
    task = _task_for(request, task_id, scoping.tasks_reportable_by(caller))
    units = Unit.objects.filter(
        Q(pk=task.lead_unit_id) | Q(pk__in=task.coordinating_units.values("pk")))
    if not scoping.is_admin(caller):
        units = units.filter(path__startswith=caller.unit.path)
    if payload.unit is not None:
        unit = units.filter(pk=payload.unit).first()
        if unit is None:
            raise invalid("unit", _("Not a unit that reports on this task for you: %(id)s")
                          % {"id": payload.unit})
    else:
        unit = units.filter(pk=task.lead_unit_id).first() or units.order_by("path").first()
        if unit is None:
            raise PermissionDenied
    corrects = None
    if payload.corrects is not None:
        corrects = ProgressUpdate.objects.filter(task=task, pk=payload.corrects).first()
        if corrects is None:
            raise invalid("corrects", _("Unknown progress update of this task: %(id)s")
                          % {"id": payload.corrects})
    _check_files(files)
    return services.progress_post(
        actor=caller, task=task, unit=unit, percent=payload.percent, results=payload.results,
        difficulties=payload.difficulties, proposals=payload.proposals, corrects=corrects,
        files=files)


@router.post("/tasks/{task_id}/progress", response=responses({201: ProgressOut}, 409),
             summary="Report progress")
def progress_create(request: HttpRequest, payload: ProgressIn,
                    task_id: ObjectId) -> Status[dict[str, Any]]:
    """Append an update for the lead or a coordinating unit in your own subtree. Updates
    are never edited: send a new one with ``corrects`` to correct one. To attach evidence
    files, use ``/progress/upload``."""
    return Status(201, present_update(_post_progress(request, task_id, payload)))


@router.post("/tasks/{task_id}/progress/upload",
             response=responses({201: ProgressWithFilesOut}, 409),
             summary="Report progress with evidence files")
def progress_upload(request: HttpRequest, task_id: ObjectId, payload: Form[ProgressForm],
                    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
                    ) -> Status[dict[str, Any]]:
    """As ``POST /tasks/{task_id}/progress``, sent as ``multipart/form-data``: the same
    fields plus evidence ``files`` (repeated). A file of a type that is not accepted (by
    extension and content) or too large is refused with 422 and nothing is saved."""
    update = _post_progress(request, task_id, payload, files or [])
    return Status(201, {**present_update(update), "files": present_files(update.files.all())})


# Directions ----------------------------------------------------------------------------


@router.get("/tasks/{task_id}/directions", response=responses({200: DirectionPage}),
            summary="A task's directions")
def direction_list(request: HttpRequest, query: Query[PageQuery],
                   task_id: ObjectId) -> dict[str, Any]:
    """The leaders' directions on a task you may see, and who acknowledged them."""
    task = _visible_task(request, task_id)
    directions = Direction.objects.filter(task=task).select_related(
        "author", "acknowledged_by").order_by("created_at", "id")
    return paginate(directions, query, lambda page: [present_direction(d) for d in page])


@router.post("/tasks/{task_id}/directions", response=responses({201: DirectionOut}),
             summary="Give a direction (leaders)")
def direction_create(request: HttpRequest, payload: DirectionIn,
                     task_id: ObjectId) -> Status[dict[str, Any]]:
    """A leader's instruction or comment on a task (ý kiến chỉ đạo)."""
    return Status(201, present_direction(_give_direction(request, task_id, payload.text)))


def _give_direction(request: HttpRequest, task_id: int, text: str,
                    files: Sequence[UploadedFile] = ()) -> Direction:
    caller = user(request)
    task = _visible_task(request, task_id)
    if not scoping.can_give_directions(caller):
        raise PermissionDenied
    _check_files(files)
    return services.direction_add(actor=caller, task=task, text=text, files=files)


@router.post("/tasks/{task_id}/directions/upload",
             response=responses({201: DirectionWithFilesOut}),
             summary="Give a direction with files (leaders)")
def direction_upload(request: HttpRequest, task_id: ObjectId, payload: Form[DirectionForm],
                     files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
                     ) -> Status[dict[str, Any]]:
    """As ``POST /tasks/{task_id}/directions``, sent as ``multipart/form-data``: ``text``
    plus ``files`` (repeated). A refused file gets 422 and nothing is saved."""
    direction = _give_direction(request, task_id, payload.text, files or [])
    return Status(201, {**present_direction(direction),
                        "files": present_files(direction.files.all())})


@router.post("/directions/{direction_id}/acknowledge", response=responses({200: DirectionOut}),
             summary="Acknowledge a direction")
def direction_acknowledge(request: HttpRequest,
                          direction_id: ObjectId) -> dict[str, Any]:
    """The lead unit confirms it has read the direction."""
    caller = user(request)
    direction = scoping.get_visible_or_404(
        Direction.objects.filter(task__in=scoping.tasks_visible_to(caller)).select_related(
            "task", "author"), pk=direction_id)
    if not scoping.tasks_led_by_own_subtree(caller).filter(pk=direction.task_id).exists():
        raise PermissionDenied
    direction = services.direction_acknowledge(actor=caller, direction=direction)
    return present_direction(direction)


# Completion ----------------------------------------------------------------------------


@router.get("/tasks/{task_id}/completion-requests", response=responses({200: CompletionPage}),
            summary="A task's completion requests")
def completion_list(request: HttpRequest, query: Query[PageQuery],
                    task_id: ObjectId) -> dict[str, Any]:
    """The completion requests of a task you may see, with their decisions."""
    task = _visible_task(request, task_id)
    requests = CompletionRequest.objects.filter(task=task).select_related(
        "submitted_by", "decided_by").order_by("submitted_on", "id")
    return paginate(requests, query, lambda page: [present_completion(r) for r in page])


def _request_completion(request: HttpRequest, task_id: int, note: str,
                        files: Sequence[UploadedFile] = ()) -> CompletionRequest:
    caller = user(request)
    task = _task_for(request, task_id, scoping.tasks_led_by_own_subtree(caller))
    _check_files(files)
    return services.completion_request(actor=caller, task=task, note=note, files=files)


@router.post("/tasks/{task_id}/completion-requests",
             response=responses({201: CompletionOut}, 409), summary="Request completion")
def completion_create(request: HttpRequest, payload: CompletionIn,
                      task_id: ObjectId) -> Status[dict[str, Any]]:
    """The lead unit reports the task done; the assigning unit confirms or returns it. To
    attach product files, use ``/completion-requests/upload``."""
    return Status(201, present_completion(_request_completion(request, task_id, payload.note)))


@router.post("/tasks/{task_id}/completion-requests/upload",
             response=responses({201: CompletionWithFilesOut}, 409),
             summary="Request completion with product files")
def completion_upload(request: HttpRequest, task_id: ObjectId, payload: Form[CompletionForm],
                      files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
                      ) -> Status[dict[str, Any]]:
    """As ``POST /tasks/{task_id}/completion-requests``, sent as ``multipart/form-data``:
    ``note`` plus ``files`` (repeated). A refused file gets 422 and nothing is saved."""
    completion = _request_completion(request, task_id, payload.note, files or [])
    return Status(201, {**present_completion(completion),
                        "files": present_files(completion.files.all())})


def _refused(error: services.DecisionRefused) -> ApiError:
    return ApiError(403, "forbidden", error.message)


def _check_decider(caller: Any, task: Task, requested_by_id: int | None) -> None:
    """403 with the reason when the caller may not decide (the service checks it again)."""
    reason = scoping.decision_refusal(caller, task, requested_by_id)
    if reason is not None:
        raise ApiError(403, "forbidden", reason)


@router.post("/completion-requests/{request_id}/decision",
             response=responses({200: CompletionOut}, 409), summary="Decide on completion")
def completion_decision(request: HttpRequest, payload: DecisionIn,
                        request_id: ObjectId) -> dict[str, Any]:
    """Approve (the task is completed as of the submission date) or refuse with a note.

    Decided by the assigning side (staff, or the manager who cascaded a sub-task) or by a
    leader whose scope contains the assigning unit — never by the requester nor by a user
    of the task's lead unit (403 with the reason)."""
    caller = user(request)
    completion = scoping.get_visible_or_404(
        CompletionRequest.objects.filter(task__in=scoping.tasks_visible_to(caller))
        .select_related("task__lead_unit"), pk=request_id)
    _check_decider(caller, completion.task, completion.submitted_by_id)
    try:
        completion = services.completion_decide(actor=caller, request=completion,
                                                accept=payload.decision == "approve",
                                                note=payload.note)
    except services.DecisionRefused as error:
        raise _refused(error) from None
    return present_completion(completion)


@router.post("/completion-requests/{request_id}/withdraw",
             response=responses({200: CompletionOut}, 409),
             summary="Withdraw a completion request")
def completion_withdraw(request: HttpRequest, request_id: ObjectId) -> dict[str, Any]:
    """The lead unit takes back its pending completion request; the task is open again.
    On the days before the withdrawal it still counts as awaiting confirmation."""
    caller = user(request)
    completion = scoping.get_visible_or_404(
        CompletionRequest.objects.filter(task__in=scoping.tasks_visible_to(caller)),
        pk=request_id)
    _task_for(request, completion.task_id, scoping.tasks_led_by_own_subtree(caller))
    return present_completion(services.completion_withdraw(actor=caller, request=completion))


@router.post("/completion-requests/confirm", response=responses({200: BulkConfirmOut}),
             summary="Confirm several completions")
def completion_confirm_many(request: HttpRequest, payload: BulkConfirmIn) -> dict[str, Any]:
    """Accept the pending completion request of each task listed, each decision recorded
    on its own. A task you may not decide on, or with nothing pending, is refused on its
    own with the reason in ``error``; the others are confirmed."""
    outcomes = services.completions_confirm_many(actor=user(request), task_ids=payload.tasks)
    return {"confirmed": sum(1 for item in outcomes if not item.error),
            "results": [{"task": item.task_id, "code": item.task_code,
                         "confirmed": not item.error, "error": item.error}
                        for item in outcomes]}


# Comments ------------------------------------------------------------------------------


def present_comment(comment: TaskComment) -> dict[str, Any]:
    return {"id": comment.pk, "task": comment.task_id, "author": person(comment.author),
            "text": comment.text, "created_at": comment.created_at}


@router.get("/tasks/{task_id}/comments", response=responses({200: CommentPage}),
            summary="A task's comment thread")
def comment_list(request: HttpRequest, query: Query[PageQuery],
                 task_id: ObjectId) -> dict[str, Any]:
    """The comments on a task, oldest first, for everyone who can see the task."""
    task = _visible_task(request, task_id)
    comments = TaskComment.objects.filter(task=task).select_related("author").order_by(
        "created_at", "id")
    return paginate(comments, query, lambda page: [present_comment(c) for c in page])


@router.post("/tasks/{task_id}/comments", response=responses({201: CommentOut}),
             summary="Comment on a task")
def comment_create(request: HttpRequest, payload: CommentIn,
                   task_id: ObjectId) -> Status[dict[str, Any]]:
    """A short message between the task's units and the assigning side."""
    caller = user(request)
    task = _task_for(request, task_id, scoping.tasks_commentable_by(caller))
    return Status(201, present_comment(services.comment_add(actor=caller, task=task,
                                                            text=payload.text)))


# Officers responsible ------------------------------------------------------------------


@router.put("/tasks/{task_id}/assignees", response=responses({200: list[int]}, 409),
            summary="Name the officers responsible (unit managers)")
def assignees_set(request: HttpRequest, payload: AssigneesIn, task_id: ObjectId) -> list[int]:
    """A unit manager names the officers of their own unit responsible for a task the unit
    leads or coordinates. Answers the ids of all officers now named on the task."""
    caller = user(request)
    task = _visible_task(request, task_id)
    unit = scoping.unit_staffed_by_manager(caller, task)
    if unit is None:
        raise PermissionDenied
    found = scoping.officers_assignable_in(unit).in_bulk(payload.officers)
    missing = [pk for pk in payload.officers if pk not in found]
    if missing:
        raise invalid("officers", _("Not an active officer of %(unit)s: %(ids)s") % {
            "unit": unit.name, "ids": ", ".join(str(pk) for pk in missing)})
    services.task_assign_people(actor=caller, task=task, unit=unit,
                                officers=[found[pk] for pk in dict.fromkeys(payload.officers)])
    return sorted(task.assignees.values_list("pk", flat=True))


# Extensions ----------------------------------------------------------------------------


@router.get("/tasks/{task_id}/extensions", response=responses({200: ExtensionPage}),
            summary="A task's extension requests")
def extension_list(request: HttpRequest, query: Query[PageQuery],
                   task_id: ObjectId) -> dict[str, Any]:
    """The deadline extension requests of a task you may see, with their decisions."""
    task = _visible_task(request, task_id)
    extensions = DeadlineExtension.objects.filter(task=task).select_related(
        "requested_by", "decided_by").order_by("requested_on", "id")
    return paginate(extensions, query, lambda page: [present_extension(e) for e in page])


@router.post("/tasks/{task_id}/extensions", response=responses({201: ExtensionOut}, 409),
             summary="Request a deadline extension")
def extension_create(request: HttpRequest, payload: ExtensionIn,
                     task_id: ObjectId) -> Status[dict[str, Any]]:
    """The lead unit asks for a later deadline, with a reason; the assigning unit decides."""
    return Status(201, present_extension(_request_extension(request, task_id, payload)))


def _request_extension(request: HttpRequest, task_id: int, payload: ExtensionIn | ExtensionForm,
                       files: Sequence[UploadedFile] = ()) -> DeadlineExtension:
    caller = user(request)
    task = _task_for(request, task_id, scoping.tasks_led_by_own_subtree(caller))
    _check_files(files)
    return services.extension_request(actor=caller, task=task, proposed_due=payload.proposed_due,
                                      reason=payload.reason, files=files)


@router.post("/tasks/{task_id}/extensions/upload",
             response=responses({201: ExtensionWithFilesOut}, 409),
             summary="Request a deadline extension with supporting files")
def extension_upload(request: HttpRequest, task_id: ObjectId, payload: Form[ExtensionForm],
                     files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
                     ) -> Status[dict[str, Any]]:
    """As ``POST /tasks/{task_id}/extensions``, sent as ``multipart/form-data``:
    ``proposed_due`` and ``reason`` plus ``files`` (repeated). A refused file gets 422 and
    nothing is saved."""
    extension = _request_extension(request, task_id, payload, files or [])
    return Status(201, {**present_extension(extension),
                        "files": present_files(extension.files.all())})


@router.post("/extensions/{extension_id}/withdraw",
             response=responses({200: ExtensionOut}, 409), summary="Withdraw an extension request")
def extension_withdraw(request: HttpRequest, extension_id: ObjectId) -> dict[str, Any]:
    """The lead unit takes back its pending extension request; the deadline stays."""
    caller = user(request)
    extension = scoping.get_visible_or_404(
        DeadlineExtension.objects.filter(task__in=scoping.tasks_visible_to(caller)),
        pk=extension_id)
    _task_for(request, extension.task_id, scoping.tasks_led_by_own_subtree(caller))
    return present_extension(services.extension_withdraw(actor=caller, extension=extension))


@router.post("/extensions/{extension_id}/decision",
             response=responses({200: ExtensionOut}, 409), summary="Decide on an extension")
def extension_decision(request: HttpRequest, payload: DecisionIn,
                       extension_id: ObjectId) -> dict[str, Any]:
    """Approve (the deadline in force moves) or refuse with a note; the same deciders as
    for completion (403 with the reason otherwise)."""
    caller = user(request)
    extension = scoping.get_visible_or_404(
        DeadlineExtension.objects.filter(task__in=scoping.tasks_visible_to(caller))
        .select_related("task__lead_unit"), pk=extension_id)
    _check_decider(caller, extension.task, extension.requested_by_id)
    try:
        extension = services.extension_decide(actor=caller, extension=extension,
                                              approve=payload.decision == "approve",
                                              note=payload.note)
    except services.DecisionRefused as error:
        raise _refused(error) from None
    return present_extension(extension)


# Files ---------------------------------------------------------------------------------

# The types validate_upload accepts, by extension; anything else is sent as bytes.
FILE_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_FILE_RESPONSE = {"responses": {200: {
    "description": "The file's content, as an attachment under its original name.",
    "content": {kind: _BINARY for kind in (*dict.fromkeys(FILE_TYPES.values()),
                                            "application/octet-stream")},
}}}


@router.get("/task-files/{file_id}", response=responses({}), summary="Download a task file",
            openapi_extra=_FILE_RESPONSE)
def task_file(request: HttpRequest, file_id: ObjectId) -> FileResponse:
    """An evidence or product file of a task you may see."""
    item = scoping.get_visible_or_404(
        TaskFile.objects.filter(task__in=scoping.tasks_visible_to(user(request))), pk=file_id)
    content_type = FILE_TYPES.get(PurePath(item.original_name).suffix.lower(),
                                  "application/octet-stream")
    response = FileResponse(item.file.open("rb"), as_attachment=True,
                            filename=item.original_name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Language"] = translation.get_language()
    response["X-Content-Type-Options"] = "nosniff"
    return response
