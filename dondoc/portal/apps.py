"""Public portal: news, web links, visitor statistics and the public progress of documents."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "dondoc.portal"
    label = "portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        from dondoc.portal import visits

        visits.install_exit_flush()
