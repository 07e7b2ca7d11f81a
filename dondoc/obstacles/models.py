"""The obstacle register: a difficulty a unit meets on a task or a document, who must
resolve it, and its road open → escalated → resolved (or rejected with a reason)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dondoc.core.models import SearchTextMixin, VersionedModel
from dondoc.core.text import fold


class Category(models.TextChoices):
    POLICY = "policy", _("Policy")  # chính sách
    BUDGET = "budget", _("Budget")  # kinh phí
    LAND = "land", _("Land")  # đất đai
    PERSONNEL = "personnel", _("Personnel")  # nhân sự
    EQUIPMENT = "equipment", _("Equipment")  # trang thiết bị
    COORDINATION = "coordination", _("Coordination")  # phối hợp
    OTHER = "other", _("Other")  # khác


class ObstacleState(models.TextChoices):
    OPEN = "open", pgettext_lazy("obstacle state", "Open")
    ESCALATED = "escalated", _("Escalated to leadership")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")


UNRESOLVED_STATES = (ObstacleState.OPEN, ObstacleState.ESCALATED)
CLOSED_STATES = (ObstacleState.RESOLVED, ObstacleState.REJECTED)


class Obstacle(SearchTextMixin, VersionedModel):
    """One difficulty raised by ``unit`` on exactly one of ``task`` or ``document``.

    The resolver is a unit of dondoc (``resolver_unit``) or an outside agency named in
    ``resolver_agency``, exactly one of the two. ``raised_on`` and ``closed_on`` are the
    business days the obstacle opened and was resolved or rejected: ageing and reports
    as of any date are read from them.
    """

    task = models.ForeignKey("plans.Task", verbose_name=_("task"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="obstacles")
    document = models.ForeignKey("plans.Document", verbose_name=_("document"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="obstacles")
    unit = models.ForeignKey("organization.Unit", verbose_name=_("raised by unit"),
                             on_delete=models.PROTECT, related_name="obstacles_raised")
    category = models.CharField(_("kind of obstacle"), max_length=20, choices=Category.choices)
    description = models.TextField(_("difficulty or obstacle"))
    proposed_solution = models.TextField(_("proposed solution"), blank=True)
    resolver_unit = models.ForeignKey(
        "organization.Unit", verbose_name=_("unit that must resolve it"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="obstacles_to_resolve")
    resolver_agency = models.CharField(_("outside agency that must resolve it"),
                                       max_length=255, blank=True)
    progress_update = models.OneToOneField(
        "progress.ProgressUpdate", verbose_name=_("from the progress report"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="obstacle")
    state = models.CharField(_("state"), max_length=10, choices=ObstacleState.choices,
                             default=ObstacleState.OPEN, db_index=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    raised_on = models.DateField(_("raised on"), db_index=True)
    escalated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    direction = models.TextField(_("leadership direction"), blank=True)
    direction_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    direction_at = models.DateTimeField(_("direction given at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    search_text = models.CharField(max_length=1200, blank=True, editable=False)

    class Meta:
        verbose_name = _("obstacle")
        verbose_name_plural = _("obstacles")
        ordering = ["-raised_on", "-id"]
        indexes = [
            models.Index(fields=["state", "raised_on"], name="obstacles_state_raised"),
            models.Index(fields=["unit", "state"], name="obstacles_unit_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(task__isnull=False, document__isnull=True)
                           | Q(task__isnull=True, document__isnull=False)),
                name="obstacles_on_task_or_document"),
            models.CheckConstraint(
                condition=(Q(resolver_unit__isnull=False, resolver_agency="")
                           | (Q(resolver_unit__isnull=True) & ~Q(resolver_agency=""))),
                name="obstacles_one_resolver"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.description[:80]}"

    def compute_search_text(self) -> str:
        return fold(f"{self.description} {self.proposed_solution} {self.resolver_agency}")[:1200]

    @property
    def is_unresolved(self) -> bool:
        return self.state in UNRESOLVED_STATES

    @property
    def resolver_label(self) -> str:
        if self.resolver_unit is not None:
            return str(self.resolver_unit.name)
        return self.resolver_agency

    def age_on(self, day: dt.date) -> int:
        """Days open as of ``day`` (up to the day it closed)."""
        end = min(day, self.closed_on) if self.closed_on else day
        return max((end - self.raised_on).days, 0)


class EventKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    EDITED = "edited", _("Edited")
    ESCALATED = "escalated", _("Escalated to leadership")
    DIRECTED = "directed", _("Leaders gave a direction")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")


class ObstacleEvent(models.Model):
    """A line of the obstacle's history: who did what, when, with which text."""

    obstacle = models.ForeignKey(Obstacle, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("obstacle event")
        verbose_name_plural = _("obstacle events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.obstacle_id} {self.kind}"
