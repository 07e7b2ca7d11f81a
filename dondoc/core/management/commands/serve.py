"""Serve dondoc with gunicorn; static files are served by WhiteNoise from the same process.

By default a background-job worker runs beside it (``dondoc worker``, supervised:
restarted if it dies); ``--no-worker`` (or ``DONDOC_EMBEDDED_WORKER=false``) serves the
web only, for deployments that run their workers as separate services.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the application (production-grade server, static files included)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int,
                            default=int(os.environ.get("WEB_CONCURRENCY", "0")) or None)
        parser.add_argument("--threads", type=int, default=int(os.environ.get("THREADS", "4")))
        parser.add_argument("--no-worker", dest="job_worker", action="store_false",
                            default=settings.DONDOC_EMBEDDED_WORKER,
                            help="do not start a background-job worker beside the server")
        parser.add_argument("--no-collectstatic", dest="collect", action="store_false",
                            help="do not collect the static files first (several nodes "
                                 "sharing a data folder: collect once per deployment)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["collect"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        workers = options["workers"] or min(2 * (os.cpu_count() or 1) + 1, 9)
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"dondoc: http://{bind}/  ({workers} workers)")
        argv = gunicorn_argv(bind=bind, workers=workers, threads=options["threads"])
        if options["job_worker"]:
            from dondoc.jobs.supervisor import supervise, worker_command

            self.stdout.write("dondoc: background-job worker started beside the server")
            sys.exit(supervise(argv, worker_command()))
        try:
            os.execv(sys.executable, argv)  # noqa: S606 - replaces this process by design
        except OSError as exc:
            raise CommandError(f"could not start gunicorn: {exc}") from exc


def gunicorn_argv(*, bind: str, workers: int, threads: int) -> list[str]:
    argv = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--bind", bind, "--workers", str(workers), "--threads", str(threads),
        "--access-logfile", "-", "--timeout", "120", "--graceful-timeout", "20",
        # Longer than a proxy keeps idle connections to us (nginx: 60 s), so the proxy
        # never sends a request on a connection we are closing.
        "--keep-alive", str(settings.DONDOC_KEEPALIVE_SECONDS),
    ]
    max_requests = settings.DONDOC_MAX_REQUESTS
    if max_requests > 0:
        # A web worker is replaced after about N requests (jitter: not all at once), so
        # the memory a large request left behind is given back to the system.
        argv += ["--max-requests", str(max_requests),
                 "--max-requests-jitter", str(max(1, max_requests // 10))]
    return argv
