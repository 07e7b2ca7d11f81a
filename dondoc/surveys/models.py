"""Survey forms, campaigns and the units' submissions (issue 13).

A :class:`SurveyForm` is one version of a form family (``key``); its JSON definition is
checked by :mod:`dondoc.surveys.definition` and never changes once a campaign uses it (a
change is a new version). A :class:`Campaign` asks units (:class:`CampaignUnit`) to answer
a form version by a deadline. Each unit has one :class:`Submission` per campaign whose
every step (draft saved, submitted, returned, accepted) appends a
:class:`SubmissionVersion`: the history is never rewritten.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dondoc.plans.models import StoredFile
from dondoc.surveys.definition import FormDefinition, parse_definition


class SurveyForm(models.Model):
    """One version of a survey form; the definition is the JSON described in docs."""

    key = models.CharField(_("form key"), max_length=64)
    version = models.PositiveIntegerField(_("version"))
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    definition = models.JSONField(_("definition"))
    builtin = models.BooleanField(_("built-in"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey form")
        verbose_name_plural = _("survey forms")
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"],
                                               name="surveyform_key_version")]

    def __str__(self) -> str:
        return f"{self.title()} (v{self.version})"

    def title(self, lang: str | None = None) -> str:
        lang = (lang or get_language() or "vi").split("-")[0]
        return (self.title_en if lang == "en" and self.title_en else self.title_vi)

    @property
    def parsed(self) -> FormDefinition:
        """The checked definition (parsed once per instance)."""
        cached: FormDefinition | None = self.__dict__.get("_parsed")
        if cached is None:
            cached = parse_definition(self.definition)
            self.__dict__["_parsed"] = cached
        return cached


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    # a state, not the "Open" (= view) button elsewhere, which Vietnamese words apart
    OPEN = "open", pgettext_lazy("campaign state", "Open")
    CLOSED = "closed", _("Closed")


class Campaign(models.Model):
    """A survey sent to units: answer ``form`` as of ``reference_date`` by ``deadline``."""

    title = models.CharField(_("title"), max_length=300)
    purpose = models.TextField(_("purpose"), blank=True)
    form = models.ForeignKey(SurveyForm, verbose_name=_("form"), on_delete=models.PROTECT,
                             related_name="campaigns")
    reference_date = models.DateField(_("reference date"))
    deadline = models.DateField(_("deadline"))
    owner_unit = models.ForeignKey("organization.Unit", verbose_name=_("managing unit"),
                                   on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)
    baseline = models.ForeignKey("self", verbose_name=_("baseline campaign"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    units = models.ManyToManyField("organization.Unit", through="CampaignUnit",
                                   related_name="survey_campaigns",
                                   verbose_name=_("responding units"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        ordering = ["-reference_date", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == CampaignStatus.OPEN


class CampaignUnit(models.Model):
    """A unit that must answer a campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE,
                                 related_name="campaign_units")
    unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("responding unit")
        verbose_name_plural = _("responding units")
        ordering = ["unit__path"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"],
                                               name="campaignunit_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.unit_id}"


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


class Source(models.TextChoices):
    BROWSER = "browser", _("Browser")
    EXCEL = "excel", _("Excel workbook")
    API = "api", _("API")


class Submission(models.Model):
    """A unit's answer to a campaign; ``current`` is its latest version.

    ``lock_version`` grows with every step: a save based on an older one is refused
    (two people editing at once never overwrite each other)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT,
                                 related_name="submissions")
    unit = models.ForeignKey("organization.Unit", verbose_name=_("unit"),
                             on_delete=models.PROTECT, related_name="survey_submissions")
    status = models.CharField(_("status"), max_length=10, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.DRAFT)
    current = models.ForeignKey("SubmissionVersion", verbose_name=_("current version"),
                                null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    lock_version = models.PositiveIntegerField(_("edit version"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("survey submission")
        verbose_name_plural = _("survey submissions")
        ordering = ["campaign", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"],
                                               name="submission_one_per_unit")]
        indexes = [models.Index(fields=["campaign", "status"], name="submission_status")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.unit_id}"

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self.current.answers) if self.current is not None else {}

    @property
    def started(self) -> bool:
        return self.current_id is not None

    @property
    def editable(self) -> bool:
        """The unit may still change it (a draft or a returned submission)."""
        return self.status in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)

    def is_late(self, today: Any) -> bool:
        """Not submitted by the deadline: still open after it, or first submitted after."""
        deadline = self.campaign.deadline
        if self.first_submitted_at is not None:
            from django.utils import timezone

            return timezone.localdate(self.first_submitted_at) > deadline
        return bool(today > deadline)


class SubmissionVersion(models.Model):
    """One saved state of a submission: append-only, never changed or deleted."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT,
                                   related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    answers = models.JSONField(_("answers"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=SubmissionStatus.choices)
    note = models.TextField(_("comment"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices,
                              default=Source.BROWSER)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("saved at"))

    class Meta:
        verbose_name = _("submission version")
        verbose_name_plural = _("submission versions")
        ordering = ["submission", "number"]
        constraints = [models.UniqueConstraint(fields=["submission", "number"],
                                               name="submissionversion_number")]

    def __str__(self) -> str:
        return f"{self.submission_id} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("submission versions are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("submission versions are append-only")


class SurveyAttachment(StoredFile):
    """A file answering a file field of a submission (referenced from the answers as
    ``{"attachment": id, "name": ...}``)."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT,
                                   related_name="attachments")
    field_key = models.CharField(_("field"), max_length=64)

    class Meta(StoredFile.Meta):
        verbose_name = _("survey file")
        verbose_name_plural = _("survey files")
