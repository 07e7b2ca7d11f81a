"""Notifications (the bell), e-mail preferences, the e-mail outbox and the reminder rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dondoc.notifications.kinds import KINDS, render_summary


class MailState(models.TextChoices):
    NONE = "", _("No e-mail")
    DIGEST = "digest", _("Waiting for the daily digest")
    QUEUED = "queued", _("In the outbox")


class Notification(models.Model):
    """One thing one person is told, exactly once.

    The unique key (``key``, object, ``key_date``, recipient) makes every writer
    idempotent: the reminder pass and the event hooks insert and ignore what exists.
    ``key`` names the rule or the event (``rule:3``, ``task_commented:812``). The
    sentence is rendered from ``kind`` and ``params`` when shown, in the reader's language.
    Reminders of a day hang under one digest notification (``digest``).
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"),
                                  on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(_("rule or event"), max_length=80)
    object_label = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.BigIntegerField(_("object id"), default=0)
    task = models.ForeignKey("plans.Task", verbose_name=_("task"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    key_date = models.DateField(_("date"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    digest = models.ForeignKey("self", verbose_name=_("digest"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="items")
    digest_day = models.DateField(_("digest of"), null=True, blank=True)
    mail = models.CharField(_("e-mail"), max_length=8, choices=MailState.choices, default="",
                            blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key", "object_label", "object_id", "key_date"],
                name="notification_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread",
                         condition=models.Q(digest__isnull=True)),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
            models.Index(fields=["digest_day", "recipient"], name="notification_digest_day"),
            models.Index(fields=["mail", "recipient"], name="notification_mail",
                         condition=models.Q(mail="digest")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def summary(self) -> str:
        return render_summary(self.kind, self.params)

    @property
    def kind_label(self) -> str:
        kind = KINDS.get(self.kind)
        return str(kind.label) if kind else self.kind

    @property
    def icon(self) -> str:
        kind = KINDS.get(self.kind)
        return kind.icon if kind else "bell"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class MailMode(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately, one e-mail per notification")
    DIGEST = "digest", _("Once a day, in the daily digest")
    OFF = "off", _("Never")


class MailPreference(models.Model):
    """How a person wants notifications by e-mail; without a row: immediately."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                                on_delete=models.CASCADE, related_name="mail_preference")
    mode = models.CharField(_("e-mail notifications"), max_length=12, choices=MailMode.choices,
                            default=MailMode.IMMEDIATELY)

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.mode}"


class OutboxMessage(models.Model):
    """An e-mail to send, at least once: kept until the SMTP server accepted it.

    A sender claims a message by moving ``next_attempt_at`` forward (a lease), sends it,
    then stamps ``sent_at``; a failure records ``last_error`` and waits longer each time;
    after ``MAX_ATTEMPTS`` the message is given up (``failed_at``)."""

    key = models.CharField(_("key"), max_length=120, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    to_address = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="outbox_due",
                         condition=models.Q(sent_at__isnull=True, failed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject}"


class RuleKind(models.TextChoices):
    BEFORE_DUE = "before_due", _("Days before the deadline")
    ON_DUE = "on_due", _("On the day of the deadline")
    OVERDUE = "overdue", _("Overdue, every N days")
    ESCALATE_MANAGER = "escalate_manager", _("Overdue more than N days: the lead unit's manager")
    ESCALATE_LEADER = "escalate_leader", _(
        "Overdue more than N days: leaders over the assigning unit")


class ReminderRule(models.Model):
    """A reminder of the daily pass, configured by staff."""

    kind = models.CharField(_("when"), max_length=20, choices=RuleKind.choices)
    days = models.PositiveSmallIntegerField(
        _("days"), default=0,
        help_text=_("Days before the deadline, the interval between overdue reminders, or "
                    "the days overdue before escalating. Not used on the day itself."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["kind", "-days", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "days"], name="reminder_rule_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.days})"


class ReminderPass(models.Model):
    """The daily reminder pass of one day: scheduled once, finished once."""

    day = models.DateField(_("day"), unique=True)
    job = models.ForeignKey("jobs.Job", verbose_name=_("background job"), null=True,
                            blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("reminder pass")
        verbose_name_plural = _("reminder passes")
        ordering = ["-day"]

    def __str__(self) -> str:
        return self.day.isoformat()
