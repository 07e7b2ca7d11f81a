"""Urging letters, the tasks each one urged, and the Word template staff may replace."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dondoc.plans.models import StoredFile


class LetterMode(models.TextChoices):
    PER_UNIT = "per_unit", _("One letter per unit")
    COMBINED = "combined", _("One letter to all the units, with an appendix per unit")


class UrgedAs(models.TextChoices):
    OVERDUE = "overdue", _("Overdue")
    DUE_SOON = "due_soon", _("Due soon")


class UrgingTemplate(StoredFile):
    """A Word template (docxtpl) uploaded by staff to replace the default one for their
    scope. Only one is in use per scope (``is_active``); older ones are kept."""

    scope_unit = models.ForeignKey("organization.Unit", verbose_name=_("scope"),
                                   on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta(StoredFile.Meta):
        verbose_name = _("urging letter template")
        verbose_name_plural = _("urging letter templates")
        ordering = ["-uploaded_at", "-id"]
        constraints = [models.UniqueConstraint(
            fields=["scope_unit"], condition=Q(is_active=True),
            name="urging_one_active_template_per_scope")]


class UrgingLetter(StoredFile):
    """An urging letter as issued: its number, date, signer and the DOCX produced, with
    the file's SHA-256. ``units`` are the units it is addressed to (Kính gửi)."""

    batch = models.UUIDField(_("batch"), db_index=True,
                             help_text=_("Letters generated together share it."))
    scope_unit = models.ForeignKey("organization.Unit", verbose_name=_("scope"),
                                   on_delete=models.PROTECT, related_name="+")
    issuing_unit = models.ForeignKey("organization.Unit", verbose_name=_("issuing unit"),
                                     on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence number"))
    number = models.CharField(_("number/symbol"), max_length=80)
    letter_date = models.DateField(_("date of the letter"))
    as_of = models.DateField(_("situation as of"))
    reply_by = models.DateField(_("report back by"), null=True, blank=True)
    due_soon_days = models.PositiveSmallIntegerField(_("due soon within (days)"))
    mode = models.CharField(_("form"), max_length=10, choices=LetterMode.choices)
    document = models.ForeignKey("plans.Document", verbose_name=_("document"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("subject"), max_length=300)
    signer_authority = models.CharField(_("signing authority"), max_length=120, blank=True)
    signer_position = models.CharField(_("signer's position"), max_length=120)
    signer_name = models.CharField(_("signer's name"), max_length=120)
    template_sha256 = models.CharField(max_length=64, blank=True)
    units = models.ManyToManyField("organization.Unit", verbose_name=_("addressed to"),
                                   related_name="urging_letters")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta(StoredFile.Meta):
        verbose_name = _("urging letter")
        verbose_name_plural = _("urging letters")
        ordering = ["-letter_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["issuing_unit", "year", "sequence"],
                                               name="urging_letter_number")]

    def __str__(self) -> str:
        return f"{self.number} ({self.letter_date:%d/%m/%Y})"


class UrgingRecord(models.Model):
    """One task urged by one letter, for one unit, with what it was at the letter's date."""

    letter = models.ForeignKey(UrgingLetter, on_delete=models.CASCADE, related_name="records")
    unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT,
                             related_name="urging_records")
    task = models.ForeignKey("plans.Task", on_delete=models.PROTECT,
                             related_name="urging_records")
    urged_as = models.CharField(_("urged as"), max_length=10, choices=UrgedAs.choices)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    days_overdue = models.PositiveIntegerField(_("days overdue"), null=True, blank=True)

    class Meta:
        verbose_name = _("urged task")
        verbose_name_plural = _("urged tasks")
        ordering = ["letter", "unit__path", "task__code"]
        constraints = [models.UniqueConstraint(fields=["letter", "unit", "task"],
                                               name="urging_record_once")]
        indexes = [models.Index(fields=["unit", "letter"], name="urging_record_unit")]

    def __str__(self) -> str:
        return f"{self.letter_id}: {self.task_id}"
