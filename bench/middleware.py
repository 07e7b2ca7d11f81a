"""The server's CPU time per request, for ``make bench`` only (``bench.settings``).

Outermost middleware: the CPU time of the thread that served the request
(``time.thread_time``: Python, Django and SQLite, which runs in that thread; not the time
spent waiting for the GIL or the disk) goes out as ``Server-Timing: cpu;dur=<ms>``. The
load client reads it, so ``api.tasks.cpu_p50_ms`` is a true median per request, measured
where the work is done, whatever else the machine is running.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


def server_cpu_timing(get_response: Callable[[HttpRequest], HttpResponse],
                      ) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.thread_time()
        response = get_response(request)
        response["Server-Timing"] = f"cpu;dur={(time.thread_time() - started) * 1000:.3f}"
        return response

    return middleware
