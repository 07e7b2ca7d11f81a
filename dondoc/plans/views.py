"""Pages for documents and tasks: access through scoping, act through services, respond."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dondoc.core.concurrency import ConflictError
from dondoc.core.forms import add_service_error as _form_error
from dondoc.core.paging import querystring_without
from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.plans import selectors, services
from dondoc.plans.forms import (
    AssignPeopleForm,
    AttachmentForm,
    CommentForm,
    CompletionForm,
    DecisionForm,
    DirectionForm,
    DocumentChoiceForm,
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

# Documents ---------------------------------------------------------------------------


@login_required
def document_list(request: HttpRequest) -> HttpResponse:
    tree = selectors.document_tree(user=request.user)
    rollups = selectors.document_rollups(user=request.user)
    rows = [(doc, depth, rollups.get(doc.pk)) for doc, depth in tree]
    return render(request, "plans/document_list.html", {
        "rows": rows, "can_create": scoping.has_role(request.user, "staff"),
    })


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The document with its groups and files; for a unit that only takes part in some of
    its tasks (access level, docs/security.md), its number, title and those tasks."""
    readable = scoping.documents_visible_to(request.user)
    document = readable.select_related("parent", "owner_unit").filter(pk=pk).first()
    if document is None:
        document = scoping.get_visible_or_404(scoping.documents_titled_for(request.user),
                                              pk=pk)
        tasks = selectors.task_list(user=request.user, filters=selectors.TaskFilters(
            document=document.pk, sort="code"))
        return render(request, "plans/document_limited.html",
                      {"document": document, "tasks": tasks})
    visible_tasks = scoping.tasks_visible_to(request.user).filter(document=document)
    by_group = {row.key: row.counts for row in stats.statistics_by(visible_tasks, "group")}
    group_progress = dict(visible_tasks.filter(parent__isnull=True).order_by().values("group")
                          .annotate(avg=Avg("progress")).values_list("group", "avg"))
    groups = [(group, by_group.get(group.pk), group_progress.get(group.pk))
              for group in document.groups.annotate(n=Count("tasks"))]
    rollups = selectors.document_rollups(user=request.user)
    children = list(readable.filter(parent=document))
    return render(request, "plans/document_detail.html", {
        "document": document,
        "children": [(child, rollups.get(child.pk)) for child in children],
        "groups": groups,
        "ungrouped": by_group.get(None),
        "ungrouped_progress": group_progress.get(None),
        "total": rollups[document.pk].counts,
        "rollup": rollups[document.pk],
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
                  params: Any = None, shown_apart: frozenset[str] = frozenset()
                  ) -> dict[str, Any]:
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
        "chips": _filter_chips(request, filters, shown_apart),
    }


def _filter_chips(request: HttpRequest, filters: selectors.TaskFilters,
                  shown_apart: frozenset[str]) -> list[dict[str, str]]:
    """The filters chosen, each with the link that shows the list without it (except those
    the page shows otherwise, such as the status tabs of "my unit's tasks")."""
    chips = []
    for chip in selectors.filter_chips(user=request.user, filters=filters, params=request.GET):
        if shown_apart & set(chip.keys):
            continue
        remaining = request.GET.copy()
        for key in (*chip.keys, "page"):
            remaining.pop(key, None)
        chips.append({"label": chip.label, "value": chip.value,
                      "href": f"{request.path}?{remaining.urlencode()}"})
    return chips


def _my_params(request: HttpRequest) -> Any:
    """The query of "my unit's tasks" as the list applies it (the user's unit unless another
    one is asked; for the unit as a whole, the tasks assigned to the user too)."""
    params = request.GET.copy()
    for key, value in selectors.my_tasks_params(request.user, request.GET).items():
        params.setdefault(key, value)
    return params


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.filters_from_params(request.GET)
    tasks = selectors.task_list(user=request.user, filters=filters)
    context = _list_context(request, filters, tasks)
    context["title"] = _("Tasks")
    context["can_create"] = scoping.has_role(request.user, "staff")
    # The awaiting list lets the deciding side confirm several completions at once.
    context["bulk_confirm"] = (filters.status == "awaiting_confirmation"
                               and scoping.tasks_decidable_by(request.user).exists())
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
    # The status tabs and the role buttons show those filters already.
    context = _list_context(request, filters, tasks, params,
                            shown_apart=frozenset({"status", "role", "unit"}))
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


def _permissions(user: Any, task: Task, *, requests: bool = False) -> dict[str, bool]:
    """What ``user`` may do on ``task``. The scope tests are asked of this one task in one
    query; ``requests``: also whether its requests are the user's to decide (the scope
    part of ``scoping.decision_refusal``), as ``can["requests"]``."""
    def here(tasks: Any) -> Exists:
        return Exists(tasks.filter(pk=OuterRef("pk")))

    tests = {
        "decidable": here(scoping.tasks_decidable_by(user)),
        "reportable": here(scoping.tasks_reportable_by(user)),
        "leads": here(scoping.tasks_led_by_own_subtree(user)),
    }
    if requests:
        tests["requests"] = here(scoping.tasks_requests_decidable_by(user))
    row = Task.objects.filter(pk=task.pk).annotate(**tests).values(*tests).first() or {}
    decidable, reportable, leads = (bool(row.get(name)) for name in
                                    ("decidable", "reportable", "leads"))
    open_task = task.state in {TaskState.ASSIGNED, TaskState.IN_PROGRESS, TaskState.RETURNED}
    return {
        "edit": decidable and task.is_open,
        "decide": decidable,
        "report": reportable and task.state not in {TaskState.COMPLETED, TaskState.CANCELLED},
        "complete": leads and open_task,
        "extend": leads and open_task and task.deadline is not None,
        # Only where it can work: the lead unit has sub-units the user may assign to.
        "cascade": leads and scoping.can_cascade(user) and task.is_open
        and task.state != TaskState.SUBMITTED and _cascade_targets(user, task).exists(),
        "withdraw": leads,
        # tasks_commentable_by is exactly "reportable or decidable"; asked of one task, the
        # two answers above decide it without the union's subqueries over the whole scope.
        "comment": decidable or reportable,
        "direct": scoping.can_give_directions(user),
        "acknowledge": leads,
        "suspend": decidable and open_task,
        "resume": decidable and task.state == TaskState.SUSPENDED,
        "cancel": decidable and task.state not in {TaskState.COMPLETED, TaskState.CANCELLED},
        "requests": bool(row.get("requests")),
    }


def _cascade_targets(user: Any, task: Task) -> Any:
    """Units a sub-task of ``task`` may go to: active sub-units of its lead unit that the
    user may assign to (a unit without sub-units works through its officers instead)."""
    return scoping.units_assignable_by(user).filter(
        path__startswith=task.lead_unit.path).exclude(pk=task.lead_unit_id)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_page(request, pk)


def _task_page(request: HttpRequest, pk: int, *, completion_form: DecisionForm | None = None,
               extension_form: DecisionForm | None = None) -> HttpResponse:
    """The task page; a decision form that failed is drawn again with its errors and the
    choice made (the other forms start empty)."""
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
    )) if task.has_subtasks else []  # type: ignore[attr-defined]
    rollup = (sum(child.progress_at for child in child_list) / len(child_list)
              if child_list else None)
    pending_completion = next((r for r in task.completion_requests.all()
                               if r.status == RequestStatus.PENDING), None)
    pending_extension = next((e for e in task.extensions.all()
                              if e.status == RequestStatus.PENDING), None)
    can = _permissions(request.user, task,
                       requests=pending_completion is not None or pending_extension is not None)
    staffed_unit = scoping.unit_staffed_by_manager(request.user, task) if task.is_open else None
    people_form = None
    if staffed_unit is not None:
        people_form = AssignPeopleForm(unit=staffed_unit, initial={"officers": [
            person.pk for person in task.assignees.all() if person.unit_id == staffed_unit.pk]})
    # Segregation of duties: each pending request is offered to the user only when they
    # may decide it (not the requester, not the lead side; leaders too).
    can["decide_completion"] = pending_completion is not None and scoping.decision_refusal(
        request.user, task, pending_completion.submitted_by_id, in_scope=can["requests"]) is None
    can["decide_extension"] = pending_extension is not None and scoping.decision_refusal(
        request.user, task, pending_extension.requested_by_id, in_scope=can["requests"]) is None
    return render(request, "plans/task_detail.html", {
        "comments": task.comments.all(), "comment_form": CommentForm(),
        "people_form": people_form, "staffed_unit": staffed_unit,
        "task": task, "evaluation": evaluation, "children": child_list, "rollup": rollup,
        "as_of": as_of, "progress": stats.progress_on(task, as_of),
        "deadline": evaluation.deadline if as_of and evaluation else task.deadline,
        "filters": selectors.TaskFilters(as_of=as_of),
        "can": can, "timeline": timeline_for(task),
        "pending_completion": pending_completion, "pending_extension": pending_extension,
        "unacknowledged": [d for d in task.directions.all() if d.acknowledged_at is None],
        # Both decisions may be pending at once: prefixes keep their fields apart.
        "completion_form": (DecisionForm(prefix="completion") if completion_form is None
                            else completion_form),
        "extension_form": (DecisionForm(prefix="extension") if extension_form is None
                           else extension_form),
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
    chosen = request.GET.get("document") or request.POST.get("document")
    if not chosen:
        # From the task list: first choose the document the task implements.
        choice = DocumentChoiceForm(request.GET or None, user=request.user)
        return render(request, "plans/task_choose_document.html", {"form": choice})
    choice = DocumentChoiceForm({"document": chosen}, user=request.user)
    if request.method == "GET" and not choice.is_valid():
        return render(request, "plans/task_choose_document.html", {"form": choice})
    document = scoping.get_editable_or_403(
        scoping.documents_visible_to(request.user), scoping.documents_editable_by(request.user),
        pk=chosen)
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
    if not _cascade_targets(request.user, parent).exists():
        messages.info(request, _("%(unit)s has no sub-units to give a sub-task to: name the "
                                 "officers responsible for the task instead.")
                      % {"unit": parent.lead_unit.name})
        return redirect("task_detail", pk=parent.pk)
    # The parent's deadline is a sensible default only while it is still ahead.
    due = parent.deadline if parent.deadline and parent.deadline >= timezone.localdate() else None
    form = TaskForm(request.POST or None, user=request.user, document=parent.document,
                    parent=parent, initial={"deadline_kind": parent.deadline_kind,
                                            "due_date": due, "priority": parent.priority})
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
    form = ExtensionForm(request.POST or None, request.FILES or None)
    return _step(request, task, form, "plans/task_extend.html",
                 lambda data: services.extension_request(
                     actor=request.user, task=task, proposed_due=data["proposed_due"],
                     reason=data["reason"], files=data["evidence"]),
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
    form = DirectionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.direction_add(actor=request.user, task=task, text=form.cleaned_data["text"],
                                   files=form.cleaned_data["attachments"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request,
                             _("Direction recorded; the lead unit will see it highlighted."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("task_detail", pk=task.pk)


@login_required
@require_POST
def task_comment(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_for(request, pk, scoping.tasks_commentable_by(request.user))
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(actor=request.user, task=task, text=form.cleaned_data["text"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Comment posted."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(f"{reverse('task_detail', args=[task.pk])}#comments")


@login_required
@require_POST
def task_people(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit manager names the officers of the unit responsible for the task."""
    task = _visible_task(request, pk)
    unit = scoping.unit_staffed_by_manager(request.user, task)
    if unit is None:
        raise PermissionDenied
    form = AssignPeopleForm(request.POST, unit=unit)
    if form.is_valid():
        try:
            services.task_assign_people(actor=request.user, task=task, unit=unit,
                                        officers=list(form.cleaned_data["officers"]))
        except (ValidationError, services.WorkflowError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Officers responsible saved."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("task_detail", pk=task.pk)


def _withdraw(request: HttpRequest, model: Any, pk: int, act: Any) -> HttpResponse:
    """The requesting side takes back its own pending request."""
    pending = scoping.get_visible_or_404(
        model.objects.filter(task__in=scoping.tasks_visible_to(request.user))
        .select_related("task"), pk=pk)
    task = _task_for(request, pending.task_id, scoping.tasks_led_by_own_subtree(request.user))
    try:
        act(pending)
    except services.WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Request withdrawn."))
    return redirect("task_detail", pk=task.pk)


@login_required
@require_POST
def completion_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _withdraw(request, CompletionRequest, pk, lambda pending:
                     services.completion_withdraw(actor=request.user, request=pending))


@login_required
@require_POST
def extension_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _withdraw(request, DeadlineExtension, pk, lambda pending:
                     services.extension_withdraw(actor=request.user, extension=pending))


@login_required
@require_POST
def completions_confirm(request: HttpRequest) -> HttpResponse:
    """Confirm the completion of several tasks ticked on the awaiting list."""
    ids: list[int] = []
    for raw in request.POST.getlist("task"):
        try:
            ids.append(int(raw))
        except ValueError:
            continue
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = f"{reverse('task_list')}?status=awaiting_confirmation&decide=mine"
    if not ids:
        messages.error(request, _("Tick the tasks whose completion you confirm."))
        return redirect(target)
    outcomes = services.completions_confirm_many(actor=request.user, task_ids=ids)
    done = [item for item in outcomes if not item.error]
    if done:
        messages.success(request, _("Completion confirmed for %(count)d tasks: %(codes)s") % {
            "count": len(done), "codes": ", ".join(item.task_code for item in done)})
    for item in outcomes:
        if item.error:
            messages.error(request, _("%(task)s not confirmed: %(reason)s") % {
                "task": item.task_code or f"#{item.task_id}", "reason": item.error})
    return redirect(target)


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
    """Record the assigning side's (or a leader's) decision on a completion or extension
    request. Who may decide is the service's rule (segregation of duties): a refusal is a
    403 with its reason."""
    pending = scoping.get_visible_or_404(
        model.objects.filter(task__in=scoping.tasks_visible_to(request.user))
        .select_related("task"), pk=pk)
    task = pending.task
    requester = (pending.submitted_by_id if isinstance(pending, CompletionRequest)
                 else pending.requested_by_id)
    refusal = scoping.decision_refusal(request.user, task, requester)
    if refusal is not None:
        raise PermissionDenied(refusal)
    form = DecisionForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            act(pending, form.cleaned_data["decision"] == "approve", form.cleaned_data["note"])
        except services.DecisionRefused as error:
            raise PermissionDenied(error.message) from None
        except services.WorkflowError as error:
            # The request is no longer waiting (decided or withdrawn meanwhile): no form
            # to show it on.
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect("task_detail", pk=task.pk)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("task_detail", pk=task.pk)
    # The form again, on the task page: errors next to the fields, the choice kept.
    return _task_page(request, task.pk, **{f"{prefix}_form": form})


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
    # Handing a unit's work away is a reorganisation: never for a unit deciding one's scope.
    unit = scoping.get_editable_or_403(scoping.units_visible_to(request.user),
                                       scoping.units_restructurable_by(request.user), pk=pk)
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
