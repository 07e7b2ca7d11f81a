"""The queue's task: run one attempt of a job, with a heartbeat, and record how it ended.

``run_job`` is a django-tasks task; the database backend stores it and a worker
(``dondoc worker``) runs it. While the handler works, a thread of the worker renews the
job's lease; a killed worker stops renewing it and the reaper fails the job.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from dondoc.jobs import services
from dondoc.jobs.kinds import get_kind
from dondoc.jobs.models import Job

logger = logging.getLogger(__name__)

# Set by the worker command: the heartbeat thread runs only in a worker process (tests and
# the immediate backend run jobs inside a request, whose transaction a thread cannot see).
IN_WORKER = False


@dataclass
class JobContext:
    """What a handler gets: its job's parameters and owner, and ways to report."""

    job: Job

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.job.params or {})

    @property
    def owner(self) -> Any | None:
        return self.job.owner

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        services.job_progress(job=self.job, done=done, total=total, message=message)

    def ensure_alive(self) -> None:
        """Inside the handler's final transaction: raise :class:`services.JobLost` (and so
        roll it back) when this run was declared dead meanwhile."""
        if not services.job_heartbeat(job_id=self.job.pk, attempt=self.job.attempt):
            raise services.JobLost(self.job.pk)


class _Heartbeat(threading.Thread):
    def __init__(self, job: Job, interval: float) -> None:
        super().__init__(name=f"job-{job.pk}-heartbeat", daemon=True)
        self.job_id, self.attempt, self.interval = job.pk, job.attempt, interval
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                try:
                    if not services.job_heartbeat(job_id=self.job_id, attempt=self.attempt):
                        return
                except DatabaseError:  # database busy for a moment: try at the next beat
                    logger.warning("job %s: heartbeat failed", self.job_id, exc_info=True)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=self.interval + 5)


@task()
def run_job(job_id: int, attempt: int) -> str:
    """Run attempt ``attempt`` of job ``job_id`` (a no-op if that attempt is not queued)."""
    job = services.job_start(job_id=job_id, attempt=attempt)
    if job is None:
        return "skipped"
    language = getattr(job.owner, "language", "") or settings.LANGUAGE_CODE
    heartbeat = None
    if IN_WORKER and settings.DONDOC_JOB_HEARTBEAT_SECONDS > 0:
        heartbeat = _Heartbeat(job, settings.DONDOC_JOB_HEARTBEAT_SECONDS)
        heartbeat.start()
    try:
        with translation.override(language):
            return _run(job)
    finally:
        if heartbeat is not None:
            heartbeat.stop()


def _run(job: Job) -> str:
    context = JobContext(job)
    try:
        result = get_kind(job.kind).call("handler", context) or {}
    except services.JobLost:
        logger.warning("job %s: attempt %s lost its lease; outcome dropped", job.pk, job.attempt)
        return "lost"
    except ValidationError as error:  # a refusal the owner can act on
        services.job_fail(job=job, error=" ".join(error.messages))
        return "failed"
    except BaseException as error:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        with transaction.atomic():
            services.job_fail(job=job, error=_(
                "The job stopped on an unexpected error; nothing was saved. Retry it; if it "
                "fails again, tell the system administrator (job %(id)s).") % {"id": job.pk})
        if not isinstance(error, Exception):  # SystemExit, KeyboardInterrupt: stop the worker
            raise
        return "failed"
    if not services.job_succeed(job=job, result=result):
        logger.warning("job %s: attempt %s finished after losing its lease", job.pk,
                       job.attempt)
        return "lost"
    return "succeeded"
