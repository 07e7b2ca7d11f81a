"""Pages of the obstacle register: access through scoping, act through services, respond."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from dondoc.audit.models import Action
from dondoc.audit.services import record
from dondoc.core.concurrency import ConflictError
from dondoc.core.forms import add_service_error as _form_error
from dondoc.core.paging import paginate
from dondoc.obstacles import exports, selectors, services
from dondoc.obstacles.forms import ObstacleForm, StepForm
from dondoc.obstacles.models import Category, Obstacle, ObstacleState
from dondoc.organization import scoping
from dondoc.plans.models import Document, Task
from dondoc.plans.selectors import unit_choices_for_filters
from dondoc.progress.models import ProgressUpdate

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"




def _filter_context(request: HttpRequest, filters: selectors.ObstacleFilters) -> dict[str, Any]:
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "filters": filters, "states": selectors.STATE_FILTERS.items(),
        "categories": Category.choices,
        "ages": [(key, label) for key, (label, _f, _m) in selectors.AGE_FILTERS.items()],
        "units": unit_choices_for_filters(request.user),
        "documents": scoping.documents_visible_to(request.user).only("pk", "number", "title")
        .order_by("-issue_date", "number"),
        "export_qs": params.urlencode(), "qs": params.urlencode(),
    }


# The register ---------------------------------------------------------------------------


@login_required
def obstacle_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.filters_from_params(request.GET)
    obstacles = selectors.obstacle_list(user=request.user, filters=filters)
    context = _filter_context(request, filters)
    context.update({"page": paginate(request, obstacles), "day": filters.day})
    return render(request, "obstacles/obstacle_list.html", context)


@login_required
def obstacle_ageing(request: HttpRequest) -> HttpResponse:
    filters = selectors.filters_from_params(request.GET)
    context = _filter_context(request, filters)
    context.update({"ageing": selectors.ageing(user=request.user, filters=filters),
                    "buckets": [(key, selectors.AGE_FILTERS[key][0]) for key in
                                selectors.BUCKETS]})
    return render(request, "obstacles/obstacle_ageing.html", context)


@login_required
def obstacle_export(request: HttpRequest) -> HttpResponse:
    """The register as Excel: the same scope, filters and order as the page."""
    filters = selectors.filters_from_params(request.GET)
    if filters.errors:
        return HttpResponseBadRequest(
            "\n".join(f"{key}: {message}" for key, message in filters.errors.items()),
            content_type="text/plain; charset=utf-8")
    obstacles = selectors.obstacle_list(user=request.user, filters=filters)
    buffer = io.BytesIO()
    count = exports.export_obstacles_xlsx(obstacles, buffer, day=filters.day)
    record(actor=request.user, action=Action.EXPORT, object_type="obstacles.obstacle",
           object_repr=_("Obstacle register (Excel)"),
           unit_id=getattr(request.user, "unit_id", None), message="xlsx",
           changes={"filters": [None, request.GET.urlencode()[:500]], "rows": [None, count]})
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="vuong-mac-{filters.day:%Y-%m-%d}.xlsx"')
    return response


# Raising and correcting ---------------------------------------------------------------


def _target(request: HttpRequest) -> tuple[Task | None, Document | None,
                                           ProgressUpdate | None]:
    """What the obstacle is raised on, from ``?task=``, ``?document=`` or ``?progress=``:
    404 when the user does not see it, 403 when they may not raise on it."""
    source = request.POST if request.method == "POST" else request.GET
    user = request.user
    progress_id, task_id, document_id = (source.get("progress"), source.get("task"),
                                         source.get("document"))
    if progress_id:
        update = scoping.get_visible_or_404(
            ProgressUpdate.objects.filter(task__in=scoping.tasks_visible_to(user))
            .select_related("task", "unit"), pk=progress_id)
        task = scoping.get_editable_or_403(scoping.tasks_visible_to(user),
                                           scoping.tasks_obstacle_raisable_by(user),
                                           pk=update.task_id)
        return task, None, update
    if task_id:
        return scoping.get_editable_or_403(scoping.tasks_visible_to(user),
                                           scoping.tasks_obstacle_raisable_by(user),
                                           pk=task_id), None, None
    if document_id:
        return None, scoping.get_editable_or_403(
            scoping.documents_visible_to(user), scoping.documents_obstacle_raisable_by(user),
            pk=document_id), None
    return None, None, None


@login_required
@require_http_methods(["GET", "POST"])
def obstacle_create(request: HttpRequest) -> HttpResponse:
    task, document, update = _target(request)
    if task is None and document is None:
        return render(request, "obstacles/obstacle_choose.html", {}, status=200)
    if update is not None and hasattr(update, "obstacle"):
        messages.info(request, _("This progress report has already been raised as an "
                                 "obstacle."))
        return redirect("obstacle_detail", pk=update.obstacle.pk)
    unit = services.raising_unit_for(request.user, task=task, document=document)
    if update is not None and (scoping.is_admin(request.user) or (
            request.user.unit is not None  # type: ignore[union-attr]
            and update.unit.path.startswith(request.user.unit.path))):  # type: ignore[union-attr]
        unit = update.unit
    if unit is None:
        raise PermissionDenied
    initial: dict[str, Any] = {"resolver_kind": "unit"}
    if update is not None:
        initial.update(description=update.difficulties, proposed_solution=update.proposals)
    form = ObstacleForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            obstacle = services.obstacle_raise(actor=request.user, unit=unit, task=task,
                                               document=document, progress_update=update,
                                               **form.content())
        except (ValidationError, services.TransitionRefused) as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Obstacle registered."))
            return redirect("obstacle_detail", pk=obstacle.pk)
    return render(request, "obstacles/obstacle_form.html", {
        "form": form, "task": task, "document": document, "update": update, "unit": unit,
        "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def obstacle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obstacle = scoping.get_editable_or_403(scoping.obstacles_visible_to(request.user),
                                           scoping.obstacles_editable_by(request.user), pk=pk)
    if obstacle.state != ObstacleState.OPEN:
        messages.error(request, _("Only an open obstacle can be changed."))
        return redirect("obstacle_detail", pk=obstacle.pk)
    initial = {"category": obstacle.category, "description": obstacle.description,
               "proposed_solution": obstacle.proposed_solution,
               "resolver_kind": "unit" if obstacle.resolver_unit_id else "agency",
               "resolver_unit": obstacle.resolver_unit_id,
               "resolver_agency": obstacle.resolver_agency, "version": obstacle.version}
    form = ObstacleForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.obstacle_update(actor=request.user, obstacle=obstacle,
                                     expected_version=form.expected_version, **form.content())
        except (ValidationError, ConflictError, services.TransitionRefused) as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("obstacle_detail", pk=obstacle.pk)
    return render(request, "obstacles/obstacle_form.html", {
        "form": form, "obstacle": obstacle, "task": obstacle.task,
        "document": obstacle.document, "unit": obstacle.unit})


# The detail page and the steps ---------------------------------------------------------


def actions_for(user: Any, obstacle: Obstacle) -> dict[str, bool]:
    """Which steps the page offers ``user``: their right, and the state allowing it."""
    steps = set(services.allowed_steps(obstacle.state))

    def may(allowed: Any) -> bool:
        return bool(allowed(user).filter(pk=obstacle.pk).exists())

    triage = bool(steps & {"escalate", "reject"}) and may(scoping.obstacles_triageable_by)
    return {
        "escalate": "escalate" in steps and triage,
        "reject": "reject" in steps and triage,
        "direct": "direct" in steps and may(scoping.obstacles_directable_by),
        "resolve": "resolve" in steps and may(scoping.obstacles_resolvable_by),
        "edit": obstacle.state == ObstacleState.OPEN and may(scoping.obstacles_editable_by),
    }


@login_required
def obstacle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obstacle = selectors.obstacle_detail(user=request.user, pk=pk)
    user = request.user
    return render(request, "obstacles/obstacle_detail.html", {
        "obstacle": obstacle, "can": actions_for(user, obstacle),
        "events": obstacle.events.select_related("actor", "actor__unit"),
        "task_visible": obstacle.task_id is not None and scoping.tasks_visible_to(user)
        .filter(pk=obstacle.task_id).exists(),
        "document_visible": scoping.documents_titled_for(user).filter(
            pk=obstacle.document_id or (obstacle.task.document_id if obstacle.task else 0))
        .exists(),
        "age": obstacle.age_on(selectors.ObstacleFilters().day),
    })


STEPS: dict[str, dict[str, Any]] = {
    "escalate": {"title": gettext_lazy("Escalate to leadership"),
                 "label": gettext_lazy("Note for the leaders"), "required": False,
                 "help": gettext_lazy("Optional: what the leaders are asked to decide."),
                 "done": gettext_lazy("Obstacle escalated to leadership."),
                 "allowed": scoping.obstacles_triageable_by, "argument": "note"},
    "reject": {"title": gettext_lazy("Reject the obstacle"),
               "label": gettext_lazy("Reason for rejection"), "required": True,
               "help": gettext_lazy("The raising unit sees this reason."),
               "done": gettext_lazy("Obstacle rejected."),
               "allowed": scoping.obstacles_triageable_by, "argument": "reason"},
    "direct": {"title": gettext_lazy("Give a direction"),
               "label": gettext_lazy("Direction"), "required": True, "help": "",
               "done": gettext_lazy("Direction recorded."),
               "allowed": scoping.obstacles_directable_by, "argument": "text"},
    "resolve": {"title": gettext_lazy("Record the resolution"),
                "label": gettext_lazy("How it was resolved"), "required": True,
                "help": gettext_lazy("What was done, by whom, with which document if any."),
                "done": gettext_lazy("Resolution recorded."),
                "allowed": scoping.obstacles_resolvable_by, "argument": "resolution"},
}


def _step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    spec = STEPS[step]
    obstacle = scoping.get_editable_or_403(
        selectors._with_relations(scoping.obstacles_visible_to(request.user)),
        spec["allowed"](request.user), pk=pk)
    if step not in services.allowed_steps(obstacle.state):
        messages.error(request, services._refusal(step, obstacle.state))
        return redirect("obstacle_detail", pk=obstacle.pk)
    form = StepForm(request.POST or None, label=spec["label"], required=spec["required"],
                    help_text=spec["help"], version=obstacle.version)
    if request.method == "POST" and form.is_valid():
        act = services.STEP_SERVICES[step]
        try:
            act(actor=request.user, obstacle=obstacle,
                expected_version=form.expected_version,
                **{spec["argument"]: form.cleaned_data["text"]})
        except (ValidationError, ConflictError, services.TransitionRefused) as error:
            _form_error(form, error)
        else:
            messages.success(request, str(spec["done"]))
            return redirect("obstacle_detail", pk=obstacle.pk)
    return render(request, "obstacles/obstacle_step.html", {
        "form": form, "obstacle": obstacle, "step": step, "title": spec["title"]})


@login_required
@require_http_methods(["GET", "POST"])
def obstacle_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    return _step_view(request, pk, "escalate")


@login_required
@require_http_methods(["GET", "POST"])
def obstacle_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _step_view(request, pk, "reject")


@login_required
@require_http_methods(["GET", "POST"])
def obstacle_direct(request: HttpRequest, pk: int) -> HttpResponse:
    return _step_view(request, pk, "direct")


@login_required
@require_http_methods(["GET", "POST"])
def obstacle_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _step_view(request, pk, "resolve")
