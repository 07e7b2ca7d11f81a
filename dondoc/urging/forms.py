"""Forms of the urging letters: whom to urge and what the letter says; the template upload."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dondoc.core.files import validate_upload
from dondoc.core.forms import DayField
from dondoc.organization import scoping
from dondoc.organization.forms import UnitChoiceField
from dondoc.organization.models import Unit
from dondoc.plans.forms import UnitMultipleChoiceField
from dondoc.plans.models import Document
from dondoc.progress.selectors import business_today
from dondoc.urging import letters, services
from dondoc.urging.models import LetterMode

ALL_OVERDUE = "overdue"
CHOSEN = "chosen"
MAX_DUE_SOON_DAYS = 90


class DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} — {obj.title[:90]}"


class UrgingForm(forms.Form):
    """Whom to urge (a scope; all its units with overdue tasks, or chosen units), as of
    when, and the letter's number, signer and recipients of copies."""

    scope = UnitChoiceField(label=_("Scope"), queryset=Unit.objects.none(),
                            help_text=_("A unit and all the units below it."))
    target = forms.ChoiceField(
        label=_("Units to urge"), widget=forms.RadioSelect, initial=ALL_OVERDUE,
        choices=[(ALL_OVERDUE, _("All units of the scope with overdue tasks")),
                 (CHOSEN, _("The units chosen below"))])
    units = UnitMultipleChoiceField(
        label=_("Units"), queryset=Unit.objects.none(), required=False,
        help_text=_("One or several units of the scope (hold Ctrl to choose several)."))
    document = DocumentChoiceField(
        label=_("Document"), queryset=Document.objects.none(), required=False,
        help_text=_("Only the tasks of this document and of the documents implementing it."))
    as_of = DayField(label=_("Situation as of"))
    due_soon_days = forms.IntegerField(
        label=_("Also urge tasks due within (days)"), min_value=0,
        max_value=MAX_DUE_SOON_DAYS, initial=7,
        help_text=_("For example 7 or 15; 0 urges overdue tasks only."))
    mode = forms.ChoiceField(label=_("Form of the letter"), widget=forms.RadioSelect,
                             choices=LetterMode.choices, initial=LetterMode.COMBINED)
    letter_date = DayField(label=_("Date of the letter"))
    reply_by = DayField(label=_("Units report back by"), required=False)
    symbol = forms.CharField(label=_("Symbol of the number"), max_length=60,
                             help_text=_("The number is given in order for each year: "
                                         "15/CATP-PV01."))
    subject = forms.CharField(label=_("Subject (V/v)"), max_length=300)
    governing_body = forms.CharField(label=_("Governing body"), max_length=200,
                                     required=False)
    issuer_name = forms.CharField(label=_("Issuing body"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=80)
    signer_authority = forms.CharField(label=_("Signing authority"), max_length=120,
                                       required=False,
                                       help_text=_("For example KT. GIÁM ĐỐC or TL. GIÁM ĐỐC."))
    signer_position = forms.CharField(label=_("Signer's position"), max_length=120)
    signer_name = forms.CharField(label=_("Signer's name"), max_length=120,
                                  help_text=_("With the rank if any: Đại tá Nguyễn Văn A."))
    copies_to = forms.CharField(label=_("Copies to (Nơi nhận)"), max_length=2000,
                                required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("One recipient per line."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        units = scoping.units_visible_to(user).filter(is_active=True)
        scope_field = self.fields["scope"]
        units_field = self.fields["units"]
        document_field = self.fields["document"]
        assert isinstance(scope_field, forms.ModelChoiceField)
        assert isinstance(units_field, forms.ModelMultipleChoiceField)
        assert isinstance(document_field, forms.ModelChoiceField)
        scope_field.queryset = units
        units_field.queryset = units
        document_field.queryset = scoping.documents_visible_to(user).order_by(
            "issue_date", "number")
        if not self.is_bound:
            root = scoping.scope_root(user) or getattr(user, "unit", None)
            today = business_today()
            unit = getattr(user, "unit", None)
            self.initial.update({
                "scope": root.pk if root else None, "as_of": today, "letter_date": today,
                "reply_by": today + dt.timedelta(days=7),
                "symbol": services.default_symbol(user), "subject": letters.DEFAULT_SUBJECT,
                "governing_body": services.default_governing_body(),
                "issuer_name": root.name if root else "", "place": services.default_place(),
                "signer_authority": "KT. GIÁM ĐỐC", "signer_position": "PHÓ GIÁM ĐỐC",
                "copies_to": "\n".join(["Như trên", "Đồng chí Giám đốc (để báo cáo)",
                                        f"Lưu: VT, {unit.code}" if unit else "Lưu: VT"]),
            })

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scope = data.get("scope")
        if data.get("target") == CHOSEN:
            chosen = list(data.get("units") or [])
            if not chosen:
                self.add_error("units", _("Choose at least one unit, or urge all units with "
                                          "overdue tasks."))
            elif scope is not None:
                outside = [unit for unit in chosen if not unit.is_in_subtree_of(scope)]
                if outside:
                    self.add_error("units", _("%(units)s is not in the chosen scope.")
                                   % {"units": ", ".join(unit.code for unit in outside)})
        as_of, letter_date = data.get("as_of"), data.get("letter_date")
        reply_by = data.get("reply_by")
        if reply_by and letter_date and reply_by < letter_date:
            self.add_error("reply_by", _("The report-back date cannot be before the "
                                         "letter's date."))
        if as_of and letter_date and as_of > letter_date:
            self.add_error("as_of", _("A letter cannot describe a date after its own."))
        return data

    def options(self) -> services.LetterOptions:
        data = self.cleaned_data
        unit_ids = ([unit.pk for unit in data["units"]] if data["target"] == CHOSEN
                    else None)
        copies = [line.strip(" -;.") for line in (data.get("copies_to") or "").splitlines()]
        return services.LetterOptions(
            scope_id=data["scope"].pk, unit_ids=unit_ids,
            document_id=data["document"].pk if data.get("document") else None,
            as_of=data["as_of"], due_soon_days=data["due_soon_days"], mode=data["mode"],
            letter_date=data["letter_date"], reply_by=data.get("reply_by"),
            symbol=data["symbol"].strip(), subject=data["subject"].strip(),
            governing_body=(data.get("governing_body") or "").strip(),
            issuer_name=data["issuer_name"].strip(), place=data["place"].strip(),
            signer_authority=(data.get("signer_authority") or "").strip(),
            signer_position=data["signer_position"].strip(),
            signer_name=data["signer_name"].strip(),
            copies_to=[line for line in copies if line])


class TemplateUploadForm(forms.Form):
    template = forms.FileField(label=_("Word template (.docx)"),
                               help_text=_("It must render the sample letters: only the "
                                           "variables listed below may be used."))

    def clean_template(self) -> Any:
        upload = self.cleaned_data["template"]
        validate_upload(upload, allowed=(".docx",))
        return upload
