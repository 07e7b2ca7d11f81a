"""Targets (chỉ tiêu): measurable goals of a document and the units' measurements."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "dondoc.targets"
    label = "targets"
    verbose_name = _("Targets")
