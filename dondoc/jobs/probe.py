"""The queue check: a job that takes a while and then commits one countable trace.

``dondoc queue-check N`` (and ``make drill``) enqueue probes and count their traces: every
probe must end *succeeded* with exactly one trace, even when a worker is killed in the
middle of one (the reaper starts it again; the killed run committed nothing).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.db import transaction

from dondoc.audit.models import Action, AuditEvent
from dondoc.audit.services import record

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from dondoc.jobs.runner import JobContext

TRACE = "queue probe done"
MAX_SECONDS = 60.0


def run_probe(context: JobContext) -> dict[str, Any]:
    seconds = min(max(float(context.params.get("seconds", 1.0)), 0.0), MAX_SECONDS)
    steps = 10
    context.progress(0, steps)
    for step in range(1, steps + 1):
        time.sleep(seconds / steps)
        context.progress(step, steps)
    with transaction.atomic():
        context.ensure_alive()  # a run declared dead meanwhile commits nothing
        record(actor=None, action=Action.OTHER, obj=context.job, message=TRACE)
    return {"attempt": context.job.attempt}


def probe_traces(job_ids: list[int]) -> QuerySet[AuditEvent]:
    """The committed traces of the given probe jobs (one each when all went well)."""
    return AuditEvent.objects.filter(
        object_type="jobs.job", object_id__in=[str(pk) for pk in job_ids], message=TRACE)
