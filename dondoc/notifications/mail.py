"""E-mail: whether SMTP is configured, the outbox and the job that drains it.

Delivery is at least once: a message leaves the outbox only when the SMTP server took it
(``sent_at``). A sender claims a message with a lease (``next_attempt_at`` moved
forward), so two workers do not send the same message at the same time; a worker killed
between sending and stamping sends it again later.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dondoc.notifications.models import OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_SECONDS = 300


def mail_configured() -> bool:
    """E-mail is sent only when an SMTP server is configured (``EMAIL_HOST``)."""
    return bool(settings.EMAIL_HOST)


def absolute_url(path: str) -> str:
    return settings.DONDOC_BASE_URL.rstrip("/") + path


def subject(summary: str) -> str:
    text = " ".join(summary.split())
    return f"[dondoc] {text}"[:200]


def footer() -> str:
    return _("You get this e-mail from dondoc. Choose how you are e-mailed on your "
             "account page: %(link)s") % {"link": absolute_url("/accounts/profile/")}


def outbox_add(*, key: str, user: Any, subject: str, body: str) -> OutboxMessage | None:
    """Queue an e-mail to ``user`` once per ``key``; the drain job is started on commit."""
    if not mail_configured() or not getattr(user, "email", ""):
        return None
    message, created = OutboxMessage.objects.get_or_create(key=key[:120], defaults={
        "recipient": user, "to_address": user.email, "subject": subject[:255], "body": body,
        "next_attempt_at": timezone.now()})
    if created:
        transaction.on_commit(enqueue_drain)
    return message


def enqueue_drain() -> None:
    """Start a drain job unless one is already waiting (it will take the new messages)."""
    from dondoc.jobs.kinds import SEND_MAIL
    from dondoc.jobs.models import Job, JobStatus
    from dondoc.jobs.services import job_enqueue

    try:
        if not Job.objects.filter(kind=SEND_MAIL, status=JobStatus.QUEUED).exists():
            job_enqueue(kind=SEND_MAIL, owner=None, params={})
    except Exception:  # the scheduler of the worker starts one later
        logger.exception("could not start the e-mail job")


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(2 ** attempts, 240))


def _claim(now: dt.datetime) -> OutboxMessage | None:
    for message in OutboxMessage.objects.filter(
            sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "id")[:20]:
        claimed = OutboxMessage.objects.filter(
            pk=message.pk, sent_at__isnull=True, next_attempt_at=message.next_attempt_at
        ).update(next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS))
        if claimed:
            return message
    return None


def outbox_drain(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send the messages due now; each is stamped as soon as the server took it."""
    sent = failed = 0
    connection = get_connection(fail_silently=False)
    try:
        for _number in range(limit):
            moment = now or timezone.now()
            message = _claim(moment)
            if message is None:
                break
            try:
                EmailMessage(subject=message.subject, body=message.body,
                             from_email=settings.DEFAULT_FROM_EMAIL, to=[message.to_address],
                             connection=connection).send()
            except Exception as error:
                failed += 1
                attempts = message.attempts + 1
                give_up = attempts >= MAX_ATTEMPTS
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=attempts, last_error=str(error)[:2000],
                    next_attempt_at=moment + _backoff(attempts),
                    failed_at=moment if give_up else None)
                logger.warning("e-mail %s to %s failed (attempt %s): %s", message.pk,
                               message.to_address, attempts, error)
                connection.close()
            else:
                sent += 1
                OutboxMessage.objects.filter(pk=message.pk).update(
                    sent_at=timezone.now(), attempts=message.attempts + 1, last_error="")
    finally:
        connection.close()
    return {"sent": sent, "failed": failed}


def outbox_has_due(now: dt.datetime | None = None) -> bool:
    return OutboxMessage.objects.filter(sent_at__isnull=True, failed_at__isnull=True,
                                        next_attempt_at__lte=now or timezone.now()).exists()


def outbox_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the messages sent more than ``DONDOC_OUTBOX_RETENTION_DAYS`` ago (0: keep
    them all); how many. Messages not sent (waiting, or given up on) are kept. A purged
    key is not queued again: the notification it was for is marked sent (or digested)."""
    days = settings.DONDOC_OUTBOX_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _by_model = OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()
    return deleted


def run_send_mail(context: Any) -> dict[str, int]:
    """Job handler: drain the outbox."""
    return outbox_drain()


def mail_status_line() -> str:
    """What ``dondoc check`` says about e-mail."""
    if not mail_configured():
        return ("E-mail: NOT CONFIGURED (EMAIL_HOST is empty) - notifications and reminders "
                "are shown in dondoc only; set EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, "
                "EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, DEFAULT_FROM_EMAIL and DONDOC_BASE_URL "
                "to send e-mail (docs/deployment.md).")
    return (f"E-mail: SMTP {settings.EMAIL_HOST}:{settings.EMAIL_PORT} "
            f"(TLS {'on' if settings.EMAIL_USE_TLS else 'off'}), from "
            f"{settings.DEFAULT_FROM_EMAIL}; links point to {settings.DONDOC_BASE_URL}")
