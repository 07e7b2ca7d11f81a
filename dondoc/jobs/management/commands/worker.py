"""``dondoc worker``: run background jobs until stopped (SIGTERM finishes the current one).

The queue is django-tasks' database backend (its ``db_worker`` loop); beside it a thread
of this process reaps jobs whose worker died (no heartbeat for the lease), this worker's
or any other's. Run as many workers as you like: each job is claimed by one.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connection
from django.utils.crypto import get_random_string

from dondoc.jobs import runner, services

logger = logging.getLogger("dondoc.jobs")


class Reaper(threading.Thread):
    def __init__(self, interval: float) -> None:
        super().__init__(name="job-reaper", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while True:
                try:
                    services.jobs_reap()
                except DatabaseError:  # busy or briefly unreachable: next round
                    logger.warning("job reaper: database error", exc_info=True)
                if self.stopped.wait(self.interval):
                    return
        finally:
            connection.close()


class Scheduler(threading.Thread):
    """Calls the scheduled ticks of :data:`dondoc.jobs.kinds.SCHEDULED` every ``interval``
    seconds; each enqueues what is due, keyed so that several workers enqueue it once."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="job-scheduler", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        from django.utils.module_loading import import_string

        from dondoc.jobs.kinds import SCHEDULED

        try:
            while not self.stopped.wait(self.interval):
                close_old_connections()  # a connection the database dropped meanwhile
                for path in SCHEDULED:
                    try:
                        import_string(path)()
                    except Exception:  # one failing tick must not stop the others
                        logger.exception("scheduler: %s failed", path)
        finally:
            connection.close()


class Command(BaseCommand):
    help = "Run background jobs (Excel imports, …) until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds between looks at an empty queue (default 1)")
        parser.add_argument("--worker-id", default="",
                            help="a name unique among the workers (default: random)")
        parser.add_argument("--max-tasks", type=int, default=None,
                            help="exit after this many jobs (a supervisor starts a new one)")
        parser.add_argument("--batch", action="store_true",
                            help="run the jobs waiting now, then exit")
        parser.add_argument("--schedule-every", type=float, default=60.0,
                            help="seconds between looks for scheduled work such as the "
                                 "daily reminder pass (default 60; 0: never)")

    def handle(self, *args: Any, **options: Any) -> None:
        runner.IN_WORKER = True
        reaper = Reaper(settings.DONDOC_JOB_HEARTBEAT_SECONDS)
        reaper.start()
        scheduler = None
        if options["schedule_every"] > 0 and not options["batch"]:
            scheduler = Scheduler(options["schedule_every"])
            scheduler.start()
        worker_id = options["worker_id"] or f"dondoc-{get_random_string(12)}"
        self.stdout.write(
            f"dondoc worker {worker_id}: lease {settings.DONDOC_JOB_LEASE_SECONDS}s, "
            f"heartbeat {settings.DONDOC_JOB_HEARTBEAT_SECONDS}s")
        extra: dict[str, Any] = {}
        if options["max_tasks"]:
            extra["max_tasks"] = options["max_tasks"]
        try:
            call_command("db_worker", queue_name="default", interval=options["interval"],
                         reload=False, batch=options["batch"], worker_id=worker_id[:64],
                         verbosity=options["verbosity"], **extra)
        finally:
            reaper.stopped.set()
            if scheduler is not None:
                scheduler.stopped.set()
