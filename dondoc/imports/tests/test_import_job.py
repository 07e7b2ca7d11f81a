"""The confirm step of an import as a background job, and the workbook limits checked
before a workbook is loaded."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone, translation
from openpyxl import Workbook

from dondoc.audit.models import AuditEvent
from dondoc.imports import import_jobs, imports
from dondoc.imports.importing import UnitDirectory, parse_workbook
from dondoc.imports.tests.test_import_flow import CLEAN_ROWS, HEADER, districts, plan, upload, xlsx
from dondoc.imports.workbook_limits import (
    MAX_MERGED_RANGE_CELLS,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    WorkbookTooLarge,
    check_workbook,
)
from dondoc.jobs import services as jobs
from dondoc.jobs.models import Job
from dondoc.plans import services as plan_services
from dondoc.plans.models import Task, TaskGroup

__all__ = ["districts", "plan"]  # fixtures shared with the import flow tests


def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def start(client: Any, document: Any) -> tuple[str, str]:
    """Upload the clean appendix: (preview url, token)."""
    url = upload(client, document, xlsx(*CLEAN_ROWS))["Location"]
    return url, url.rstrip("/").rsplit("/", 1)[-1]


def assert_nothing_imported(document: Any) -> None:
    assert not Task.objects.filter(document=document).exists()
    assert not TaskGroup.objects.filter(document=document).exists()
    assert not AuditEvent.objects.filter(object_type="plans.task").exists()


# ---------------------------------------------------------------------------------------
# The import job
# ---------------------------------------------------------------------------------------


def test_confirming_runs_the_import_as_a_job_with_a_progress_page(people, login, plan) -> None:
    client = login(people.staff)
    url, token = start(client, plan)
    response = client.post(url, {"action": "confirm"})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.owner, job.status) == ("plans.import_tasks", people.staff, "succeeded")
    assert job.progress_done == job.progress_total == 8  # 4 tasks checked, then saved
    assert job.result["tasks_created"] == 4
    page = client.get(response["Location"]).content.decode()
    assert "Imported 4 tasks into 118-KH/CATP (2 new groups)." in page
    assert Task.objects.filter(document=plan).count() == 4
    assert not list(folder().glob(f"{token}*"))  # the upload is gone once imported


def test_a_second_confirmation_joins_the_job_under_way(people, login, plan) -> None:
    client = login(people.staff)
    url, _token = start(client, plan)
    with override_settings(TASKS={"default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):  # waits for a worker
        first = client.post(url, {"action": "confirm"})
        second = client.post(url, {"action": "confirm"})
        assert client.get(url)["Location"] == first["Location"]  # the preview leads there
    assert first["Location"] == second["Location"]
    assert Job.objects.count() == 1


def test_an_error_during_the_import_saves_nothing_and_releases_the_upload_at_once(
        people, login, plan, monkeypatch) -> None:
    client = login(people.staff)
    url, token = start(client, plan)

    def broken(**kwargs: Any) -> None:  # the database fails half-way through the save
        raise RuntimeError("disk I/O error")

    real_insert = plan_services.tasks_bulk_insert
    monkeypatch.setattr(plan_services, "tasks_bulk_insert", broken)
    client.post(url, {"action": "confirm"})
    job = Job.objects.get()
    assert job.status == "failed" and "nothing was saved" in job.error
    assert_nothing_imported(plan)  # the groups created just before are rolled back too
    assert (folder() / f"{token}.xlsx").is_file()  # released: no ".claimed" left
    assert not list(folder().glob(f"{token}.*.claimed"))
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"/jobs/{job.pk}/retry/" in page and url in page  # retry, or back to the preview

    monkeypatch.setattr(plan_services, "tasks_bulk_insert", real_insert)
    client.post(f"/jobs/{job.pk}/retry/")
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempt == 2
    assert Task.objects.filter(document=plan).count() == 4


def test_a_killed_worker_releases_the_upload_when_the_reaper_finds_it(
        people, login, plan) -> None:
    client = login(people.staff)
    url, token = start(client, plan)
    with override_settings(TASKS={"default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        client.post(url, {"action": "confirm"})
    job = Job.objects.get()
    # A worker starts the job, claims the upload as the handler does, and is killed (-9):
    # no finally, no outcome, no more heartbeats.
    job = jobs.job_start(job_id=job.pk, attempt=job.attempt)
    assert job is not None
    (folder() / f"{token}.xlsx").rename(import_jobs.claimed_path(token, job))
    assert client.get(url)["Location"] == f"/jobs/{job.pk}/"  # "being imported"
    later = timezone.now() + dt.timedelta(seconds=settings.DONDOC_JOB_LEASE_SECONDS + 1)
    assert jobs.jobs_reap(now=later) == 1
    job.refresh_from_db()
    assert job.status == "failed"
    assert (folder() / f"{token}.xlsx").is_file()  # given back for a retry
    assert_nothing_imported(plan)
    client.post(f"/jobs/{job.pk}/retry/")  # the immediate backend runs it
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert Task.objects.filter(document=plan).count() == 4


def test_a_run_declared_dead_does_not_publish_its_import(people, login, plan,
                                                         monkeypatch) -> None:
    client = login(people.staff)
    url, _token = start(client, plan)
    real_prepare = plan_services.tasks_bulk_prepare

    def prepare_then_stall(**kwargs: Any) -> Any:
        batch = real_prepare(**kwargs)
        # The worker stalled past its lease here; the reaper failed the job meanwhile.
        later = timezone.now() + dt.timedelta(seconds=settings.DONDOC_JOB_LEASE_SECONDS + 1)
        Job.objects.update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
        assert jobs.jobs_reap(now=later) == 1
        return batch

    monkeypatch.setattr(plan_services, "tasks_bulk_prepare", prepare_then_stall)
    client.post(url, {"action": "confirm"})
    assert Job.objects.get().status == "failed"
    assert_nothing_imported(plan)


def test_the_import_publishes_in_one_transaction_after_preparing_outside_it(
        people, plan, monkeypatch) -> None:
    """Everything is validated before the write transaction opens (short lock)."""
    from django.db import connection

    preview = imports.import_preview(user=people.staff, document=plan,
                                     data=xlsx(*CLEAN_ROWS))
    depth: dict[str, int] = {}
    real_prepare = plan_services.tasks_bulk_prepare

    def spy(**kwargs: Any) -> Any:
        depth["prepare"] = len(connection.savepoint_ids)
        return real_prepare(**kwargs)

    monkeypatch.setattr(plan_services, "tasks_bulk_prepare", spy)
    steps: list[tuple[int, int, str]] = []

    def before_publish() -> None:
        depth["publish"] = len(connection.savepoint_ids)

    imports.import_commit(actor=people.staff, document=plan, preview=preview,
                          progress=lambda *step: steps.append(step),
                          before_publish=before_publish)
    assert depth["publish"] == depth["prepare"] + 1  # only the publish is in a transaction
    assert steps[0][0] == 0 and steps[-1][0] == steps[-1][1] == 8


# ---------------------------------------------------------------------------------------
# Workbook limits
# ---------------------------------------------------------------------------------------


def workbook(rows: int = 3, columns: int = 7, merges: tuple[str, ...] = ()) -> bytes:
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = "Phụ lục"
    for col, value in enumerate(HEADER, start=1):
        sheet.cell(row=1, column=col, value=value)
    for row in range(2, rows + 1):
        sheet.cell(row=row, column=1, value=row - 1)
        sheet.cell(row=row, column=2, value=f"Nhiệm vụ {row}")
    if columns > len(HEADER):
        sheet.cell(row=2, column=columns, value="x")
    for ref in merges:
        sheet.merge_cells(ref)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_merge(data: bytes, ref: str) -> bytes:
    """``data`` with a merged range written straight into the sheet's XML (openpyxl would
    build every cell of a huge range just to save it)."""
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", (
                    f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/>'
                    "</mergeCells>").encode())
            out.writestr(info, content)
    return target.getvalue()


def tall_workbook(rows: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Phụ lục")
    sheet.append(HEADER)
    for number in range(1, rows):
        sheet.append([number, "Việc"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "english", "vietnamese"), [
    (lambda: with_merge(workbook(), f"A10:Z{10 + MAX_MERGED_RANGE_CELLS // 26}"),
     "has a merged range A10:Z394 of 10,010 cells, at most 10,000: unmerge it",
     "có vùng gộp ô A10:Z394 gồm 10.010 ô, tối đa 10.000 ô"),
    (lambda: workbook(columns=MAX_SHEET_COLUMNS + 1),
     "has 101 columns, at most 100", "có 101 cột, tối đa 100 cột"),
    (lambda: tall_workbook(MAX_SHEET_ROWS + 1),
     "has 20,001 rows, at most 20,000 can be imported", "có 20.001 dòng"),
])
def test_a_workbook_beyond_the_limits_is_refused_before_it_is_loaded(
        data: Any, english: str, vietnamese: str) -> None:
    content = data()
    for language, expected in (("en", english), ("vi", vietnamese)):
        with translation.override(language), pytest.raises(WorkbookTooLarge) as refused:
            check_workbook(content)
        assert expected in refused.value.messages[0]
        assert "Phụ lục" in refused.value.messages[0]
    with pytest.raises(WorkbookTooLarge):  # and where openpyxl would load it
        parse_workbook(content, UnitDirectory([], {}))


def test_the_upload_form_refuses_a_huge_merged_range_and_keeps_nothing(
        people, login, plan) -> None:
    data = with_merge(workbook(), "A10:XFD100000")  # one range of 1.6 billion cells
    before = set(folder().glob("*")) if folder().exists() else set()
    response = upload(login(people.staff), plan, data)
    assert response.status_code == 200
    assert "unmerge it in Excel" in response.content.decode()
    assert (set(folder().glob("*")) if folder().exists() else set()) == before


def test_a_zip_that_unpacks_too_large_is_refused(monkeypatch) -> None:
    from dondoc.imports import workbook_limits

    monkeypatch.setattr(workbook_limits, "MAX_UNPACKED_BYTES", 1000)
    with translation.override("en"), pytest.raises(WorkbookTooLarge, match="once unpacked"):
        check_workbook(workbook())


def test_ordinary_and_non_excel_files_pass_the_limits_untouched() -> None:
    check_workbook(workbook(rows=2000, merges=("C5:C1500", "A1:G1")))
    check_workbook(b"not a zip at all")  # the parser says "not an Excel workbook"
    stream = io.BytesIO(workbook())
    stream.seek(3)
    check_workbook(stream)
    assert stream.tell() == 3  # a file is given back where it was
