"""Issuing a consolidated report runs in the background queue (its job page shows the
progress); what can be refused at once is refused at once, nothing is issued twice."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from dondoc.audit.models import AuditEvent
from dondoc.core.concurrency import ConflictError
from dondoc.jobs.kinds import REPORT_ISSUE
from dondoc.jobs.models import Job
from dondoc.jobs.runner import run_job
from dondoc.reports import services
from dondoc.reports.models import ConsolidatedReport, ReportStatus
from dondoc.reports.tests.test_reports import Q3, _create, _issue

pytestmark = pytest.mark.django_db


def test_issuing_from_the_page_goes_through_a_job_and_back_to_the_report(
        org, people, city, login, quick_pdf) -> None:
    report = _create(people.staff, org.catp, city.document)
    client = login(people.staff)

    response = client.post(f"/reports/{report.pk}/issue/",
                           {"number": "125/BC-CATP-PV01", "version": report.version})

    job = Job.objects.get(kind=REPORT_ISSUE)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "succeeded" and job.owner == people.staff
    assert job.result["url"] == f"/reports/{report.pk}/"
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f'href="/reports/{report.pk}/"' in page and job.result["summary"] in page
    report.refresh_from_db()
    assert report.status == ReportStatus.ISSUED and report.number == "125/BC-CATP-PV01"
    assert report.pdf_sha256 and report.docx_sha256
    assert AuditEvent.objects.filter(object_type="reports.consolidatedreport",
                                     object_id=str(report.pk), message="issued").count() == 1


def test_what_can_be_refused_at_once_is_refused_without_a_job(
        org, people, city, login, quick_pdf) -> None:
    report = _create(people.staff, org.catp, city.document)
    client = login(people.staff)

    stale = client.post(f"/reports/{report.pk}/issue/",
                        {"number": "1/BC", "version": report.version - 1}, follow=True)
    with translation.override("vi"):
        conflict = str(ConflictError.message)[:40]
    assert conflict in stale.content.decode()
    blank = client.post(f"/reports/{report.pk}/issue/", {"number": "  ",
                                                         "version": report.version})
    assert blank.status_code == 302 and blank["Location"] == f"/reports/{report.pk}/"
    issued = _issue(_create(people.staff, org.catp, city.document, period=Q3), people.staff)
    again = client.post(f"/reports/{issued.pk}/issue/", {"number": "2/BC",
                                                         "version": issued.version})
    assert again.status_code in {302, 403, 404}, again.status_code
    assert not Job.objects.filter(kind=REPORT_ISSUE).exists()
    assert ConsolidatedReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_a_report_being_issued_shows_its_job_and_is_not_issued_twice(
        org, people, city, login, quick_pdf) -> None:
    report = _create(people.staff, org.catp, city.document)
    waiting = Job.objects.create(kind=REPORT_ISSUE, owner=people.staff, attempt=1, params={
        "report": report.pk, "version": report.version, "number": "7/BC"})
    client = login(people.staff)

    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'data-testid="issuing"' in page and f'href="/jobs/{waiting.pk}/"' in page
    assert "form method=\"post\" action=\"/reports/" + str(report.pk) + "/issue/\"" not in page
    pressed = client.post(f"/reports/{report.pk}/issue/", {"number": "8/BC",
                                                           "version": report.version})
    assert pressed["Location"] == f"/jobs/{waiting.pk}/"
    assert Job.objects.filter(kind=REPORT_ISSUE).count() == 1

    assert run_job.call(job_id=waiting.pk, attempt=waiting.attempt) == "succeeded"
    report.refresh_from_db()
    assert report.status == ReportStatus.ISSUED and report.number == "7/BC"
    # A second run of the same request (a retry) finds it issued and fails with the reason.
    retry = Job.objects.create(kind=REPORT_ISSUE, owner=people.staff, attempt=1,
                               params=dict(waiting.params))
    assert run_job.call(job_id=retry.pk, attempt=retry.attempt) == "failed"
    retry.refresh_from_db()
    with translation.override(people.staff.language or "vi"):
        assert retry.error == gettext("This report has been issued: it can no longer be changed.")
    assert ConsolidatedReport.objects.get(pk=report.pk).number == "7/BC"


def test_an_owner_who_may_no_longer_issue_fails_the_job(org, people, city, quick_pdf) -> None:
    report = _create(people.staff, org.catp, city.document)
    job = Job.objects.create(kind=REPORT_ISSUE, owner=people.officer, attempt=1, params={
        "report": report.pk, "version": report.version, "number": "9/BC"})
    assert run_job.call(job_id=job.pk, attempt=job.attempt) == "failed"
    job.refresh_from_db()
    assert job.error and ConsolidatedReport.objects.get(pk=report.pk).status == "draft"
    assert services.issuing_job(report) is None
