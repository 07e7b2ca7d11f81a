"""Consolidated reports: the staff department's periodic report, generated from the
status engine as of the period's cut-off, issued as DOCX + XLSX + PDF and frozen."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "dondoc.reports"
    label = "reports"
    verbose_name = _("Consolidated reports")

    def ready(self) -> None:
        from dondoc.reports import checks  # noqa: F401 - registers the system checks
