"""Recomputing the stored ``search_text`` columns after the folding rules change.

Every model with :class:`~dondoc.core.models.SearchTextMixin` keeps its column in step on
save; rows saved under older rules keep the old form until this runs
(``dondoc reindex-search``, after an upgrade that changes ``core.text.fold``).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction

from dondoc.core.models import SearchTextMixin


def searchable_models() -> list[type[Any]]:
    return [model for model in apps.get_models() if issubclass(model, SearchTextMixin)]


def rebuild_search_text(*, batch_size: int = 1000) -> dict[str, int]:
    """Recompute every row's ``search_text``; returns the number of rows changed per model.

    Only the column is written (no ``save()``: versions and audit stay untouched, the
    searchable content itself does not change)."""
    changed: dict[str, int] = {}
    for model in searchable_models():
        count = 0
        pending: list[Any] = []
        with transaction.atomic():
            for row in model._base_manager.order_by("pk").iterator(chunk_size=batch_size):
                fresh = row.compute_search_text()
                if fresh != row.search_text:
                    row.search_text = fresh
                    pending.append(row)
                if len(pending) >= batch_size:
                    model._base_manager.bulk_update(pending, ["search_text"])
                    count += len(pending)
                    pending = []
            if pending:
                model._base_manager.bulk_update(pending, ["search_text"])
                count += len(pending)
        changed[model._meta.label] = count
    return changed
