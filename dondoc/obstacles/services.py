"""Writes for obstacles: raise, correct, escalate, reject, direct, resolve.

Each runs in one transaction, checks the actor's right through ``scoping``, refuses a
step the current state does not allow (:class:`TransitionRefused`, answered 409 by the
API), bumps the version (a form opened before another's step is stale), appends a history
line, records the audit event, and sends its signal once committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from dondoc.audit.models import Action
from dondoc.audit.services import diff, record, snapshot
from dondoc.core.concurrency import ConflictError, save_versioned
from dondoc.obstacles import signals
from dondoc.obstacles.models import Category, EventKind, Obstacle, ObstacleEvent, ObstacleState
from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.plans.models import Document, Task
from dondoc.plans.services import WorkflowError
from dondoc.progress.models import ProgressUpdate

CONTENT_FIELDS = ["category", "description", "proposed_solution", "resolver_unit",
                  "resolver_agency"]
AUDITED_FIELDS = ["task", "document", "unit", *CONTENT_FIELDS, "progress_update", "state",
                  "raised_on"]


class TransitionRefused(WorkflowError):
    """A step the obstacle's current state does not allow; the message says why."""


# What each step needs: the states it starts from and the state it leads to (None: stays).
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "escalate": (frozenset({ObstacleState.OPEN}), ObstacleState.ESCALATED),
    "reject": (frozenset({ObstacleState.OPEN, ObstacleState.ESCALATED}), ObstacleState.REJECTED),
    "resolve": (frozenset({ObstacleState.OPEN, ObstacleState.ESCALATED}),
                ObstacleState.RESOLVED),
    "direct": (frozenset({ObstacleState.ESCALATED}), None),
}


def allowed_steps(state: str) -> list[str]:
    """The steps an obstacle in ``state`` may take (whoever may take them)."""
    return [step for step, (sources, _target) in TRANSITIONS.items() if state in sources]


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _actor(actor: Any) -> Any:
    return actor if _is_user(actor) else None


def _moment(on: dt.date | None) -> tuple[dt.datetime, dt.date]:
    """Now, or noon of ``on`` when a step is recorded after the fact (demo, history)."""
    now = timezone.now()
    today = timezone.localdate(now)
    if on is None or on == today:
        return now, today
    if on > today:
        raise ValidationError({"on": _("A step cannot be dated in the future.")})
    return timezone.make_aware(dt.datetime.combine(on, dt.time(12))), on


def _check_right(actor: Any, allowed: Callable[[Any], QuerySet[Obstacle]],
                 obstacle: Obstacle) -> None:
    """People act only within their rights; steps recorded by the system (no person) pass."""
    if _is_user(actor) and not allowed(actor).filter(pk=obstacle.pk).exists():
        raise PermissionDenied


def _send_on_commit(signal: Signal, obstacle: Obstacle, actor: Any) -> None:
    person = _actor(actor)
    transaction.on_commit(lambda: signal.send(sender=Obstacle, obstacle=obstacle, actor=person))


def raising_unit_for(actor: Any, *, task: Task | None = None,
                     document: Document | None = None) -> Unit | None:
    """The unit an obstacle is raised for: on a task, the lead unit (else a coordinating
    unit) within the actor's own subtree; on a document, the actor's own unit."""
    unit: Unit | None = getattr(actor, "unit", None)
    if task is not None:
        units = Unit.objects.filter(Q(pk=task.lead_unit_id)
                                    | Q(pk__in=task.coordinating_units.values("pk")))
        if not scoping.is_admin(actor):
            if unit is None:
                return None
            units = units.filter(path__startswith=unit.path)
        return units.filter(pk=task.lead_unit_id).first() or units.order_by("path").first()
    if document is not None:
        return unit or document.owner_unit
    return None


def _validate(obstacle: Obstacle) -> None:
    errors: dict[str, str] = {}
    if (obstacle.task_id is None) == (obstacle.document_id is None):
        errors["task"] = _("Raise the obstacle on a task or on a document (one of the two).")
    if obstacle.category not in Category.values:
        errors["category"] = _("Choose the kind of obstacle.")
    if not obstacle.description.strip():
        errors["description"] = _("Describe the difficulty or obstacle.")
    if obstacle.resolver_unit_id is None and not obstacle.resolver_agency.strip():
        errors["resolver_unit"] = _("Say who must resolve it: a unit, or an outside agency "
                                    "by name.")
    elif obstacle.resolver_unit_id is not None and obstacle.resolver_agency.strip():
        errors["resolver_agency"] = _("Name a unit or an outside agency, not both.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def obstacle_raise(*, actor: Any, unit: Unit, category: str, description: str,
                   task: Task | None = None, document: Document | None = None,
                   resolver_unit: Unit | None = None, resolver_agency: str = "",
                   proposed_solution: str = "", progress_update: ProgressUpdate | None = None,
                   raised_on: dt.date | None = None) -> Obstacle:
    """Register an obstacle raised by ``unit`` (see :func:`raising_unit_for`)."""
    if _is_user(actor):
        if task is not None and not scoping.tasks_obstacle_raisable_by(actor).filter(
                pk=task.pk).exists():
            raise PermissionDenied
        if document is not None and not scoping.documents_obstacle_raisable_by(actor).filter(
                pk=document.pk).exists():
            raise PermissionDenied
    if progress_update is not None:
        if task is None or progress_update.task_id != task.pk:
            raise ValidationError({"progress_update": _(
                "The progress report belongs to another task.")})
        if Obstacle.objects.filter(progress_update=progress_update).exists():
            raise TransitionRefused(_("This progress report has already been raised as an "
                                      "obstacle."))
    at, day = _moment(raised_on)
    obstacle = Obstacle(
        task=task, document=document, unit=unit, category=category,
        description=description.strip(), proposed_solution=proposed_solution.strip(),
        resolver_unit=resolver_unit, resolver_agency=resolver_agency.strip(),
        progress_update=progress_update, raised_by=_actor(actor), raised_at=at, raised_on=day,
    )
    _validate(obstacle)
    obstacle.save()
    ObstacleEvent.objects.create(obstacle=obstacle, kind=EventKind.RAISED, actor=_actor(actor),
                                 at=at, text=obstacle.description)
    record(actor=actor, action=Action.CREATE, obj=obstacle, unit_id=unit.pk,
           changes=diff({}, snapshot(obstacle, AUDITED_FIELDS)))
    _send_on_commit(signals.obstacle_raised, obstacle, actor)
    return obstacle


def _locked(obstacle: Obstacle, expected_version: int | None) -> Obstacle:
    fresh = Obstacle.objects.select_for_update().get(pk=obstacle.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise ConflictError
    return fresh


@transaction.atomic
def obstacle_update(*, actor: Any, obstacle: Obstacle, expected_version: int,
                    **fields: Any) -> Obstacle:
    """Correct the content of an open obstacle (the raising side, or staff)."""
    _check_right(actor, scoping.obstacles_editable_by, obstacle)
    fresh = _locked(obstacle, expected_version)
    if fresh.state != ObstacleState.OPEN:
        raise TransitionRefused(_("Only an open obstacle can be changed."))
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = snapshot(fresh, CONTENT_FIELDS)
    for name, value in fields.items():
        setattr(fresh, name, value.strip() if isinstance(value, str) else value)
    _validate(fresh)
    save_versioned(fresh, expected_version=fresh.version, fields=list(fields))
    changes = diff(before, snapshot(fresh, CONTENT_FIELDS))
    if changes:
        ObstacleEvent.objects.create(obstacle=fresh, kind=EventKind.EDITED, actor=_actor(actor),
                                     text=", ".join(sorted(changes)))
    record(actor=actor, action=Action.UPDATE, obj=fresh, unit_id=fresh.unit_id, changes=changes)
    return fresh


def _step(step: str, *, actor: Any, obstacle: Obstacle,
          allowed: Callable[[Any], QuerySet[Obstacle]],
          text: str, expected_version: int | None, on: dt.date | None,
          required: str | None) -> tuple[Obstacle, dt.datetime, dt.date, str]:
    """Check the right, the state and the text of a step; the locked obstacle to change."""
    _check_right(actor, allowed, obstacle)
    fresh = _locked(obstacle, expected_version)
    sources, _target = TRANSITIONS[step]
    if fresh.state not in sources:
        raise TransitionRefused(_refusal(step, fresh.state))
    if required is not None and not text.strip():
        raise ValidationError({"text": required})
    at, day = _moment(on)
    if day < fresh.raised_on:
        raise ValidationError({"on": _("A step cannot be dated before the obstacle was "
                                       "raised.")})
    return fresh, at, day, text.strip()


def _refusal(step: str, state: str) -> str:
    label = ObstacleState(state).label
    messages = {
        "escalate": _("Only an open obstacle can be escalated to leadership; this one is "
                      "%(state)s."),
        "reject": _("Only an open or escalated obstacle can be rejected; this one is "
                    "%(state)s."),
        "resolve": _("Only an open or escalated obstacle can be resolved; this one is "
                     "%(state)s."),
        "direct": _("Leaders give directions on escalated obstacles; this one is %(state)s."),
    }
    return messages[step] % {"state": str(label).lower()}


def _finish(fresh: Obstacle, *, actor: Any, kind: str, at: dt.datetime, text: str,
            fields: list[str], before_state: str, signal: Signal) -> Obstacle:
    save_versioned(fresh, expected_version=fresh.version, fields=fields)
    ObstacleEvent.objects.create(obstacle=fresh, kind=kind, actor=_actor(actor), at=at,
                                 text=text)
    changes: dict[str, Any] = {"text": [None, text[:500]]}
    if fresh.state != before_state:
        changes["state"] = [before_state, fresh.state]
    record(actor=actor, action=Action.UPDATE, obj=fresh, unit_id=fresh.unit_id,
           changes=changes, message=kind)
    _send_on_commit(signal, fresh, actor)
    return fresh


@transaction.atomic
def obstacle_escalate(*, actor: Any, obstacle: Obstacle, note: str = "",
                      expected_version: int | None = None, on: dt.date | None = None) -> Obstacle:
    """Staff send an open obstacle up to leadership for a direction."""
    fresh, at, _day, text = _step("escalate", actor=actor, obstacle=obstacle,
                                  allowed=scoping.obstacles_triageable_by, text=note,
                                  expected_version=expected_version, on=on, required=None)
    before = fresh.state
    fresh.state = ObstacleState.ESCALATED
    fresh.escalated_by, fresh.escalated_at = _actor(actor), at
    return _finish(fresh, actor=actor, kind=EventKind.ESCALATED, at=at, text=text,
                   fields=["state", "escalated_by", "escalated_at"], before_state=before,
                   signal=signals.obstacle_escalated)


@transaction.atomic
def obstacle_reject(*, actor: Any, obstacle: Obstacle, reason: str,
                    expected_version: int | None = None, on: dt.date | None = None) -> Obstacle:
    """Staff turn down an open or escalated obstacle, saying why."""
    fresh, at, day, text = _step("reject", actor=actor, obstacle=obstacle,
                                 allowed=scoping.obstacles_triageable_by, text=reason,
                                 expected_version=expected_version, on=on,
                                 required=_("Say why the obstacle is rejected."))
    before = fresh.state
    fresh.state = ObstacleState.REJECTED
    fresh.rejection_reason, fresh.rejected_by, fresh.rejected_at = text, _actor(actor), at
    fresh.closed_on = day
    return _finish(fresh, actor=actor, kind=EventKind.REJECTED, at=at, text=text,
                   fields=["state", "rejection_reason", "rejected_by", "rejected_at",
                           "closed_on"], before_state=before, signal=signals.obstacle_rejected)


@transaction.atomic
def obstacle_direct(*, actor: Any, obstacle: Obstacle, text: str,
                    expected_version: int | None = None, on: dt.date | None = None) -> Obstacle:
    """A leader's direction on an escalated obstacle; a later one replaces it (the history
    keeps every one)."""
    fresh, at, _day, clean = _step("direct", actor=actor, obstacle=obstacle,
                                   allowed=scoping.obstacles_directable_by, text=text,
                                   expected_version=expected_version, on=on,
                                   required=_("Write the direction."))
    fresh.direction, fresh.direction_by, fresh.direction_at = clean, _actor(actor), at
    return _finish(fresh, actor=actor, kind=EventKind.DIRECTED, at=at, text=clean,
                   fields=["direction", "direction_by", "direction_at"],
                   before_state=fresh.state, signal=signals.obstacle_directed)


@transaction.atomic
def obstacle_resolve(*, actor: Any, obstacle: Obstacle, resolution: str,
                     expected_version: int | None = None, on: dt.date | None = None) -> Obstacle:
    """The resolver records how the obstacle was resolved."""
    fresh, at, day, text = _step("resolve", actor=actor, obstacle=obstacle,
                                 allowed=scoping.obstacles_resolvable_by,
                                 text=resolution, expected_version=expected_version, on=on,
                                 required=_("Say how the obstacle was resolved."))
    before = fresh.state
    fresh.state = ObstacleState.RESOLVED
    fresh.resolution, fresh.resolved_by, fresh.resolved_at = text, _actor(actor), at
    fresh.closed_on = day
    return _finish(fresh, actor=actor, kind=EventKind.RESOLVED, at=at, text=text,
                   fields=["state", "resolution", "resolved_by", "resolved_at", "closed_on"],
                   before_state=before, signal=signals.obstacle_resolved)


STEP_SERVICES: dict[str, Callable[..., Obstacle]] = {
    "escalate": obstacle_escalate, "reject": obstacle_reject, "direct": obstacle_direct,
    "resolve": obstacle_resolve}

__all__ = ["ConflictError", "TransitionRefused"]
