"""The kinds of background work dondoc knows, by name.

A kind names its handler (``handler(context) -> result``, a JSON-able dict) and,
optionally, what to undo when a run is abandoned without the handler's own ``finally``
having run (the worker process was killed), and the page to go back to. Handlers are
given as dotted paths and imported when used, so this module imports no domain app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class JobKind:
    name: str
    label: StrOrPromise
    handler: str  # dotted path: handler(context: JobContext) -> dict
    release: str = ""  # dotted path: release(job) — undo a killed run's claims
    back_url: str = ""  # dotted path: back_url(job) -> str — "back" link of the page
    # Runs started again by the reaper when a worker died mid-run (no one waits to press
    # Retry): only for handlers whose work commits in one transaction checked by
    # ``ensure_alive``, so that a run either counts once or not at all.
    retries_when_abandoned: int = 0

    def call(self, attribute: str, *args: Any) -> Any:
        path = getattr(self, attribute)
        return import_string(path)(*args) if path else None


IMPORT_TASKS = "plans.import_tasks"
URGING_GENERATE = "urging.generate"
REMINDER_PASS = "notifications.reminder_pass"  # noqa: S105 - a job kind, not a password
SEND_MAIL = "notifications.send_mail"
QUEUE_PROBE = "jobs.probe"
REPORT_ISSUE = "reports.issue"

KINDS: dict[str, JobKind] = {
    IMPORT_TASKS: JobKind(
        name=IMPORT_TASKS,
        label=_("Import of tasks from Excel"),
        handler="dondoc.imports.import_jobs.run_import",
        release="dondoc.imports.import_jobs.release_import",
        back_url="dondoc.imports.import_jobs.import_back_url",
    ),
    URGING_GENERATE: JobKind(
        name=URGING_GENERATE,
        label=_("Urging letters"),
        handler="dondoc.urging.services.run_generate_job",
        back_url="dondoc.urging.services.generate_back_url",
    ),
    REMINDER_PASS: JobKind(
        name=REMINDER_PASS,
        label=_("Daily reminder pass"),
        handler="dondoc.notifications.reminders.run_pass_job",
    ),
    SEND_MAIL: JobKind(
        name=SEND_MAIL,
        label=_("Sending e-mails"),
        handler="dondoc.notifications.mail.run_send_mail",
    ),
    REPORT_ISSUE: JobKind(
        name=REPORT_ISSUE,
        label=_("Issuing a consolidated report"),
        handler="dondoc.reports.services.run_issue_job",
        back_url="dondoc.reports.services.issue_back_url",
    ),
    QUEUE_PROBE: JobKind(
        name=QUEUE_PROBE,
        label=_("Queue check"),
        handler="dondoc.jobs.probe.run_probe",
        retries_when_abandoned=2,
    ),
}

# Called about once a minute by `dondoc worker` (dotted paths, each ``tick() -> None``):
# they enqueue work that is due (the daily reminder pass, e-mail retries).
SCHEDULED: tuple[str, ...] = (
    "dondoc.notifications.reminders.scheduler_tick",
)


def get_kind(name: str) -> JobKind:
    try:
        return KINDS[name]
    except KeyError:
        raise LookupError(f"unknown job kind {name!r}") from None
