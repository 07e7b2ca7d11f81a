"""The confirm step of an Excel import, run as a background job (kind ``plans.import_tasks``).

The preview page enqueues the job; a worker claims the pending upload (an atomic rename,
so it is imported once), reads it again with the owner's current rights, and saves it all
or nothing with :func:`imports.import_commit`, reporting progress. However the run ends
short of success — a refusal, an error, the worker killed (then the reaper calls
:func:`release_import`) — the claim is given back at once and the upload can be retried.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from dondoc.imports import imports
from dondoc.jobs.kinds import IMPORT_TASKS
from dondoc.jobs.models import Job, JobStatus
from dondoc.jobs.runner import JobContext
from dondoc.jobs.services import job_enqueue
from dondoc.organization import scoping
from dondoc.plans.models import Document

# The layout of the pending uploads is the preview page's (views_import): one file
# MEDIA_ROOT/imports/<token>.xlsx, renamed <token>.<suffix>.claimed while being imported.


def pending_path(token: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"{token}.xlsx"


def claimed_path(token: str, job: Job) -> Path:
    return pending_path(token).with_name(f"{token}.job{job.pk}-{job.attempt}.claimed")


def active_import(token: str) -> Job | None:
    """The import job waiting for or running this upload, if any."""
    return (Job.objects.filter(kind=IMPORT_TASKS, params__token=token,
                               status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
            .order_by("-id").first())


def finished_import(token: str) -> Job | None:
    return (Job.objects.filter(kind=IMPORT_TASKS, params__token=token,
                               status=JobStatus.SUCCEEDED).order_by("-id").first())


def import_enqueue(*, actor: Any, document: Document, token: str, fingerprint: str,
                   name: str, assigned_on: dt.date | None = None,
                   lead_overrides: dict[str, int] | None = None) -> Job:
    """The import job of this upload: the one already under way, or a new one."""
    running = active_import(token)
    if running is not None:
        return running
    return job_enqueue(kind=IMPORT_TASKS, owner=actor, params={
        "document": document.pk, "token": token, "fingerprint": fingerprint,
        "name": name[:200],
        "assigned_on": assigned_on.isoformat() if assigned_on else None,
        "lead_overrides": dict(lead_overrides or {})})


def _document_url(document_id: int) -> str:
    try:
        return reverse("document_detail", args=[document_id])
    except NoReverseMatch:
        return "/"


def run_import(context: JobContext) -> dict[str, Any]:
    params = context.params
    owner = context.owner
    token = str(params.get("token", ""))
    if owner is None or not owner.is_active:
        raise ValidationError(_("The account that started this import can no longer "
                                "import."), code="owner_inactive")
    document = (scoping.documents_editable_by(owner).select_related("owner_unit")
                .filter(pk=params.get("document")).first())
    if document is None:
        raise ValidationError(_("You may no longer add tasks to this document."),
                              code="document_forbidden")
    path, claimed = pending_path(token), claimed_path(token, context.job)
    try:
        os.replace(path, claimed)  # the claim: only one run imports a given upload
    except FileNotFoundError:
        raise ValidationError(_("This file has already been imported or cancelled."),
                              code="not_pending") from None
    done = False
    try:
        context.progress(0, 0, _("Reading the file"))
        preview = imports.import_preview(user=owner, document=document,
                                         data=claimed.read_bytes())
        if preview.has_errors or imports.preview_fingerprint(preview) != params.get(
                "fingerprint"):
            # Units, groups or rights changed since the preview was shown.
            raise ValidationError(_("The data changed since the preview was shown: check "
                                    "the preview again."), code="changed")
        assigned_on = params.get("assigned_on")
        result = imports.import_commit(
            actor=owner, document=document, preview=preview,
            assigned_on=dt.date.fromisoformat(assigned_on) if assigned_on else None,
            lead_overrides={int(row): int(unit) for row, unit in
                            (params.get("lead_overrides") or {}).items()},
            progress=context.progress,
                                       before_publish=context.ensure_alive)
        done = True
    finally:
        if done:
            claimed.unlink(missing_ok=True)
        else:  # nothing was saved: the upload is available again at once
            _release(claimed, path)
    return {
        "summary": _("Imported %(tasks)d tasks into %(document)s (%(groups)d new groups).")
        % {"tasks": result.tasks_created, "document": document.number,
           "groups": result.groups_created},
        "url": _document_url(document.pk),
        "document": document.pk,
        "tasks_created": result.tasks_created,
        "groups_created": result.groups_created,
        "groups_reused": result.groups_reused,
    }


def _release(claimed: Path, path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):  # the reaper may have been first
        os.replace(claimed, path)


def release_import(job: Job) -> None:
    """Give back the upload a killed run had claimed (called by the reaper)."""
    token = str((job.params or {}).get("token", ""))
    if token:
        _release(claimed_path(token, job), pending_path(token))


def import_back_url(job: Job) -> str:
    """Where a failed import leads back to: its preview while the upload is pending."""
    params = job.params or {}
    document, token = params.get("document"), str(params.get("token", ""))
    if document is None:
        return ""
    if token and pending_path(token).is_file():
        return reverse("task_import_preview", args=[document, token])
    return reverse("task_import", args=[document])
