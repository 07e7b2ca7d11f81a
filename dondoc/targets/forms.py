"""Forms of targets: define a target, enter (or correct) a measurement."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dondoc.core.forms import DayField, LongTextField
from dondoc.organization.models import Unit
from dondoc.targets.models import Direction
from dondoc.targets.services import LIMIT, UnitShare


def parse_number(text: str) -> Decimal:
    """A number as people type it: ``1234``, ``1234.5``, ``1234,5``, ``1 234``; a decimal
    comma is read as a point. ``ValueError`` when it is not a number."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite() or abs(number) > LIMIT:
        raise ValueError(text)
    return number


class NumberField(forms.CharField):
    default_error_messages = {"invalid": _("Enter a number, e.g. 125 or 12,5.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_number(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class TargetForm(forms.Form):
    name = forms.CharField(label=_("Name of the target"), max_length=300)
    measure_unit = forms.CharField(label=_("Unit of measure"), max_length=50,
                                   help_text=_("What is counted, e.g. cameras, %, cases."))
    direction = forms.ChoiceField(label=_("Which way is better"), choices=Direction.choices,
                                  initial=Direction.HIGHER,
                                  widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    group: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Task group"), required=False, queryset=None)
    baseline_value = NumberField(label=_("Baseline value"))
    baseline_date = DayField(label=_("Baseline date"))
    target_value = NumberField(label=_("Target value"))
    target_date = DayField(label=_("Target date"))
    shares = LongTextField(
        label=_("Targets of units"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Optional. One unit a line: its code, then its target value, e.g. "
                    "“CAQ-HC 120”."))

    def __init__(self, *args: Any, document: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group = self.fields["group"]
        assert isinstance(group, forms.ModelChoiceField)
        group.queryset = document.groups.all()
        self.units = units

    def clean_shares(self) -> list[UnitShare]:
        shares: list[UnitShare] = []
        problems: list[str] = []
        text = self.cleaned_data.get("shares") or ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        codes = [line.replace("\t", " ").replace(";", " ").split()[0] for line in lines]
        known = {unit.code.upper(): unit for unit in self.units.filter(code__in=codes)} \
            if codes else {}
        for number, line in enumerate(lines, start=1):
            parts = line.replace("\t", " ").replace(";", " ").split(None, 1)
            unit: Unit | None = known.get(parts[0].upper())
            if unit is None:
                problems.append(str(_("Line %(n)d: unknown unit code %(code)s.") % {
                    "n": number, "code": parts[0]}))
                continue
            try:
                value = parse_number(parts[1] if len(parts) > 1 else "")
            except ValueError:
                problems.append(str(_("Line %(n)d: the target value is not a number.") % {
                    "n": number}))
                continue
            shares.append(UnitShare(unit=unit, target_value=value))
        if problems:
            raise forms.ValidationError(problems)
        return shares

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        baseline, target = data.get("baseline_date"), data.get("target_date")
        if baseline and target and target <= baseline:
            self.add_error("target_date", _("The target date must come after the baseline "
                                            "date."))
        return data


class MeasurementForm(forms.Form):
    unit = forms.ChoiceField(label=_("For"))
    period_end = DayField(label=_("End of the period"),
                          help_text=_("The last day the value counts, e.g. 31/03/2026."))
    value = NumberField(label=_("Value"))
    note = LongTextField(label=_("Note"), required=False,
                         widget=forms.Textarea(attrs={"rows": 3}),
                         help_text=_("Where the figure comes from; required without a file."))
    file = forms.FileField(label=_("Evidence file"), required=False,
                           help_text=_("PDF, Word, Excel or a photo."))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ChoiceField)
        unit.choices = choices


class SurveyLinkForm(forms.Form):
    """Which survey number measures a target: ``form_key:field_key``, or empty."""

    survey = forms.ChoiceField(
        label=_("Measured from the survey field"), required=False,
        help_text=_("When a unit's answer to a campaign of this form is accepted, the "
                    "figure is recorded as a measurement dated the campaign's reference "
                    "date: for the whole target (the sum over the units of the managing "
                    "agency) and for each unit with its own target."))

    def __init__(self, *args: Any, choices: list[tuple[str, list[tuple[str, str]]]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        survey = self.fields["survey"]
        assert isinstance(survey, forms.ChoiceField)
        survey.choices = [("", _("Not measured from a survey (entered by hand)")), *choices]
