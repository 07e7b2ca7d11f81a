"""Progress: the status engine, progress updates and statistics."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "dondoc.progress"
    label = "progress"
    verbose_name = _("Progress")
