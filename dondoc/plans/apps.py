"""Plans: directive documents, task groups, tasks and their workflow."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "dondoc.plans"
    label = "plans"
    verbose_name = _("Plans and tasks")

    def ready(self) -> None:
        from dondoc.plans import attention  # noqa: F401  (registers home-page items)
