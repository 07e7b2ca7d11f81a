"""Who is told of an obstacle's steps, through the notification centre.

Connected in ``ObstaclesConfig.ready``: each signal of :mod:`dondoc.obstacles.signals`
(sent once the step committed) becomes notifications — the staff of the raising unit's
agency and the resolver unit hear of a new obstacle, the agency's leaders of an
escalation, the raising unit (its managers and the person who raised it) and the
resolver unit of a direction, the raising side of the resolution or rejection. The
notification centre keeps out the actor, inactive accounts and anyone who may not see
the obstacle (``scoping.obstacles_visible_to``).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dondoc.notifications import kinds as registry
from dondoc.notifications.services import after_commit, notify
from dondoc.obstacles import signals
from dondoc.obstacles.models import Obstacle
from dondoc.organization.models import Role, Unit, User

OBSTACLE_ESCALATED = "obstacle_escalated"
OBSTACLE_DIRECTED = "obstacle_directed"
OBSTACLE_RESOLVED = "obstacle_resolved"
OBSTACLE_REJECTED = "obstacle_rejected"

_KINDS = [
    registry.Kind(OBSTACLE_ESCALATED, _("Obstacle escalated to leadership"),
                  _("An obstacle of %(unit)s awaits the leaders' direction: %(text)s"),
                  icon="arrow-up-circle"),
    registry.Kind(OBSTACLE_DIRECTED, _("Direction on an obstacle"),
                  _("%(actor)s gave a direction on the obstacle of %(unit)s: %(text)s"),
                  icon="megaphone"),
    registry.Kind(OBSTACLE_RESOLVED, _("Obstacle resolved"),
                  _("The obstacle of %(unit)s was resolved: %(text)s"), icon="check-circle"),
    registry.Kind(OBSTACLE_REJECTED, _("Obstacle rejected"),
                  _("The obstacle of %(unit)s was rejected: %(text)s"), icon="x-circle"),
]


def _agency_people(obstacle: Obstacle, role: str) -> list[User]:
    """Active accounts of ``role`` in the agency (nearest scope root) of the raising unit."""
    unit = obstacle.unit
    step = Unit.steplen
    ancestors = [unit.path[: step * depth] for depth in range(1, len(unit.path) // step + 1)]
    root = (Unit.objects.filter(path__in=ancestors, is_scope_root=True).order_by("-depth")
            .values_list("path", flat=True).first()) or unit.path
    return list(User.objects.filter(role=role, is_active=True, unit__path__startswith=root))


def _raising_side(obstacle: Obstacle) -> list[Any]:
    return [obstacle.unit, obstacle.raised_by]


def _params(obstacle: Obstacle, actor: Any, text: str) -> dict[str, Any]:
    name = str(actor.get_full_name() or actor.get_username()) if actor is not None else ""
    return {"unit": obstacle.unit.label, "text": text[:200], "actor": name,
            "code": obstacle.task.code if obstacle.task else ""}


def _tell(recipients: list[Any], kind: str, obstacle: Obstacle, actor: Any, text: str) -> None:
    fresh = Obstacle.objects.select_related("unit", "task", "raised_by").get(pk=obstacle.pk)
    after_commit(lambda: notify(recipients, kind, fresh, _params(fresh, actor, text),
                                actor=actor, task=fresh.task))


def on_raised(sender: Any, obstacle: Obstacle, actor: Any, **kwargs: Any) -> None:
    recipients: list[Any] = list(_agency_people(obstacle, Role.STAFF))
    if obstacle.resolver_unit is not None:
        recipients.append(obstacle.resolver_unit)
    _tell(recipients, registry.OBSTACLE_RAISED, obstacle, actor, obstacle.description)


def on_escalated(sender: Any, obstacle: Obstacle, actor: Any, **kwargs: Any) -> None:
    _tell(list(_agency_people(obstacle, Role.LEADER)), OBSTACLE_ESCALATED, obstacle, actor,
          obstacle.description)


def on_directed(sender: Any, obstacle: Obstacle, actor: Any, **kwargs: Any) -> None:
    recipients = _raising_side(obstacle)
    if obstacle.resolver_unit is not None:
        recipients.append(obstacle.resolver_unit)
    else:
        recipients.extend(_agency_people(obstacle, Role.STAFF))
    _tell(recipients, OBSTACLE_DIRECTED, obstacle, actor, obstacle.direction)


def on_resolved(sender: Any, obstacle: Obstacle, actor: Any, **kwargs: Any) -> None:
    _tell(_raising_side(obstacle), OBSTACLE_RESOLVED, obstacle, actor, obstacle.resolution)


def on_rejected(sender: Any, obstacle: Obstacle, actor: Any, **kwargs: Any) -> None:
    _tell(_raising_side(obstacle), OBSTACLE_REJECTED, obstacle, actor,
          obstacle.rejection_reason)


def connect() -> None:
    """Register the obstacle as a notification object, its kinds, and the receivers."""
    from dondoc.organization import scoping

    for kind in _KINDS:
        registry.KINDS.setdefault(kind.name, kind)
    registry.register_object(
        "obstacles.obstacle", url=lambda pk: reverse("obstacle_detail", args=[pk]),
        visible=lambda user: scoping.obstacles_visible_to(user))
    pairs = [(signals.obstacle_raised, on_raised), (signals.obstacle_escalated, on_escalated),
             (signals.obstacle_directed, on_directed), (signals.obstacle_resolved, on_resolved),
             (signals.obstacle_rejected, on_rejected)]
    for signal, receiver in pairs:
        signal.connect(receiver, dispatch_uid=f"obstacles.notices.{receiver.__name__}")

