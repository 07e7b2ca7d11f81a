"""Pages for the unit tree and accounts: access, act, respond."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dondoc.audit.models import AuditEvent
from dondoc.core.concurrency import ConflictError
from dondoc.core.dates import parse_day
from dondoc.core.paging import paginate, querystring_without
from dondoc.organization import scoping, selectors, services
from dondoc.organization.forms import (
    SetPasswordForm,
    UnitDissolveForm,
    UnitForm,
    UnitMoveForm,
    UserCreateForm,
    UserUpdateForm,
)
from dondoc.organization.models import Role, Unit, UnitKind, User


def _parse_day(value: str | None) -> dt.date | None:
    """A filter's day, or ``None`` when empty or not a date."""
    try:
        return parse_day(value)
    except ValueError:
        return None


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# Units -------------------------------------------------------------------------------


@login_required
@require_GET
def unit_options(request: HttpRequest) -> JsonResponse:
    """The options of a unit picker too long to list in the page, as the user types:
    ``?q=words`` (code or name, any accents) or ``?ids=1,2`` (the chosen ones), only among
    the units the user may pick (``selectors.pickable_units``)."""
    raw_ids = request.GET.get("ids")
    chosen = None
    if raw_ids is not None:
        parts = [part.strip() for part in raw_ids.split(",") if part.strip()]
        if not all(part.isdigit() and len(part) < 12 for part in parts):
            return JsonResponse({"message": _("ids must be unit numbers separated by commas."),
                                 "results": [], "more": False}, status=400)
        chosen = [int(part) for part in parts]
    rows, more = selectors.unit_options(user=request.user, query=request.GET.get("q", ""),
                                        chosen=chosen)
    return JsonResponse({"results": [{"value": str(pk), "text": f"{code} — {name}"}
                                     for pk, code, name in rows], "more": more})


@login_required
def unit_tree(request: HttpRequest) -> HttpResponse:
    raw_day = request.GET.get("as_of", "")
    as_of = _parse_day(raw_day)
    day_error = bool(raw_day) and as_of is None
    include_dissolved = request.GET.get("dissolved") == "1"
    query = request.GET.get("q", "").strip()
    rows = selectors.unit_tree(user=request.user, as_of=as_of,
                               include_dissolved=include_dissolved, query=query)
    return render(request, "organization/unit_tree.html", {
        "rows": rows, "as_of": as_of, "raw_day": raw_day, "day_error": day_error,
        "include_dissolved": include_dissolved, "query": query,
        "can_manage": scoping.can_manage_units(request.user),
        "kinds": UnitKind,
    })


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = scoping.get_visible_or_404(
        scoping.units_visible_to(request.user).select_related("successor"), pk=pk
    )
    children = Unit.objects.get_children(unit).select_related("successor")
    users = scoping.users_visible_to(request.user).filter(unit=unit).order_by("last_name")
    history = AuditEvent.objects.filter(object_type="organization.unit",
                                        object_id=str(unit.pk)).order_by("-seq")[:20]
    manageable = scoping.units_manageable_by(request.user).filter(pk=unit.pk).exists()
    restructurable = scoping.units_restructurable_by(request.user).filter(pk=unit.pk).exists()
    return render(request, "organization/unit_detail.html", {
        "unit": unit, "ancestors": selectors.unit_ancestors(unit), "children": children,
        "users": users, "history": history, "can_manage": manageable,
        "can_restructure": restructurable,
        "predecessors": unit.predecessors.all(),
        "attached": services.unit_attached_work(unit) if manageable else [],
    })


def _manageable_unit(request: HttpRequest, pk: int) -> Unit:
    unit = scoping.get_visible_or_404(scoping.units_visible_to(request.user), pk=pk)
    _require(scoping.units_manageable_by(request.user).filter(pk=unit.pk).exists())
    return unit


def _restructurable_unit(request: HttpRequest, pk: int) -> Unit:
    """A unit the user may move, dissolve or delete: never one deciding their own scope."""
    unit = scoping.get_visible_or_404(scoping.units_visible_to(request.user), pk=pk)
    _require(scoping.units_restructurable_by(request.user).filter(pk=unit.pk).exists())
    return unit


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    _require(scoping.can_manage_units(request.user))
    parent = None
    parent_id = request.GET.get("parent") or request.POST.get("parent")
    if parent_id:
        parent = scoping.get_visible_or_404(scoping.units_manageable_by(request.user),
                                            pk=parent_id)
    elif not scoping.is_admin(request.user):
        raise PermissionDenied  # only administrators create top-level units
    form = UnitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            unit = services.unit_create(actor=request.user, parent=parent, **data)
        except ValidationError as error:
            form.add_error(None, error)
        except services.UnitError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Unit %(name)s created.") % {"name": unit.name})
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "organization/unit_form.html",
                  {"form": form, "parent": parent, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _manageable_unit(request, pk)
    form = UnitForm(request.POST or None, instance=unit, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.unit_update(actor=request.user, unit=unit,
                                 expected_version=form.expected_version, **data)
        except (ConflictError, services.UnitError) as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Changes saved."))
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "organization/unit_form.html", {"form": form, "unit": unit})


@login_required
@require_http_methods(["GET", "POST"])
def unit_move(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _restructurable_unit(request, pk)
    form = UnitMoveForm(request.POST or None, unit=unit, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_move(actor=request.user, unit=unit,
                               new_parent=form.cleaned_data["new_parent"])
        except services.UnitError as error:
            form.add_error("new_parent", error.message)
        else:
            messages.success(request, _("Unit moved."))
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "organization/unit_move.html", {"form": form, "unit": unit})


@login_required
@require_http_methods(["GET", "POST"])
def unit_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _restructurable_unit(request, pk)
    form = UnitDissolveForm(request.POST or None, unit=unit, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_dissolve(actor=request.user, unit=unit,
                                   valid_to=form.cleaned_data["valid_to"],
                                   successor=form.cleaned_data["successor"])
        except (services.UnitError, ConflictError) as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Unit dissolved; its history is kept."))
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "organization/unit_dissolve.html", {"form": form, "unit": unit})


@login_required
@require_http_methods(["GET", "POST"])
def unit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _restructurable_unit(request, pk)
    reasons = services.unit_attached_work(unit)
    if request.method == "POST":
        try:
            services.unit_delete(actor=request.user, unit=unit)
        except services.UnitError as error:
            messages.error(request, error.message)
            return redirect("unit_detail", pk=unit.pk)
        messages.success(request, _("Unit deleted."))
        return redirect("unit_tree")
    return render(request, "organization/unit_delete.html", {"unit": unit, "reasons": reasons})


# Users -------------------------------------------------------------------------------


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    unit = None
    if request.GET.get("unit"):
        unit = scoping.get_visible_or_404(scoping.units_visible_to(request.user),
                                          pk=request.GET["unit"])
    users = selectors.user_list(user=request.user, query=request.GET.get("q", "").strip(),
                                unit=unit, role=request.GET.get("role", ""),
                                active=request.GET.get("active", ""))
    page = paginate(request, users)
    return render(request, "organization/user_list.html", {
        "page": page, "unit": unit, "roles": Role.choices,
        "units": selectors.UnitChoices(selectors.pickable_units(request.user)),
        "can_manage": scoping.can_manage_users(request.user),
        "qs": querystring_without(request, "page"),
    })


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = scoping.get_visible_or_404(
        scoping.users_visible_to(request.user).select_related("unit"), pk=pk
    )
    return render(request, "organization/user_detail.html", {
        "account": account,
        "can_manage": scoping.users_manageable_by(request.user).filter(pk=pk).exists(),
    })


def _manageable_user(request: HttpRequest, pk: int) -> User:
    account = scoping.get_visible_or_404(scoping.users_visible_to(request.user), pk=pk)
    _require(scoping.users_manageable_by(request.user).filter(pk=account.pk).exists())
    return account


def _user_fields(form: UserCreateForm | UserUpdateForm) -> dict[str, object]:
    skip = {"version", "password1", "password2"}
    return {k: v for k, v in form.cleaned_data.items() if k not in skip}


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    _require(scoping.can_manage_users(request.user))
    initial = {"unit": request.user.unit_id, "role": Role.OFFICER}  # type: ignore[union-attr]
    form = UserCreateForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        account = services.user_create(actor=request.user,
                                       password=form.cleaned_data["password1"],
                                       **_user_fields(form))
        messages.success(request, _("Account %(username)s created.")
                         % {"username": account.username})
        return redirect("user_detail", pk=account.pk)
    return render(request, "organization/user_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _manageable_user(request, pk)
    form = UserUpdateForm(request.POST or None, instance=account, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=account,
                                 expected_version=form.expected_version, **_user_fields(form))
        except (ConflictError, services.UserError) as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Changes saved."))
            return redirect("user_detail", pk=account.pk)
    return render(request, "organization/user_form.html", {"form": form, "account": account})


@login_required
@require_http_methods(["GET", "POST"])
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = _manageable_user(request, pk)
    form = SetPasswordForm(request.POST or None, user=account)
    if request.method == "POST" and form.is_valid():
        services.user_set_password(actor=request.user, user=account,
                                   password=form.cleaned_data["password1"])
        messages.success(request, _("Password changed."))
        return redirect("user_detail", pk=account.pk)
    return render(request, "organization/user_password.html", {"form": form, "account": account})
