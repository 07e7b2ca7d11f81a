"""Reads of background jobs, always through the viewer's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from dondoc.jobs.models import Job
from dondoc.organization import scoping

RECENT_JOBS = 50


def job_list(*, user: Any) -> QuerySet[Job]:
    """The viewer's most recent jobs (an admin: everyone's), newest first."""
    return scoping.jobs_visible_to(user).select_related("owner")[:RECENT_JOBS]


def job_get(*, user: Any, pk: int) -> Job:
    """The job, or 404 when it does not exist or is someone else's."""
    job: Job = scoping.get_visible_or_404(
        scoping.jobs_visible_to(user).select_related("owner"), pk=pk)
    return job
