"""Forms for units and accounts; every rule gives its message next to the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from dondoc.core.forms import DayField, VersionedFormMixin
from dondoc.organization import scoping
from dondoc.organization.models import Unit, User


def set_queryset(field: forms.Field, queryset: Any) -> None:
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class UnitChoiceField(forms.ModelChoiceField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.empty_label == "---------":
            self.empty_label = _("— Choose a unit —") if self.required else _("— No unit —")

    def label_from_instance(self, obj: Any) -> str:
        indent = "\u00a0\u00a0" * max(obj.depth - 1, 0)
        return f"{indent}{obj.code} — {obj.name}"


LOCKED_HELP = _("Only an administrator can change this: the unit contains your own unit "
                "or is the top of your scope.")


class UnitForm(VersionedFormMixin, forms.ModelForm):
    """A unit's attributes. The scope-root flag is for administrators only; the kind and
    validity of a unit that decides the user's own scope are shown but locked."""

    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "order", "email", "valid_from",
                  "is_scope_root"]
        field_classes = {"valid_from": DayField}
        help_texts = {
            "code": _("A short unique code, e.g. PV01."),
            "order": _("Smaller numbers are listed first among sibling units."),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not scoping.can_set_scope_roots(user):
            del self.fields["is_scope_root"]
        if self.instance.pk and not scoping.units_restructurable_by(user).filter(
                pk=self.instance.pk).exists():
            for name in sorted(scoping.UNIT_SCOPE_FIELDS & set(self.fields)):
                self.fields[name].disabled = True
                self.fields[name].help_text = LOCKED_HELP

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip().upper()
        clash = Unit.objects.filter(code__iexact=code)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another unit already uses the code %(code)s."),
                                        params={"code": code}, code="duplicate")
        return code

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the unit's name."), code="required")
        return name


class UnitMoveForm(forms.Form):
    new_parent = UnitChoiceField(label=_("New parent unit"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, unit: Unit, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
        set_queryset(self.fields["new_parent"], scoping.units_manageable_by(user))

    def clean_new_parent(self) -> Unit:
        parent: Unit = self.cleaned_data["new_parent"]
        if parent.pk == self.unit.pk or parent.is_in_subtree_of(self.unit):
            raise forms.ValidationError(
                _("A unit cannot be moved under itself or one of its sub-units."),
                code="cycle",
            )
        return parent


class UnitDissolveForm(forms.Form):
    valid_to = DayField(label=_("Last day of existence"))
    successor = UnitChoiceField(
        label=_("Successor unit"), queryset=Unit.objects.none(), required=False,
        help_text=_("The unit that takes over its open work (optional)."),
    )

    def __init__(self, *args: Any, unit: Unit, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
        set_queryset(self.fields["successor"],
                     scoping.units_visible_to(user).exclude(path__startswith=unit.path))


class UserFormBase(VersionedFormMixin, forms.ModelForm):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())

    class Meta:
        model = User
        fields = [
            "username", "last_name", "first_name", "email", "unit", "role", "position",
            "phone", "language", "is_active",
        ]
        labels = {"last_name": _("Family and middle name"), "first_name": _("Given name")}

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        if self.instance.pk and self.instance.pk == actor.pk:
            # Nobody grants themselves rights: another manager or an administrator must.
            for name in sorted(scoping.USER_RIGHTS_FIELDS & set(self.fields)):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "You cannot change this on your own account; ask an administrator.")
        units = scoping.units_for_accounts_of(actor).filter(is_active=True)
        if self.instance.pk:
            units = units | Unit.objects.filter(pk=self.instance.unit_id)
        set_queryset(self.fields["unit"], units)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = scoping.roles_assignable_by(actor)
        self.fields["email"].required = False
        self.fields["last_name"].required = True
        self.fields["first_name"].required = True

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        clash = User.objects.filter(username__iexact=username)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("This username is already taken."), code="duplicate")
        return username


class UserCreateForm(UserFormBase):
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput,
                                strip=False,
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput,
                                strip=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match."))
        elif first:
            candidate = User(username=cleaned.get("username", ""),
                             first_name=cleaned.get("first_name", ""),
                             last_name=cleaned.get("last_name", ""),
                             email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class UserUpdateForm(UserFormBase):
    pass


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(label=_("New password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput,
                                strip=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match."))
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class PasswordChangeForm(SetPasswordForm):
    """Changing one's own password: the current one first, so that a session left open
    (or stolen) cannot lock the owner out and take the account over."""

    current_password = forms.CharField(label=_("Current password"), strip=False,
                                       widget=forms.PasswordInput(
                                           attrs={"autocomplete": "current-password"}))
    field_order = ["current_password", "password1", "password2"]

    def clean_current_password(self) -> str:
        given: str = self.cleaned_data["current_password"]
        if not self.user.check_password(given):
            raise forms.ValidationError(_("The current password is wrong."), code="wrong")
        return given


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code"), max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"),
                                 choices=[("vi", "Tiếng Việt"), ("en", "English")])
