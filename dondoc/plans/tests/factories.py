"""Test data for documents and tasks, built through the real services.

``make_document``, ``make_group`` and ``make_task`` give one object with sensible
defaults. ``random_history`` builds a task with a random but chronological life —
progress updates and corrections, extensions approved or refused, completion requests
accepted or returned, suspensions, cancellation, due-date corrections, transfers — so
that the status SQL can be checked against the pure engine on varied data (and the
benchmark can generate realistic volumes).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable, Sequence
from typing import Any

from dondoc.organization.models import Unit
from dondoc.plans import services
from dondoc.plans.models import (
    DeadlineKind,
    Document,
    DocumentKind,
    RequestStatus,
    Task,
    TaskGroup,
    TaskState,
)

_prefixes = itertools.count(1)


def make_document(owner_unit: Unit, *, code_prefix: str = "", actor: Any = None,
                  **fields: Any) -> Document:
    """A plan owned by ``owner_unit``; ``code_prefix`` defaults to a fresh unique one."""
    prefix = code_prefix or f"KH{next(_prefixes)}"
    values: dict[str, Any] = {
        "kind": DocumentKind.PLAN,
        "number": f"{prefix}/KH-CATP",
        "title": f"Kế hoạch {prefix} thực hiện Nghị quyết 12-NQ/TW",
        "issuer": owner_unit.name,
        "issue_date": dt.date(2022, 5, 25),
        **fields,
    }
    return services.document_create(actor=actor, owner_unit=owner_unit, code_prefix=prefix,
                                    **values)


def make_group(document: Document, *, number: str = "I", title: str = "Nhóm nhiệm vụ",
               actor: Any = None) -> TaskGroup:
    return services.group_create(actor=actor, document=document, number=number, title=title)


def make_task(document: Document, lead_unit: Unit, assigning_unit: Unit | None = None, *,
              actor: Any = None, title: str = "Rà soát, sắp xếp tổ chức bộ máy",
              due_date: dt.date | None = dt.date(2024, 3, 31),
              assigned_on: dt.date = dt.date(2024, 1, 10), **fields: Any) -> Task:
    """A fixed-deadline task (due 31/03/2024, assigned 10/01/2024 unless told otherwise).

    ``assigning_unit`` defaults to the document's owner. For standing and recurring tasks
    pass ``deadline_kind``; the due date is then ignored by the service.
    """
    return services.task_create(
        actor=actor, document=document, title=title, lead_unit=lead_unit,
        assigning_unit=assigning_unit or document.owner_unit, due_date=due_date,
        assigned_on=assigned_on, **fields,
    )


# Random histories -------------------------------------------------------------------

KIND_WEIGHTS = {
    DeadlineKind.FIXED: 70,
    DeadlineKind.STANDING: 10,
    DeadlineKind.MONTHLY: 10,
    DeadlineKind.QUARTERLY: 6,
    DeadlineKind.YEARLY: 4,
    DeadlineKind.NONE: 6,  # "deadline to set": a date may be set later in the history
}

Step = Callable[[], None]


def _default_document(owner: Unit, actor: Any) -> Document:
    prefix = f"RND{owner.pk}"
    existing = Document.objects.filter(code_prefix=prefix).first()
    return existing or make_document(owner, code_prefix=prefix, actor=actor)


def _gap(rng: random.Random) -> dt.timedelta:
    """Days to the next event: often the same day, so that same-day orderings occur."""
    return dt.timedelta(days=0 if rng.random() < 0.2 else rng.randint(1, 40))


# Requests and decisions of a generated history are recorded as the system's: one actor
# cannot both request and decide (segregation of duties), and the history is about dates.
SYSTEM = None


def random_history(rng: random.Random, org_units: Sequence[Unit], actor: Any,
                   start: dt.date, end: dt.date, *, document: Document | None = None,
                   assigning_unit: Unit | None = None, transfers: bool = True) -> Task:
    """Build one task whose whole life lies within ``start``–``end``, in date order.

    Every step goes through a service with an explicit date, never later than ``end``,
    so freezing "today" at or after ``end`` makes the task's maintained fields match
    its history. ``transfers`` lets a step hand the lead unit's open tasks (all of them,
    as the real service does) to another unit; turn it off for large volumes.
    """
    units = list(org_units)
    if len(units) < 2:
        raise ValueError("random_history needs at least two units")
    if end < start:
        raise ValueError("the history must end after it starts")
    document = document or _default_document(units[0], actor)
    kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
    assigned_on = start + dt.timedelta(days=rng.randint(0, (end - start).days))
    due = assigned_on + dt.timedelta(days=rng.randint(0, 180))
    lead = rng.choice(units)
    others = [unit for unit in units if unit.pk != lead.pk]
    task = services.task_create(
        actor=actor, document=document, title=f"Nhiệm vụ ngẫu nhiên {rng.randrange(10**6)}",
        lead_unit=lead, assigning_unit=assigning_unit or document.owner_unit,
        deadline_kind=kind, due_date=due if kind == DeadlineKind.FIXED else None,
        coordinating_units=rng.sample(others, k=min(len(others), rng.choice([0, 0, 1, 2]))),
        assigned_on=assigned_on, priority=rng.randint(1, 4),
    )
    day = assigned_on
    while True:
        day += _gap(rng)
        if day > end:
            break
        task.refresh_from_db()
        step = _choose_step(rng, task, units, actor, day, transfers=transfers)
        if step is None:
            break
        step()
    task.refresh_from_db()
    return task


def _choose_step(rng: random.Random, task: Task, units: list[Unit], actor: Any, day: dt.date,
                 *, transfers: bool) -> Step | None:
    """A weighted random next step for the task's state, or ``None`` to end the history."""
    if task.state in {TaskState.COMPLETED, TaskState.CANCELLED}:
        return None
    pending_extension = task.extensions.filter(status=RequestStatus.PENDING).first()
    options: list[tuple[float, Step | None]] = [(1.0, None)]  # nothing more happens

    def progress() -> None:
        reporters = [task.lead_unit, *task.coordinating_units.all()]
        unit = rng.choice(reporters) if rng.random() < 0.3 else task.lead_unit
        previous = task.updates.order_by("-reported_on", "-id").first()
        corrects = previous if previous is not None and rng.random() < 0.1 else None
        services.progress_post(
            actor=actor, task=task, unit=unit, percent=min(99, task.progress + rng.randint(0, 30)),
            results="Đã triển khai các nội dung theo kế hoạch", reported_on=day,
            corrects=corrects, difficulties="Thiếu kinh phí" if rng.random() < 0.2 else "",
        )

    def decide_extension() -> None:
        assert pending_extension is not None
        approve = rng.random() < 0.65
        services.extension_decide(actor=SYSTEM, extension=pending_extension, approve=approve,
                                  note="" if approve else "Không có căn cứ gia hạn",
                                  decided_on=day)

    def decide_completion() -> None:
        request = task.completion_requests.get(status=RequestStatus.PENDING)
        accept = rng.random() < 0.7
        services.completion_decide(actor=SYSTEM, request=request, accept=accept,
                                   note="" if accept else "Sản phẩm chưa đạt yêu cầu",
                                   decided_on=day)

    def withdraw_completion() -> None:
        request = task.completion_requests.get(status=RequestStatus.PENDING)
        services.completion_withdraw(actor=actor, request=request, on=day)

    def withdraw_extension() -> None:
        assert pending_extension is not None
        services.extension_withdraw(actor=actor, extension=pending_extension, on=day)

    def request_completion() -> None:
        services.completion_request(actor=SYSTEM, task=task, note="Đã hoàn thành, có báo cáo",
                                    submitted_on=day)
        if pending_extension is not None and rng.random() < 0.5:
            decide_extension()  # the same day: an approval then counts for the submission

    def request_extension() -> None:
        assert task.deadline is not None
        services.extension_request(
            actor=SYSTEM, task=task, reason="Vướng mắc về kinh phí", requested_on=day,
            proposed_due=task.deadline + dt.timedelta(days=rng.randint(1, 90)))

    def set_deadline() -> None:
        services.task_set_deadline(
            actor=actor, task=task, on=day,
            due=max(task.assigned_on, day + dt.timedelta(days=rng.randint(-15, 90))))

    def suspend() -> None:
        services.task_suspend(actor=actor, task=task, reason="Chờ chủ trương mới", start=day)

    def resume() -> None:
        services.task_resume(actor=actor, task=task, end=day)

    def cancel() -> None:
        services.task_cancel(actor=actor, task=task, reason="Không còn phù hợp", on=day)

    def correct_due_date() -> None:
        assert task.due_date is not None
        corrected = task.due_date + dt.timedelta(days=rng.randint(-20, 20))
        services.task_update(actor=actor, task=task, expected_version=task.version,
                             due_date=max(task.assigned_on, corrected))

    def transfer() -> None:
        successor = rng.choice([unit for unit in units if unit.pk != task.lead_unit_id])
        services.tasks_transfer(actor=actor, from_unit=task.lead_unit, to_unit=successor,
                                on=day)

    if pending_extension is not None:
        options += [(2.0, decide_extension), (0.4, withdraw_extension)]
    if task.state == TaskState.SUBMITTED:
        options += [(5.0, decide_completion), (1.0, progress), (0.8, withdraw_completion)]
    elif task.state == TaskState.SUSPENDED:
        options += [(4.0, resume), (1.0, progress), (0.3, cancel)]
    else:
        options += [(5.0, progress), (2.5, request_completion), (0.6, suspend), (0.3, cancel)]
        if (task.deadline_kind in {DeadlineKind.FIXED, DeadlineKind.NONE}
                and task.deadline is not None and pending_extension is None):
            options.append((1.5, request_extension))
    if task.deadline_kind == DeadlineKind.NONE and task.is_open and pending_extension is None:
        options.append((1.5 if task.deadline is None else 0.2, set_deadline))
    if task.deadline_kind == DeadlineKind.FIXED and task.state != TaskState.COMPLETED:
        options.append((0.3, correct_due_date))
    if transfers and task.is_open:
        options.append((0.2, transfer))
    weights = [weight for weight, _step in options]
    return rng.choices([step for _weight, step in options], weights=weights)[0]

