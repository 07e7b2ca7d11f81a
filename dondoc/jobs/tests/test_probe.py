"""The queue check: probe jobs run exactly once, even when their worker dies mid-run."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from dondoc.jobs import services
from dondoc.jobs.kinds import QUEUE_PROBE
from dondoc.jobs.models import Job, JobStatus
from dondoc.jobs.probe import probe_traces
from dondoc.jobs.runner import JobContext

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                              "QUEUES": ["default"]}}


def test_the_queue_check_counts_one_trace_per_probe(db: None, capsys: Any) -> None:
    call_command("queue_check", jobs=3, seconds=0, timeout=5)
    assert "3/3 probes succeeded, 3 with exactly one trace" in capsys.readouterr().out
    assert probe_traces(list(Job.objects.values_list("pk", flat=True))).count() == 3


@override_settings(TASKS=DATABASE_QUEUE)
def test_the_queue_check_fails_when_no_worker_runs_the_probes(db: None) -> None:
    with pytest.raises(CommandError, match=r"queue check FAILED: .*queued, 0 trace"):
        call_command("queue_check", jobs=2, seconds=0, timeout=0.5)


def test_the_queue_check_refuses_a_silly_number_of_jobs(db: None) -> None:
    with pytest.raises(CommandError, match="--jobs must be from 1 to 1000"):
        call_command("queue_check", jobs=0)


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_probe_abandoned_by_a_dead_worker_runs_again_and_counts_once(
        db: None, monkeypatch: Any, settings: Any) -> None:
    from django_tasks_db.management.commands import db_worker

    from dondoc.jobs.management.commands import worker

    settings.DONDOC_JOB_LEASE_SECONDS = 30
    monkeypatch.setattr(worker.Reaper, "start", lambda self: None)  # no thread in a test
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    job = services.job_enqueue(kind=QUEUE_PROBE, owner=None, params={"seconds": 0})
    # A worker took attempt 1 and was killed: the lease runs out.
    first = services.job_start(job_id=job.pk, attempt=1)
    assert first is not None
    Job.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(seconds=31))
    assert services.jobs_reap() == 1
    job.refresh_from_db()
    assert (job.status, job.attempt) == (JobStatus.QUEUED, 2)
    # The killed run, had it survived, could not commit its trace.
    with pytest.raises(services.JobLost):
        JobContext(first).ensure_alive()
    call_command("worker", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result == {"attempt": 2}
    assert probe_traces([job.pk]).count() == 1


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
def test_other_kinds_are_not_started_again_by_the_reaper(people: Any) -> None:
    job = services.job_enqueue(kind="notifications.send_mail", owner=people.staff, params={})
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, heartbeat_at=timezone.now() - dt.timedelta(minutes=5))
    services.jobs_reap()
    job.refresh_from_db()
    assert (job.status, job.attempt) == (JobStatus.FAILED, 1)
