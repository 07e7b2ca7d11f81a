"""Forms of the survey pages: a campaign, a form import, a review decision."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dondoc.core.forms import DayField, LongTextField
from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.surveys.models import Campaign, CampaignStatus, SurveyForm

SUBTREE, LIST = "subtree", "list"
MAX_FORM_FILE = 2 * 1024 * 1024


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    purpose = LongTextField(label=_("Purpose"), required=False)
    form = forms.ModelChoiceField(label=_("Form"), queryset=SurveyForm.objects.none(),
                                  help_text=_("A form version; a later change of the form "
                                              "is a new version and does not affect this "
                                              "campaign."))
    reference_date = DayField(label=_("Reference date"),
                              help_text=_("The day the figures describe."))
    deadline = DayField(label=_("Deadline"))
    unit_mode = forms.ChoiceField(
        label=_("Responding units"), initial=SUBTREE,
        choices=[(SUBTREE, _("Every unit under a unit (a subtree)")),
                 (LIST, _("The units picked in the list"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    subtree_root = forms.ModelChoiceField(
        label=_("Subtree under"), queryset=Unit.objects.none(), required=False,
        help_text=_("The unit itself does not answer, every unit under it does."))
    units = forms.ModelMultipleChoiceField(
        label=_("Units picked"), queryset=Unit.objects.none(), required=False,
        help_text=_("Hold Ctrl (or Cmd) to pick several."),
        widget=forms.SelectMultiple(attrs={"size": 10}))
    baseline = forms.ModelChoiceField(
        label=_("Baseline campaign"), queryset=Campaign.objects.none(), required=False,
        help_text=_("An earlier campaign with the same form, to compare with."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = scoping.units_visible_to(user).filter(is_active=True).order_by("path")
        self.fields["subtree_root"].queryset = units  # type: ignore[attr-defined]
        self.fields["units"].queryset = units  # type: ignore[attr-defined]
        self.fields["form"].queryset = scoping.survey_forms_visible_to(  # type: ignore[attr-defined]
            user).order_by("key", "-version")
        self.fields["baseline"].queryset = scoping.campaigns_visible_to(  # type: ignore[attr-defined]
            user).exclude(status=CampaignStatus.DRAFT).select_related("form")
        label = lambda unit: f"{unit.code} — {unit.name}"  # noqa: E731
        self.fields["subtree_root"].label_from_instance = label  # type: ignore[attr-defined]
        self.fields["units"].label_from_instance = label  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mode = data.get("unit_mode")
        if mode == SUBTREE:
            root = data.get("subtree_root")
            if root is None:
                self.add_error("subtree_root", _("Choose the unit whose subtree answers."))
            else:
                below = list(Unit.objects.filter(path__startswith=root.path, is_active=True)
                             .exclude(pk=root.pk))
                if not below:
                    self.add_error("subtree_root", _("This unit has no unit under it."))
                data["chosen_units"] = below
        elif mode == LIST:
            chosen = list(data.get("units") or [])
            if not chosen:
                self.add_error("units", _("Pick at least one unit."))
            data["chosen_units"] = chosen
        return data


class FormImportForm(forms.Form):
    file = forms.FileField(label=_("Form definition (JSON file)"), required=False)
    text = forms.CharField(label=_("…or paste the JSON"), required=False,
                           widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        raw: bytes | str | None = None
        if upload is not None:
            if upload.size > MAX_FORM_FILE:
                self.add_error("file", _("The file is too large (at most 2 MB)."))
                return data
            raw = upload.read()
        elif (data.get("text") or "").strip():
            raw = data["text"]
        else:
            self.add_error("file", _("Choose a JSON file or paste the definition."))
            return data
        try:
            data["definition"] = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            self.add_error("file" if upload is not None else "text",
                           _("This is not valid JSON: %(error)s") % {"error": str(exc)[:200]})
        return data


class ReturnForm(forms.Form):
    comment = LongTextField(label=_("Comment for the unit"), max_length=4000,
                            help_text=_("What to correct or complete."))
