"""Sent e-mails leave the outbox after DONDOC_OUTBOX_RETENTION_DAYS, by the daily pass."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from conftest import People
from dondoc.notifications import mail
from dondoc.notifications.models import OutboxMessage
from dondoc.notifications.reminders import run_reminder_pass

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def outbox(settings: Any, people: People) -> Any:
    """An outbox sending through Django's test backend, with one person to write to."""
    settings.EMAIL_HOST = "mail.example.internal"  # e-mail is configured
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DONDOC_OUTBOX_RETENTION_DAYS = 90
    people.staff.email = "staff@catp.example.internal"
    people.staff.save(update_fields=["email"])
    return people.staff


def _send(user: Any, key: str) -> None:
    mail.outbox_add(key=key, user=user, subject=key, body="…")
    assert mail.outbox_drain() == {"sent": 1, "failed": 0}


def _give_up(user: Any, key: str, settings: Any, clock: Any) -> None:
    """A message the SMTP server never takes (nobody listens on the port)."""
    mail.outbox_add(key=key, user=user, subject=key, body="…")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False
    settings.EMAIL_TIMEOUT = 2
    for _attempt in range(mail.MAX_ATTEMPTS):
        mail.outbox_drain()
        clock.shift(dt.timedelta(hours=5))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_HOST = "mail.example.internal"
    assert OutboxMessage.objects.get(key=key).failed_at is not None


def test_the_daily_pass_deletes_sent_messages_older_than_the_retention(
        outbox: Any, settings: Any) -> None:
    with time_machine.travel(START, tick=False) as clock:
        _send(outbox, "sent-long-ago")
        _give_up(outbox, "given-up-long-ago", settings, clock)
        clock.move_to(START + dt.timedelta(days=60))
        _send(outbox, "sent-recently")
        mail.outbox_add(key="waiting", user=outbox, subject="waiting", body="…")

        clock.move_to(START + dt.timedelta(days=91))
        result = run_reminder_pass(dt.date(2026, 4, 6))

    assert result["outbox_purged"] == 1
    assert set(OutboxMessage.objects.values_list("key", flat=True)) == {
        "given-up-long-ago", "sent-recently", "waiting"}


def test_a_retention_of_zero_keeps_every_message(outbox: Any, settings: Any) -> None:
    settings.DONDOC_OUTBOX_RETENTION_DAYS = 0
    with time_machine.travel(START, tick=False) as clock:
        _send(outbox, "sent-long-ago")
        clock.move_to(START + dt.timedelta(days=400))
        assert mail.outbox_purge() == 0
    assert OutboxMessage.objects.filter(key="sent-long-ago").exists()


def test_the_remind_command_says_how_many_it_deleted(outbox: Any, capsys: Any) -> None:
    with time_machine.travel(START, tick=False) as clock:
        _send(outbox, "sent-long-ago")
        clock.move_to(START + dt.timedelta(days=91))
        call_command("remind")
    assert "1 old sent e-mails deleted" in capsys.readouterr().out
    assert not OutboxMessage.objects.exists()
