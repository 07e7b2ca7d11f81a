"""Targets (chỉ tiêu) of a document and the measurements units enter against them.

A target runs in a straight line from its baseline (value on a day) to its target (value
on a later day). Units may have their own target values. Measurements are append-only: a
correction is a new measurement that supersedes the old one, which is kept as history.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


DIGITS, PLACES = 16, 2  # up to 99 999 999 999 999,99


class Target(models.Model):
    """One measurable goal of ``document`` (optionally of one of its task groups), defined
    by staff of the agency managing ``owner_unit``."""

    document = models.ForeignKey("plans.Document", verbose_name=_("document"),
                                 on_delete=models.PROTECT, related_name="targets")
    group = models.ForeignKey("plans.TaskGroup", verbose_name=_("task group"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="targets")
    owner_unit = models.ForeignKey("organization.Unit", verbose_name=_("managing unit"),
                                   on_delete=models.PROTECT, related_name="targets_owned")
    name = models.CharField(_("name of the target"), max_length=300)
    measure_unit = models.CharField(_("unit of measure"), max_length=50)
    direction = models.CharField(_("which way is better"), max_length=10, choices=Direction.choices,
                                 default=Direction.HIGHER)
    baseline_value = models.DecimalField(_("baseline value"), max_digits=DIGITS,
                                         decimal_places=PLACES)
    baseline_date = models.DateField(_("baseline date"))
    target_value = models.DecimalField(_("target value"), max_digits=DIGITS,
                                       decimal_places=PLACES)
    target_date = models.DateField(_("target date"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # Measured from a survey (issue 13): a number of a form family, recorded when a
    # submission is accepted (dondoc.targets.from_surveys). Both empty: entered by hand.
    survey_form_key = models.CharField(_("survey form"), max_length=64, blank=True)
    survey_field = models.CharField(_("survey field"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["document_id", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(target_date__gt=models.F("baseline_date")),
                                   name="targets_target_after_baseline"),
            models.CheckConstraint(condition=Q(survey_form_key="", survey_field="")
                                   | (~Q(survey_form_key="") & ~Q(survey_field="")),
                                   name="targets_survey_link_whole"),
        ]
        indexes = [models.Index(fields=["survey_form_key"], name="targets_survey_form",
                                condition=~Q(survey_form_key=""))]

    def __str__(self) -> str:
        return self.name


class TargetUnit(models.Model):
    """A unit's own share of the target: its baseline and target values (same dates)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey("organization.Unit", verbose_name=_("unit"),
                             on_delete=models.PROTECT, related_name="+")
    baseline_value = models.DecimalField(_("baseline value"), default=Decimal(0),
                                         max_digits=DIGITS, decimal_places=PLACES)
    target_value = models.DecimalField(_("target value"), max_digits=DIGITS,
                                       decimal_places=PLACES)

    class Meta:
        verbose_name = _("target of a unit")
        verbose_name_plural = _("targets of units")
        ordering = ["unit__path"]
        constraints = [models.UniqueConstraint(fields=["target", "unit"],
                                               name="targets_one_row_per_unit")]

    def __str__(self) -> str:
        return f"{self.target} — {self.unit}"


class Measurement(models.Model):
    """A value measured at the end of a period, for the whole target (``unit`` empty) or a
    unit. Never changed: a correction supersedes it (``supersedes``)."""

    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="measurements")
    unit = models.ForeignKey("organization.Unit", verbose_name=_("unit"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+")
    period_end = models.DateField(_("end of the period"))
    value = models.DecimalField(_("value"), max_digits=DIGITS, decimal_places=PLACES)
    note = models.TextField(_("note"), blank=True)
    file = models.FileField(_("evidence file"), upload_to="", max_length=300, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    supersedes = models.OneToOneField("self", verbose_name=_("corrects"), null=True,
                                      blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    campaign = models.ForeignKey("surveys.Campaign", verbose_name=_("from the survey campaign"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["period_end", "entered_at", "id"]
        indexes = [models.Index(fields=["target", "unit", "period_end"],
                                name="targets_measure_period")]

    def __str__(self) -> str:
        return f"{self.target} {self.period_end:%d/%m/%Y}: {self.value}"
