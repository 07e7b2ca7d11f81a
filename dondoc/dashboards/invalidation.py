"""Which writes change the past, and so drop month-end snapshots.

The status engine reads only dated facts. A write changes the figures of a month end
only if one of the dates it sets or clears is on or before that month end; the earliest
such date is passed to :func:`snapshots.invalidate_from`. Everyday writes are dated
today, after every stored month end, and drop nothing.

Signals are used because this is a cache beside the domain, not a workflow: the
services stay unaware of it. Writes that bypass ``save()`` (``bulk_create``,
``QuerySet.update``) call :func:`changed_on` themselves (``tasks_bulk_create``) or only
touch rows whose ``save()`` follows (``task_cancel``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

TASK_HISTORY_FIELDS = ("assigned_on", "due_date", "deadline_kind", "cancelled_on",
                       "document_id", "group_id")


def _earliest(*days: dt.date | None) -> dt.date | None:
    known = [day for day in days if day is not None]
    return min(known) if known else None


def changed_on(day: dt.date | None) -> None:
    """Drop the snapshots a change dated ``day`` alters, once the write commits."""
    if day is None:
        return
    from dondoc.dashboards import snapshots

    transaction.on_commit(lambda: snapshots.invalidate_from(day))
    snapshots.invalidate_from(day)  # and now, so a read in the same transaction is right


def _unit_moved(sender: Any, **kwargs: Any) -> None:
    """Subtree totals follow the tree: sum them again from the own rows (now, for a read
    in the same transaction, and once the move commits)."""
    from dondoc.dashboards import snapshots

    transaction.on_commit(snapshots.tree_changed)
    snapshots.tree_changed()


def _task_pre_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.pk is None:
        return
    fields = kwargs.get("update_fields")
    if fields is not None and not ({f.removesuffix("_id") for f in fields}
                                   & {f.removesuffix("_id") for f in TASK_HISTORY_FIELDS}):
        return
    old = type(instance).objects.filter(pk=instance.pk).values(*TASK_HISTORY_FIELDS).first()
    instance._dashboards_before = old


def _task_post_save(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:
        changed_on(_earliest(instance.assigned_on, instance.cancelled_on))
        return
    old = getattr(instance, "_dashboards_before", None)
    if old is None:
        return
    del instance._dashboards_before
    changed = [name for name in TASK_HISTORY_FIELDS if old[name] != getattr(instance, name)]
    if not changed:
        return
    if changed == ["cancelled_on"]:
        changed_on(_earliest(old["cancelled_on"], instance.cancelled_on))
    else:  # a corrected deadline, date or document rewrites the task's whole life
        changed_on(_earliest(old["assigned_on"], instance.assigned_on))


def _dated(*names: str) -> Any:
    def handler(sender: Any, instance: Any, **kwargs: Any) -> None:
        changed_on(_earliest(*(getattr(instance, name, None) for name in names)))
    return handler


# Keep references: signals hold weak references to their receivers.
_HANDLERS: dict[str, Any] = {
    "progress": _dated("reported_on"),
    "completion": _dated("submitted_on", "decided_on"),
    "extension": _dated("decided_on"),
    "suspension": _dated("start", "end"),
    "lead_change": _dated("changed_on"),
}


def connect() -> None:
    from dondoc.organization.signals import unit_moved
    from dondoc.plans.models import (
        CompletionRequest,
        DeadlineExtension,
        LeadUnitChange,
        Suspension,
        Task,
    )
    from dondoc.progress.models import ProgressUpdate

    unit_moved.connect(_unit_moved, dispatch_uid="dashboards-unit-moved")
    pre_save.connect(_task_pre_save, sender=Task, dispatch_uid="dashboards-task-pre")
    post_save.connect(_task_post_save, sender=Task, dispatch_uid="dashboards-task-post")
    post_delete.connect(_dated("assigned_on"), sender=Task, weak=False,
                        dispatch_uid="dashboards-task-delete")
    for key, model in (("progress", ProgressUpdate), ("completion", CompletionRequest),
                       ("extension", DeadlineExtension), ("suspension", Suspension),
                       ("lead_change", LeadUnitChange)):
        for signal in (post_save, post_delete):
            signal.connect(_HANDLERS[key], sender=model,
                           dispatch_uid=f"dashboards-{key}-{signal is post_save}")
