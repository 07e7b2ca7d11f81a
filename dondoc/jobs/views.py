"""Pages of background jobs: the list of one's jobs, a job's progress page, retry."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dondoc.core.htmx import render_page_or_partial
from dondoc.jobs import selectors, services
from dondoc.jobs.kinds import KINDS
from dondoc.jobs.models import Job
from dondoc.organization import scoping

POLL_SECONDS = 2
HTMX_STOP_POLLING = 286  # htmx swaps the answer and stops polling


def _context(request: HttpRequest, job: Job) -> dict[str, Any]:
    kind = KINDS.get(job.kind)
    back = ""
    if kind is not None:
        try:
            back = kind.call("back_url", job) or ""
        except Exception:  # a link that cannot be built is left out, never an error page
            back = ""
    result = job.result if isinstance(job.result, dict) else {}
    return {
        "job": job,
        "kind_label": kind.label if kind else job.kind,
        "back_url": back,
        "result_url": str(result.get("url", "")),
        "result_summary": str(result.get("summary", "")),
        "poll_seconds": POLL_SECONDS,
        "may_retry": job.status == "failed"
        and scoping.jobs_retryable_by(request.user).filter(pk=job.pk).exists(),
    }


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = list(selectors.job_list(user=request.user))
    labels = {name: kind.label for name, kind in KINDS.items()}
    return render(request, "jobs/job_list.html", {
        "jobs": [(job, labels.get(job.kind, job.kind)) for job in jobs],
    })


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress; htmx polls its ``status`` partial until the job has ended."""
    job = selectors.job_get(user=request.user, pk=pk)
    if job.status == "running" and services.jobs_reap(job_id=job.pk):
        job.refresh_from_db()  # its worker died: the page shows it failed at once
    response = render_page_or_partial(request, "jobs/job_detail.html",
                                      _context(request, job), "status")
    if getattr(request, "htmx", False) and not job.is_active:
        response.status_code = HTMX_STOP_POLLING
    return response


@login_required
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get(user=request.user, pk=pk)
    job = scoping.get_editable_or_403(scoping.jobs_visible_to(request.user),
                                      scoping.jobs_retryable_by(request.user), pk=job.pk)
    try:
        services.job_retry(actor=request.user, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, _("The job was started again."))
    return redirect("job_detail", pk=job.pk)
