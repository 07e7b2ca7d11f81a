"""Forms for inspections (plan, findings, recommendations, conclusion) and meetings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from dondoc.core.forms import DayField, LongTextField, VersionedFormMixin, replace_dashes
from dondoc.inspections.models import Inspection, Meeting, Rating
from dondoc.organization import scoping
from dondoc.organization.forms import UnitChoiceField
from dondoc.organization.models import Unit, User
from dondoc.plans.forms import UnitMultipleChoiceField
from dondoc.plans.models import Document, TaskGroup


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.unit.code})" if obj.unit_id else str(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.unit.code})" if obj.unit_id else str(obj)


class DocumentsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} — {obj.title[:80]}"


class GroupsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.document.number} · {obj.number}. {obj.title[:70]}"


def _people(user: Any) -> Any:
    return scoping.users_visible_to(user).filter(is_active=True).select_related("unit")


class InspectionForm(VersionedFormMixin, forms.ModelForm):
    subject_units = UnitMultipleChoiceField(label=_("Units inspected"),
                                            queryset=Unit.objects.none())
    scope_documents = DocumentsField(label=_("Documents inspected"),
                                     queryset=Document.objects.none(), required=False)
    scope_groups = GroupsField(label=_("Task groups inspected"),
                               queryset=TaskGroup.objects.none(), required=False)
    team_leader = PersonChoiceField(label=_("Team leader"), queryset=User.objects.none(),
                                    required=False)
    team_members = PeopleChoiceField(label=_("Team members"), queryset=User.objects.none(),
                                     required=False)

    class Meta:
        model = Inspection
        fields = ["title", "subject_units", "period_start", "period_end", "content",
                  "scope_documents", "scope_groups", "team_leader", "team_members",
                  "other_members"]
        field_classes = {"period_start": DayField, "period_end": DayField,
                         "content": LongTextField}
        labels = {"period_start": _("Inspection from"), "period_end": _("Inspection to")}
        help_texts = {"content": _("What is inspected: the content and the questions.")}
        widgets = {"title": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        documents = scoping.documents_visible_to(user)
        fields: dict[str, Any] = {
            "subject_units": scoping.units_visible_to(user).filter(is_active=True),
            "scope_documents": documents,
            "scope_groups": TaskGroup.objects.filter(document__in=documents)
            .select_related("document"),
            "team_leader": _people(user),
            "team_members": _people(user),
        }
        for name, queryset in fields.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
            field.widget.attrs["class"] = "js-searchable"
            replace_dashes(field)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end of the inspection cannot be before its "
                                           "start."))
        return data

    def _post_clean(self) -> None:
        """The model's own checks run in the service (the owner unit is set there)."""


class FindingForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    text = LongTextField(label=_("Finding"))
    rating = forms.ChoiceField(label=_("Rating"), required=False,
                               choices=[("", _("— None —")), *Rating.choices])

    def __init__(self, *args: Any, inspection: Inspection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = inspection.subject_units.order_by("path")


class RecommendationForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none(),
                           help_text=_("The unit inspected that carries it out (lead unit of "
                                       "the follow-up task)."))
    text = LongTextField(label=_("Recommendation"))
    due_date = DayField(label=_("Due date"), help_text=_("dd/mm/yyyy"))

    def __init__(self, *args: Any, inspection: Inspection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inspection = inspection
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = inspection.subject_units.order_by("path")

    def clean_due_date(self) -> Any:
        due = self.cleaned_data["due_date"]
        if due is not None and due < self.inspection.period_end:
            raise ValidationError(
                _("The due date cannot be before the inspection (it ended on %(day)s)."),
                params={"day": date_format(self.inspection.period_end, "d/m/Y")})
        return due


class RegisterDocumentForm(forms.Form):
    """Number and date of the conclusion (or the notice) that becomes a document."""

    number = forms.CharField(label=_("Number/symbol"), max_length=60,
                             help_text=_("As written on the document, e.g. 15/KL-TTr."))
    issue_date = DayField(label=_("Issue date"), help_text=_("dd/mm/yyyy"))


class MeetingForm(VersionedFormMixin, forms.ModelForm):
    chair = PersonChoiceField(label=_("Chair"), queryset=User.objects.none(), required=False)
    attendees = PeopleChoiceField(label=_("Attendees"), queryset=User.objects.none(),
                                  required=False)

    class Meta:
        model = Meeting
        fields = ["title", "held_on", "location", "chair", "chair_name", "attendees",
                  "other_attendees"]
        field_classes = {"held_on": DayField, "other_attendees": LongTextField}
        widgets = {"title": forms.Textarea(attrs={"rows": 2}),
                   "other_attendees": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("chair", "attendees"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = _people(user)
            field.widget.attrs["class"] = "js-searchable"
            replace_dashes(field)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("chair") and not (data.get("chair_name") or "").strip():
            self.add_error("chair", _("Choose the chair, or write the chair's name."))
        return data

    def _post_clean(self) -> None:
        """The model's own checks run in the service (the owner unit is set there)."""


class ConclusionForm(forms.Form):
    text = LongTextField(label=_("Conclusion"))
    lead_unit = UnitChoiceField(label=_("Unit in charge"), queryset=Unit.objects.none(),
                                required=False)
    due_date = DayField(label=_("Due date"), required=False, help_text=_("dd/mm/yyyy"))

    def __init__(self, *args: Any, user: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        unit = self.fields["lead_unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = scoping.units_assignable_by(user)
        unit.widget.attrs["class"] = "js-searchable"

    def clean_due_date(self) -> Any:
        due = self.cleaned_data["due_date"]
        if due is not None and due < self.meeting.held_on:
            raise ValidationError(_("The due date cannot be before the meeting (%(day)s)."),
                                  params={"day": date_format(self.meeting.held_on, "d/m/Y")})
        return due
