"""The real URL map plus two minimal pages: the baseline of the benchmark.

The issue's reference ("a minimal Django 5.2 page over the same data renders a filtered,
paginated 25-row list in about 13 ms p95 and a task with ten updates in about 4 ms p95")
is measured here in the same run, through the same middleware, so that the real pages
can be reported as a ratio to it rather than as raw milliseconds on a noisy machine.
Neither page scopes, derives statuses or builds a timeline: that is the point.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import include, path
from django.utils import timezone

from dondoc.organization.models import Unit
from dondoc.plans.models import Task, TaskState

_LIST = engines["django"].from_string(
    "<!doctype html><title>Tasks</title><table>"
    "{% for t in page %}<tr><td>{{ t.code }}</td><td>{{ t.title|truncatechars:140 }}</td>"
    "<td>{{ t.lead_unit.short_name }}</td><td>{{ t.deadline|date:'d/m/Y' }}</td>"
    "<td>{{ t.progress }}%</td></tr>{% endfor %}</table>"
    "<p>{{ page.number }} / {{ page.paginator.num_pages }}</p>"
)
_DETAIL = engines["django"].from_string(
    "<!doctype html><title>{{ task.code }}</title><h1>{{ task.title }}</h1>"
    "<p>{{ task.lead_unit.name }} · {{ task.deadline|date:'d/m/Y' }}</p><ol>"
    "{% for u in updates %}<li>{{ u.reported_on|date:'d/m/Y' }} {{ u.unit.short_name }} "
    "{{ u.author }} {{ u.percent }}% {{ u.results }}</li>{% endfor %}</ol>"
)


@login_required
def minimal_list(request: HttpRequest) -> HttpResponse:
    """Open tasks past their deadline, led by a unit's subtree, 25 a page."""
    unit = get_object_or_404(Unit, pk=request.GET.get("lead"))
    tasks = (
        Task.objects.filter(lead_unit__path__startswith=unit.path,
                            state__in=[TaskState.ASSIGNED, TaskState.IN_PROGRESS,
                                       TaskState.RETURNED],
                            deadline_kind="fixed", deadline__lt=timezone.localdate())
        .select_related("lead_unit").order_by("deadline", "code")
    )
    page = Paginator(tasks, 25).get_page(request.GET.get("page"))
    return HttpResponse(_LIST.render({"page": page}, request))


@login_required
def minimal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A task and its progress updates."""
    task = get_object_or_404(Task.objects.select_related("lead_unit"), pk=pk)
    updates = task.updates.select_related("unit", "author").order_by("reported_on", "id")
    return HttpResponse(_DETAIL.render({"task": task, "updates": updates}, request))


urlpatterns = [
    path("bench/minimal/tasks/", minimal_list),
    path("bench/minimal/tasks/<int:pk>/", minimal_detail),
    path("", include("config.urls")),
]
