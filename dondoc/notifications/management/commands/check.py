"""``dondoc check``: Django's system checks, then one line on how e-mail is set up."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.check import Command as DjangoCheck

from dondoc.notifications.mail import mail_status_line


class Command(DjangoCheck):
    def handle(self, *app_labels: Any, **options: Any) -> None:
        super().handle(*app_labels, **options)
        self.stdout.write(mail_status_line())
