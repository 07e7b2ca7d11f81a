"""Organization: the unit tree, user accounts, roles and the scoping rules."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "dondoc.organization"
    label = "organization"
    verbose_name = _("Organization")
