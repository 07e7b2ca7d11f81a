"""E-mail through a real SMTP conversation with a local sink (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

from dondoc.notifications import mail
from dondoc.notifications.models import MailMode, MailPreference, Notification, OutboxMessage
from dondoc.notifications.reminders import run_reminder_pass
from dondoc.plans import services
from dondoc.plans.tests.factories import make_document, make_task

pytestmark = pytest.mark.django_db

BASE = "https://dondoc.example.internal"


class Sink:
    """Keeps every message the SMTP server accepted."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def smtp(settings, smtp_port) -> Iterator[Sink]:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "dondoc@catp.example.internal"
    settings.DONDOC_BASE_URL = BASE
    try:
        yield sink
    finally:
        controller.stop()


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def subject(message: Message) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(message["Subject"])))


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(action):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def assign(org, people, commit, **fields):  # type: ignore[no-untyped-def]
    document = make_document(org.pv01, actor=people.staff)
    return commit(lambda: make_task(document, org.pc08, actor=people.staff, **fields))


def test_an_event_is_mailed_at_once_with_a_link_to_the_task(smtp, org, people,
                                                           commit) -> None:
    people.manager.language = "en"
    people.manager.save()
    task = assign(org, people, commit)
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["manager@example.test"]
    assert subject(message) == f"[dondoc] New task {task.code} assigned to Phòng Cảnh sát " \
        f"giao thông: {task.title}"
    assert f"{BASE}/tasks/{task.pk}/" in body(message)
    outbox = OutboxMessage.objects.get()
    assert outbox.sent_at is not None and outbox.attempts == 1


def test_mail_speaks_the_recipients_language(smtp, org, people, commit) -> None:
    task = assign(org, people, commit)
    _to, message = smtp.messages[0]
    assert subject(message).startswith(f"[dondoc] Nhiệm vụ mới {task.code}")


def test_digest_choice_waits_for_the_daily_digest_and_off_means_never(
        smtp, org, people, commit) -> None:
    MailPreference.objects.create(user=people.manager, mode=MailMode.DIGEST)
    MailPreference.objects.create(user=people.staff, mode=MailMode.OFF)
    task = assign(org, people, commit, due_date=dt.date(2030, 3, 31),
                  assigned_on=dt.date(2030, 1, 10))
    commit(lambda: services.comment_add(actor=people.manager, task=task, text="Xin ý kiến"))
    assert smtp.messages == []  # manager: digest; staff: off
    commit(lambda: run_reminder_pass(dt.date(2030, 3, 31)))
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["manager@example.test"]
    text = body(message)
    assert "31/03/2030" in subject(message)
    assert f"{BASE}/tasks/{task.pk}/" in text
    assert task.code in text and text.count(f"/tasks/{task.pk}/") == 2  # reminder + event
    # The next day's pass does not mail the same events again.
    commit(lambda: run_reminder_pass(dt.date(2030, 4, 1)))
    assert len(smtp.messages) == 1


def test_a_reminder_pass_run_twice_mails_once(smtp, org, people, commit) -> None:
    assign(org, people, commit, due_date=dt.date(2030, 3, 31),
           assigned_on=dt.date(2030, 1, 10))
    smtp.messages.clear()
    for _attempt in range(2):
        commit(lambda: run_reminder_pass(dt.date(2030, 3, 31)))
    assert [to for to, _message in smtp.messages] == [["manager@example.test"]]


def test_a_refused_connection_is_retried_later(settings, smtp_port, org, people,
                                               commit) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port  # nobody listens yet
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 2
    assign(org, people, commit)
    message = OutboxMessage.objects.get()
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        assert mail.outbox_drain() == {"sent": 0, "failed": 0}  # not due yet
        later = message.next_attempt_at + dt.timedelta(seconds=1)
        assert mail.outbox_drain(now=later) == {"sent": 1, "failed": 0}
    finally:
        controller.stop()
    assert [to for to, _m in sink.messages] == [["manager@example.test"]]


def test_without_smtp_nothing_is_queued_and_check_says_so(org, people, commit,
                                                          capsys) -> None:
    assign(org, people, commit)
    assert Notification.objects.exists() and not OutboxMessage.objects.exists()
    call_command("check")
    assert "E-mail: NOT CONFIGURED" in capsys.readouterr().out


def test_check_names_the_smtp_server_when_configured(smtp, smtp_port, capsys) -> None:
    call_command("check")
    assert f"E-mail: SMTP 127.0.0.1:{smtp_port}" in capsys.readouterr().out
