"""Form helpers shared by the apps: dd/mm/yyyy dates and optimistic-lock versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dondoc.core.dates import parse_day
from dondoc.core.limits import LONG_TEXT_MAX

INVALID_DATE = _("Enter a valid date as dd/mm/yyyy.")


class DateInput(forms.DateInput):
    """A text field for dd/mm/yyyy: typing a date is faster than a picker for officers.

    ``inputmode=numeric`` opens the number pad on phones; ``js-date`` makes static/js/
    dondoc.js add a calendar button beside it (no native ``type=date``: it follows the
    browser's locale, not dd/mm/yyyy)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off",
                "class": "form-control js-date"}
        super().__init__(attrs={**base, **(attrs or {})}, format="%d/%m/%Y")


class DayField(forms.DateField):
    """The one date field of every form: reads every spelling :func:`parse_day` knows."""

    widget = DateInput
    default_error_messages = {"invalid": INVALID_DATE}

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return parse_day(str(value))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


DJANGO_EMPTY_LABEL = "---------"


def empty_choice_label(field: forms.Field) -> str:
    """What a dropdown says before a choice: "— Choose —" when one is required, "— None —"
    when it may stay empty (never Django's "---------")."""
    return str(_("— Choose —") if field.required else _("— None —"))


def replace_dashes(field: forms.Field) -> None:
    """Give ``field``'s empty choice a meaningful label if it still has Django's dashes."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DJANGO_EMPTY_LABEL:
            field.empty_label = empty_choice_label(field)
    elif isinstance(field, forms.ChoiceField):
        choices: list[Any] = list(field.choices)  # type: ignore[arg-type]
        if choices and choices[0][1] == DJANGO_EMPTY_LABEL:
            field.choices = [(choices[0][0], empty_choice_label(field)), *choices[1:]]
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


def add_service_error(form: forms.BaseForm, error: Exception) -> None:
    """Put a service's refusal on the form, next to the field it concerns (a field the
    form does not have, or no field, goes to the form's own errors)."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:
        form.add_error(None, str(getattr(error, "message", error)))
