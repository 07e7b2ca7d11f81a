"""Template helpers of the obstacle register: the state badge, and the obstacles shown on
the task and document pages (so those pages need no change to their views)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from dondoc.obstacles import selectors
from dondoc.obstacles.models import ObstacleState
from dondoc.organization import scoping

register = template.Library()

# The task status palette, reused: open = orange (due soon), escalated = red (overdue),
# resolved = green, rejected = grey; always with an icon and the label.
_STYLE: dict[str, tuple[str, str]] = {
    ObstacleState.OPEN: ("due_soon", "bi-exclamation-circle"),
    ObstacleState.ESCALATED: ("in_progress_overdue", "bi-arrow-up-circle"),
    ObstacleState.RESOLVED: ("completed_on_time", "bi-check-circle"),
    ObstacleState.REJECTED: ("cancelled", "bi-x-circle"),
}


@register.simple_tag
def obstacle_state(state: str) -> SafeString:
    style, icon = _STYLE.get(state, ("standing", "bi-question-circle"))
    label = ObstacleState(state).label if state in ObstacleState.values else state
    return format_html('<span class="status status-{}"><i class="bi {}" aria-hidden="true">'
                       "</i> {}</span>", style, icon, label)


@register.simple_tag(takes_context=True)
def task_obstacles(context: dict[str, Any], task: Any, can_raise: bool | None = None,
                   ) -> dict[str, Any]:
    """The obstacles of ``task`` the user sees, whether they may raise one, and the
    obstacle each progress report became (by the report's id). The task page passes
    ``can_raise``: its "may report" answer, which is :func:`scoping.tasks_obstacle_raisable_by`
    for one task (reportable and not closed), already computed."""
    user = context["request"].user
    items = selectors.obstacles_of_task(user=user, task=task)
    if can_raise is None:
        can_raise = scoping.tasks_obstacle_raisable_by(user).filter(pk=task.pk).exists()
    return {"items": items,
            "can_raise": can_raise,
            "by_update": {item.progress_update_id: item for item in items
                          if item.progress_update_id}}


@register.simple_tag(takes_context=True)
def document_obstacles(context: dict[str, Any], document: Any) -> dict[str, Any]:
    """The obstacles raised on ``document`` itself; how many on its tasks and whether the
    user may raise one (together in one query)."""
    user = context["request"].user
    facts = selectors.document_obstacle_facts(user=user, document=document)
    return {"items": selectors.obstacles_of_document(user=user, document=document), **facts}


@register.filter
def obstacle_age(obstacle: Any, day: Any) -> int:
    """Days the obstacle has been (or was) open, counted to ``day``."""
    return int(obstacle.age_on(day))
