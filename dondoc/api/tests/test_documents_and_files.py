"""Documents created and changed through the API (ETag / If-Match), tasks suspended,
resumed and cancelled, and evidence files uploaded with progress and completion requests
and downloaded again. Bad input saves nothing; every write is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from dondoc.api.tests.conftest import ApiClient, assert_error, token_for
from dondoc.audit.models import AuditEvent
from dondoc.plans import services
from dondoc.plans.models import CompletionRequest, Document, Task, TaskFile, TaskState
from dondoc.progress.models import ProgressUpdate

PDF = b"%PDF-1.4\n% evidence\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture
def staff(people: Any, work: Any) -> ApiClient:
    return ApiClient(token_for(people.staff))


@pytest.fixture
def manager(people: Any, work: Any) -> ApiClient:
    return ApiClient(token_for(people.manager))


def _new_document(**changes: Any) -> dict[str, Any]:
    return {"kind": "plan", "number": "25/KH-CAĐN", "title": "Kế hoạch chuyển đổi số",
            "issuer": "Công an thành phố Đà Nẵng", "issue_date": "2025-05-01",
            "code_prefix": "KH25", **changes}


def _audit_of(model: str, pk: int) -> list[str]:
    return list(AuditEvent.objects.filter(object_type=model, object_id=str(pk)).order_by("pk")
                .values_list("action", flat=True))


def _upload(client: ApiClient, path: str, data: dict[str, Any]) -> Any:
    """A multipart POST (the test client encodes files and repeated fields)."""
    return client.client.post(f"/api/v1{path}", data,
                              headers={"Authorization": f"Bearer {client.secret}"})


# Documents -------------------------------------------------------------------------------


def test_staff_register_a_document_for_their_agency(staff, work, org) -> None:
    response = staff.post("/documents", _new_document(parent=work.document.pk,
                                                      summary="Tóm tắt"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner_unit"]["code"] == "CATP"  # default: the top of the scope
    assert (body["parent"], body["code_prefix"], body["version"]) == (
        work.document.pk, "KH25", 1)
    assert response["ETag"] == f'"{body["id"]}-1"'
    assert _audit_of("plans.document", body["id"]) == ["create"]
    assert staff.get(f"/documents/{body['id']}")["ETag"] == response["ETag"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"kind": "memo"}, "kind"),
    ({"title": ""}, "title"),
    ({"issue_date": "01/05/2025"}, "issue_date"),
    ({"code_prefix": "KH118"}, "code_prefix"),  # already used
    ({"owner_unit": 987_654_321}, "owner_unit"),
    ({"parent": 987_654_321}, "parent"),
    ({"is_public": "yes"}, "is_public"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_document_field_is_named_and_nothing_is_saved(staff, work, changes,
                                                             field) -> None:
    before = Document.objects.count(), AuditEvent.objects.count()
    body = assert_error(staff.post("/documents", _new_document(**changes)), 422, "invalid")
    assert field in body["errors"], body
    assert (Document.objects.count(), AuditEvent.objects.count()) == before


def test_a_foreign_unit_or_parent_is_refused_like_an_unknown_one(people, work, org) -> None:
    other = ApiClient(token_for(people.other_staff))
    foreign = assert_error(other.post("/documents", _new_document(owner_unit=org.catp.pk)),
                           422)
    assert set(foreign["errors"]) == {"owner_unit"}
    parent = assert_error(other.post("/documents", _new_document(parent=work.document.pk)),
                          422)
    assert set(parent["errors"]) == {"parent"}


def test_a_document_is_changed_with_its_etag(staff, work) -> None:
    url = f"/documents/{work.document.pk}"
    etag = staff.get(url)["ETag"]
    missing = assert_error(staff.patch(url, {"title": "Tên mới"}), 428,
                           "precondition_required")
    assert missing["message"]
    changed = staff.patch(url, {"title": "Tên mới", "summary": "Đã sửa"},
                          headers={"If-Match": etag})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["title"], changed.json()["version"]) == ("Tên mới", 2)
    assert changed["ETag"] != etag
    stale = staff.patch(url, {"title": "Lần nữa"}, headers={"If-Match": etag})
    assert_error(stale, 412, "precondition_failed")
    assert stale["ETag"] == changed["ETag"]
    assert Document.objects.get(pk=work.document.pk).title == "Tên mới"
    assert _audit_of("plans.document", work.document.pk) == ["create", "update"]


def test_a_bad_document_change_saves_nothing(staff, work) -> None:
    url = f"/documents/{work.document.pk}"
    etag = staff.get(url)["ETag"]
    before = AuditEvent.objects.count()
    for body, field in [({"title": None}, "title"), ({"parent": work.document.pk}, "parent"),
                        ({"issue_date": 20250101}, "issue_date"),
                        ({"code_prefix": "KH7"}, "code_prefix")]:
        error = assert_error(staff.patch(url, body, headers={"If-Match": etag}), 422)
        assert field in error["errors"], (body, error)
    document = Document.objects.get(pk=work.document.pk)
    assert (document.version, document.parent_id, document.code_prefix) == (1, None, "KH118")
    assert AuditEvent.objects.count() == before


def test_documents_above_the_scope_are_visible_but_not_editable(people, work, org) -> None:
    manager = ApiClient(token_for(people.manager))
    response = manager.patch(f"/documents/{work.document.pk}", {"title": "X"},
                             headers={"If-Match": "*"})
    assert_error(response, 403, "forbidden")


# Suspend, resume, cancel -----------------------------------------------------------------


def test_a_task_is_suspended_resumed_and_cancelled(staff, work) -> None:
    url = f"/tasks/{work.traffic.pk}"
    suspended = staff.post(f"{url}/suspend", {"reason": "Chờ phân bổ kinh phí"})
    assert suspended.status_code == 200, suspended.content
    assert suspended.json()["state"] == TaskState.SUSPENDED
    assert suspended["ETag"] == staff.get(url)["ETag"]
    again = assert_error(staff.post(f"{url}/suspend", {"reason": "Lần nữa"}), 409, "conflict")
    assert again["message"]
    resumed = staff.post(f"{url}/resume")
    assert resumed.json()["state"] in {TaskState.ASSIGNED, TaskState.IN_PROGRESS}
    assert_error(staff.post(f"{url}/resume"), 409, "conflict")
    cancelled = staff.post(f"{url}/cancel", {"reason": "Không còn phù hợp"})
    assert cancelled.json()["state"] == TaskState.CANCELLED
    assert cancelled.json()["status"] is None
    assert_error(staff.post(f"{url}/cancel", {"reason": "Lần nữa"}), 409, "conflict")
    assert_error(staff.post(f"{url}/suspend", {"reason": "Sau khi hủy"}), 409, "conflict")
    assert _audit_of("plans.task", work.traffic.pk) == ["create", "update", "update", "update"]


@pytest.mark.parametrize(("action", "body", "field"), [
    ("suspend", {}, "reason"),
    ("suspend", {"reason": ""}, "reason"),
    ("suspend", {"reason": 5}, "reason"),
    ("cancel", {"reason": "   "}, "reason"),  # blank: the service refuses it
    ("cancel", {"reason": "x", "when": "now"}, "when"),
])
def test_a_bad_reason_is_refused_and_nothing_changes(staff, work, action, body, field) -> None:
    before = AuditEvent.objects.count()
    error = assert_error(staff.post(f"/tasks/{work.traffic.pk}/{action}", body), 422)
    assert field in error["errors"], error
    task = Task.objects.get(pk=work.traffic.pk)
    assert (task.state, task.version) == (work.traffic.state, work.traffic.version)
    assert AuditEvent.objects.count() == before


def test_a_task_with_a_pending_completion_request_cannot_be_suspended(staff, people,
                                                                      work) -> None:
    services.completion_request(actor=people.outsider, task=work.admin_task, note="Xong")
    assert_error(staff.post(f"/tasks/{work.admin_task.pk}/suspend", {"reason": "Tạm dừng"}),
                 409, "conflict")


# Evidence files --------------------------------------------------------------------------


def test_progress_with_evidence_files_and_downloading_them(manager, staff, people,
                                                           work) -> None:
    response = _upload(manager, f"/tasks/{work.traffic.pk}/progress/upload", {
        "percent": "40", "results": "Lắp 40 camera",
        "files": [SimpleUploadedFile("bien-ban.pdf", PDF),
                  SimpleUploadedFile("anh.png", PNG)]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["percent"], body["unit"]["code"]) == (40, "PC08")
    assert [item["name"] for item in body["files"]] == ["bien-ban.pdf", "anh.png"]
    assert _audit_of("progress.progressupdate", body["id"]) == ["create"]
    download = staff.get(f"/task-files/{body['files'][0]['id']}")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "bien-ban.pdf" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF
    other = ApiClient(token_for(people.other_staff))
    foreign = other.get(f"/task-files/{body['files'][0]['id']}")
    assert foreign.status_code == 404
    assert foreign.json() == other.get("/task-files/987654321").json()


def test_completion_request_with_product_files(manager, work) -> None:
    response = _upload(manager, f"/tasks/{work.traffic.pk}/completion-requests/upload", {
        "note": "Đã lắp đủ 100 camera", "files": SimpleUploadedFile("san-pham.pdf", PDF)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert [item["name"] for item in body["files"]] == ["san-pham.pdf"]
    assert TaskFile.objects.get().completion_request_id == body["id"]
    assert _audit_of("plans.completionrequest", body["id"]) == ["create"]


def test_upload_without_files_works_like_the_json_operation(manager, work) -> None:
    response = _upload(manager, f"/tasks/{work.traffic.pk}/progress/upload",
                       {"percent": "10", "results": "Khảo sát"})
    assert response.status_code == 201, response.content
    assert response.json()["files"] == []


def _saved() -> tuple[int, int, int, int]:
    return (ProgressUpdate.objects.count(), CompletionRequest.objects.count(),
            TaskFile.objects.count(), AuditEvent.objects.count())


@pytest.mark.parametrize(("upload", "words"), [
    (SimpleUploadedFile("virus.exe", b"MZ\x90\x00"), ".exe"),
    (SimpleUploadedFile("gia-mao.pdf", b"MZ\x90\x00 not a pdf"), "gia-mao.pdf"),
    (SimpleUploadedFile("rong.pdf", b""), "rong.pdf"),
])
@pytest.mark.parametrize("path", ["progress/upload", "completion-requests/upload"])
def test_a_bad_file_is_refused_with_422_and_nothing_is_saved(manager, work, upload, words,
                                                             path) -> None:
    before = _saved()
    data = {"percent": "20", "results": "Đã làm", "note": "Xong"}
    if path.startswith("completion"):
        data = {"note": "Xong"}
    response = _upload(manager, f"/tasks/{work.traffic.pk}/{path}",
                       {**data, "files": [SimpleUploadedFile("tot.pdf", PDF), upload]})
    body = assert_error(response, 422, "invalid")
    assert list(body["errors"]) == ["files"]
    assert words in " ".join(body["errors"]["files"])
    assert _saved() == before
    assert Task.objects.get(pk=work.traffic.pk).state == work.traffic.state


@override_settings(DONDOC_MAX_UPLOAD_MB=0)
def test_a_file_over_the_size_limit_is_refused(manager, work) -> None:
    before = _saved()
    response = _upload(manager, f"/tasks/{work.traffic.pk}/progress/upload", {
        "percent": "20", "results": "Đã làm", "files": SimpleUploadedFile("lon.pdf", PDF)})
    assert "files" in assert_error(response, 422, "invalid")["errors"]
    assert _saved() == before


@pytest.mark.parametrize(("data", "field"), [
    ({"percent": "nhiều", "results": "Đã làm"}, "percent"),
    ({"percent": "120", "results": "Đã làm"}, "percent"),
    ({"percent": "20"}, "results"),
])
def test_bad_form_fields_are_named(manager, work, data, field) -> None:
    before = _saved()
    response = _upload(manager, f"/tasks/{work.traffic.pk}/progress/upload",
                       {**data, "files": SimpleUploadedFile("tot.pdf", PDF)})
    assert field in assert_error(response, 422, "invalid")["errors"]
    assert _saved() == before


def test_uploads_are_scoped_like_the_json_operations(people, work) -> None:
    other = ApiClient(token_for(people.other_staff))
    for path in ("progress/upload", "completion-requests/upload"):
        response = _upload(other, f"/tasks/{work.traffic.pk}/{path}", {
            "percent": "5", "results": "X", "note": "X",
            "files": SimpleUploadedFile("tot.pdf", PDF)})
        assert_error(response, 404, "not_found")
    viewer = ApiClient(token_for(people.viewer))
    response = _upload(viewer, f"/tasks/{work.traffic.pk}/progress/upload", {
        "percent": "5", "results": "X", "files": SimpleUploadedFile("tot.pdf", PDF)})
    assert_error(response, 403, "forbidden")
    assert TaskFile.objects.count() == 0
