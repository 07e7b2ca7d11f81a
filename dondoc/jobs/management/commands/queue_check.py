"""``dondoc queue-check``: enqueue probe jobs and check that the workers ran each exactly once.

Run it with the workers up (``dondoc worker``, any number, on any server): it enqueues
``--jobs`` probes of ``--seconds`` each, waits for them (up to ``--timeout``), and counts
for each probe its status and its committed traces — exactly one when the queue is sound,
even if a worker was killed meanwhile (the reaper starts the abandoned probe again).
Exits 1 when a probe did not finish, failed, or left a number of traces other than one.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dondoc.jobs import services
from dondoc.jobs.kinds import QUEUE_PROBE
from dondoc.jobs.models import Job, JobStatus
from dondoc.jobs.probe import probe_traces


class Command(BaseCommand):
    help = "Check the job queue: enqueue probe jobs and count that each ran exactly once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--jobs", type=int, default=10, help="probes to enqueue (10)")
        parser.add_argument("--seconds", type=float, default=1.0,
                            help="how long each probe works (1 s)")
        parser.add_argument("--timeout", type=float, default=120.0,
                            help="seconds to wait for all of them (120)")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["jobs"] <= 1000:
            raise CommandError("--jobs must be from 1 to 1000")
        started = time.monotonic()
        ids = [services.job_enqueue(kind=QUEUE_PROBE, owner=None,
                                    params={"seconds": options["seconds"]}).pk
               for _ in range(options["jobs"])]
        deadline = started + options["timeout"]
        while time.monotonic() < deadline:
            if not Job.objects.filter(pk__in=ids, status__in=[
                    JobStatus.QUEUED, JobStatus.RUNNING]).exists():
                break
            time.sleep(0.5)
        figures = check(ids)
        figures["seconds"] = round(time.monotonic() - started, 1)
        if options["json"]:
            self.stdout.write(json.dumps(figures))
        else:
            self.stdout.write(
                f"queue check: {figures['succeeded']}/{figures['jobs']} probes succeeded, "
                f"{figures['exactly_once']} with exactly one trace, "
                f"{figures['retried']} started again after a lost worker, "
                f"in {figures['seconds']} s")
        if not figures["ok"]:
            raise CommandError(f"queue check FAILED: {figures['problems']}")


def check(ids: list[int]) -> dict[str, Any]:
    """Figures of the probes ``ids``: statuses, traces per probe, and what is wrong."""
    jobs = {job.pk: job for job in Job.objects.filter(pk__in=ids)}
    traces = Counter(int(pk) for pk in probe_traces(ids).values_list("object_id", flat=True))
    statuses = Counter(job.status for job in jobs.values())
    problems = [f"job {pk}: {jobs[pk].status}, {traces[pk]} trace(s)" for pk in ids
                if jobs[pk].status != JobStatus.SUCCEEDED or traces[pk] != 1]
    return {
        "jobs": len(ids),
        "succeeded": statuses[JobStatus.SUCCEEDED],
        "failed": statuses[JobStatus.FAILED],
        "unfinished": statuses[JobStatus.QUEUED] + statuses[JobStatus.RUNNING],
        "exactly_once": sum(1 for pk in ids if traces[pk] == 1),
        "retried": sum(1 for job in jobs.values() if job.attempt > 1),
        "problems": problems[:10],
        "ok": not problems,
    }
