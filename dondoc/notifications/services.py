"""Writes of the notification centre: tell people, mark read, e-mail preferences.

How other apps notify (the urging letter, obstacles, reports …)::

    from dondoc.notifications import kinds
    from dondoc.notifications.services import notify, notify_on_commit

    notify_on_commit([letter.unit], kinds.URGING_LETTER_RECEIVED, letter,
                     {"number": letter.number, "unit": letter.unit.name},
                     key_date=letter.issued_on, actor=actor, task=None)

``notify(users_or_units, kind, obj, params, key_date, *, key="", actor=None, task=None)``:

* ``users_or_units``: users and/or units; a unit stands for its active unit managers
  (its active officers when it has none).
* ``kind``: a name in :data:`dondoc.notifications.kinds.KINDS` (add yours there, with its
  label and its summary sentence; the sentence's ``%(name)s`` come from ``params``).
* ``obj``: the model instance the notification links to. Its ``app_label.model`` must be
  registered with :func:`dondoc.notifications.kinds.register_object` (its page URL and
  its ``visible_to(user)`` queryset); tasks and documents are. ``task`` (optional) names
  the task it concerns: the bell and the list then re-check that the reader still sees it.
* ``params``: JSON-able values for the summary (strings, numbers): render dates as
  ``dd/mm/yyyy`` strings yourself.
* ``key_date`` (default today) and ``key`` (default the kind): with the object and the
  recipient they form the unique key — calling twice with the same ones tells nobody
  twice. Give ``key`` a distinguishing part when one object may cause the same kind
  twice on one day (``f"task_commented:{comment.pk}"``).

Nobody inactive, nobody who cannot see ``obj`` and never ``actor`` is told. E-mail follows
each recipient's choice (immediately / daily digest / off) when SMTP is configured;
kinds of the *reminder* category always wait for the daily digest. ``notify`` writes in
the caller's transaction; ``notify_on_commit`` runs it once the caller's transaction
committed (a failure there is logged, never undoes the caller's work).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dondoc.audit.models import Action
from dondoc.audit.services import record
from dondoc.notifications import kinds as registry
from dondoc.notifications import mail
from dondoc.notifications.models import MailMode, MailPreference, MailState, Notification
from dondoc.organization.models import Role, Unit, User

logger = logging.getLogger(__name__)


def unit_people(unit: Unit) -> list[User]:
    """Who is told on behalf of a unit: its active managers, else its active officers."""
    people = list(User.objects.filter(unit=unit, is_active=True).filter(
        role__in=[Role.UNIT_MANAGER, Role.OFFICER]).select_related("unit"))
    managers = [person for person in people if person.role == Role.UNIT_MANAGER]
    return managers or people


def _expand(recipients: Iterable[Any]) -> list[User]:
    seen: dict[int, User] = {}
    for item in recipients:
        if item is None:
            continue
        people = unit_people(item) if isinstance(item, Unit) else [item]
        for person in people:
            seen.setdefault(person.pk, person)
    return list(seen.values())


def mail_mode(user: Any) -> str:
    preference = MailPreference.objects.filter(user=user).values_list("mode", flat=True).first()
    return preference or MailMode.IMMEDIATELY


def can_see(user: Any, label: str, object_id: int) -> bool:
    object_type = registry.OBJECTS.get(label)
    if object_type is None:
        return False
    return bool(object_type.visible(user).filter(pk=object_id).exists())


def notify(users_or_units: Iterable[Any], kind: str, obj: Any,
           params: dict[str, Any] | None = None, key_date: dt.date | None = None, *,
           key: str = "", actor: Any = None, task: Any = None) -> list[Notification]:
    """Tell each recipient once (see the module docstring); the notifications created."""
    kind_info = registry.get_kind(kind)
    label = registry.object_label(obj)
    if task is None and label == "plans.task":
        task = obj
    day = key_date or timezone.localdate()
    actor_id = getattr(actor, "pk", None)
    created: list[Notification] = []
    for user in _expand(users_or_units):
        if not user.is_active or user.pk == actor_id or not can_see(user, label, obj.pk):
            continue
        notification, is_new = Notification.objects.get_or_create(
            recipient=user, key=(key or kind)[:80], object_label=label, object_id=obj.pk,
            key_date=day,
            defaults={"kind": kind, "task": task, "params": params or {},
                      "digest_day": day if kind_info.category == registry.Category.REMINDER
                      else None})
        if is_new:
            created.append(notification)
            if kind_info.category == registry.Category.EVENT:
                _mail_event(notification, user)
    return created


def after_commit(work: Callable[[], Any]) -> None:
    """Run ``work`` (which calls :func:`notify`) in its own transaction once the current
    one committed; a failure is logged and never undoes the committed work."""

    def run() -> None:
        try:
            with transaction.atomic():
                work()
        except Exception:
            logger.exception("notifications could not be written")

    transaction.on_commit(run)


def notify_on_commit(*args: Any, **kwargs: Any) -> None:
    """:func:`notify` with the same arguments, once the current transaction commits."""
    after_commit(lambda: notify(*args, **kwargs))


def _mail_event(notification: Notification, user: User) -> None:
    if not mail.mail_configured() or not user.email:
        return
    mode = mail_mode(user)
    if mode == MailMode.OFF:
        return
    if mode == MailMode.DIGEST:
        state = MailState.DIGEST
    else:
        state = MailState.QUEUED
        with translation.override(user.language or "vi"):
            summary = notification.summary
            link = mail.absolute_url(object_url(notification))
            body = "\n\n".join([summary, _("Open: %(link)s") % {"link": link}, mail.footer()])
        mail.outbox_add(key=f"notification:{notification.pk}", user=user,
                        subject=mail.subject(summary), body=body)
    Notification.objects.filter(pk=notification.pk).update(mail=state)
    notification.mail = state


def object_url(notification: Notification) -> str:
    """The page of the notification's object (the list itself for a digest)."""
    from django.urls import reverse

    if notification.kind == registry.DIGEST:
        return reverse("notification_list") + f"?digest={notification.pk}"
    object_type = registry.OBJECTS.get(notification.object_label)
    if object_type is None or not notification.object_id:
        return reverse("notification_list")
    return object_type.url(notification.object_id)


# Reading ------------------------------------------------------------------------------


def _unread(user: Any, ids: Iterable[int] | None = None) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(Q(pk__in=list(ids)) | Q(digest_id__in=list(ids)))
    return rows


@transaction.atomic
def notifications_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (``ids``: those and their digests' items; all
    when ``None``). Only the user's own: another's id changes nothing."""
    count = _unread(user, ids).update(read_at=timezone.now())
    if count:
        record(actor=user, action=Action.UPDATE, obj=user,
               unit_id=getattr(user, "unit_id", None), message="notifications read",
               changes={"notifications_read": [None, count]})
    return count


@transaction.atomic
def mail_preference_set(*, user: Any, mode: str) -> MailPreference:
    if mode not in MailMode.values:
        from django.core.exceptions import ValidationError

        raise ValidationError({"mode": _("Choose how you want to be e-mailed.")})
    preference, _created = MailPreference.objects.get_or_create(user=user)
    before = preference.mode if not _created else None
    preference.mode = mode
    preference.save(update_fields=["mode"])
    record(actor=user, action=Action.UPDATE, obj=preference,
           unit_id=getattr(user, "unit_id", None), changes={"mode": [before, mode]})
    return preference


# Reminder rules -----------------------------------------------------------------------

RULE_FIELDS = ["kind", "days", "is_active"]


@transaction.atomic
def reminder_rule_save(*, actor: Any, rule: Any) -> Any:
    """Create or change a rule (already validated by its form), audited."""
    from dondoc.audit.services import diff, snapshot
    from dondoc.notifications.models import ReminderRule

    before = (snapshot(ReminderRule.objects.get(pk=rule.pk), RULE_FIELDS) if rule.pk
              else {})
    rule.save()
    record(actor=actor, action=Action.UPDATE if before else Action.CREATE, obj=rule,
           unit_id=getattr(actor, "unit_id", None),
           changes=diff(before, snapshot(rule, RULE_FIELDS)))
    return rule


@transaction.atomic
def reminder_rule_delete(*, actor: Any, rule: Any) -> None:
    from dondoc.audit.services import snapshot

    before = snapshot(rule, RULE_FIELDS)
    record(actor=actor, action=Action.DELETE, obj=rule, unit_id=getattr(actor, "unit_id", None),
           changes={name: [value, None] for name, value in before.items()})
    rule.delete()
