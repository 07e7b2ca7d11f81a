"""The pages and the API accept the same input: evidence files up to DONDOC_MAX_UPLOAD_MB
(not the API's 1 MiB JSON limit), at most ten per report, and free text up to the same
length."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dondoc.core.limits import LONG_TEXT_MAX, MAX_FILES_PER_SUBMISSION
from dondoc.plans.models import TaskFile
from dondoc.progress.models import ProgressUpdate

PDF = b"%PDF-1.4\n% evidence\n"


def _pdf(size: int, name: str = "bien-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + b"0" * (size - len(PDF)), "application/pdf")


def _api_upload(api: Any, user: Any, task: Any, data: dict[str, Any]) -> Any:
    client = api(user)
    return client.client.post(f"/api/v1/tasks/{task.pk}/progress/upload", data,
                              headers={"Authorization": f"Bearer {client.secret}"})


def _page_upload(login: Any, user: Any, task: Any, data: dict[str, Any]) -> Any:
    return login(user).post(f"/tasks/{task.pk}/progress/",
                            {"unit": task.lead_unit_id, **data})


def test_a_5_mb_evidence_file_is_accepted_by_the_api_as_by_the_page(
        api: Any, login: Any, people: Any, work: Any) -> None:
    size = 5 * 1024 * 1024
    response = _api_upload(api, people.manager, work.traffic, {
        "percent": "30", "results": "Biên bản nghiệm thu", "files": _pdf(size)})
    assert response.status_code == 201, response.content[:300]
    page = _page_upload(login, people.manager, work.traffic, {
        "percent": "35", "results": "Ảnh hiện trường", "evidence": _pdf(size)})
    assert page.status_code == 302
    assert list(TaskFile.objects.values_list("size", flat=True)) == [size, size]


@pytest.mark.parametrize("channel", ["api", "page"])
def test_a_file_over_the_limit_is_refused_on_both(api: Any, login: Any, people: Any,
                                                  work: Any, settings: Any,
                                                  channel: str) -> None:
    settings.DONDOC_MAX_UPLOAD_MB = 1
    big = _pdf(1024 * 1024 + 1)
    if channel == "api":
        response = _api_upload(api, people.manager, work.traffic,
                               {"percent": "30", "results": "Quá lớn", "files": big})
        assert response.status_code == 422
    else:
        response = _page_upload(login, people.manager, work.traffic,
                                {"percent": "30", "results": "Quá lớn", "evidence": big})
        assert response.status_code == 200 and "evidence" in response.context["form"].errors
    assert not ProgressUpdate.objects.exists()


def test_both_accept_at_most_ten_files(api: Any, login: Any, people: Any, work: Any) -> None:
    files = [_pdf(100, f"f{index}.pdf") for index in range(MAX_FILES_PER_SUBMISSION + 1)]
    response = _api_upload(api, people.manager, work.traffic,
                           {"percent": "30", "results": "Nhiều tệp", "files": files})
    assert response.status_code == 422
    files = [_pdf(100, f"f{index}.pdf") for index in range(MAX_FILES_PER_SUBMISSION + 1)]
    page = _page_upload(login, people.manager, work.traffic,
                        {"percent": "30", "results": "Nhiều tệp", "evidence": files})
    assert page.status_code == 200 and "evidence" in page.context["form"].errors
    assert not ProgressUpdate.objects.exists()


def test_free_text_has_the_same_maximum_on_the_page_and_in_the_api(
        api: Any, login: Any, people: Any, work: Any) -> None:
    too_long = "x" * (LONG_TEXT_MAX + 1)
    page = _page_upload(login, people.manager, work.traffic,
                        {"percent": "30", "results": too_long})
    assert page.status_code == 200 and "results" in page.context["form"].errors
    response = api(people.manager).post(f"/tasks/{work.traffic.pk}/progress",
                                        {"percent": 30, "results": too_long})
    assert response.status_code == 422
    assert not ProgressUpdate.objects.exists()
    longest = "x" * LONG_TEXT_MAX
    assert _page_upload(login, people.manager, work.traffic,
                        {"percent": "30", "results": longest}).status_code == 302
    assert api(people.manager).post(f"/tasks/{work.traffic.pk}/progress",
                                    {"percent": 31, "results": longest}).status_code == 201


@pytest.mark.parametrize("path", ["edit", "direction"])
def test_long_text_limits_on_task_forms(login: Any, people: Any, work: Any, path: str) -> None:
    if path == "direction":
        client = login(people.leader)
        client.post(f"/tasks/{work.traffic.pk}/direction/", {"text": "x" * (LONG_TEXT_MAX + 1)})
        assert not work.traffic.directions.exists()
        client.post(f"/tasks/{work.traffic.pk}/direction/", {"text": "x" * LONG_TEXT_MAX})
        assert work.traffic.directions.count() == 1
    else:
        form = login(people.staff).get(f"/tasks/{work.traffic.pk}/edit/").context["form"]
        assert form.fields["description"].max_length == LONG_TEXT_MAX
