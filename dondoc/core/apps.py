"""Core: shared base models, access helpers, CLI and health check."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "dondoc.core"
    label = "core"
    verbose_name = _("Core")
