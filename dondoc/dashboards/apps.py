"""Dashboards: the leadership picture (reads only; month-end snapshots are a cache)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dondoc.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from dondoc.dashboards import invalidation

        invalidation.connect()
