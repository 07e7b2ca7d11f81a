"""Unit reports: reporting obligations per period and each unit's period report (issue 12)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitReportsConfig(AppConfig):
    name = "dondoc.unitreports"
    label = "unitreports"
    verbose_name = _("Periodic unit reports")

    def ready(self) -> None:
        from dondoc.unitreports import (
            attention,  # noqa: F401  (registers home-page items)
            notices,
        )

        notices.connect()
