"""Who is told of each step of a task's life; called by :mod:`dondoc.plans.services`.

Each function is called right after the write, inside the service's transaction, and
only schedules the notification for after the commit (a rolled-back step tells nobody).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.utils import timezone

from dondoc.notifications import kinds
from dondoc.notifications.services import after_commit, notify
from dondoc.organization import scoping
from dondoc.organization.models import Role, Unit, User

MAX_DECIDERS = 200


def _fmt(day: Any) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def _name(person: Any) -> str:
    if person is None or not getattr(person, "is_authenticated", False):
        return "dondoc"
    return str(person.get_full_name() or person.username)


def _task_params(task: Any, **extra: Any) -> dict[str, Any]:
    return {"code": task.code, "title": task.title[:200], "unit": task.lead_unit.name, **extra}


def _lead_side(task: Any) -> list[Any]:
    """The lead unit (its managers) and the officers named on the task."""
    return [task.lead_unit, *task.assignees.filter(is_active=True)]


def _agency_of(unit: Unit) -> Unit:
    paths = [unit.path[: Unit.steplen * depth] for depth in range(1, unit.depth + 1)]
    agency = (Unit.objects.filter(path__in=paths, is_scope_root=True).order_by("-depth")
              .first())
    return agency or Unit.objects.get(path=unit.path[: Unit.steplen])


def deciders(task: Any, requested_by_id: int | None) -> list[User]:
    """Those who may decide a request on ``task``: the staff and unit managers of the
    assigning side that :func:`scoping.decision_refusal` lets decide; the leaders when
    none may."""
    agency = _agency_of(task.assigning_unit)
    people = User.objects.filter(is_active=True, unit__path__startswith=agency.path)
    chosen = []
    for roles in ([Role.STAFF, Role.UNIT_MANAGER], [Role.LEADER]):
        for person in people.filter(role__in=roles).select_related("unit")[:MAX_DECIDERS]:
            if person.role == Role.UNIT_MANAGER and (
                    person.unit is None
                    or not task.assigning_unit.path.startswith(person.unit.path)):
                continue
            if scoping.decision_refusal(person, task, requested_by_id) is None:
                chosen.append(person)
        if chosen:
            break
    return chosen


def task_created(*, task: Any, actor: Any) -> None:
    kind = kinds.SUBTASK_ASSIGNED if task.parent_id else kinds.TASK_ASSIGNED
    after_commit(lambda: notify([task.lead_unit], kind, task, _task_params(task),
                                key_date=task.assigned_on, actor=actor))


def tasks_imported(*, tasks: Sequence[Any], actor: Any) -> None:
    """A bulk assignment (an imported appendix): one notice per lead unit, not per task."""
    by_unit: dict[int, list[Any]] = defaultdict(list)
    for task in tasks:
        by_unit[task.lead_unit_id].append(task)
    for unit_tasks in by_unit.values():
        after_commit(partial(_tell_imported, unit_tasks, actor))


def _tell_imported(unit_tasks: list[Any], actor: Any) -> None:
    first = unit_tasks[0]
    document = first.document
    notify([first.lead_unit], kinds.TASKS_IMPORTED, document, {
        "count": len(unit_tasks), "document": document.number or document.title[:80],
        "unit": first.lead_unit.name}, key_date=first.assigned_on,
        key=f"{kinds.TASKS_IMPORTED}:{first.lead_unit_id}", actor=actor)


def people_named(*, task: Any, people: Sequence[Any], actor: Any) -> None:
    """Officers newly named responsible for the task (cán bộ được giao)."""
    if people:
        params = _task_params(task)
        after_commit(lambda: notify(list(people), kinds.PERSON_NAMED, task, params,
                                    actor=actor))


def direction_given(*, direction: Any, actor: Any) -> None:
    task = direction.task
    params = _task_params(task, actor=_name(actor), text=direction.text[:200])
    after_commit(lambda: notify(_lead_side(task), kinds.DIRECTION_GIVEN, task, params,
                                key=f"{kinds.DIRECTION_GIVEN}:{direction.pk}", actor=actor))


def completion_requested(*, request: Any, actor: Any) -> None:
    task = request.task
    after_commit(lambda: notify(
        deciders(task, request.submitted_by_id), kinds.COMPLETION_REQUESTED, task,
        _task_params(task), key=f"{kinds.COMPLETION_REQUESTED}:{request.pk}", actor=actor))


def extension_requested(*, extension: Any, actor: Any) -> None:
    task = extension.task
    params = _task_params(task, day=_fmt(extension.proposed_due))
    after_commit(lambda: notify(
        deciders(task, extension.requested_by_id), kinds.EXTENSION_REQUESTED, task, params,
        key=f"{kinds.EXTENSION_REQUESTED}:{extension.pk}", actor=actor))


def completion_decided(*, request: Any, actor: Any, accepted: bool) -> None:
    task = request.task
    kind = kinds.COMPLETION_CONFIRMED if accepted else kinds.COMPLETION_RETURNED
    params = _task_params(task, text=request.decision_note[:200])
    after_commit(lambda: notify([*_lead_side(task), request.submitted_by], kind, task, params,
                                key=f"{kind}:{request.pk}", actor=actor))


def extension_decided(*, extension: Any, actor: Any, approved: bool) -> None:
    task = extension.task
    kind = kinds.EXTENSION_APPROVED if approved else kinds.EXTENSION_REFUSED
    params = _task_params(task, day=_fmt(extension.proposed_due),
                          text=extension.decision_note[:200])
    after_commit(lambda: notify([*_lead_side(task), extension.requested_by], kind, task,
                                params, key=f"{kind}:{extension.pk}", actor=actor))


def deadline_changed(*, task: Any, actor: Any) -> None:
    params = _task_params(task, day=_fmt(task.deadline))
    key = f"{kinds.DEADLINE_CHANGED}:{_fmt(task.deadline)}"
    after_commit(lambda: notify(_lead_side(task), kinds.DEADLINE_CHANGED, task, params,
                                key=key, key_date=timezone.localdate(), actor=actor))


def task_commented(*, comment: Any, actor: Any) -> None:
    """Both sides of the thread: the lead side, the task's author and earlier commenters."""
    task = comment.task
    params = _task_params(task, actor=_name(actor), text=comment.text[:200])

    def tell() -> None:
        earlier = User.objects.filter(pk__in=task.comments.exclude(pk=comment.pk)
                                      .values("author_id"))
        notify([*_lead_side(task), task.created_by, *earlier], kinds.TASK_COMMENTED, task,
               params, key=f"{kinds.TASK_COMMENTED}:{comment.pk}", actor=actor)

    after_commit(tell)
