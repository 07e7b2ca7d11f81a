"""Pages of targets: access through scoping, act through services, respond."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dondoc.audit.models import Action
from dondoc.audit.services import record
from dondoc.core.concurrency import ConflictError
from dondoc.core.forms import add_service_error
from dondoc.core.paging import paginate
from dondoc.organization import scoping
from dondoc.plans.selectors import unit_choices_for_filters
from dondoc.targets import exports, selectors, services
from dondoc.targets.forms import MeasurementForm, TargetForm
from dondoc.targets.models import Measurement, Target
from dondoc.targets.trajectory import chart

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WHOLE = "whole"


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


@login_required
def target_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    document_id = _int(request.GET.get("document"))
    unit_id = _int(request.GET.get("unit"))
    unit = scoping.units_visible_to(user).filter(pk=unit_id).first() if unit_id else None
    targets = selectors.target_list(user=user, document=document_id, unit=unit)
    page = paginate(request, targets)
    rows = [(target, selectors.overall_standing(target)) for target in page]
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "targets/target_list.html", {
        "page": page, "rows": rows, "document_id": document_id, "unit_id": unit_id,
        "units": unit_choices_for_filters(user),
        "documents": scoping.documents_visible_to(user).filter(
            pk__in=scoping.targets_visible_to(user).values("document_id"))
        .only("pk", "number", "title").order_by("-issue_date", "number"),
        "targetable": scoping.documents_targetable_by(user).exists(),
        "qs": params.urlencode()})


@login_required
@require_http_methods(["GET", "POST"])
def target_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    document_id = source.get("document")
    if not document_id:
        documents = scoping.documents_targetable_by(user).order_by("-issue_date", "number")
        if not documents.exists():
            raise PermissionDenied
        return render(request, "targets/target_choose.html", {"documents": documents[:200]})
    document = scoping.get_editable_or_403(scoping.documents_visible_to(user),
                                           scoping.documents_targetable_by(user),
                                           pk=document_id)
    units = scoping.units_visible_to(user)
    form = TargetForm(request.POST or None, document=document, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = services.target_create(
                actor=user, document=document, group=data["group"], name=data["name"],
                measure_unit=data["measure_unit"], direction=data["direction"],
                baseline_value=data["baseline_value"], baseline_date=data["baseline_date"],
                target_value=data["target_value"], target_date=data["target_date"],
                shares=data["shares"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The target is defined."))
            return redirect("target_detail", target.pk)
    return render(request, "targets/target_form.html", {"form": form, "document": document},
                  status=400 if form.errors else 200)


def _shares_text(target: Target) -> str:
    return "\n".join(f"{row.unit.code} {row.target_value.normalize():f}"
                     for row in target.units.select_related("unit"))


@login_required
@require_http_methods(["GET", "POST"])
def target_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a target's definition: staff of the agency managing it; versioned."""
    user = request.user
    target = scoping.get_editable_or_403(scoping.targets_visible_to(user),
                                         scoping.targets_editable_by(user), pk=pk)
    units = scoping.units_visible_to(user)
    initial = {"name": target.name, "measure_unit": target.measure_unit,
               "direction": target.direction, "group": target.group_id,
               "baseline_value": f"{target.baseline_value.normalize():f}",
               "baseline_date": target.baseline_date,
               "target_value": f"{target.target_value.normalize():f}",
               "target_date": target.target_date, "shares": _shares_text(target)}
    form = TargetForm(request.POST or None, initial=initial, document=target.document,
                      units=units)
    version = request.POST.get("version", "") if request.method == "POST" else target.version
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.target_update(
                actor=user, target=target, expected_version=_int(str(version)) or 0,
                group=data["group"], name=data["name"], measure_unit=data["measure_unit"],
                direction=data["direction"], baseline_value=data["baseline_value"],
                baseline_date=data["baseline_date"], target_value=data["target_value"],
                target_date=data["target_date"], shares=data["shares"])
        except ValidationError as error:
            add_service_error(form, error)
        except ConflictError:
            form.add_error(None, ConflictError.message)
            status = 409
        else:
            messages.success(request, _("The target is saved."))
            return redirect("target_detail", target.pk)
    return render(request, "targets/target_form.html", {
        "form": form, "document": target.document, "target": target, "version": version},
        status=status if status != 200 or not form.errors else 400)


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    target = selectors.target_detail(user=user, pk=pk)
    measurements = selectors.history(target)
    league = selectors.league(target, measurements)
    shown_unit = _int(request.GET.get("unit"))
    share = next((row.share for row in league if row.share.unit_id == shown_unit), None)
    line = selectors.line_of(target, share)
    points = selectors.series(target, measurements, share.unit_id if share else None)
    from dondoc.targets.trajectory import standing

    correctable = {None if key == WHOLE else int(key)
                   for key, _label in measurement_choices(user, target)}
    return render(request, "targets/target_detail.html", {
        "target": target, "history": measurements, "league": league, "share": share,
        "chart": chart(line, points), "standing": standing(line, points),
        "line": line, "today_planned": line.planned(timezone.localdate()),
        "may_measure": bool(correctable), "correctable": correctable,
        "may_edit": scoping.targets_editable_by(user).filter(pk=target.pk).exists(),
    })


@login_required
def target_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The target's measurements (corrections included) as Excel."""
    target = selectors.target_detail(user=request.user, pk=pk)
    measurements = selectors.history(target)
    buffer = io.BytesIO()
    count = exports.export_measurements_xlsx(target, measurements, buffer,
                                             day=timezone.localdate())
    record(actor=request.user, action=Action.EXPORT, obj=target,
           unit_id=getattr(request.user, "unit_id", None), message="xlsx",
           changes={"rows": [None, count]})
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="chi-tieu-{target.pk}.xlsx"'
    return response


def measurement_choices(user: Any, target: Target) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = []
    if scoping.targets_editable_by(user).filter(pk=target.pk).exists():
        choices.append((WHOLE, _("The whole target")))
    choices += [(str(row.unit_id), row.unit.label)
                for row in scoping.target_units_measurable_by(user, target)]
    return choices


@login_required
@require_http_methods(["GET", "POST"])
def measurement_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    target = scoping.get_editable_or_403(scoping.targets_visible_to(user),
                                         scoping.targets_measurable_by(user), pk=pk)
    choices = measurement_choices(user, target)
    source = request.POST if request.method == "POST" else request.GET
    corrects: Measurement | None = None
    if source.get("corrects"):
        corrects = scoping.get_visible_or_404(target.measurements.select_related("unit"),
                                              pk=source.get("corrects"))
    initial: dict[str, Any] = {}
    if corrects is not None:
        initial = {"unit": str(corrects.unit_id or WHOLE), "period_end": corrects.period_end,
                   "value": str(corrects.value)}
    elif source.get("unit"):
        initial = {"unit": source.get("unit")}
    form = MeasurementForm(request.POST or None, request.FILES or None, choices=choices,
                           initial=initial)
    if corrects is not None and (str(corrects.unit_id or WHOLE)
                                 not in {key for key, _label in choices}):
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = None
        if data["unit"] != WHOLE:
            unit = target.units.select_related("unit").get(unit_id=data["unit"]).unit
        try:
            services.measurement_add(
                actor=user, target=target, unit=unit, period_end=data["period_end"],
                value=data["value"], note=data["note"], upload=data.get("file"),
                supersedes=corrects)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The measurement is recorded."))
            return redirect("target_detail", target.pk)
    return render(request, "targets/measurement_form.html", {
        "form": form, "target": target, "corrects": corrects},
        status=400 if form.errors else 200)


@login_required
def measurement_file(request: HttpRequest, pk: int) -> FileResponse:
    item = scoping.get_visible_or_404(Measurement.objects.filter(
        target__in=scoping.targets_visible_to(request.user)).exclude(file=""), pk=pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)


@login_required
@require_http_methods(["GET", "POST"])
def target_survey_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a target to a survey number (or unlink it): staff of the managing agency."""
    from dondoc.surveys.models import SurveyForm
    from dondoc.targets import from_surveys
    from dondoc.targets.forms import SurveyLinkForm

    user = request.user
    target = scoping.get_editable_or_403(scoping.targets_visible_to(user),
                                         scoping.targets_editable_by(user), pk=pk)
    keys = (scoping.survey_forms_visible_to(user).order_by("key", "-version")
            .distinct().values_list("key", flat=True))
    choices = []
    for key in dict.fromkeys(keys):
        form_title = SurveyForm.objects.filter(key=key).order_by("-version").first()
        choices.append((str(form_title) if form_title else key, [
            (f"{key}:{field}", label) for field, label in from_surveys.survey_numbers(key)]))
    current = f"{target.survey_form_key}:{target.survey_field}" if target.survey_form_key \
        else ""
    form = SurveyLinkForm(request.POST or None, initial={"survey": current}, choices=choices)
    if request.method == "POST" and form.is_valid():
        form_key, _colon, field_key = form.cleaned_data["survey"].partition(":")
        try:
            recorded = from_surveys.target_link_survey(actor=user, target=target,
                                                       form_key=form_key, field_key=field_key)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Saved; %(n)d measurement(s) recorded from the "
                                        "accepted answers.") % {"n": len(recorded)})
            return redirect("target_detail", target.pk)
    return render(request, "targets/target_survey_link.html", {"form": form, "target": target},
                  status=400 if form.errors else 200)
