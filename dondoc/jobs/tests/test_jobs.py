"""The background-job queue: enqueue, progress page, scoping, failure and retry, the lease
and its reaper, the database worker, and ``dondoc serve``'s supervision."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dondoc.jobs import kinds, services, supervisor
from dondoc.jobs.models import Job, JobStatus
from dondoc.jobs.runner import JobContext

TEST_KIND = "tests.count"
FAILURES = {"left": 0}


def count_handler(context: JobContext) -> dict[str, Any]:
    """A job that counts to ``n``, reporting each step; fails while FAILURES["left"]."""
    n = int(context.params.get("n", 3))
    for done in range(1, n + 1):
        context.progress(done, n, f"step {done}")
    if FAILURES["left"] > 0:
        FAILURES["left"] -= 1
        raise ValidationError("The count was refused.")
    if context.params.get("crash"):
        raise RuntimeError("internal detail")
    return {"summary": f"counted to {n}", "url": "/tasks/"}


@pytest.fixture(autouse=True)
def test_kind(monkeypatch: Any) -> None:
    FAILURES["left"] = 0
    monkeypatch.setitem(kinds.KINDS, TEST_KIND, kinds.JobKind(
        name=TEST_KIND, label="Counting", handler=f"{__name__}.count_handler"))


def enqueue(owner: Any, **params: Any) -> Job:
    return services.job_enqueue(kind=TEST_KIND, owner=owner, params=params)


def test_a_job_runs_and_its_page_shows_the_result(people: Any, login: Any) -> None:
    job = enqueue(people.staff, n=4)
    assert (job.status, job.progress_done, job.progress_total) == ("succeeded", 4, 4)
    assert job.result == {"summary": "counted to 4", "url": "/tasks/"}
    page = login(people.staff).get(f"/jobs/{job.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "counted to 4" in html and 'href="/tasks/"' in html
    assert 'data-progress="100"' in html
    assert "hx-trigger" not in html  # finished: nothing to poll


def test_a_running_job_polls_and_the_poll_stops_when_it_ends(people: Any, login: Any) -> None:
    job = enqueue(people.staff)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress_done=1,
                                         progress_total=4, heartbeat_at=timezone.now())
    client = login(people.staff)
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in html and 'data-progress="25"' in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]  # CSP: no inline
    poll = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert poll.status_code == 200 and b"<html" not in poll.content
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, result={"summary": "ok"})
    final = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert final.status_code == 286  # htmx swaps it in and stops polling
    assert b"ok" in final.content


def test_a_user_sees_only_their_own_jobs_and_admins_see_all(people: Any, login: Any) -> None:
    job = enqueue(people.staff)
    assert login(people.other_staff).get(f"/jobs/{job.pk}/").status_code == 404
    assert login(people.officer).post(f"/jobs/{job.pk}/retry/").status_code == 404
    assert login(people.admin).get(f"/jobs/{job.pk}/").status_code == 200
    own = login(people.staff).get("/jobs/")
    assert [entry[0].pk for entry in own.context["jobs"]] == [job.pk]
    assert login(people.officer).get("/jobs/").context["jobs"] == []


def test_a_failed_job_shows_its_error_and_a_retry_runs_it_again(people: Any,
                                                                  login: Any) -> None:
    FAILURES["left"] = 1
    job = enqueue(people.staff, n=2)
    assert job.status == "failed" and job.error == "The count was refused."
    client = login(people.staff)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "The count was refused." in page and f"/jobs/{job.pk}/retry/" in page
    assert client.post(f"/jobs/{job.pk}/retry/").status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempt, job.error) == ("succeeded", 2, "")
    with pytest.raises(ValidationError):
        services.job_retry(actor=people.staff, job=job)  # only a failed job


def test_an_unexpected_error_is_logged_not_shown(people: Any) -> None:
    job = enqueue(people.staff, crash=True)
    assert job.status == "failed"
    assert "internal detail" not in job.error and str(job.pk) in job.error


def test_unknown_kinds_are_refused_at_once(people: Any) -> None:
    with pytest.raises(LookupError):
        services.job_enqueue(kind="nope", owner=people.staff, params={})
    assert not Job.objects.exists()


def running_job(owner: Any, *, heartbeat: dt.datetime) -> Job:
    with override_settings(TASKS={"default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        job = enqueue(owner)
    started = services.job_start(job_id=job.pk, attempt=job.attempt)
    assert started is not None
    Job.objects.filter(pk=job.pk).update(heartbeat_at=heartbeat)
    return started


def test_a_job_whose_worker_died_is_failed_after_the_lease_and_offers_a_retry(
        people: Any, login: Any, settings: Any) -> None:
    settings.DONDOC_JOB_LEASE_SECONDS = 30
    now = timezone.now()
    job = running_job(people.staff, heartbeat=now - dt.timedelta(seconds=29))
    assert services.jobs_reap(now=now) == 0  # within its lease: alive
    assert services.jobs_reap(now=now + dt.timedelta(seconds=2)) == 1
    job.refresh_from_db()
    assert job.status == "failed" and "30 giây" in job.error  # default language: vi
    page = login(people.staff).get(f"/jobs/{job.pk}/").content.decode()
    assert f"/jobs/{job.pk}/retry/" in page


def test_the_page_of_a_dead_job_shows_it_failed_without_waiting_for_a_worker(
        people: Any, login: Any) -> None:
    job = running_job(people.staff, heartbeat=timezone.now() - dt.timedelta(minutes=5))
    page = login(people.staff).get(f"/jobs/{job.pk}/")
    assert page.context["job"].status == "failed"


def test_a_late_worker_cannot_overwrite_a_job_declared_dead(people: Any) -> None:
    job = running_job(people.staff, heartbeat=timezone.now() - dt.timedelta(minutes=5))
    services.jobs_reap()
    with pytest.raises(services.JobLost):
        services.job_progress(job=job, done=1, total=2)
    assert not services.job_succeed(job=job, result={"late": True})
    with pytest.raises(services.JobLost):
        JobContext(job).ensure_alive()
    job.refresh_from_db()
    assert job.status == "failed" and job.result is None


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                      "QUEUES": ["default"]}})
def test_the_database_queue_keeps_the_job_until_a_worker_runs_it(people: Any,
                                                                  monkeypatch: Any) -> None:
    from django_tasks_db.management.commands import db_worker

    from dondoc.jobs.management.commands import worker

    monkeypatch.setattr(worker.Reaper, "start", lambda self: None)  # no thread in a test
    # The worker closes "old" connections between jobs: here that is the test's own.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    job = enqueue(people.staff, n=2)
    assert job.status == "queued"
    assert DBTaskResult.objects.filter(id=job.task_id).exists()
    call_command("worker", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["summary"] == "counted to 2"


def test_serve_recycles_gunicorn_workers(settings: Any) -> None:
    from dondoc.core.management.commands.serve import gunicorn_argv

    argv = gunicorn_argv(bind="127.0.0.1:8000", workers=3, threads=4)
    assert argv[argv.index("--max-requests") + 1] == "1000"
    assert int(argv[argv.index("--max-requests-jitter") + 1]) > 0
    settings.DONDOC_MAX_REQUESTS = 0
    assert "--max-requests" not in gunicorn_argv(bind="x:1", workers=1, threads=1)


def test_serve_restarts_a_worker_that_exits_and_stops_with_the_server(
        monkeypatch: Any, tmp_path: Any) -> None:
    monkeypatch.setattr(supervisor, "RESTART_PAUSE_SECONDS", 0.1)
    starts = tmp_path / "starts"
    worker = [sys.executable, "-c",
              f"open({str(starts)!r}, 'a').write('x')"]  # a worker that exits at once
    web = [sys.executable, "-c", "import time; time.sleep(2.5); raise SystemExit(3)"]
    log = tmp_path / "log"
    with log.open("w") as handle:
        assert supervisor.supervise(web, worker, log=handle) == 3
    assert len(starts.read_text()) >= 2  # started again after it exited
    assert "starting a new one" in log.read_text()
