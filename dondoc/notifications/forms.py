"""Forms of the notification centre: the e-mail choice and the reminder rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dondoc.notifications.models import MailMode, ReminderRule, RuleKind

MAX_RULE_DAYS = 365


class MailPreferenceForm(forms.Form):
    mode = forms.ChoiceField(label=_("E-mail notifications"), choices=MailMode.choices,
                             widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                             error_messages={"required": _("Choose how you want to be "
                                                           "e-mailed."),
                                             "invalid_choice": _("Choose how you want to be "
                                                                 "e-mailed.")})


class ReminderRuleForm(forms.ModelForm):
    class Meta:
        model = ReminderRule
        fields = ["kind", "days", "is_active"]
        error_messages = {"days": {"invalid": _("Enter a whole number of days."),
                                   "min_value": _("Enter a whole number of days.")}}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, days = data.get("kind"), data.get("days")
        if days is None:
            return data
        if days > MAX_RULE_DAYS:
            self.add_error("days", _("At most %(days)s days.") % {"days": MAX_RULE_DAYS})
        if kind == RuleKind.ON_DUE:
            data["days"] = 0
        elif days == 0:
            self.add_error("days", _("Give a number of days from 1."))
        return data

    def validate_unique(self) -> None:
        try:
            self.instance.validate_constraints()
        except forms.ValidationError:
            self.add_error(None, _("This rule exists already."))
