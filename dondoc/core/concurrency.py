"""Optimistic locking: an edit based on a stale version is refused, never silently merged."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.utils.translation import gettext_lazy as _


class ConflictError(Exception):
    """Someone else saved the object after the editor loaded it."""

    message = _(
        "Someone else changed this record while you were editing it. "
        "Reload the page to see their changes, then make yours again."
    )


def save_versioned(obj: Any, *, expected_version: int, fields: list[str]) -> None:
    """Write ``fields`` of ``obj`` only if the row still has ``expected_version``."""
    model = type(obj)
    if hasattr(obj, "compute_search_text"):
        obj.search_text = obj.compute_search_text()
        fields = [*fields, "search_text"]
    # A versioned save is a save: listeners (e.g. the dashboards' snapshot invalidation)
    # hear it as they hear ``Model.save()``, which ``QuerySet.update`` would bypass.
    pre_save.send(sender=model, instance=obj, raw=False, using=obj._state.db,
                  update_fields=frozenset(fields))
    values = {name: getattr(obj, name) for name in fields}
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            values[field.name] = field.pre_save(obj, add=False)
    updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if updated != 1:
        raise ConflictError
    obj.version = expected_version + 1
    post_save.send(sender=model, instance=obj, created=False, raw=False, using=obj._state.db,
                   update_fields=frozenset(fields))


def lock(queryset: models.QuerySet[models.Model]) -> models.QuerySet[models.Model]:
    """Row lock for the rest of the transaction (no-op on SQLite, which locks the file)."""
    return queryset.select_for_update()
