"""Obstacles (khó khăn, vướng mắc): raised by units, escalated, directed, resolved."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObstaclesConfig(AppConfig):
    name = "dondoc.obstacles"
    label = "obstacles"
    verbose_name = _("Obstacles")

    def ready(self) -> None:
        from dondoc.obstacles import notices

        notices.connect()
