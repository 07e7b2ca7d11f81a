"""Serve dondoc with gunicorn; static files are served by WhiteNoise from the same process."""

from __future__ import annotations

import os
import sys
from typing import Any

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

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        workers = options["workers"] or min(2 * (os.cpu_count() or 1) + 1, 9)
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"dondoc: http://{bind}/  ({workers} workers)")
        argv = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--bind", bind, "--workers", str(workers), "--threads", str(options["threads"]),
            "--access-logfile", "-", "--timeout", "120", "--graceful-timeout", "20",
        ]
        try:
            os.execv(sys.executable, argv)  # noqa: S606 - replaces this process by design
        except OSError as exc:
            raise CommandError(f"could not start gunicorn: {exc}") from exc
