"""Forms for documents and tasks and for each workflow step."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dondoc.core.files import validate_upload
from dondoc.core.forms import DayField, LongTextField, VersionedFormMixin
from dondoc.core.limits import MAX_FILES_PER_SUBMISSION
from dondoc.organization import scoping
from dondoc.organization.forms import UnitChoiceField
from dondoc.organization.models import Unit, User
from dondoc.plans.models import AccessLevel, DeadlineKind, Document, Task, TaskGroup
from dondoc.progress.models import ProgressUpdate


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.name}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files at once; each is checked by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        items = list(data) if isinstance(data, list | tuple) else ([data] if data else [])
        if len(items) > MAX_FILES_PER_SUBMISSION:  # the API's limit too
            raise ValidationError(_("Give at most %(limit)s items."),
                                  params={"limit": MAX_FILES_PER_SUBMISSION}, code="too_many")
        cleaned = [single(item, initial) for item in items]
        for upload in cleaned:
            validate_upload(upload)
        return cleaned


class DocumentForm(VersionedFormMixin, forms.ModelForm):
    owner_unit = UnitChoiceField(label=_("Managing unit"), queryset=Unit.objects.none())
    shared_with_units = UnitMultipleChoiceField(
        label=_("Shared with"), queryset=Unit.objects.none(), required=False,
        help_text=_("For a restricted document: the units (with their sub-units) that may "
                    "read it."))

    class Meta:
        model = Document
        fields = ["kind", "number", "title", "issuer", "issue_date", "parent", "owner_unit",
                  "code_prefix", "summary", "access_level", "shared_with_units"]
        field_classes = {"issue_date": DayField, "summary": LongTextField}
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}),
                   "title": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        assert isinstance(parent, forms.ModelChoiceField)
        documents = scoping.documents_visible_to(user)
        if self.instance.pk:
            documents = documents.exclude(pk=self.instance.pk)
        parent.queryset = documents
        owner = self.fields["owner_unit"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = scoping.units_manageable_by(user).filter(is_active=True)
        # A form sent without the level (an older page) keeps the safe default.
        self.fields["access_level"].required = False
        shared = self.fields["shared_with_units"]
        assert isinstance(shared, forms.ModelMultipleChoiceField)
        shared.queryset = scoping.units_visible_to(user).filter(is_active=True)

    def clean_access_level(self) -> str:
        level: str = self.cleaned_data.get("access_level") or (
            self.instance.access_level if self.instance.pk else AccessLevel.INTERNAL)
        return level

    def clean_code_prefix(self) -> str:
        prefix: str = self.cleaned_data["code_prefix"].strip().upper()
        if not prefix.replace("-", "").replace(".", "").isalnum():
            raise ValidationError(_("Use letters, digits and dashes only, e.g. KH118."))
        return prefix


class GroupForm(forms.ModelForm):
    class Meta:
        model = TaskGroup
        fields = ["number", "title", "order"]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, DOCX)"))


class TaskForm(VersionedFormMixin, forms.ModelForm):
    lead_unit = UnitChoiceField(label=_("Lead unit"), queryset=Unit.objects.none(),
                                help_text=_("Exactly one unit is responsible."))
    coordinating_units = UnitMultipleChoiceField(label=_("Coordinating units"),
                                                 queryset=Unit.objects.none(), required=False)

    class Meta:
        model = Task
        fields = ["group", "title", "description", "lead_unit", "coordinating_units",
                  "deadline_kind", "due_date", "expected_product", "priority", "tags",
                  "is_public"]
        field_classes = {"due_date": DayField, "description": LongTextField}
        widgets = {"title": forms.Textarea(attrs={"rows": 2}),
                   "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"due_date": _(
            "dd/mm/yyyy. Left empty on a new task, the deadline is still to be set. On a task "
            "whose deadline is to be set, the date entered applies from today; earlier days "
            "keep having no deadline.")}

    def __init__(self, *args: Any, user: Any, document: Document,
                 parent: Task | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.document = document
        units = scoping.units_assignable_by(user)
        if parent is not None:
            units = units.filter(path__startswith=parent.lead_unit.path).exclude(
                pk=parent.lead_unit_id)
        for name in ("lead_unit", "coordinating_units"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = units
            field.widget.attrs["class"] = "js-searchable"
        group = self.fields["group"]
        assert isinstance(group, forms.ModelChoiceField)
        group.queryset = document.groups.all()
        if parent is not None:
            del self.fields["group"]
        if self.instance.pk and self.instance.deadline_kind == DeadlineKind.NONE:
            # Its deadline in force, once set, is the date the form shows and may change.
            self.initial.setdefault("due_date", self.instance.deadline)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("deadline_kind")
        creating = self.instance.pk is None
        had_no_date = self.instance.deadline_kind == DeadlineKind.NONE and not creating
        if (kind == DeadlineKind.FIXED and not cleaned.get("due_date") and not creating
                and not had_no_date):
            self.add_error("due_date", _("A task with a fixed deadline needs a due date; "
                                         "choose \"Deadline to set\" if it is not known yet."))
        if kind and kind not in {DeadlineKind.FIXED, DeadlineKind.NONE}:
            cleaned["due_date"] = None
        return cleaned

    def _post_clean(self) -> None:
        # Model validation runs in the service (which sets the derived fields).
        pass


class UpdateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reported_on:%d/%m/%Y} — {obj.percent}% — {obj.results[:60]}"


class ProgressForm(forms.Form):
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    results = LongTextField(label=_("Results achieved"), widget=forms.Textarea(attrs={"rows": 4}))
    difficulties = LongTextField(label=_("Difficulties and obstacles"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    proposals = LongTextField(label=_("Proposals"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    evidence = MultipleFileField(label=_("Evidence files"),
                              help_text=_("PDF, Word, Excel or images."))
    unit = UnitChoiceField(label=_("Reporting unit"), queryset=Unit.objects.none())
    corrects = UpdateChoiceField(
        label=_("This report corrects"), queryset=ProgressUpdate.objects.none(), required=False,
        empty_label=_("— nothing, it is a new report —"),
        help_text=_("Reports are never edited: to fix a mistake, send a new report that "
                    "corrects the earlier one."))

    def __init__(self, *args: Any, units: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        corrects = self.fields["corrects"]
        assert isinstance(corrects, forms.ModelChoiceField)
        corrects.queryset = task.updates.order_by("-reported_on", "-id")
        if not task.updates.exists():
            del self.fields["corrects"]
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
        if units.count() == 1:
            field.initial = units.first()
            field.widget = forms.HiddenInput()


class CompletionForm(forms.Form):
    note = LongTextField(label=_("Results and product delivered"),
                           widget=forms.Textarea(attrs={"rows": 4}))
    evidence = MultipleFileField(label=_("Product files"))


class ExtensionForm(forms.Form):
    proposed_due = DayField(label=_("Proposed new deadline"))
    reason = LongTextField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = MultipleFileField(label=_("Supporting files"),
                                 help_text=_("PDF, Word, Excel or images."))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"),
                                 widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                                 choices=[("approve", _("Approve")),
                                          ("refuse", _("Return / refuse"))])
    note = LongTextField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Required when returning or refusing."))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "refuse" and not cleaned.get("note", "").strip():
            self.add_error("note", _("Say why."))
        return cleaned


class ReasonForm(forms.Form):
    reason = LongTextField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DirectionForm(forms.Form):
    text = LongTextField(label=_("Direction"), widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(label=_("Attached files"),
                                    help_text=_("PDF, Word, Excel or images."))


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your comment"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class AssignPeopleForm(forms.Form):
    officers = PersonChoiceField(label=_("Officers responsible"), required=False,
                                 queryset=User.objects.none(),
                                 widget=forms.CheckboxSelectMultiple(
                                     attrs={"class": "form-check-input"}),
                                 help_text=_("Leave all unticked to give the task back to the "
                                             "unit as a whole."))

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = scoping.officers_assignable_in(unit)


class DocumentChoiceForm(forms.Form):
    """The first step of creating a task from the task list: which document it implements."""

    document = forms.ModelChoiceField(label=_("Document"), queryset=Document.objects.none(),
                                      empty_label=_("— choose a document —"),
                                      help_text=_("The task is assigned under this document."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["document"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = scoping.documents_editable_by(user).order_by("-issue_date", "number")


class TransferForm(forms.Form):
    to_unit = UnitChoiceField(label=_("Transfer open tasks to"), queryset=Unit.objects.none())
    on = DayField(label=_("Effective date"))

    def __init__(self, *args: Any, user: Any, from_unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = scoping.units_assignable_by(user).exclude(pk=from_unit.pk)
        if from_unit.successor_id:
            field.initial = from_unit.successor_id
