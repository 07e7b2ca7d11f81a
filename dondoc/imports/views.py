"""Review after import (a document's "needs review" list, clearing a flag) and the unit
groups that collective phrases of appendices stand for."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from dondoc.imports import services
from dondoc.imports.models import ReviewFlag, UnitGroup
from dondoc.imports.selectors import needs_review_q
from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.plans.models import Document

# -- review ------------------------------------------------------------------------------


@login_required
def document_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The tasks of a document with flags still to review, each flag with its cell."""
    document: Document = scoping.get_visible_or_404(scoping.documents_visible_to(request.user),
                                                    pk=pk)
    open_flags = ReviewFlag.objects.filter(cleared_on__isnull=True).order_by("id")
    tasks = list(
        scoping.tasks_visible_to(request.user)
        .filter(needs_review_q(), document=document)
        .select_related("lead_unit").order_by("code")
        .prefetch_related(Prefetch("review_flags", queryset=open_flags, to_attr="open_flags"))
    )
    decidable = set(scoping.tasks_decidable_by(request.user).filter(
        pk__in=[task.pk for task in tasks]).values_list("pk", flat=True))
    return render(request, "imports/document_review.html", {
        "document": document, "tasks": tasks, "decidable": decidable,
        "flag_count": sum(len(task.open_flags) for task in tasks),
    })


@login_required
@require_POST
def review_flag_clear(request: HttpRequest, pk: int) -> HttpResponse:
    """Clear one flag (audited): 404 outside the scope, 403 for who may not decide."""
    visible = ReviewFlag.objects.filter(task__in=scoping.tasks_visible_to(request.user))
    editable = ReviewFlag.objects.filter(task__in=scoping.tasks_decidable_by(request.user))
    flag: ReviewFlag = scoping.get_editable_or_403(visible.select_related("task"), editable,
                                                    pk=pk)
    services.review_flag_clear(actor=request.user, flag=flag)
    messages.success(request, _("The flag is cleared."))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                   require_https=request.is_secure()):
        return redirect(target)
    return redirect("task_detail", pk=flag.task_id)


# -- unit groups -------------------------------------------------------------------------


def _groups_visible(user: Any) -> QuerySet[UnitGroup]:
    return UnitGroup.objects.filter(Q(owner_unit__isnull=True)
                                    | scoping.unit_scope_q(user, "owner_unit"))


def _groups_editable(user: Any) -> QuerySet[UnitGroup]:
    if scoping.is_admin(user):
        return UnitGroup.objects.all()
    if not scoping.can_manage_units(user):
        return UnitGroup.objects.none()
    return UnitGroup.objects.filter(owner_unit__in=scoping.units_manageable_by(user))


class UnitGroupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=255,
                           help_text=gettext_lazy("As appendices write it, e.g. “UBND các "
                                                  "tỉnh, thành phố trực thuộc trung ương”."))
    aliases = forms.CharField(
        label=gettext_lazy("Other phrases"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One phrase per line (e.g. “Các bộ, ngành”). The importer "
                               "expands any of them to the units below."))
    units = forms.ModelMultipleChoiceField(label=gettext_lazy("Units"),
                                           queryset=Unit.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any, group: UnitGroup | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = self.fields["units"]
        assert isinstance(units, forms.ModelMultipleChoiceField)
        units.queryset = scoping.units_visible_to(user).filter(is_active=True).order_by("path")
        self.group = group

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        taken = UnitGroup.objects.filter(name__iexact=name)
        if self.group is not None:
            taken = taken.exclude(pk=self.group.pk)
        if taken.exists():
            raise forms.ValidationError(_("A unit group with this name already exists."))
        return name


@login_required
def unit_group_list(request: HttpRequest) -> HttpResponse:
    if not scoping.can_manage_units(request.user):
        raise PermissionDenied
    groups = _groups_visible(request.user).prefetch_related("units").select_related(
        "owner_unit")
    editable = set(_groups_editable(request.user).values_list("pk", flat=True))
    return render(request, "imports/unit_group_list.html",
                  {"groups": groups, "editable": editable})


@login_required
@require_http_methods(["GET", "POST"])
def unit_group_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not scoping.can_manage_units(request.user):
        raise PermissionDenied
    group: UnitGroup | None = None
    if pk is not None:
        group = scoping.get_editable_or_403(_groups_visible(request.user),
                                            _groups_editable(request.user), pk=pk)
    initial = {}
    if group is not None:
        initial = {"name": group.name, "aliases": group.aliases, "units": group.units.all()}
    form = UnitGroupForm(request.POST or None, user=request.user, group=group, initial=initial)
    if request.method == "POST" and form.is_valid():
        owner = None if scoping.is_admin(request.user) else scoping.scope_root(request.user)
        saved = services.unit_group_save(
            actor=request.user, group=group, name=form.cleaned_data["name"],
            aliases=form.cleaned_data["aliases"], units=form.cleaned_data["units"],
            owner_unit=owner if group is None else group.owner_unit)
        messages.success(request, _("Unit group “%(name)s” saved.") % {"name": saved.name})
        return redirect("unit_group_list")
    return render(request, "imports/unit_group_form.html", {"form": form, "group": group})
