"""Consolidated reports and the Word templates they are written with."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dondoc.core.models import VersionedModel


class ReportStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("report status", "Draft")
    ISSUED = "issued", pgettext_lazy("report status", "Issued")


class ReportTemplate(models.Model):
    """A Word template (docxtpl) uploaded by staff for their agency's reports. The
    default template ships with dondoc (``scripts/make_report_template.py``)."""

    owner_unit = models.ForeignKey("organization.Unit", verbose_name=_("agency"),
                                   on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(_("file"), upload_to="", max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ConsolidatedReport(VersionedModel):
    """The consolidated report of a scope (a unit subtree), a document (with the documents
    implementing it) and a period, computed as of the cut-off date.

    A draft keeps the computed figures in ``data`` and can be regenerated; the narrative
    sections and the header fields are edited by staff. Issuing freezes everything in
    ``snapshot`` and stores the generated files with their SHA-256; nothing changes
    afterwards.
    """

    scope_unit = models.ForeignKey("organization.Unit", verbose_name=_("scope"),
                                   on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey("plans.Document", verbose_name=_("document"),
                                 on_delete=models.PROTECT, related_name="consolidated_reports")
    period_label = models.CharField(_("period"), max_length=80)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    cut_off = models.DateField(_("data as of"),
                               help_text=_("The figures are those of this day."))
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices,
                              default=ReportStatus.DRAFT, db_index=True)
    template = models.ForeignKey(ReportTemplate, verbose_name=_("Word template"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    # The administrative header and signature (Decree 30/2020/NĐ-CP).
    governing_body = models.CharField(_("governing body"), max_length=200, blank=True)
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    number = models.CharField(_("number/symbol"), max_length=60, blank=True,
                              help_text=_("E.g. 125/BC-CATP-PV01; filled in when issuing."))
    place = models.CharField(_("place"), max_length=60)
    report_date = models.DateField(_("date of the report"))
    title = models.CharField(_("subject"), max_length=500)
    signer_authority = models.CharField(_("signing authority"), max_length=120, blank=True,
                                        help_text=_("E.g. KT. GIÁM ĐỐC"))
    signer_title = models.CharField(_("signer's title"), max_length=120, blank=True)
    signer_name = models.CharField(_("signer's rank and name"), max_length=120, blank=True)
    recipients = models.TextField(_("recipients"), blank=True,
                                  help_text=_("One per line, as under 'Nơi nhận'."))
    # The narrative sections staff edit (I, III, IV, V; II and the tables are computed).
    general_situation = models.TextField(_("I. General situation"), blank=True)
    shortcomings = models.TextField(_("III. Shortcomings and causes"), blank=True)
    difficulties = models.TextField(_("IV. Difficulties and proposals"), blank=True)
    next_period = models.TextField(_("V. Direction and tasks for the next period"),
                                   blank=True)
    data = models.JSONField(_("figures"), default=dict, blank=True)
    generated_at = models.DateTimeField(_("figures computed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # Frozen when issued.
    snapshot = models.JSONField(_("frozen data"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    docx_file = models.FileField(upload_to="", max_length=300, blank=True)
    docx_sha256 = models.CharField(max_length=64, blank=True)
    xlsx_file = models.FileField(upload_to="", max_length=300, blank=True)
    xlsx_sha256 = models.CharField(max_length=64, blank=True)
    pdf_file = models.FileField(upload_to="", max_length=300, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_missing = models.CharField(_("why there is no PDF"), max_length=300, blank=True)
    signed = models.BooleanField(_("digitally signed"), default=False)
    signer_certificate = models.CharField(_("signing certificate"), max_length=300,
                                          blank=True)

    class Meta:
        verbose_name = _("consolidated report")
        verbose_name_plural = _("consolidated reports")
        ordering = ["-period_end", "-id"]
        indexes = [models.Index(fields=["document", "period_start", "period_end"],
                                name="reports_doc_period")]

    def __str__(self) -> str:
        return f"{self.title} ({self.period_label})"

    @property
    def is_issued(self) -> bool:
        return self.status == ReportStatus.ISSUED
