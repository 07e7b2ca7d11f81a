"""The JSON API: personal tokens and the /api/v1/ endpoints."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "dondoc.api"
    label = "api"
    verbose_name = _("API")
