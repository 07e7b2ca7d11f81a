"""Pages of periodic unit reports ("Báo cáo định kỳ"): access, act, respond."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dondoc.audit.models import Action
from dondoc.audit.services import record
from dondoc.core.concurrency import ConflictError
from dondoc.core.forms import add_service_error as _form_error
from dondoc.organization import scoping
from dondoc.plans.exports import XLSX_CONTENT_TYPE
from dondoc.plans.services import WorkflowError
from dondoc.progress.periods import PeriodError, parse_period
from dondoc.progress.selectors import business_today
from dondoc.unitreports import exports, selectors, services
from dondoc.unitreports.forms import (
    MatrixFilterForm,
    ObligationForm,
    ReportForm,
    ReturnForm,
    SignedFileForm,
)
from dondoc.unitreports.models import UnitReport, UnitReportFile
from dondoc.unitreports.states import CELL_LABELS, CELL_TONES, cell_state


def _states() -> list[tuple[str, str]]:
    return [(cell.value, str(label)) for cell, label in CELL_LABELS.items()]


def _common() -> dict[str, Any]:
    return {"cell_labels": {c.value: label for c, label in CELL_LABELS.items()},
            "cell_tones": {c.value: tone for c, tone in CELL_TONES.items()}}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """My unit's reports due (with deadlines) and, for staff, the obligations."""
    user: Any = request.user
    mine = selectors.my_reports(user)
    obligations = list(scoping.obligations_visible_to(user).select_related(
        "document", "owner_unit").order_by("-first_period_start", "id"))
    writable = set(scoping.units_reporting_for(user).filter(
        pk__in={cell.unit.pk for cell in mine}).values_list("pk", flat=True))
    return render(request, "unitreports/index.html", {
        **_common(), "mine": mine, "obligations": obligations, "writable_units": writable,
        "can_define": scoping.can_define_obligations(user),
        "wide": user.role in {"staff", "leader", "inspector", "admin"} or scoping.is_admin(user),
        "today": business_today(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def obligation_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not scoping.can_define_obligations(user):
        raise PermissionDenied
    form = ObligationForm(request.POST or None, user=user,
                          initial={"deadline_rule": "day_of_last_month", "deadline_value": 15,
                                   "period_kind": "quarter", "window_mode": "calendar"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = scoping.scope_root(user) or data["document"].owner_unit
        try:
            obligation = services.obligation_create(
                actor=user, document=data["document"], owner_unit=owner, title=data["title"],
                kind=data["period_kind"], units=list(data["units"]),
                with_subunits=data["with_subunits"], first_period=data["first_period"],
                last_period=data["last_period"], deadline_rule=data["deadline_rule"],
                deadline_value=data["deadline_value"], window_mode=data["window_mode"],
                cutoff_day=data["cutoff_day"])
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Reporting obligation created."))
            return redirect(f"{_matrix_url()}?obligation={obligation.pk}")
    return render(request, "unitreports/obligation_form.html", {"form": form})


def _matrix_url() -> str:
    from django.urls import reverse

    return reverse("unit_report_matrix")


def _matrices(request: HttpRequest) -> tuple[MatrixFilterForm, list[selectors.Matrix],
                                              dt.date]:
    user: Any = request.user
    obligations = list(scoping.obligations_visible_to(user).select_related("document")
                       .order_by("-first_period_start", "id"))
    units = scoping.units_visible_to(user).filter(is_active=True).order_by("path")
    form = MatrixFilterForm(request.GET or None)
    form.fields["obligation"].choices = [("", _("All"))] + [  # type: ignore[attr-defined]
        (o.pk, o.title) for o in obligations]
    form.fields["unit"].choices = [("", _("All"))] + [  # type: ignore[attr-defined]
        (u.pk, f"{u.code} — {u.name}") for u in units.only("pk", "code", "name")]
    form.fields["state"].choices = [  # type: ignore[attr-defined]
        ("", _("All")), ("late", _("Missing or late")), *_states()]
    today = business_today()
    if request.GET and not form.is_valid():
        return form, [], today
    data = form.cleaned_data if request.GET else {}
    chosen = [o for o in obligations if not data.get("obligation")
              or o.pk == data["obligation"]]
    unit_path = None
    if data.get("unit"):
        unit = units.filter(pk=data["unit"]).first()
        unit_path = unit.path if unit else None
    root = scoping.scope_root(user)
    if unit_path is None and root is not None:
        unit_path = root.path
    period_start = None
    if data.get("period"):
        try:
            period_start = parse_period(data["period"]).start
        except PeriodError as error:
            form.add_error("period", str(error))
            return form, [], today
    matrices = [selectors.matrix(o, as_of=today, unit_path=unit_path,
                                 state=data.get("state") or "", period_start=period_start)
                for o in chosen]
    return form, matrices, today


@login_required
def matrix(request: HttpRequest) -> HttpResponse:
    """Units × periods with the state of each report (staff, leaders, inspectors: their
    scope; a unit: its own subtree)."""
    form, matrices, today = _matrices(request)
    return render(request, "unitreports/matrix.html", {
        **_common(), "form": form, "matrices": matrices, "today": today,
        "query": request.GET.urlencode()})


@login_required
def matrix_export(request: HttpRequest) -> HttpResponse:
    form, matrices, today = _matrices(request)
    if form.errors:
        raise Http404
    data = exports.matrix_xlsx(matrices, as_of_text=f"{today:%d/%m/%Y}")
    record(actor=request.user, action=Action.EXPORT, object_type="unitreports.matrix",
           message=f"unit report matrix ({len(matrices)} obligations)")
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="unit-reports-{today:%Y%m%d}.xlsx"'
    return response


@login_required
@require_POST
def report_start(request: HttpRequest) -> HttpResponse:
    """Open (create when needed) the unit's report for a period, then go to it."""
    user: Any = request.user
    obligation = scoping.get_visible_or_404(scoping.obligations_visible_to(user),
                                            pk=request.POST.get("obligation"))
    unit = scoping.get_visible_or_404(scoping.units_reporting_for(user),
                                      pk=request.POST.get("unit"))
    try:
        period_start = dt.date.fromisoformat(request.POST.get("period", ""))
    except ValueError:
        raise Http404 from None
    try:
        report = services.report_start(actor=user, obligation=obligation, unit=unit,
                                       period_start=period_start)
    except (ValidationError, WorkflowError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("unit_reports")
    return redirect("unit_report_detail", pk=report.pk)


def _visible(request: HttpRequest, pk: int) -> UnitReport:
    return scoping.get_visible_or_404(
        scoping.unit_reports_visible_to(request.user).select_related(
            "obligation", "obligation__document", "unit", "submitted_by", "decided_by"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report: its period, deadline, statistics as of the cut-off and narrative
    (editable by its unit while a draft or returned), its signed files, and for staff the
    decision."""
    user: Any = request.user
    report = _visible(request, pk)
    writable = scoping.unit_reports_writable_by(user).filter(pk=pk).exists()
    decidable = scoping.unit_reports_decidable_by(user).filter(pk=pk).exists()
    form = ReportForm(request.POST or None, instance=report) if writable and \
        report.editable else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.report_update(actor=user, report=report,
                                       expected_version=form.expected_version,
                                       results=data["results"],
                                       difficulties=data["difficulties"],
                                       proposals=data["proposals"])
            except (ValidationError, ConflictError, WorkflowError) as error:
                _form_error(form, error)
            else:
                if "submit" in request.POST:
                    return _submit(request, report)
                messages.success(request, _("Report saved."))
                return redirect("unit_report_detail", pk=pk)
    today = business_today()
    state = cell_state(deadline=report.deadline, as_of=today, state=report.state,
                                 first_submitted_on=report.first_submitted_on)
    return render(request, "unitreports/report_detail.html", {
        **_common(), "report": report, "form": form, "writable": writable,
        "decidable": decidable and report.state == "submitted",
        "return_form": ReturnForm(), "file_form": SignedFileForm(),
        "files": report.files.all(), "cell": state, "stats": report.statistics,
        "stats_as_of": _day(report.statistics.get("as_of")),
        "period": report.period, "today": today,
    })


def _day(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


def _submit(request: HttpRequest, report: UnitReport) -> HttpResponse:
    try:
        services.report_submit(actor=request.user, report=report)
    except (ValidationError, WorkflowError, ConflictError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [
            str(getattr(error, "message", error))])))
    else:
        messages.success(request, _("Report submitted; the staff department will review it."))
    return redirect("unit_report_detail", pk=report.pk)


@login_required
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = scoping.get_editable_or_403(scoping.unit_reports_visible_to(request.user),
                                         scoping.unit_reports_writable_by(request.user), pk=pk)
    return _submit(request, report)


@login_required
@require_POST
def report_accept(request: HttpRequest, pk: int) -> HttpResponse:
    report = scoping.get_editable_or_403(scoping.unit_reports_visible_to(request.user),
                                         scoping.unit_reports_decidable_by(request.user), pk=pk)
    try:
        services.report_accept(actor=request.user, report=report)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Report accepted."))
    return redirect("unit_report_detail", pk=pk)


@login_required
@require_POST
def report_return(request: HttpRequest, pk: int) -> HttpResponse:
    report = scoping.get_editable_or_403(scoping.unit_reports_visible_to(request.user),
                                         scoping.unit_reports_decidable_by(request.user), pk=pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the report is returned."))
        return redirect("unit_report_detail", pk=pk)
    try:
        services.report_return(actor=request.user, report=report,
                               reason=form.cleaned_data["reason"])
    except (ValidationError, WorkflowError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Report returned to the unit."))
    return redirect("unit_report_detail", pk=pk)


@login_required
@require_POST
def report_attach(request: HttpRequest, pk: int) -> HttpResponse:
    report = scoping.get_editable_or_403(scoping.unit_reports_visible_to(request.user),
                                         scoping.unit_reports_writable_by(request.user), pk=pk)
    form = SignedFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return redirect("unit_report_detail", pk=pk)
    try:
        services.report_attach(actor=request.user, report=report,
                               upload=form.cleaned_data["file"])
    except (ValidationError, WorkflowError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("File attached."))
    return redirect("unit_report_detail", pk=pk)


@login_required
def report_file(request: HttpRequest, pk: int) -> FileResponse:
    item = scoping.get_visible_or_404(UnitReportFile.objects.filter(
        report__in=scoping.unit_reports_visible_to(request.user)), pk=pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)

