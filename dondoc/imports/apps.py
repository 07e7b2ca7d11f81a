"""Imports: reading real task appendices (pure parser, unit directory), the import
services, pages and console commands."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "dondoc.imports"
    label = "imports"
    verbose_name = _("Imports")
