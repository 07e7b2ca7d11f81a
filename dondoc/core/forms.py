"""Form helpers shared by the apps: dd/mm/yyyy dates and optimistic-lock versions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dondoc.core.limits import LONG_TEXT_MAX


class DateInput(forms.DateInput):
    """A text field for dd/mm/yyyy: typing a date is faster than a picker for officers."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off",
                "class": "form-control js-date"}
        super().__init__(attrs={**base, **(attrs or {})}, format="%d/%m/%Y")


class LongTextField(forms.CharField):
    """Free text in a text area, at most ``limits.LONG_TEXT_MAX`` characters (as the API)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["max_length"] = kwargs.get("max_length") or LONG_TEXT_MAX
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(*args, **kwargs)


class VersionedFormMixin(forms.BaseForm):
    """Carries the version the editor started from, so a stale save is detected."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        initial = getattr(instance, "version", 1) if instance is not None else 1
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=initial)

    @property
    def expected_version(self) -> int:
        return int(self.cleaned_data["version"])


INVALID_DATE = _("Enter a valid date as dd/mm/yyyy.")
