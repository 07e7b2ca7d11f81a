"""Base classes shared by the domain models."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A model edited by several people: ``version`` guards against lost updates.

    Services save changes with :func:`dondoc.core.concurrency.save_versioned`, which
    only writes when the stored version is the one the editor started from.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def field_values(self, fields: list[str]) -> dict[str, Any]:
        return {name: getattr(self, name) for name in fields}


class SearchTextMixin:
    """Keeps a model's ``search_text`` column (diacritic-folded, see ``core.text.fold``) in
    step with ``compute_search_text()`` on every save; ``concurrency.save_versioned`` does
    the same for versioned updates."""

    search_text: str

    def compute_search_text(self) -> str:
        raise NotImplementedError

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = self.compute_search_text()
        super().save(*args, **kwargs)  # type: ignore[misc]
