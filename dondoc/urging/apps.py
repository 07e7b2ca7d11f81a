"""Urging letters (công văn đôn đốc): generated from a Word template, recorded per task."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UrgingConfig(AppConfig):
    name = "dondoc.urging"
    label = "urging"
    verbose_name = _("Urging letters")

    def ready(self) -> None:
        from dondoc.urging import receivers

        receivers.register()  # the notification centre tells the units addressed
