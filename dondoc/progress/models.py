"""Progress updates: what a unit reports on a task. Append-only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgressUpdate(models.Model):
    """One report on a task. Never edited: a correction is a new update that says so."""

    task = models.ForeignKey("plans.Task", on_delete=models.PROTECT, related_name="updates")
    unit = models.ForeignKey("organization.Unit", verbose_name=_("reporting unit"),
                             on_delete=models.PROTECT, related_name="progress_updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+")
    reported_on = models.DateField(_("report date"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    percent = models.PositiveSmallIntegerField(_("progress %"),
                                               validators=[MaxValueValidator(100)])
    results = models.TextField(_("results achieved"))
    difficulties = models.TextField(_("difficulties and obstacles"), blank=True)
    proposals = models.TextField(_("proposals"), blank=True)
    corrects = models.ForeignKey("self", verbose_name=_("corrects the update"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="corrections")

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["reported_on", "id"]
        indexes = [
            models.Index(fields=["task", "reported_on"], name="progress_task_date"),
            # The difficulties and proposals a consolidated report quotes, by unit and
            # date: a few per cent of the updates, so a small index (a province's quarter
            # read 10 M rows without it).
            models.Index(fields=["unit", "reported_on"], name="progress_unit_said",
                         condition=~models.Q(difficulties="", proposals="")),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.reported_on} {self.percent}%"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("progress updates are append-only; post a correction")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("progress updates are append-only")
