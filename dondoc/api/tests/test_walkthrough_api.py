"""The API side of issue 9: officers named on a task, comments, withdrawal, bulk
confirmation, and files on extension requests and directions (multipart)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from dondoc.api.tests.conftest import ApiClient, assert_error, token_for
from dondoc.audit.models import AuditEvent
from dondoc.plans import services
from dondoc.plans.models import RequestStatus, TaskState

PDF = b"%PDF-1.4\n% evidence\n"


def _upload(client: ApiClient, path: str, data: dict[str, Any]) -> Any:
    return client.client.post(f"/api/v1{path}", data,
                              headers={"Authorization": f"Bearer {client.secret}"})


def test_a_manager_names_officers_and_tasks_show_and_filter_them(people, work, org) -> None:
    manager = ApiClient(token_for(people.manager))
    response = manager.send("put", f"/tasks/{work.traffic.pk}/assignees",
                            {"officers": [people.officer.pk]})
    assert response.status_code == 200, response.content
    assert response.json() == [people.officer.pk]
    detail = manager.get(f"/tasks/{work.traffic.pk}").json()
    assert [person["id"] for person in detail["assignees"]] == [people.officer.pk]
    assert detail["assignees"][0]["unit"] == org.pc08.pk
    officer = ApiClient(token_for(people.officer))
    mine = officer.get("/tasks", {"assigned_to_me": "true"}).json()
    assert [row["id"] for row in mine["results"]] == [work.traffic.pk]
    assert mine["results"][0]["assignees"][0]["name"]
    by_id = officer.get("/tasks", {"assignee": people.officer.pk}).json()
    assert by_id["count"] == 1
    # Someone of another unit: 422 naming the field; an officer may not name people: 403.
    wrong = manager.send("put", f"/tasks/{work.traffic.pk}/assignees",
                         {"officers": [people.outsider.pk]})
    assert "officers" in assert_error(wrong, 422, "invalid")["errors"]
    assert_error(officer.send("put", f"/tasks/{work.traffic.pk}/assignees",
                              {"officers": []}), 403)
    assert_error(manager.send("put", f"/tasks/{work.other_task.pk}/assignees",
                              {"officers": []}), 404)


def test_comments_through_the_api(people, work) -> None:
    manager = ApiClient(token_for(people.manager))
    staff = ApiClient(token_for(people.staff))
    created = manager.post(f"/tasks/{work.traffic.pk}/comments", {"text": "Cần hướng dẫn"})
    assert created.status_code == 201, created.content
    staff.post(f"/tasks/{work.traffic.pk}/comments", {"text": "Đã gửi hướng dẫn"})
    thread = staff.get(f"/tasks/{work.traffic.pk}/comments").json()
    assert [c["text"] for c in thread["results"]] == ["Cần hướng dẫn", "Đã gửi hướng dẫn"]
    assert "text" in assert_error(manager.post(f"/tasks/{work.traffic.pk}/comments",
                                               {"text": ""}), 422)["errors"]
    viewer = ApiClient(token_for(people.viewer))
    assert_error(viewer.post(f"/tasks/{work.traffic.pk}/comments", {"text": "x"}), 403)


def test_withdrawal_and_bulk_confirmation_through_the_api(people, work) -> None:
    manager = ApiClient(token_for(people.manager))
    staff = ApiClient(token_for(people.staff))
    completion = manager.post(f"/tasks/{work.traffic.pk}/completion-requests",
                              {"note": "Xong"}).json()
    assert_error(staff.post(f"/completion-requests/{completion['id']}/withdraw"), 403)
    withdrawn = manager.post(f"/completion-requests/{completion['id']}/withdraw")
    assert withdrawn.json()["status"] == RequestStatus.WITHDRAWN
    assert_error(manager.post(f"/completion-requests/{completion['id']}/withdraw"), 409,
                 "conflict")
    assert staff.get(f"/tasks/{work.traffic.pk}").json()["state"] == TaskState.ASSIGNED

    services.completion_request(actor=people.manager, task=work.traffic, note="Lần hai")
    result = staff.post("/completion-requests/confirm",
                        {"tasks": [work.traffic.pk, work.admin_task.pk, work.other_task.pk]})
    assert result.status_code == 200, result.content
    body = result.json()
    assert body["confirmed"] == 1
    outcome = {row["task"]: row for row in body["results"]}
    assert outcome[work.traffic.pk]["confirmed"] is True
    assert outcome[work.admin_task.pk]["error"]  # nothing pending
    assert outcome[work.other_task.pk]["error"] and not outcome[work.other_task.pk]["code"]
    assert_error(staff.post("/completion-requests/confirm", {"tasks": []}), 422)


def test_files_on_extension_requests_and_directions(people, work) -> None:
    manager = ApiClient(token_for(people.manager))
    leader = ApiClient(token_for(people.leader))
    extension = _upload(manager, f"/tasks/{work.traffic.pk}/extensions/upload", {
        "proposed_due": "2025-08-31", "reason": "Chờ thiết bị",
        "files": [SimpleUploadedFile("cong-van.pdf", PDF)]})
    assert extension.status_code == 201, extension.content
    assert [item["name"] for item in extension.json()["files"]] == ["cong-van.pdf"]
    file_id = extension.json()["files"][0]["id"]
    download = ApiClient(token_for(people.staff)).get(f"/task-files/{file_id}")
    assert download.status_code == 200
    withdrawn = manager.post(f"/extensions/{extension.json()['id']}/withdraw")
    assert withdrawn.json()["status"] == RequestStatus.WITHDRAWN

    direction = _upload(leader, f"/tasks/{work.traffic.pk}/directions/upload", {
        "text": "Khẩn trương", "files": [SimpleUploadedFile("chi-dao.pdf", PDF)]})
    assert direction.status_code == 201, direction.content
    assert direction.json()["files"][0]["name"] == "chi-dao.pdf"
    refused = _upload(leader, f"/tasks/{work.traffic.pk}/directions/upload", {
        "text": "Lần nữa", "files": [SimpleUploadedFile("x.exe", b"MZ\x90\x00")]})
    assert "files" in assert_error(refused, 422)["errors"]
    assert_error(_upload(manager, f"/tasks/{work.traffic.pk}/directions/upload",
                         {"text": "Không phải lãnh đạo"}), 403)
    assert AuditEvent.objects.filter(object_type="plans.direction").count() == 1
