"""Inspections (kiểm tra, giám sát) and steering-committee meetings (Ban Chỉ đạo)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "dondoc.inspections"
    label = "inspections"
    verbose_name = _("Inspections and meetings")
