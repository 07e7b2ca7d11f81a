"""Pages for documents and tasks: access through scoping, act through services, respond."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dondoc.core.concurrency import ConflictError
from dondoc.core.paging import querystring_without
from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.plans import selectors, services
from dondoc.plans.forms import (
    AttachmentForm,
    CompletionForm,
    DecisionForm,
    DirectionForm,
    DocumentForm,
    ExtensionForm,
    GroupForm,
    ProgressForm,
    ReasonForm,
    TaskForm,
    TransferForm,
)
from dondoc.plans.models import (
    CompletionRequest,
    DeadlineExtension,
    Direction,
    DocumentAttachment,
    Priority,
    RequestStatus,
    Task,
    TaskFile,
    TaskState,
)
from dondoc.plans.timeline import timeline_for
from dondoc.progress import selectors as stats
from dondoc.progress.labels import status_choices


def _form_error(form: Any, error: Exception) -> None:
    """Put a service's refusal on the form, next to the field it concerns."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:
        form.add_error(None, str(getattr(error, "message", error)))


# Documents ---------------------------------------------------------------------------


@login_required
def document_list(request: HttpRequest) -> HttpResponse:
    tree = selectors.document_tree(user=request.user)
    visible_tasks = scoping.tasks_visible_to(request.user)
    by_document = {row.key: row.counts for row in stats.statistics_by(visible_tasks, "document")}
    progress = dict(visible_tasks.filter(parent__isnull=True).order_by().values("document")
                    .annotate(avg=Avg("progress")).values_list("document", "avg"))
    rows = [(doc, depth, by_document.get(doc.pk), progress.get(doc.pk)) for doc, depth in tree]
    return render(request, "plans/document_list.html", {
        "rows": rows, "can_create": scoping.has_role(request.user, "staff"),
    })


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = scoping.get_visible_or_404(
        scoping.documents_visible_to(request.user).select_related("parent", "owner_unit"), pk=pk)
    visible_tasks = scoping.tasks_visible_to(request.user).filter(document=document)
    by_group = {row.key: row.counts for row in stats.statistics_by(visible_tasks, "group")}
    group_progress = dict(visible_tasks.filter(parent__isnull=True).order_by().values("group")
                          .annotate(avg=Avg("progress")).values_list("group", "avg"))
    groups = [(group, by_group.get(group.pk), group_progress.get(group.pk))
              for group in document.groups.annotate(n=Count("tasks"))]
    return render(request, "plans/document_detail.html", {
        "document": document,
        "children": scoping.documents_visible_to(request.user).filter(parent=document),
        "groups": groups,
        "ungrouped": by_group.get(None),
        "total": stats.statistics(visible_tasks),
        "attachments": document.attachments.all(),
        "can_edit": scoping.documents_editable_by(request.user).filter(pk=pk).exists(),
        "attachment_form": AttachmentForm(),
        "group_form": GroupForm(initial={"order": document.groups.count() + 1}),
    })


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest) -> HttpResponse:
    if not scoping.has_role(request.user, "staff"):
        raise PermissionDenied
    initial = {"owner_unit": scoping.scope_root(request.user), "parent": request.GET.get("parent")}
    form = DocumentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            document = services.document_create(actor=request.user, **data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Document registered."))
            return redirect("document_detail", pk=document.pk)
    return render(request, "plans/document_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = scoping.get_editable_or_403(scoping.documents_visible_to(request.user),
                                           scoping.documents_editable_by(request.user), pk=pk)
    form = DocumentForm(request.POST or None, instance=document, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.document_update(actor=request.user, document=document,
                                     expected_version=form.expected_version, **data)
        except (ValidationError, ConflictError) as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("document_detail", pk=document.pk)
    return render(request, "plans/document_form.html", {"form": form, "document": document})


@login_required
@require_POST
def document_attach(request: HttpRequest, pk: int) -> HttpResponse:
    document = scoping.get_editable_or_403(scoping.documents_visible_to(request.user),
                                           scoping.documents_editable_by(request.user), pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_attach(actor=request.user, document=document,
                                     upload=form.cleaned_data["file"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("File attached."))
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect("document_detail", pk=document.pk)


@login_required
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    attachment = scoping.get_visible_or_404(
        DocumentAttachment.objects.filter(
            document__in=scoping.documents_visible_to(request.user)), pk=pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True,
                        filename=attachment.original_name)


@login_required
@require_POST
def group_create(request: HttpRequest, pk: int) -> HttpResponse:
    document = scoping.get_editable_or_403(scoping.documents_visible_to(request.user),
                                           scoping.documents_editable_by(request.user), pk=pk)
    form = GroupForm(request.POST)
    if form.is_valid():
        try:
            services.group_create(actor=request.user, document=document, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Task group added."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values()
                                         for e in errors))
    return redirect("document_detail", pk=document.pk)


# Task lists --------------------------------------------------------------------------


PRINT_LIMIT = 2000  # rows a printed list holds; beyond, the Excel export (issue 9, item 19)


def _list_context(request: HttpRequest, filters: selectors.TaskFilters, tasks: Any,
                  params: Any = None) -> dict[str, Any]:
    """What a task list page shows. ``params`` are the list's effective parameters (the
    query string plus defaults such as "my unit"): the export and print links carry all
    of them, so they always describe the set the list shows."""
    user = request.user
    params = (params if params is not None else request.GET).copy()
    for key in ("page", "size"):
        params.pop(key, None)
    return {
        "page": selectors.paginate_tasks(request, tasks, filters),
        "filters": filters,
        "statuses": status_choices(),
        "priorities": Priority.choices,
        "documents": scoping.documents_visible_to(user).only("pk", "number", "title"),
        "units": selectors.unit_choices_for_filters(user),
        "qs": querystring_without(request, "page"),
        "export_qs": params.urlencode(),
    }


def _my_params(request: HttpRequest) -> Any:
    """The query of "my unit's tasks": the user's unit unless another one is asked."""
    user: Any = request.user
    params = request.GET.copy()
    params.setdefault("unit", str(user.unit_id))
    return params


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.filters_from_params(request.GET)
    tasks = selectors.task_list(user=request.user, filters=filters)
    context = _list_context(request, filters, tasks)
    context["title"] = _("Tasks")
    context["can_create"] = scoping.has_role(request.user, "staff")
    template = "plans/task_list.html"
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, f"{template}#results", context)
    return render(request, template, context)


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The unit's tasks as lead and as coordinator, split by status, most urgent first."""
    user: Any = request.user
    if user.unit is None:
        return redirect("task_list")
    params = _my_params(request)
    filters = selectors.filters_from_params(params)
    tasks = selectors.task_list(user=user, filters=filters)
    # The tab counts cover the same tasks as the list, whatever the status tab.
    summary = stats.statistics(selectors.task_scope(user=user, filters=filters), filters.as_of)
    context = _list_context(request, filters, tasks, params)
    context.update({"title": _("My unit's tasks"), "summary": summary, "my_unit": user.unit,
                    "role": filters.unit_role, "mine": True})
    template = "plans/my_tasks.html"
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        # The list, and the status tabs above the filters (swapped out of band).
        return render(request, f"{template}#swap", context)
    return render(request, template, context)


@login_required
def task_print(request: HttpRequest) -> HttpResponse:
    """A task list to print for a meeting: every row (up to ``PRINT_LIMIT``), headed by
    the agency, the title, the filters in words and the date."""
    user: Any = request.user
    mine = request.GET.get("list") == "mine" and user.unit is not None
    params = _my_params(request) if mine else request.GET
    filters = selectors.filters_from_params(params)
    tasks = selectors.task_list(user=user, filters=filters)
    rows, total = selectors.task_slice(tasks, 0, PRINT_LIMIT, filters=filters)
    export = params.copy()
    export.pop("list", None)
    return render(request, "plans/task_print.html", {
        "title": _("My unit's tasks") if mine else _("TASK LIST"),
        "tasks": rows, "total": total, "limit": PRINT_LIMIT, "filters": filters,
        "described": selectors.describe_filters(user=user, filters=filters),
        "export_qs": export.urlencode(), "day": filters.as_of or stats.business_today(),
    })


# Task detail and workflow ------------------------------------------------------------


def _visible_task(request: HttpRequest, pk: int) -> Task:
    return scoping.get_visible_or_404(scoping.tasks_visible_to(request.user), pk=pk)


def _permissions(user: Any, task: Task) -> dict[str, bool]:
    pk = task.pk
    decidable = scoping.tasks_decidable_by(user).filter(pk=pk).exists()
    reportable = scoping.tasks_reportable_by(user).filter(pk=pk).exists()
    leads = scoping.tasks_led_by_own_subtree(user).filter(pk=pk).exists()
    open_task = task.state in {TaskState.ASSIGNED, TaskState.IN_PROGRESS, TaskState.RETURNED}
    return {
        "edit": decidable and task.is_open,
        "decide": decidable,
        "report": reportable and task.state not in {TaskState.COMPLETED, TaskState.CANCELLED},
        "complete": leads and open_task,
        "extend": leads and open_task and task.deadline is not None,
        "cascade": leads and scoping.can_cascade(user) and task.is_open
        and task.state != TaskState.SUBMITTED,
        "direct": scoping.can_give_directions(user),
        "acknowledge": leads,
        "suspend": decidable and open_task,
        "resume": decidable and task.state == TaskState.SUSPENDED,
        "cancel": decidable and task.state not in {TaskState.COMPLETED, TaskState.CANCELLED},
    }


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_detail(user=request.user, pk=pk)
    # Opened from a list "as of" a date: status, deadline and progress of that date.
    try:
        as_of = selectors.parse_day(request.GET.get("as_of"))
    except ValueError:
        as_of = None
        messages.warning(request, _("Enter a valid date as dd/mm/yyyy."))
    if as_of is not None and as_of >= stats.business_today():
        as_of = None
    evaluation = stats.evaluate_task(task, as_of)
    child_list: list[Any] = list(selectors.task_list(
        user=request.user, filters=selectors.TaskFilters(parent=task.pk, sort="code",
                                                         as_of=as_of),
    )) if task.children.exists() else []
    rollup = (sum(child.progress_at for child in child_list) / len(child_list)
              if child_list else None)
    can = _permissions(request.user, task)
    pending_completion = next((r for r in task.completion_requests.all()
                               if r.status == RequestStatus.PENDING), None)
    pending_extension = next((e for e in task.extensions.all()
                              if e.status == RequestStatus.PENDING), None)
    return render(request, "plans/task_detail.html", {
        "task": task, "evaluation": evaluation, "children": child_list, "rollup": rollup,
        "as_of": as_of, "progress": stats.progress_on(task, as_of),
        "deadline": evaluation.deadline if as_of and evaluation else task.deadline,
        "filters": selectors.TaskFilters(as_of=as_of),
        "can": can, "timeline": timeline_for(task),
        "pending_completion": pending_completion, "pending_extension": pending_extension,
        "unacknowledged": [d for d in task.directions.all() if d.acknowledged_at is None],
        # Both decisions may be pending at once: prefixes keep their fields apart.
        "completion_form": DecisionForm(prefix="completion"),
        "extension_form": DecisionForm(prefix="extension"),
        "direction_form": DirectionForm(),
    })


def _task_for(request: HttpRequest, pk: int, allowed: Any) -> Task:
    """404 outside the scope; 403 when visible but the action is not the user's."""
    return scoping.get_editable_or_403(scoping.tasks_visible_to(request.user), allowed, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest) -> HttpResponse:
    if not scoping.has_role(request.user, "staff"):
        raise PermissionDenied
    document = scoping.get_editable_or_403(
        scoping.documents_visible_to(request.user), scoping.documents_editable_by(request.user),
        pk=request.GET.get("document") or request.POST.get("document") or 0)
    initial = {"group": request.GET.get("group"), "priority": Priority.NORMAL}
    form = TaskForm(request.POST or None, user=request.user, document=document, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        assigning: Unit = document.owner_unit
        try:
            task = services.task_create(actor=request.user, document=document,
                                        assigning_unit=assigning, **data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Task %(code)s assigned.") % {"code": task.code})
            return redirect("task_detail", pk=task.pk)
    return render(request, "plans/task_form.html", {"form": form, "document": document,
                                                    "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_for(request, pk, scoping.tasks_decidable_by(request.user))
    if not task.is_open:
        raise PermissionDenied
    form = TaskForm(request.POST or None, instance=task, user=request.user,
                    document=task.document, parent=task.parent)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()
                if k not in {"version", "coordinating_units"}}
        try:
            services.task_update(actor=request.user, task=task,
                                 expected_version=form.expected_version,
                                 coordinating_units=form.cleaned_data["coordinating_units"],
                                 **data)
        except (ValidationError, ConflictError) as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("task_detail", pk=task.pk)
    return render(request, "plans/task_form.html", {"form": form, "task": task,
                                                    "document": task.document})


@login_required
@require_http_methods(["GET", "POST"])
def task_cascade(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _task_for(request, pk, scoping.tasks_led_by_own_subtree(request.user))
    if not scoping.can_cascade(request.user) or not parent.is_open:
        raise PermissionDenied
    form = TaskForm(request.POST or None, user=request.user, document=parent.document,
                    parent=parent, initial={"deadline_kind": parent.deadline_kind,
                                            "due_date": parent.deadline,
                                            "priority": parent.priority})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            child = services.task_create(actor=request.user, document=parent.document,
                                         group=parent.group, parent=parent,
                                         assigning_unit=parent.lead_unit, **data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Sub-task %(code)s assigned.") % {"code": child.code})
            return redirect("task_detail", pk=parent.pk)
    return render(request, "plans/task_form.html", {"form": form, "parent": parent,
                                                    "document": parent.document,
                                                    "creating": True})


def _step(request: HttpRequest, task: Task, form: Any, template: str, act: Any,
          success: str) -> HttpResponse:
    """A one-thing-per-page workflow step: show the form, run the service, go back."""
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data)
        except (ValidationError, services.WorkflowError, ConflictError) as error:
            _form_error(form, error)
        else:
            messages.success(request, success)
            return redirect("task_detail", pk=task.pk)
    return render(request, template, {"form": form, "task": task})


@login_required
@require_http_methods(["GET", "POST"])
def task_progress(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    task = _task_for(request, pk, scoping.tasks_reportable_by(user))
    units = Unit.objects.filter(
        Q(pk=task.lead_unit_id) | Q(pk__in=task.coordinating_units.values("pk")))
    if not scoping.is_admin(user):
        units = units.filter(path__startswith=user.unit.path)
    form = ProgressForm(request.POST or None, request.FILES or None, units=units, task=task,
                        initial={"percent": task.progress})
    return _step(request, task, form, "plans/task_progress.html",
                 lambda data: services.progress_post(
                     actor=user, task=task, unit=data["unit"], percent=data["percent"],
                     results=data["results"], difficulties=data["difficulties"],
                     proposals=data["proposals"], files=data["evidence"],
                     corrects=data.get("corrects")),
                 _("Progress reported."))


@login_required
@require_http_methods(["GET", "POST"])
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_for(request, pk, scoping.tasks_led_by_own_subtree(request.user))
    form = CompletionForm(request.POST or None, request.FILES or None)
    return _step(request, task, form, "plans/task_complete.html",
                 lambda data: services.completion_request(
                     actor=request.user, task=task, note=data["note"], files=data["evidence"]),
                 _("Completion requested; the assigning unit will confirm it."))


@login_required
@require_http_methods(["GET", "POST"])
def task_extend(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_for(request, pk, scoping.tasks_led_by_own_subtree(request.user))
    form = ExtensionForm(request.POST or None)
    return _step(request, task, form, "plans/task_extend.html",
                 lambda data: services.extension_request(
                     actor=request.user, task=task, proposed_due=data["proposed_due"],
                     reason=data["reason"]),
                 _("Extension requested."))


@login_required
@require_http_methods(["GET", "POST"])
def task_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_for(request, pk, scoping.tasks_decidable_by(request.user))
    form = ReasonForm(request.POST or None)
    return _step(request, task, form, "plans/task_reason.html",
                 lambda data: services.task_suspend(actor=request.user, task=task,
                                                    reason=data["reason"]),
                 _("Task suspended."))


@login_required
@require_http_methods(["GET", "POST"])
def task_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_for(request, pk, scoping.tasks_decidable_by(request.user))
    form = ReasonForm(request.POST or None)
    return _step(request, task, form, "plans/task_reason.html",
                 lambda data: services.task_cancel(actor=request.user, task=task,
                                                   reason=data["reason"]),
                 _("Task cancelled."))


@login_required
@require_POST
def task_resume(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_for(request, pk, scoping.tasks_decidable_by(request.user))
    try:
        services.task_resume(actor=request.user, task=task)
    except services.WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Task resumed."))
    return redirect("task_detail", pk=task.pk)


@login_required
@require_POST
def task_direction(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    if not scoping.can_give_directions(request.user):
        raise PermissionDenied
    form = DirectionForm(request.POST)
    if form.is_valid():
        services.direction_add(actor=request.user, task=task, text=form.cleaned_data["text"])
        messages.success(request, _("Direction recorded; the lead unit will see it highlighted."))
    else:
        messages.error(request, _("Write the direction."))
    return redirect("task_detail", pk=task.pk)


@login_required
@require_POST
def direction_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    direction = scoping.get_visible_or_404(
        Direction.objects.filter(task__in=scoping.tasks_visible_to(request.user))
        .select_related("task"), pk=pk)
    if not scoping.tasks_led_by_own_subtree(request.user).filter(pk=direction.task_id).exists():
        raise PermissionDenied
    services.direction_acknowledge(actor=request.user, direction=direction)
    messages.success(request, _("Direction acknowledged."))
    return redirect("task_detail", pk=direction.task_id)


def _decide(request: HttpRequest, model: Any, pk: int, act: Any, prefix: str) -> HttpResponse:
    """Record the assigning side's decision on a completion or extension request."""
    pending = scoping.get_visible_or_404(
        model.objects.filter(task__in=scoping.tasks_visible_to(request.user))
        .select_related("task"), pk=pk)
    task = _task_for(request, pending.task_id, scoping.tasks_decidable_by(request.user))
    form = DecisionForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            act(pending, form.cleaned_data["decision"] == "approve", form.cleaned_data["note"])
        except (ValidationError, services.WorkflowError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Decision recorded."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("task_detail", pk=task.pk)


@login_required
@require_POST
def completion_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, CompletionRequest, pk, lambda pending, approve, note:
                   services.completion_decide(actor=request.user, request=pending,
                                              accept=approve, note=note), "completion")


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, DeadlineExtension, pk, lambda pending, approve, note:
                   services.extension_decide(actor=request.user, extension=pending,
                                             approve=approve, note=note), "extension")


@login_required
def task_file(request: HttpRequest, pk: int) -> FileResponse:
    item = scoping.get_visible_or_404(
        TaskFile.objects.filter(task__in=scoping.tasks_visible_to(request.user)), pk=pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)


# Reorganisation ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def unit_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    unit = scoping.get_editable_or_403(scoping.units_visible_to(request.user),
                                       scoping.units_manageable_by(request.user), pk=pk)
    open_tasks = selectors.task_list(
        user=request.user, filters=selectors.TaskFilters(involving=unit.pk, subtree=False,
                                                         status="open"))
    open_tasks = open_tasks.filter(Q(lead_unit=unit) | Q(coordinating_units=unit)).distinct()
    form = TransferForm(request.POST or None, user=request.user, from_unit=unit,
                        initial={"on": unit.valid_to and unit.valid_to.isoformat()})
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.tasks_transfer(actor=request.user, from_unit=unit,
                                            to_unit=form.cleaned_data["to_unit"],
                                            on=form.cleaned_data["on"])
        except services.WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(count)d open tasks transferred.") % {"count": moved})
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "plans/unit_transfer.html", {"unit": unit, "form": form,
                                                        "tasks": open_tasks})
