"""Month-end snapshots: the statistics of each unit and document at each past month end.

A cache, never a source of truth: every row can be recomputed from the workflow records
by the status engine's SQL (``dondoc.progress.selectors``). Rows of a month are dropped
when a write dated on or before that month end arrives (``invalidation.py``) and are
computed again on the next read (docs/performance.md, "Month-end snapshots").
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# The figures a snapshot row keeps, in addition to the engine's counts.
AGE_BUCKETS = ("overdue_1_7", "overdue_8_30", "overdue_31_90", "overdue_over_90")
EXTRA_FIELDS = (*AGE_BUCKETS, "due_7", "due_30")


class SnapshotMonth(models.Model):
    """A month end whose own rows are complete (units without tasks have no row).

    ``subtrees_built``: its subtree rows are there too. They follow the unit tree of the
    day they were summed, so moving a unit clears the flag of every month and the next
    read sums them again from the own rows (``snapshots.build_subtrees``)."""

    month_end = models.DateField(_("month end"), unique=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    subtrees_built = models.BooleanField(_("subtree totals built"), default=False)

    class Meta:
        verbose_name = _("snapshot month")
        verbose_name_plural = _("snapshot months")
        ordering = ["month_end"]

    def __str__(self) -> str:
        return self.month_end.isoformat()


class MonthEndSnapshot(models.Model):
    """The tasks a unit led in one document, or in all of them (``document`` empty), as
    of a month end: itself only (an *own* row), or with every unit below it (a *subtree*
    row, ``subtree`` set), so that a dashboard reads one row per unit it shows, not one
    per unit of its tree (a ministry's 20,000)."""

    month = models.ForeignKey(SnapshotMonth, on_delete=models.CASCADE, related_name="rows")
    month_end = models.DateField(_("month end"))
    unit = models.ForeignKey("organization.Unit", on_delete=models.CASCADE, related_name="+")
    # Empty: the unit's tasks of every document (one row per unit and month, so that a
    # dashboard without a chosen document sums ~500 rows a month, not ~3,500).
    document = models.ForeignKey("plans.Document", on_delete=models.CASCADE, related_name="+",
                                 null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    completed_on_time = models.PositiveIntegerField(default=0)
    completed_late = models.PositiveIntegerField(default=0)
    awaiting_confirmation = models.PositiveIntegerField(default=0)
    awaiting_late = models.PositiveIntegerField(default=0)
    in_progress_on_time = models.PositiveIntegerField(default=0)
    in_progress_overdue = models.PositiveIntegerField(default=0)
    due_soon = models.PositiveIntegerField(default=0)
    standing = models.PositiveIntegerField(default=0)
    suspended = models.PositiveIntegerField(default=0)
    not_started = models.PositiveIntegerField(default=0)
    no_deadline = models.PositiveIntegerField(default=0)
    overdue_1_7 = models.PositiveIntegerField(default=0)
    overdue_8_30 = models.PositiveIntegerField(default=0)
    overdue_31_90 = models.PositiveIntegerField(default=0)
    overdue_over_90 = models.PositiveIntegerField(default=0)
    due_7 = models.PositiveIntegerField(default=0)
    due_30 = models.PositiveIntegerField(default=0)
    oldest_overdue_days = models.PositiveIntegerField(default=0)
    subtree = models.BooleanField(_("whole subtree"), default=False)

    class Meta:
        verbose_name = _("month-end snapshot")
        verbose_name_plural = _("month-end snapshots")
        ordering = ["month_end", "unit", "document"]
        constraints = [models.UniqueConstraint(
            fields=["month_end", "unit", "document", "subtree"],
            name="dashboards_snapshot_unique")]
        indexes = [models.Index(fields=["month_end", "unit"], name="dashboards_snapshot_unit")]

    def __str__(self) -> str:
        return f"{self.month_end} {self.unit_id} {self.document_id} {self.subtree}"
