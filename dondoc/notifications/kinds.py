"""What a notification can say: each kind's label and summary, and how objects are linked.

A notification stores its kind and a few parameters (task code, unit name, a date …);
its title is rendered from them at display time, in the reader's language. Other apps
add their kinds to :data:`KINDS` here, and their objects to :data:`OBJECTS` with
:func:`register_object` (how to link one, who may see it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_stubs_ext import StrOrPromise


class Category:
    EVENT = "event"  # something someone did: mailed as the user chose
    REMINDER = "reminder"  # the daily pass: always in the daily digest
    DIGEST = "digest"


@dataclass(frozen=True)
class Kind:
    name: str
    label: StrOrPromise
    summary: StrOrPromise  # with %(name)s placeholders filled from the parameters
    category: str = Category.EVENT
    icon: str = "bell"


TASK_ASSIGNED = "task_assigned"
SUBTASK_ASSIGNED = "subtask_assigned"
TASKS_IMPORTED = "tasks_imported"
PERSON_NAMED = "person_named"
DIRECTION_GIVEN = "direction_given"
COMPLETION_REQUESTED = "completion_requested"
EXTENSION_REQUESTED = "extension_requested"
COMPLETION_CONFIRMED = "completion_confirmed"
COMPLETION_RETURNED = "completion_returned"
EXTENSION_APPROVED = "extension_approved"
EXTENSION_REFUSED = "extension_refused"
DEADLINE_CHANGED = "deadline_changed"
TASK_COMMENTED = "task_commented"
URGING_LETTER_RECEIVED = "urging_letter_received"
REPORT_DUE = "report_due"
OBSTACLE_RAISED = "obstacle_raised"
REMINDER_DUE_SOON = "reminder_due_soon"
REMINDER_DUE_TODAY = "reminder_due_today"
REMINDER_OVERDUE = "reminder_overdue"
ESCALATION_MANAGER = "escalation_manager"
ESCALATION_LEADER = "escalation_leader"
DIGEST = "digest"

_KIND_LIST = [
    Kind(TASK_ASSIGNED, _("New task assigned"),
         _("New task %(code)s assigned to %(unit)s: %(title)s"), icon="clipboard-plus"),
    Kind(SUBTASK_ASSIGNED, _("New sub-task assigned"),
         _("New sub-task %(code)s assigned to %(unit)s: %(title)s"), icon="diagram-3"),
    Kind(TASKS_IMPORTED, _("Tasks assigned by import"),
         _("%(count)s new tasks of %(document)s assigned to %(unit)s"), icon="clipboard-plus"),
    Kind(PERSON_NAMED, _("Task assigned to you"),
         _("You were named responsible for task %(code)s: %(title)s"), icon="person-check"),
    Kind(DIRECTION_GIVEN, _("Direction given"),
         _("%(actor)s gave a direction on task %(code)s: %(text)s"), icon="megaphone"),
    Kind(COMPLETION_REQUESTED, _("Completion requested"),
         _("%(unit)s asks to confirm the completion of task %(code)s"), icon="check2-square"),
    Kind(EXTENSION_REQUESTED, _("Extension requested"),
         _("%(unit)s asks to extend task %(code)s to %(day)s"), icon="calendar-plus"),
    Kind(COMPLETION_CONFIRMED, _("Completion confirmed"),
         _("The completion of task %(code)s was confirmed"), icon="check-circle"),
    Kind(COMPLETION_RETURNED, _("Returned for rework"),
         _("Task %(code)s was returned for rework: %(text)s"), icon="arrow-return-left"),
    Kind(EXTENSION_APPROVED, _("Extension approved"),
         _("The deadline of task %(code)s was extended to %(day)s"), icon="calendar-check"),
    Kind(EXTENSION_REFUSED, _("Extension refused"),
         _("The extension of task %(code)s was refused: %(text)s"), icon="calendar-x"),
    Kind(DEADLINE_CHANGED, _("Deadline changed"),
         _("The deadline of task %(code)s is now %(day)s"), icon="calendar-event"),
    Kind(TASK_COMMENTED, _("New comment"),
         _("%(actor)s commented on task %(code)s: %(text)s"), icon="chat-left-text"),
    Kind(URGING_LETTER_RECEIVED, _("Urging letter received"),
         _("Urging letter %(number)s sent to %(unit)s"), icon="envelope-exclamation"),
    Kind(REPORT_DUE, _("Report due"),
         _("The report of %(unit)s for %(period)s is due on %(day)s"), icon="file-earmark-text",
         category=Category.REMINDER),
    Kind(OBSTACLE_RAISED, _("Obstacle raised"),
         _("%(unit)s raised an obstacle: %(text)s"), icon="exclamation-octagon"),
    Kind(REMINDER_DUE_SOON, _("Deadline approaching"),
         _("Task %(code)s is due in %(days)s days (%(day)s): %(title)s"), icon="alarm",
         category=Category.REMINDER),
    Kind(REMINDER_DUE_TODAY, _("Due today"),
         _("Task %(code)s is due today: %(title)s"), icon="alarm-fill",
         category=Category.REMINDER),
    Kind(REMINDER_OVERDUE, _("Overdue"),
         _("Task %(code)s is %(days)s days overdue (deadline %(day)s): %(title)s"),
         icon="exclamation-triangle", category=Category.REMINDER),
    Kind(ESCALATION_MANAGER, _("Escalation to the unit's manager"),
         _("Task %(code)s of %(unit)s is %(days)s days overdue (deadline %(day)s): "
           "%(title)s"), icon="arrow-up-circle", category=Category.REMINDER),
    Kind(ESCALATION_LEADER, _("Escalation to leaders"),
         _("Task %(code)s of %(unit)s, assigned by %(assigning)s, is %(days)s days overdue "
           "(deadline %(day)s): %(title)s"), icon="arrow-up-circle-fill",
         category=Category.REMINDER),
    Kind(DIGEST, _("Daily digest"),
         _("Reminders of %(day)s: %(count)s tasks need your attention"), icon="inbox",
         category=Category.DIGEST),
]
KINDS: dict[str, Kind] = {kind.name: kind for kind in _KIND_LIST}


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise LookupError(f"unknown notification kind {name!r}") from None


class _Params(dict[str, Any]):
    """Parameters of a summary; a missing one reads as a dash rather than failing."""

    def __missing__(self, key: str) -> str:
        return "—"


def render_summary(kind_name: str, params: dict[str, Any] | None) -> str:
    """The notification's sentence in the active language."""
    kind = KINDS.get(kind_name)
    if kind is None:
        return kind_name
    try:
        return str(kind.summary) % _Params(params or {})
    except (TypeError, ValueError):
        return str(kind.label)


# Objects a notification may point to ----------------------------------------------------


@dataclass(frozen=True)
class ObjectType:
    """How to link an object of one model (``app_label.model``) and who may see it."""

    label: str
    url: Callable[[int], str]
    visible: Callable[[Any], QuerySet[Any]]  # visible(user) -> queryset of that model


OBJECTS: dict[str, ObjectType] = {}


def register_object(label: str, *, url: Callable[[int], str],
                    visible: Callable[[Any], QuerySet[Any]]) -> None:
    OBJECTS[label] = ObjectType(label, url, visible)


def object_label(obj: Any) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def _scoping(name: str) -> Callable[[Any], QuerySet[Any]]:
    def visible(user: Any) -> QuerySet[Any]:
        from dondoc.organization import scoping

        result: QuerySet[Any] = getattr(scoping, name)(user)
        return result

    return visible


register_object("plans.task", url=lambda pk: reverse("task_detail", args=[pk]),
                visible=_scoping("tasks_visible_to"))
register_object("plans.document", url=lambda pk: reverse("document_detail", args=[pk]),
                visible=_scoping("documents_titled_for"))
