"""Forms of the consolidated report: what to report on, the draft's text, issuing, and
uploading a Word template."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dondoc.core import limits
from dondoc.core.forms import DayField, LongTextField, VersionedFormMixin, replace_dashes
from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.plans.models import Document
from dondoc.progress import periods
from dondoc.reports.models import ConsolidatedReport, ReportTemplate


class _UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.name}"


class _DocumentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} — {obj.title[:120]}"


class ReportCreateForm(forms.Form):
    scope_unit = _UnitChoice(label=_("Scope (the unit with its sub-units)"),
                             queryset=Unit.objects.none())
    document = _DocumentChoice(label=_("Document (with the documents implementing it)"),
                               queryset=Document.objects.none())
    period = forms.CharField(
        label=_("Period"), required=False, max_length=60,
        help_text=_("E.g. Q3/2026, 6 tháng đầu năm 2026, 9 tháng 2026, năm 2026, 03/2026. "
                    "Or leave empty and give the first and last day below."))
    start = DayField(label=_("First day of the period"), required=False)
    end = DayField(label=_("Last day of the period"), required=False)
    cut_off = DayField(label=_("Figures as of (cut-off date)"), required=False,
                       help_text=_("Default: the period's last day, or today while it runs."))
    template = forms.ModelChoiceField(label=_("Word template"), required=False,
                                      queryset=ReportTemplate.objects.none(),
                                      help_text=_("Empty: dondoc's default template."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope_field: Any = self.fields["scope_unit"]
        scope_field.queryset = scoping.report_units_for(user).filter(is_active=True).order_by(
            "path")
        document_field: Any = self.fields["document"]
        document_field.queryset = scoping.documents_visible_to(user).order_by(
            "issue_date", "number")
        template_field: Any = self.fields["template"]
        template_field.queryset = scoping.report_templates_for(user)
        for field in self.fields.values():
            replace_dashes(field)
        root = scoping.scope_root(user)
        if root is not None and not self.is_bound:
            self.initial.setdefault("scope_unit", root.pk if root.is_active else None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = (data.get("period") or "").strip()
        start, end = data.get("start"), data.get("end")
        period: periods.Period | None = None
        try:
            if text:
                period = periods.parse_period(text)
            elif start and end:
                period = periods.period_between(start, end)
            elif "start" not in self.errors and "end" not in self.errors:
                self.add_error("period", _("Enter a period, e.g. Q3/2026, or its first and "
                                           "last day."))
        except periods.PeriodError as problem:
            self.add_error("period" if text else "end", str(problem))
        if period is not None and not (limits.day_in_range(period.start)
                                       and limits.day_in_range(period.end)):
            self.add_error("period", _("Enter a valid date as dd/mm/yyyy."))
            period = None
        data["parsed_period"] = period
        return data


class ReportTextForm(VersionedFormMixin, forms.ModelForm):
    """The draft's header, signature, recipients and narrative sections."""

    general_situation = LongTextField(label=_("I. General situation"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 6}))
    shortcomings = LongTextField(label=_("III. Shortcomings and causes"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 5}))
    difficulties = LongTextField(label=_("IV. Difficulties and proposals"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 8}))
    next_period = LongTextField(label=_("V. Direction and tasks for the next period"),
                                required=False, widget=forms.Textarea(attrs={"rows": 5}))
    recipients = LongTextField(label=_("Recipients"), required=False,
                               help_text=_("One per line, as under 'Nơi nhận'."),
                               widget=forms.Textarea(attrs={"rows": 3}))
    report_date = DayField(label=_("Date of the report"))

    class Meta:
        model = ConsolidatedReport
        fields = ["title", "governing_body", "issuing_body", "place", "report_date",
                  "signer_authority", "signer_title", "signer_name", "recipients",
                  "general_situation", "shortcomings", "difficulties", "next_period",
                  "template"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        template_field: Any = self.fields["template"]
        template_field.queryset = scoping.report_templates_for(user)
        template_field.required = False
        template_field.help_text = _("Empty: dondoc's default template.")
        replace_dashes(template_field)

    def clean_report_date(self) -> Any:
        day = self.cleaned_data["report_date"]
        if day is not None and not limits.day_in_range(day):
            raise ValidationError(_("Enter a valid date as dd/mm/yyyy."))
        return day


class ReportIssueForm(forms.Form):
    number = forms.CharField(label=_("Number/symbol"), max_length=60,
                             help_text=_("E.g. 125/BC-CATP-PV01, as registered by the "
                                         "office."))
    version = forms.IntegerField(widget=forms.HiddenInput)


class TemplateUploadForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    file = forms.FileField(label=_("Word file (.docx)"),
                           help_text=_("Start from the default template and keep its "
                                       "variables (docs/report-template.md)."))
