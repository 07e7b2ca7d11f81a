"""Writes of background jobs: enqueue, progress, outcome, retry, and the reaper.

A running job holds a lease: its worker refreshes ``heartbeat_at`` (every
``DONDOC_JOB_HEARTBEAT_SECONDS``) and a job whose heartbeat is older than
``DONDOC_JOB_LEASE_SECONDS`` belongs to a dead worker: :func:`jobs_reap` marks it failed
and undoes its claims, so its page offers a retry.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dondoc.audit.models import Action
from dondoc.audit.services import record
from dondoc.jobs.kinds import get_kind
from dondoc.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)


class JobLost(Exception):
    """The run's lease was lost: the job was declared dead (or retried) meanwhile."""


def lease_seconds() -> int:
    return int(settings.DONDOC_JOB_LEASE_SECONDS)


def _enqueue_run(job: Job) -> None:
    from dondoc.jobs.runner import run_job  # the task module imports these services

    result = run_job.enqueue(job_id=job.pk, attempt=job.attempt)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


@transaction.atomic
def job_enqueue(*, kind: str, owner: Any | None, params: dict[str, Any]) -> Job:
    """Record a job for ``owner`` and put it on the queue (in the same transaction: the
    database queue sees it only once the job row is committed)."""
    get_kind(kind)  # unknown kinds fail here, not in the worker
    job = Job.objects.create(kind=kind, owner=owner, params=params, attempt=1)
    record(actor=owner, action=Action.CREATE, obj=job,
           unit_id=getattr(owner, "unit_id", None), message="enqueue",
           changes={"kind": [None, kind]})
    _enqueue_run(job)
    job.refresh_from_db()
    return job


@transaction.atomic
def job_retry(*, actor: Any, job: Job) -> Job:
    """Run a failed job again, as a new attempt."""
    if job.status != JobStatus.FAILED:
        raise ValidationError(_("Only a failed job can be retried."), code="not_failed")
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
        status=JobStatus.QUEUED, attempt=job.attempt + 1, progress_done=0, progress_total=0,
        message="", result=None, error="", started_at=None, heartbeat_at=None,
        finished_at=None)
    if updated != 1:
        raise ValidationError(_("Only a failed job can be retried."), code="not_failed")
    job.refresh_from_db()
    record(actor=actor, action=Action.UPDATE, obj=job, unit_id=getattr(actor, "unit_id", None),
           message="retry", changes={"attempt": [job.attempt - 1, job.attempt]})
    _enqueue_run(job)
    job.refresh_from_db()
    return job


def _mine(job_id: int, attempt: int) -> Any:
    return Job.objects.filter(pk=job_id, attempt=attempt, status=JobStatus.RUNNING)


def job_start(*, job_id: int, attempt: int) -> Job | None:
    """Claim a queued job for this worker; ``None`` when it is no longer this attempt's."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, attempt=attempt, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now)
    return Job.objects.select_related("owner").get(pk=job_id) if claimed else None


def job_progress(*, job: Job, done: int, total: int | None = None,
                 message: str | None = None) -> None:
    """Record how far a running job got (and that its worker is alive).

    Raises :class:`JobLost` when the job is no longer this run's (declared dead).
    """
    values: dict[str, Any] = {"heartbeat_at": timezone.now()}
    if total is not None:
        job.progress_total = max(0, total)
        values["progress_total"] = job.progress_total
    job.progress_done = max(0, min(done, job.progress_total or done))
    values["progress_done"] = job.progress_done
    if job.progress_total == 0:
        values["progress_done"] = job.progress_done = 0
    if message is not None:
        job.message = message[:255]
        values["message"] = job.message
    if _mine(job.pk, job.attempt).update(**values) != 1:
        raise JobLost(job.pk)


def job_heartbeat(*, job_id: int, attempt: int) -> bool:
    """Renew the lease of a running job; False when it is no longer this run's."""
    return bool(_mine(job_id, attempt).update(heartbeat_at=timezone.now()))


def job_succeed(*, job: Job, result: dict[str, Any]) -> bool:
    now = timezone.now()
    return bool(_mine(job.pk, job.attempt).update(
        status=JobStatus.SUCCEEDED, result=result, finished_at=now, heartbeat_at=now,
        progress_done=job.progress_total))


def job_fail(*, job: Job, error: str, result: dict[str, Any] | None = None) -> bool:
    now = timezone.now()
    return bool(_mine(job.pk, job.attempt).update(
        status=JobStatus.FAILED, error=error, result=result, finished_at=now,
        heartbeat_at=now))


def jobs_reap(*, now: dt.datetime | None = None, job_id: int | None = None) -> int:
    """Mark failed every running job whose worker has shown no sign of life for longer
    than the lease, and undo what their runs had claimed. Returns how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=lease_seconds())
    stale = Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff)
    if job_id is not None:
        stale = stale.filter(pk=job_id)
    reaped = 0
    for job in stale.select_related("owner"):
        failed = Job.objects.filter(pk=job.pk, attempt=job.attempt, status=JobStatus.RUNNING,
                                    heartbeat_at__lt=cutoff).update(
            status=JobStatus.FAILED, finished_at=now,
            error=_("The worker running this job stopped (no sign of life for %(seconds)s "
                    "seconds): retry the job.")
            % {"seconds": lease_seconds()})
        if not failed:
            continue  # its worker woke up, or another reaper was first
        reaped += 1
        logger.warning("job %s (%s, attempt %s) abandoned by its worker: marked failed",
                       job.pk, job.kind, job.attempt)
        kind = get_kind(job.kind)
        try:
            kind.call("release", job)
        except Exception:  # a reaper must go on with the other jobs
            logger.exception("job %s: releasing its claims failed", job.pk)
        if job.attempt <= kind.retries_when_abandoned:
            job.refresh_from_db()
            job_retry(actor=None, job=job)
            logger.warning("job %s (%s): started again as attempt %s", job.pk, job.kind,
                           job.attempt)
    return reaped
