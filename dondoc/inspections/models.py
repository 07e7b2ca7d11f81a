"""Inspections with findings and recommendations, and steering-committee meetings with
their numbered conclusions.

Both are registered as documents of their own kinds (``DocumentKind.INSPECTION`` — the
inspection conclusion, ``DocumentKind.MEETING_NOTICE`` — the notice of the meeting's
conclusions) that own their follow-up tasks: a recommendation's or a conclusion's status
is its task's status (status engine); nothing is stored twice.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from dondoc.core.models import VersionedModel


class InspectionState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    CONCLUDED = "concluded", _("Concluded")


class Rating(models.TextChoices):
    """An optional overall judgement of a unit's work in an inspection."""

    VERY_GOOD = "very_good", _("Very good")
    GOOD = "good", _("Good")
    SATISFACTORY = "satisfactory", _("Satisfactory")
    UNSATISFACTORY = "unsatisfactory", _("Unsatisfactory")


class Inspection(VersionedModel):
    """An inspection (kiểm tra, giám sát) of several units over a period.

    ``owner_unit`` is the inspecting unit (e.g. the inspectorate); the inspection is seen
    by the scopes containing its subject units (``scoping.inspections_visible_to``), each
    subject unit seeing only its own findings and recommendations.
    """

    title = models.CharField(_("title"), max_length=500)
    owner_unit = models.ForeignKey("organization.Unit", verbose_name=_("inspecting unit"),
                                   on_delete=models.PROTECT, related_name="+")
    subject_units = models.ManyToManyField("organization.Unit", verbose_name=_("units inspected"),
                                           related_name="inspections")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    content = models.TextField(_("content"), blank=True)
    scope_documents = models.ManyToManyField(
        "plans.Document", verbose_name=_("documents inspected"), blank=True, related_name="+")
    scope_groups = models.ManyToManyField(
        "plans.TaskGroup", verbose_name=_("task groups inspected"), blank=True, related_name="+")
    team_leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("team leader"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    team_members = models.ManyToManyField(settings.AUTH_USER_MODEL,
                                          verbose_name=_("team members"), blank=True,
                                          related_name="+")
    other_members = models.CharField(_("other members"), max_length=500, blank=True,
                                     help_text=_("Names of members without an account."))
    state = models.CharField(_("state"), max_length=12, choices=InspectionState.choices,
                             default=InspectionState.PLANNED)
    conclusion = models.OneToOneField(
        "plans.Document", verbose_name=_("inspection conclusion"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="inspection")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-period_start", "-id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _(
                "The end of the inspection cannot be before its start.")})


class Finding(models.Model):
    """What the inspection found at one of its subject units."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    unit = models.ForeignKey("organization.Unit", verbose_name=_("unit"),
                             on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("finding"))
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["inspection", "unit__path", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Recommendation(models.Model):
    """A recommendation (kiến nghị) to a subject unit; once the conclusion is registered it
    is a task of the conclusion document led by that unit, due on ``due_date``."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE,
                                   related_name="recommendations")
    unit = models.ForeignKey("organization.Unit", verbose_name=_("unit"),
                             on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("recommendation"))
    due_date = models.DateField(_("due date"))
    task = models.OneToOneField("plans.Task", verbose_name=_("follow-up task"), null=True,
                                blank=True, on_delete=models.PROTECT,
                                related_name="recommendation")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["inspection", "unit__path", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Meeting(VersionedModel):
    """A meeting of the steering committee (Ban Chỉ đạo); its conclusion notice is a
    document of kind ``meeting_notice`` that owns the tasks made from its conclusions."""

    title = models.CharField(_("title"), max_length=500)
    owner_unit = models.ForeignKey("organization.Unit", verbose_name=_("managing unit"),
                                   on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("date"))
    location = models.CharField(_("place"), max_length=255, blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("chair"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    chair_name = models.CharField(_("chair (name)"), max_length=255, blank=True,
                                  help_text=_("When the chair has no account."))
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("attendees"),
                                       blank=True, related_name="+")
    other_attendees = models.TextField(_("other attendees"), blank=True,
                                       help_text=_("Names and positions of attendees without "
                                                   "an account, one per line."))
    notice = models.OneToOneField(
        "plans.Document", verbose_name=_("conclusion notice"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="meeting")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("steering-committee meeting")
        verbose_name_plural = _("steering-committee meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def chair_label(self) -> str:
        return str(self.chair) if self.chair is not None else self.chair_name


class Conclusion(models.Model):
    """A numbered conclusion of a meeting; it may become a task of the conclusion notice."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="conclusions")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("conclusion"))
    lead_unit = models.ForeignKey("organization.Unit", verbose_name=_("unit in charge"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    task = models.OneToOneField("plans.Task", verbose_name=_("follow-up task"), null=True,
                                blank=True, on_delete=models.PROTECT,
                                related_name="meeting_conclusion")

    class Meta:
        verbose_name = _("conclusion")
        verbose_name_plural = _("conclusions")
        ordering = ["meeting", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"],
                                               name="inspections_conclusion_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:80]}"
