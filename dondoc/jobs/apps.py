"""Background jobs: long work (an Excel import) run by a worker, with a progress page."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "dondoc.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")
