"""Reporting obligations (who reports on a document, how often, by when) and the reports.

A :class:`ReportingObligation` says that some units report on a document every period of
a kind (month, quarter, 6 months, 9 months, year) from a first to a last period, by a
deadline rule, with data cut off at the period's end or at day N of its last month (then
the report covers the "cut-off window", e.g. the 15th to the 14th). A
:class:`UnitReport` is one unit's report for one period: pre-filled from its tasks'
progress updates in the window, edited, submitted, then accepted or returned by staff.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dondoc.core.models import VersionedModel
from dondoc.plans.models import StoredFile
from dondoc.progress import periods as period_rules


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    HALF = "half", _("6 months")
    NINE = "nine", _("9 months")
    YEAR = "year", _("Yearly")


class DeadlineRule(models.TextChoices):
    DAY_OF_LAST_MONTH = "day_of_last_month", _("Day N of the period's last month")
    DAYS_AFTER_END = "days_after_end", _("N days after the period's end")


class WindowMode(models.TextChoices):
    CALENDAR = "calendar", _("Calendar period")
    CUTOFF = "cutoff", _("Cut-off window (day N+1 to day N)")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class ReportingObligation(VersionedModel):
    """Units that must report on a document every period of a kind."""

    document = models.ForeignKey("plans.Document", verbose_name=_("document"),
                                 on_delete=models.PROTECT, related_name="reporting_obligations")
    owner_unit = models.ForeignKey("organization.Unit", verbose_name=_("managing unit"),
                                   on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=300)
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    units = models.ManyToManyField("organization.Unit", verbose_name=_("reporting units"),
                                   related_name="reporting_obligations")
    with_subunits = models.BooleanField(
        _("their sub-units report too"), default=False,
        help_text=_("Each unit of the subtrees of the chosen units reports."))
    first_period_start = models.DateField(_("first period"))
    last_period_end = models.DateField(_("last period"))
    deadline_rule = models.CharField(_("submission deadline"), max_length=20,
                                     choices=DeadlineRule.choices)
    deadline_value = models.PositiveSmallIntegerField(_("N (day or days)"))
    window_mode = models.CharField(_("period window"), max_length=10, choices=WindowMode.choices,
                                   default=WindowMode.CALENDAR)
    cutoff_day = models.PositiveSmallIntegerField(_("data cut-off day"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("reporting obligation")
        verbose_name_plural = _("reporting obligations")
        ordering = ["-first_period_start", "id"]

    def __str__(self) -> str:
        return self.title

    # The periods and their dates ------------------------------------------------------

    def periods(self) -> list[period_rules.Period]:
        kind = self.period_kind
        return period_rules.periods_between(
            kind, period_rules.period_of_kind(kind, self.first_period_start),
            period_rules.period_of_kind(kind, self.last_period_end))

    def period_at(self, start: dt.date) -> period_rules.Period | None:
        """The obligation's period starting on ``start``, if it has one."""
        for period in self.periods():
            if period.start == start:
                return period
        return None

    def window(self, period: period_rules.Period) -> tuple[dt.date, dt.date]:
        """The days whose progress the report covers; its end is the data cut-off."""
        day = self.cutoff_day if self.window_mode == WindowMode.CUTOFF else None
        return period_rules.cutoff_window(period, day)

    def deadline(self, period: period_rules.Period) -> dt.date:
        if self.deadline_rule == DeadlineRule.DAY_OF_LAST_MONTH:
            return period_rules.day_of_month(period.end.year, period.end.month, self.deadline_value)
        return period.end + dt.timedelta(days=self.deadline_value)


class UnitReport(VersionedModel):
    """One unit's report for one period of an obligation: draft → submitted → accepted,
    or returned (the unit edits and submits again)."""

    obligation = models.ForeignKey(ReportingObligation, on_delete=models.PROTECT,
                                   related_name="reports", verbose_name=_("obligation"))
    unit = models.ForeignKey("organization.Unit", verbose_name=_("unit"),
                             on_delete=models.PROTECT, related_name="period_reports")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    window_start = models.DateField(_("window start"))
    cutoff = models.DateField(_("data cut-off"))
    deadline = models.DateField(_("submission deadline"))
    state = models.CharField(_("state"), max_length=10, choices=ReportState.choices,
                             default=ReportState.DRAFT)
    results = models.TextField(_("results achieved"), blank=True)
    difficulties = models.TextField(_("difficulties and obstacles"), blank=True)
    proposals = models.TextField(_("proposals"), blank=True)
    statistics = models.JSONField(_("statistics"), default=dict, blank=True)
    first_submitted_on = models.DateField(_("first submitted on"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    return_reason = models.TextField(_("reason for returning"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("unit period report")
        verbose_name_plural = _("unit period reports")
        ordering = ["-period_start", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["obligation", "unit", "period_start"],
                                               name="unitreport_one_per_period")]

    def __str__(self) -> str:
        return f"{self.unit} {self.period_start:%d/%m/%Y}"

    @property
    def period(self) -> period_rules.Period:
        return period_rules.period_of_kind(self.obligation.period_kind, self.period_start)

    @property
    def late(self) -> bool:
        """Submitted after the deadline (judged on the first submission: a report returned
        for correction and submitted again is not made late by the return)."""
        return self.first_submitted_on is not None and self.first_submitted_on > self.deadline

    @property
    def editable(self) -> bool:
        return self.state in {ReportState.DRAFT, ReportState.RETURNED}


class UnitReportFile(StoredFile):
    """The unit's signed report (the scanned or digitally signed file)."""

    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="files")

    class Meta(StoredFile.Meta):
        verbose_name = _("signed report file")
        verbose_name_plural = _("signed report files")
