"""Audit: the append-only, hash-chained record of every write."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "dondoc.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from dondoc.audit import receivers  # noqa: F401
