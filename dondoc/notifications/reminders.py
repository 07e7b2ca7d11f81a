"""The daily reminder pass: the staff's rules applied to the open tasks of one day.

The pass has two steps, both idempotent and run in small committed batches, so that a
pass stopped anywhere and run again loses and duplicates nothing:

1. **Reminders**: for each active rule, the open tasks it matches on the day; each
   recipient gets one notification per (rule, task, date) — the unique key of
   :class:`Notification` drops what an earlier run already wrote.
2. **Digest**: each person with reminders of the day gets one digest notification (the
   reminders hang under it) and, with the events waiting for their daily e-mail, one
   e-mail (one outbox message per person and day).

The pass then deletes the outbox messages sent more than ``DONDOC_OUTBOX_RETENTION_DAYS``
ago (:func:`mail.outbox_purge`).

Report-due and survey-due reminders join through :data:`EXTRA_SOURCES`
(:func:`add_source`: a function ``source(day) -> list[Reminder]``); they remind a unit
that still owes something on :func:`deadline_reminder_day`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dondoc.notifications import kinds, mail
from dondoc.notifications.models import (
    MailMode,
    MailPreference,
    MailState,
    Notification,
    ReminderPass,
    ReminderRule,
    RuleKind,
)
from dondoc.organization import scoping
from dondoc.organization.models import Role, Unit, User
from dondoc.plans.models import DeadlineKind, Task, TaskState

BATCH_SIZE = 50
CATCH_UP_DAYS = 30  # escalations missed while no pass ran are still sent this long after
REMINDED_STATES = [TaskState.ASSIGNED, TaskState.IN_PROGRESS, TaskState.RETURNED]

# Tests stop a pass here: called after each batch is committed, with the count so far.
AFTER_BATCH: Callable[[int], None] | None = None


@dataclass
class Reminder:
    """One reminder to write: who, about which task, by which rule."""

    recipient: User
    task: Task
    kind: str
    key: str
    key_date: dt.date
    params: dict[str, Any] = field(default_factory=dict)


EXTRA_SOURCES: list[Callable[[dt.date], list[Reminder]]] = []


def add_source(source: Callable[[dt.date], list[Reminder]]) -> None:
    """Have the pass call ``source(day)`` too (once, however often an app connects)."""
    if source not in EXTRA_SOURCES:
        EXTRA_SOURCES.append(source)


def deadline_reminder_day(days_left: int, *, before: Iterable[int],
                          late_every: int) -> bool:
    """Whether a unit that still owes something due in ``days_left`` days (negative once
    late) is reminded today: on the days ``before`` the deadline (0: the day itself), then
    the day after the deadline and every ``late_every`` days from there."""
    if days_left >= 0:
        return days_left in before
    return (-days_left - 1) % late_every == 0

# The rules a new installation starts with (also written by migration 0002).
DEFAULT_RULES = [("before_due", 7), ("before_due", 3), ("on_due", 0), ("overdue", 7),
                 ("escalate_manager", 7), ("escalate_leader", 14)]


def ensure_default_rules() -> None:
    """Create the default rules that are missing (the data migration's, for a database
    emptied since, e.g. by a test that flushes every table)."""
    for kind, days in DEFAULT_RULES:
        ReminderRule.objects.get_or_create(kind=kind, days=days)


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def _open_tasks() -> Any:
    return (Task.objects.filter(state__in=REMINDED_STATES, deadline__isnull=False,
                                deadline_kind__in=[DeadlineKind.FIXED, DeadlineKind.NONE])
            .select_related("lead_unit", "assigning_unit").order_by("pk"))


def _rule_tasks(rule: ReminderRule, day: dt.date) -> tuple[Any, Callable[[Task], dt.date]]:
    """The tasks ``rule`` matches on ``day`` and the key date of each (the day the rule
    fires for that task: ``day`` itself, or for escalations the deadline plus N)."""
    tasks = _open_tasks().filter(assigned_on__lte=day)
    if rule.kind == RuleKind.BEFORE_DUE:
        return tasks.filter(deadline=day + dt.timedelta(days=rule.days)), lambda task: day
    if rule.kind == RuleKind.ON_DUE:
        return tasks.filter(deadline=day), lambda task: day
    if rule.kind == RuleKind.OVERDUE:
        step = max(rule.days, 1)
        count = (365 * 10) // step
        dates = [day - dt.timedelta(days=step * k) for k in range(1, count + 1)]
        return tasks.filter(deadline__in=dates), lambda task: day
    # Escalations fire once per deadline, on the first pass at least N days after it.
    latest = day - dt.timedelta(days=rule.days)
    earliest = latest - dt.timedelta(days=CATCH_UP_DAYS)
    return (tasks.filter(deadline__lte=latest, deadline__gte=earliest),
            lambda task: task.deadline + dt.timedelta(days=rule.days))


class _People:
    """Who is reminded, looked up once per pass."""

    def __init__(self) -> None:
        self.by_unit: dict[int, list[User]] = {}
        self._leaders: list[tuple[User, str]] | None = None

    def load_units(self, unit_ids: Iterable[int]) -> None:
        wanted = [pk for pk in set(unit_ids) if pk not in self.by_unit]
        for pk in wanted:
            self.by_unit[pk] = []
        for person in User.objects.filter(unit_id__in=wanted, is_active=True, role__in=[
                Role.UNIT_MANAGER, Role.OFFICER]).select_related("unit"):
            self.by_unit[person.unit_id].append(person)  # type: ignore[index]

    def managers(self, unit_id: int) -> list[User]:
        return [p for p in self.by_unit.get(unit_id, []) if p.role == Role.UNIT_MANAGER]

    def lead_side(self, task: Task, assignees: list[User]) -> list[User]:
        """The lead unit's managers and the officers named on the task; the unit's
        officers when it has neither."""
        people = self.managers(task.lead_unit_id) + [
            person for person in assignees if person.unit_id == task.lead_unit_id]
        return people or self.by_unit.get(task.lead_unit_id, [])

    def leaders_over(self, unit: Unit) -> list[User]:
        if self._leaders is None:
            self._leaders = []
            for leader in User.objects.filter(role=Role.LEADER, is_active=True,
                                              unit__isnull=False).select_related("unit"):
                root = scoping.scope_root(leader)
                if root is not None:
                    self._leaders.append((leader, root.path))
        return [leader for leader, path in self._leaders if unit.path.startswith(path)]


def _reminders_for(rule: ReminderRule, tasks: list[Task], key_date: Callable[[Task], dt.date],
                   people: _People) -> list[Reminder]:
    people.load_units(task.lead_unit_id for task in tasks)
    through = Task.assignees.through
    assignees: dict[int, list[User]] = defaultdict(list)
    for row in through.objects.filter(task_id__in=[t.pk for t in tasks],
                                      user__is_active=True).select_related("user"):
        assignees[row.task_id].append(row.user)
    result = []
    for task in tasks:
        fires = key_date(task)
        base: dict[str, Any] = {"code": task.code, "title": task.title[:200],
                                "unit": task.lead_unit.name, "day": _fmt(task.deadline)}
        kind, params, recipients = "", dict(base), []
        if rule.kind == RuleKind.BEFORE_DUE:
            kind, recipients = kinds.REMINDER_DUE_SOON, people.lead_side(task, assignees[task.pk])
            params["days"] = rule.days
        elif rule.kind == RuleKind.ON_DUE:
            kind, recipients = kinds.REMINDER_DUE_TODAY, people.lead_side(task, assignees[task.pk])
        else:
            assert task.deadline is not None
            params["days"] = (fires - task.deadline).days
            if rule.kind == RuleKind.OVERDUE:
                kind = kinds.REMINDER_OVERDUE
                recipients = people.lead_side(task, assignees[task.pk])
            elif rule.kind == RuleKind.ESCALATE_MANAGER:
                kind, recipients = kinds.ESCALATION_MANAGER, people.managers(task.lead_unit_id)
            else:
                kind = kinds.ESCALATION_LEADER
                recipients = people.leaders_over(task.assigning_unit)
                params["assigning"] = task.assigning_unit.name
        for person in recipients:
            result.append(Reminder(person, task, kind, f"rule:{rule.pk}", fires, params))
    return result


def _write(reminders: list[Reminder], day: dt.date) -> int:
    """Insert the reminders their recipients may see; existing ones are left alone."""
    visible: dict[int, set[int]] = {}
    by_user: dict[int, list[Reminder]] = defaultdict(list)
    for item in reminders:
        by_user[item.recipient.pk].append(item)
    for user_items in by_user.values():
        user = user_items[0].recipient
        visible[user.pk] = set(scoping.tasks_visible_to(user).filter(
            pk__in={item.task.pk for item in user_items}).values_list("pk", flat=True))
    rows = [Notification(recipient=item.recipient, kind=item.kind, key=item.key[:80],
                         object_label="plans.task", object_id=item.task.pk, task=item.task,
                         params=item.params, key_date=item.key_date, digest_day=day)
            for item in reminders if item.task.pk in visible[item.recipient.pk]]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _batches(queryset: Any) -> Iterable[list[Task]]:
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last)[:BATCH_SIZE])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def run_reminder_pass(day: dt.date, *, progress: Callable[[int], None] | None = None
                      ) -> dict[str, int]:
    """Run the pass of ``day`` (see the module docstring); what it wrote."""
    people = _People()
    written = batches = 0
    for rule in ReminderRule.objects.filter(is_active=True).order_by("pk"):
        tasks, key_date = _rule_tasks(rule, day)
        for batch in _batches(tasks):
            with transaction.atomic():
                written += _write(_reminders_for(rule, batch, key_date, people), day)
            batches += 1
            if progress is not None:
                progress(batches)
            if AFTER_BATCH is not None:
                AFTER_BATCH(batches)
    for source in EXTRA_SOURCES:
        with transaction.atomic():
            written += _write(source(day), day)
    digests = digest_all(day)
    result = {"reminders": written, "digests": digests, "outbox_purged": mail.outbox_purge()}
    ReminderPass.objects.update_or_create(day=day, defaults={
        "finished_at": timezone.now(), "result": result})
    return result


# Digest --------------------------------------------------------------------------------


def digest_all(day: dt.date) -> int:
    """One digest per person with reminders of ``day`` or events waiting for the daily
    e-mail; each person in their own transaction."""
    users = set(Notification.objects.filter(digest_day=day, digest__isnull=True)
                .exclude(kind=kinds.DIGEST).values_list("recipient_id", flat=True))
    users |= set(Notification.objects.filter(mail=MailState.DIGEST).values_list(
        "recipient_id", flat=True))
    count = 0
    for user in User.objects.filter(pk__in=users, is_active=True).order_by("pk"):
        with transaction.atomic():
            count += _digest_one(user, day)
        if AFTER_BATCH is not None:
            AFTER_BATCH(-user.pk)
    return count


def _digest_one(user: User, day: dt.date) -> int:
    items = list(Notification.objects.filter(recipient=user, digest_day=day,
                                             digest__isnull=True)
                 .exclude(kind=kinds.DIGEST).select_for_update().order_by("key_date", "id"))
    digest = None
    if items:
        digest, _created = Notification.objects.get_or_create(
            recipient=user, key=kinds.DIGEST, object_label="notifications.digest",
            object_id=0, key_date=day,
            defaults={"kind": kinds.DIGEST, "params": {}, "digest_day": None})
        Notification.objects.filter(pk__in=[item.pk for item in items]).update(digest=digest)
        tasks = Notification.objects.filter(digest=digest).values("object_label", "object_id")
        digest.params = {"day": _fmt(day), "count": tasks.distinct().count()}
        digest.read_at = None
        digest.save(update_fields=["params", "read_at"])
    waiting = list(Notification.objects.filter(recipient=user, mail=MailState.DIGEST)
                   .select_for_update().order_by("created_at", "id"))
    _digest_mail(user, day, items, waiting)
    if waiting:
        Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(
            mail=MailState.QUEUED)
    return 1 if digest is not None else 0


def _digest_mail(user: User, day: dt.date, reminders: list[Notification],
                 events: list[Notification]) -> None:
    if not (reminders or events) or not mail.mail_configured() or not user.email:
        return
    mode = MailPreference.objects.filter(user=user).values_list("mode", flat=True).first()
    if mode == MailMode.OFF:
        return
    from dondoc.notifications.services import object_url

    with translation.override(user.language or settings.LANGUAGE_CODE):
        lines = [_("Good morning. dondoc's digest of %(day)s for you:") % {"day": _fmt(day)}]
        if reminders:
            lines.append("")
            lines.append(_("Reminders"))
            for item in reminders:
                lines.append(f"- {item.summary}\n  {mail.absolute_url(object_url(item))}")
        if events:
            lines.append("")
            lines.append(_("What happened"))
            for item in events:
                lines.append(f"- {item.summary}\n  {mail.absolute_url(object_url(item))}")
        lines += ["", _("All your notifications: %(link)s") % {
            "link": mail.absolute_url("/notifications/")}, "", mail.footer()]
        subject = mail.subject(_("Daily digest of %(day)s: %(count)s items") % {
            "day": _fmt(day), "count": len(reminders) + len(events)})
    mail.outbox_add(key=f"digest:{user.pk}:{day.isoformat()}", user=user, subject=subject,
                    body="\n".join(lines))


# Scheduling ----------------------------------------------------------------------------



def reminder_pass_schedule(day: dt.date) -> bool:
    """Enqueue the pass of ``day`` unless it was already (or is being) done; a pass whose
    job failed is run again. True when a job was enqueued."""
    from dondoc.jobs.kinds import REMINDER_PASS
    from dondoc.jobs.models import JobStatus
    from dondoc.jobs.services import job_enqueue, job_retry

    with transaction.atomic():
        run, created = ReminderPass.objects.select_for_update().get_or_create(day=day)
        if created:
            run.job = job_enqueue(kind=REMINDER_PASS, owner=None, params={"day": day.isoformat()})
            ReminderPass.objects.filter(pk=run.pk).update(job=run.job)
            return True
        if run.finished_at is None and run.job is not None and \
                run.job.status == JobStatus.FAILED:
            job_retry(actor=None, job=run.job)
            return True
    return False


def run_pass_job(context: Any) -> dict[str, int]:
    """Job handler of the daily pass."""
    day = dt.date.fromisoformat(context.params["day"])
    return run_reminder_pass(day, progress=lambda n: context.progress(n, None))


def scheduler_tick(now: dt.datetime | None = None) -> None:
    """Called every minute by ``dondoc worker``: the pass of today once its hour has come,
    and a drain of the outbox when messages wait (retries)."""
    moment = timezone.localtime(now or timezone.now())
    if moment.hour >= settings.DONDOC_REMINDER_HOUR:
        reminder_pass_schedule(moment.date())
    if mail.mail_configured() and mail.outbox_has_due():
        mail.enqueue_drain()
