"""Forms of periodic unit reports: the obligation, the report's narrative, decisions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dondoc.core.forms import LongTextField, VersionedFormMixin
from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.plans.forms import UnitMultipleChoiceField
from dondoc.plans.models import Document
from dondoc.progress.periods import PeriodError
from dondoc.unitreports.models import DeadlineRule, PeriodKind, UnitReport, WindowMode
from dondoc.unitreports.services import parse_period_for


class ObligationForm(forms.Form):
    document = forms.ModelChoiceField(label=_("Document"), queryset=Document.objects.none())
    title = forms.CharField(label=_("Title"), max_length=300,
                            help_text=_("E.g. Quarterly report on implementing the plan."))
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    first_period = forms.CharField(label=_("First period"), max_length=40,
                                   help_text=_("E.g. Q3/2026, 07/2026, H2/2026, 9 tháng 2026, "
                                               "2026."))
    last_period = forms.CharField(label=_("Last period"), max_length=40)
    units = UnitMultipleChoiceField(label=_("Reporting units"), queryset=Unit.objects.none(),
                                    widget=forms.SelectMultiple(attrs={"size": 8}))
    with_subunits = forms.BooleanField(label=_("Their sub-units report too"), required=False)
    deadline_rule = forms.ChoiceField(label=_("Submission deadline"),
                                      choices=DeadlineRule.choices)
    deadline_value = forms.IntegerField(label=_("N (day or days)"), min_value=0, max_value=366,
                                        help_text=_("E.g. 15: by the 15th of the period's "
                                                    "last month."))
    window_mode = forms.ChoiceField(label=_("Period window"), choices=WindowMode.choices,
                                    help_text=_("Which progress updates are \"in the "
                                                "period\"."))
    cutoff_day = forms.IntegerField(label=_("Data cut-off day"), required=False, min_value=1,
                                    max_value=28, help_text=_(
                                        "For a cut-off window: e.g. 14 — from the 15th of the "
                                        "month before to the 14th of the last month."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        documents = scoping.documents_editable_by(user).order_by("-issue_date", "number")
        self.fields["document"].queryset = documents  # type: ignore[attr-defined]
        self.fields["units"].queryset = scoping.units_visible_to(user).filter(  # type: ignore[attr-defined]
            is_active=True).order_by("path")

    def _period(self, name: str) -> Any:
        kind = self.cleaned_data.get("period_kind", "")
        try:
            return parse_period_for(kind, self.cleaned_data.get(name, ""))
        except PeriodError as error:
            raise ValidationError(str(error)) from None

    def clean_first_period(self) -> Any:
        return self._period("first_period")

    def clean_last_period(self) -> Any:
        return self._period("last_period")


class ReportForm(VersionedFormMixin, forms.ModelForm):
    results = LongTextField(label=_("Results achieved"), required=False,
                            widget=forms.Textarea(attrs={"rows": 8}))
    difficulties = LongTextField(label=_("Difficulties and obstacles"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 5}))
    proposals = LongTextField(label=_("Proposals"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))

    class Meta:
        model = UnitReport
        fields = ["results", "difficulties", "proposals"]


class ReturnForm(forms.Form):
    reason = LongTextField(label=_("Reason for returning"),
                           widget=forms.Textarea(attrs={"rows": 3}))


class SignedFileForm(forms.Form):
    file = forms.FileField(label=_("Signed file (PDF, DOCX, DOC)"))


class MatrixFilterForm(forms.Form):
    obligation = forms.TypedChoiceField(label=_("Obligation"), required=False, coerce=int,
                                        empty_value=None)
    unit = forms.TypedChoiceField(label=_("Unit (with sub-units)"), required=False, coerce=int,
                                  empty_value=None)
    period = forms.CharField(label=_("Period"), required=False, max_length=40)
    state = forms.ChoiceField(label=_("State"), required=False)
