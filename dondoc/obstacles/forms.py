"""Forms of the obstacle register: raise or correct an obstacle, and each step."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dondoc.core.forms import LongTextField, VersionedFormMixin
from dondoc.obstacles.models import Category
from dondoc.organization import scoping
from dondoc.organization.forms import UnitChoiceField
from dondoc.organization.models import Unit

RESOLVER_KINDS = [("unit", _("A unit in dondoc")), ("agency", _("An outside agency"))]


class ObstacleForm(VersionedFormMixin, forms.Form):
    category = forms.ChoiceField(label=_("Kind of obstacle"), choices=Category.choices,
                                 widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    description = LongTextField(label=_("Difficulty or obstacle"),
                                widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=_("What stands in the way, and what it holds up."))
    proposed_solution = LongTextField(label=_("Proposed solution"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}))
    resolver_kind = forms.ChoiceField(label=_("Who must resolve it"), choices=RESOLVER_KINDS,
                                      widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                                      initial="unit")
    resolver_unit = UnitChoiceField(label=_("Unit that must resolve it"), required=False,
                                    queryset=Unit.objects.none())
    resolver_agency = forms.CharField(
        label=_("Outside agency that must resolve it"), required=False, max_length=255,
        help_text=_("Its name, e.g. Sở Tài chính thành phố Đà Nẵng."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["resolver_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = scoping.units_nameable_as_resolver(user)
        field.widget.attrs["class"] = "js-searchable"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("resolver_kind")
        if kind == "unit":
            if not cleaned.get("resolver_unit"):
                self.add_error("resolver_unit", _("Choose the unit that must resolve it."))
            cleaned["resolver_agency"] = ""
        elif kind == "agency":
            if not (cleaned.get("resolver_agency") or "").strip():
                self.add_error("resolver_agency", _("Name the outside agency."))
            cleaned["resolver_unit"] = None
        return cleaned

    def content(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in ("category", "description", "proposed_solution",
                                              "resolver_unit", "resolver_agency")}


class StepForm(VersionedFormMixin, forms.Form):
    """The text of a step: an escalation note, a rejection reason, a direction or the
    resolution; required except for an escalation."""

    text = LongTextField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, label: Any, required: bool, help_text: Any = "",
                 version: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label
        self.fields["text"].required = required
        self.fields["text"].help_text = help_text
        self.fields["version"].initial = version
