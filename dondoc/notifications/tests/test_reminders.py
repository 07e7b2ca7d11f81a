"""The daily reminder pass as of given dates: who is reminded, once, in one digest each."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from dondoc.jobs.models import Job
from dondoc.notifications import kinds, reminders
from dondoc.notifications.models import Notification, ReminderPass, ReminderRule, RuleKind
from dondoc.notifications.reminders import reminder_pass_schedule, run_reminder_pass
from dondoc.organization.models import Role
from dondoc.organization.tests.factories import UserFactory
from dondoc.plans import services
from dondoc.plans.tests.factories import make_document, make_task

pytestmark = pytest.mark.django_db

DUE = dt.date(2030, 3, 31)


@pytest.fixture
def task(org, people):
    document = make_document(org.pv01, actor=people.staff)
    return make_task(document, org.pc08, actor=people.staff, due_date=DUE,
                     assigned_on=dt.date(2030, 1, 10))


def reminded(day: dt.date) -> set[tuple[str, str]]:
    """(username, kind) of the reminders the pass of ``day`` wrote."""
    return set(Notification.objects.filter(digest_day=day).values_list(
        "recipient__username", "kind"))


def test_default_rules_exist() -> None:
    from importlib import import_module

    migration = import_module("dondoc.notifications.migrations.0002_default_reminder_rules")
    assert migration.DEFAULTS == reminders.DEFAULT_RULES  # a new database gets the same
    rules = set(ReminderRule.objects.values_list("kind", "days"))
    assert rules == {("before_due", 7), ("before_due", 3), ("on_due", 0), ("overdue", 7),
                     ("escalate_manager", 7), ("escalate_leader", 14)}


EXPECTED = {
    -7: {("manager", kinds.REMINDER_DUE_SOON)},
    -3: {("manager", kinds.REMINDER_DUE_SOON)},
    0: {("manager", kinds.REMINDER_DUE_TODAY)},
    7: {("manager", kinds.REMINDER_OVERDUE), ("manager", kinds.ESCALATION_MANAGER)},
    14: {("manager", kinds.REMINDER_OVERDUE), ("leader", kinds.ESCALATION_LEADER)},
    21: {("manager", kinds.REMINDER_OVERDUE)},
    28: {("manager", kinds.REMINDER_OVERDUE)},
}


def test_daily_passes_remind_on_the_rules_days_only(task) -> None:
    for offset in range(-10, 30):
        day = DUE + dt.timedelta(days=offset)
        run_reminder_pass(day)
        assert reminded(day) == EXPECTED.get(offset, set()), offset


def test_the_reminders_say_what_and_when(task) -> None:
    run_reminder_pass(DUE - dt.timedelta(days=3))
    row = Notification.objects.get(kind=kinds.REMINDER_DUE_SOON)
    with translation.override("en"):
        assert row.summary == f"Task {task.code} is due in 3 days (31/03/2030): {task.title}"
    with translation.override("vi"):
        assert row.summary == (f"Nhiệm vụ {task.code} sẽ đến hạn sau 3 ngày (31/03/2030): "
                               f"{task.title}")


def test_named_officers_are_reminded_beside_the_manager(task, org, people) -> None:
    services.task_assign_people(actor=people.manager, task=task, unit=org.pc08,
                                officers=[people.officer])
    run_reminder_pass(DUE)
    assert reminded(DUE) == {("manager", kinds.REMINDER_DUE_TODAY),
                             ("officer", kinds.REMINDER_DUE_TODAY)}


def test_running_a_day_twice_writes_nothing_twice(task, people) -> None:
    run_reminder_pass(DUE)
    first = Notification.objects.count()
    run_reminder_pass(DUE)
    assert Notification.objects.count() == first
    digests = Notification.objects.filter(kind=kinds.DIGEST)
    assert [(d.recipient.username, d.key_date) for d in digests] == [("manager", DUE)]


def test_one_digest_per_person_holds_all_the_days_reminders(org, people) -> None:
    document = make_document(org.pv01, actor=people.staff)
    for number in range(3):
        make_task(document, org.pc08, actor=people.staff, title=f"Việc {number}",
                  due_date=DUE + dt.timedelta(days=7 * (number % 2)),
                  assigned_on=dt.date(2030, 1, 10))
    run_reminder_pass(DUE)
    digest = Notification.objects.get(kind=kinds.DIGEST, recipient=people.manager)
    assert digest.items.count() == 3
    assert digest.params["count"] == 3 and "3" in digest.summary
    # The bell counts the digest once, not its three reminders.
    assert Notification.objects.filter(recipient=people.manager, digest__isnull=True,
                                       read_at__isnull=True).count() == 1


def test_inactive_and_out_of_scope_people_get_nothing(task, org, people) -> None:
    people.manager.is_active = False
    people.manager.save()
    UserFactory(username="far_leader", unit=org.other, role=Role.LEADER)
    run_reminder_pass(DUE + dt.timedelta(days=14))
    names = {name for name, _kind in reminded(DUE + dt.timedelta(days=14))}
    assert "manager" not in names and "far_leader" not in names
    assert "leader" in names


def test_closed_and_suspended_tasks_are_not_reminded(task, people) -> None:
    services.task_suspend(actor=people.staff, task=task, reason="Chờ chủ trương",
                          start=dt.date(2030, 2, 1))
    run_reminder_pass(DUE)
    assert reminded(DUE) == set()


def test_an_escalation_missed_by_a_stopped_worker_is_sent_once_later(task) -> None:
    late = DUE + dt.timedelta(days=10)  # no pass ran on day 7
    run_reminder_pass(late)
    assert ("manager", kinds.ESCALATION_MANAGER) in reminded(late)
    run_reminder_pass(late + dt.timedelta(days=1))
    assert Notification.objects.filter(kind=kinds.ESCALATION_MANAGER).count() == 1


def test_a_rule_switched_off_reminds_nobody(task) -> None:
    ReminderRule.objects.filter(kind=RuleKind.ON_DUE).update(is_active=False)
    run_reminder_pass(DUE)
    assert reminded(DUE) == set()


class Stop(Exception):
    pass


def test_a_pass_stopped_midway_and_run_again_loses_and_duplicates_nothing(
        org, people, monkeypatch) -> None:
    document = make_document(org.pv01, actor=people.staff)
    for number in range(5):
        make_task(document, org.pc08 if number % 2 else org.pc08_d1, actor=people.staff,
                  title=f"Việc {number}", due_date=DUE, assigned_on=dt.date(2030, 1, 10))
    # What a pass that is never stopped writes, on a copy of the same data.
    run_reminder_pass(DUE)
    expected = sorted(Notification.objects.values_list("recipient_id", "kind", "object_id",
                                                       "digest__recipient_id"))
    Notification.objects.all().delete()
    ReminderPass.objects.all().delete()

    monkeypatch.setattr(reminders, "BATCH_SIZE", 2)

    def stop_after_first_batch(count: int) -> None:
        if count == 1:
            raise Stop

    monkeypatch.setattr(reminders, "AFTER_BATCH", stop_after_first_batch)
    with pytest.raises(Stop):
        run_reminder_pass(DUE)
    written = Notification.objects.count()
    assert 0 < written < len(expected)
    assert not Notification.objects.filter(kind=kinds.DIGEST).exists()

    # Stopped again inside the digest step, after the first person's digest.
    def stop_in_digest(count: int) -> None:
        if count < 0:
            raise Stop

    monkeypatch.setattr(reminders, "AFTER_BATCH", stop_in_digest)
    with pytest.raises(Stop):
        run_reminder_pass(DUE)
    assert Notification.objects.filter(kind=kinds.DIGEST).count() == 1

    monkeypatch.setattr(reminders, "AFTER_BATCH", None)
    run_reminder_pass(DUE)
    assert sorted(Notification.objects.values_list(
        "recipient_id", "kind", "object_id", "digest__recipient_id")) == expected
    assert ReminderPass.objects.get(day=DUE).finished_at is not None


def test_remind_command_runs_the_pass_of_a_day(task, capsys) -> None:
    call_command("remind", "--as-of", "31/03/2030")
    assert "31/03/2030" in capsys.readouterr().out
    assert reminded(DUE) == {("manager", kinds.REMINDER_DUE_TODAY)}
    with pytest.raises(CommandError, match="dd/mm/yyyy"):
        call_command("remind", "--as-of", "31/02/2030")


def test_the_scheduler_enqueues_a_days_pass_once(task) -> None:
    assert reminder_pass_schedule(DUE) is True
    assert reminder_pass_schedule(DUE) is False
    jobs = Job.objects.filter(kind="notifications.reminder_pass")
    assert jobs.count() == 1 and jobs.get().status == "succeeded"
    assert reminded(DUE) == {("manager", kinds.REMINDER_DUE_TODAY)}
    assert ReminderPass.objects.get(day=DUE).finished_at is not None


def test_the_scheduler_runs_a_failed_pass_again(task, monkeypatch) -> None:
    def broken(day, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr(reminders, "run_reminder_pass", broken)
    reminder_pass_schedule(DUE)
    job = Job.objects.get(kind="notifications.reminder_pass")
    assert job.status == "failed"
    monkeypatch.undo()
    assert reminder_pass_schedule(DUE) is True
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempt == 2
    assert reminded(DUE) == {("manager", kinds.REMINDER_DUE_TODAY)}


def test_the_workers_tick_schedules_today_from_the_reminder_hour(task, settings) -> None:
    settings.DONDOC_REMINDER_HOUR = 6
    early = dt.datetime(2030, 3, 31, 5, 59, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    reminders.scheduler_tick(early)
    assert not ReminderPass.objects.exists()
    reminders.scheduler_tick(early + dt.timedelta(minutes=1))
    reminders.scheduler_tick(early + dt.timedelta(minutes=2))
    assert list(ReminderPass.objects.values_list("day", flat=True)) == [DUE]
    assert Job.objects.filter(kind="notifications.reminder_pass").count() == 1
    assert reminded(DUE) == {("manager", kinds.REMINDER_DUE_TODAY)}


TICKS: list[int] = []


def record_tick() -> None:
    TICKS.append(1)


def test_the_worker_runs_the_scheduled_ticks(monkeypatch) -> None:
    from dondoc.jobs.management.commands import worker

    ticks = TICKS
    ticks.clear()
    monkeypatch.setattr("dondoc.jobs.kinds.SCHEDULED",
                        ("dondoc.notifications.tests.test_reminders.record_tick",))
    scheduler = worker.Scheduler(0.01)
    scheduler.start()
    try:
        import time

        deadline = time.monotonic() + 5
        while not ticks and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        scheduler.stopped.set()
        scheduler.join(2)
    assert ticks
