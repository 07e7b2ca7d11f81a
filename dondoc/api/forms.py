"""The form that creates a personal API token."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

VALIDITY_CHOICES = [
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("1 year")),
    ("", _("No expiry")),
]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the token is for, e.g. the system that uses it."))
    validity = forms.ChoiceField(label=_("Valid for"), choices=VALIDITY_CHOICES, initial="90",
                                 required=False)
