"""Surveys: forms, campaigns and the units' submissions (issue 13)."""

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_builtin_forms(sender: Any, **kwargs: Any) -> None:
    from dondoc.surveys.builtin_forms import ensure_builtin_forms

    ensure_builtin_forms(using=kwargs.get("using", "default"))


class SurveysConfig(AppConfig):
    name = "dondoc.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        # The built-in forms are (re)installed after every migrate: idempotent.
        post_migrate.connect(_install_builtin_forms, sender=self,
                             dispatch_uid="surveys.install_builtin_forms")
        from dondoc.surveys import notices

        notices.connect()
