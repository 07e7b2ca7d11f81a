"""Notifications and reminders: the bell, the daily reminder pass, e-mail through an outbox."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "dondoc.notifications"
    label = "notifications"
    verbose_name = _("Notifications and reminders")
