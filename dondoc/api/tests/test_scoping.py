"""The API sees exactly what the pages see: objects outside the caller's scope are
answered like objects that do not exist (404, same body), lists never include them,
and what is visible but not the caller's to change gets 403. Nothing is saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dondoc.api.tests.conftest import ApiClient, assert_error, token_for
from dondoc.audit.models import AuditEvent
from dondoc.plans import services
from dondoc.plans.models import Task

MISSING = 987_654_321

# (method, path template, body); {unit} {document} {task} {direction} {completion}
# {extension} are filled with objects of the City Police (CATP).
DETAIL_ENDPOINTS = [
    ("get", "/units/{unit}", None),
    ("get", "/units/{unit}/subtree", None),
    ("get", "/documents/{document}", None),
    ("get", "/documents/{document}/groups", None),
    ("post", "/documents/{document}/groups", {"number": "IX", "title": "Nhóm mới"}),
    ("patch", "/documents/{document}", {"title": "Đổi tên"}),
    ("get", "/tasks/{task}", None),
    ("patch", "/tasks/{task}", {"title": "Đổi tên"}),
    ("get", "/tasks/{task}/progress", None),
    ("post", "/tasks/{task}/progress", {"percent": 10, "results": "Đã làm"}),
    ("get", "/tasks/{task}/directions", None),
    ("post", "/tasks/{task}/directions", {"text": "Khẩn trương"}),
    ("post", "/directions/{direction}/acknowledge", {}),
    ("get", "/tasks/{task}/completion-requests", None),
    ("post", "/tasks/{task}/completion-requests", {"note": "Xong"}),
    ("post", "/completion-requests/{completion}/decision", {"decision": "approve"}),
    ("get", "/tasks/{task}/extensions", None),
    ("post", "/tasks/{task}/extensions", {"proposed_due": "2025-12-31", "reason": "Chờ"}),
    ("post", "/extensions/{extension}/decision", {"decision": "approve"}),
    ("post", "/tasks/{task}/suspend", {"reason": "Chờ kinh phí"}),
    ("post", "/tasks/{task}/resume", {}),
    ("post", "/tasks/{task}/cancel", {"reason": "Không còn phù hợp"}),
    ("get", "/task-files/{file}", None),
]


@pytest.fixture
def catp_objects(org: Any, people: Any, work: Any) -> dict[str, int]:
    """Objects of PC08's subtree only (not coordinated by PC06)."""
    task = services.task_create(actor=people.staff, document=work.document,
                                title="Nhiệm vụ riêng của PC08", lead_unit=org.pc08,
                                assigning_unit=org.catp, due_date=dt.date(2025, 8, 31),
                                assigned_on=dt.date(2025, 2, 1))
    direction = services.direction_add(actor=people.leader, task=task, text="Báo cáo sớm")
    extension = services.extension_request(actor=people.manager, task=task,
                                           proposed_due=dt.date(2025, 10, 31), reason="Chờ")
    completion = services.completion_request(
        actor=people.team_officer, task=work.team_task, note="Xong",
        files=[SimpleUploadedFile("san-pham.pdf", b"%PDF-1.4 product")])
    return {"unit": org.pc08.pk, "document": work.document.pk, "task": task.pk,
            "direction": direction.pk, "completion": completion.pk, "extension": extension.pk,
            "file": completion.files.get().pk}


def _call(client: ApiClient, method: str, path: str, body: Any) -> Any:
    if method == "get":
        return client.get(path)
    headers = {"If-Match": "*"} if method == "patch" else None
    return client.send(method, path, body, headers=headers)


@pytest.mark.parametrize(("method", "template", "body"), DETAIL_ENDPOINTS,
                         ids=[f"{m} {t}" for m, t, _b in DETAIL_ENDPOINTS])
def test_another_agency_gets_404_like_a_missing_object(people, catp_objects, method, template,
                                                       body) -> None:
    client = ApiClient(token_for(people.other_staff))
    audit_before = AuditEvent.objects.count()
    foreign = _call(client, method, template.format(**catp_objects), body)
    missing = _call(client, method, template.format(**dict.fromkeys(catp_objects, MISSING)),
                    body)
    assert_error(foreign, 404, "not_found")
    assert foreign.json() == missing.json()
    assert AuditEvent.objects.count() == audit_before


TASK_ENDPOINTS = [entry for entry in DETAIL_ENDPOINTS if "{unit}" not in entry[1]
                  and "{document}" not in entry[1]]


@pytest.mark.parametrize(("method", "template", "body"), TASK_ENDPOINTS,
                         ids=[f"{m} {t}" for m, t, _b in TASK_ENDPOINTS])
def test_a_sibling_department_gets_404_for_tasks_it_has_no_part_in(
        people, catp_objects, method, template, body) -> None:
    client = ApiClient(token_for(people.outsider))  # PC06's manager
    response = _call(client, method, template.format(**catp_objects), body)
    assert_error(response, 404, "not_found")


def test_lists_never_include_another_agencys_objects(people, work, org) -> None:
    client = ApiClient(token_for(people.other_staff))
    tasks = client.get("/tasks", {"page_size": 100}).json()["results"]
    assert [task["id"] for task in tasks] == [work.other_task.pk]
    documents = client.get("/documents").json()["results"]
    assert [doc["id"] for doc in documents] == [work.other_document.pk]
    units = client.get("/units").json()["results"]
    assert [unit["code"] for unit in units] == ["OTHER"]
    assert client.get("/statistics").json()["counts"]["total"] == 1


def test_a_department_lists_only_the_tasks_it_has_a_part_in(people, work) -> None:
    client = ApiClient(token_for(people.outsider))  # PC06: leads one, coordinates another
    codes = {task["code"] for task in client.get("/tasks").json()["results"]}
    assert codes == {work.traffic.code, work.admin_task.code}
    units = {unit["code"] for unit in client.get("/units").json()["results"]}
    assert units == {"PC06"}


def test_a_filter_on_a_foreign_unit_is_refused_like_an_unknown_unit(people, org) -> None:
    client = ApiClient(token_for(people.other_staff))
    foreign = assert_error(client.get("/tasks", {"unit": org.pc08.pk}), 422, "invalid")
    missing = assert_error(client.get("/tasks", {"unit": MISSING}), 422, "invalid")
    assert set(foreign["errors"]) == set(missing["errors"]) == {"unit"}


def test_the_parent_of_a_unit_is_hidden_when_outside_the_scope(people, org) -> None:
    unit = ApiClient(token_for(people.manager)).get(f"/units/{org.pc08.pk}").json()
    assert unit["parent"] is None  # CATP is above the manager's scope
    team = ApiClient(token_for(people.manager)).get(f"/units/{org.pc08_d1.pk}").json()
    assert team["parent"] == org.pc08.pk


# Visible but not allowed: 403 ------------------------------------------------------------

FORBIDDEN = [
    ("officer", "post", "/tasks/{traffic}/directions", {"text": "Chỉ đạo"}),
    ("viewer", "post", "/tasks/{traffic}/progress", {"percent": 5, "results": "Đã làm"}),
    ("staff", "post", "/tasks/{traffic}/progress", {"percent": 5, "results": "Đã làm"}),
    ("manager", "patch", "/tasks/{traffic}", {"title": "Đổi"}),
    ("outsider", "post", "/tasks/{traffic}/completion-requests", {"note": "Xong"}),
    ("outsider", "post", "/tasks/{traffic}/extensions", {"proposed_due": "2025-12-31",
                                                         "reason": "Chờ"}),
    ("officer", "post", "/documents/{document}/groups", {"number": "II", "title": "Nhóm"}),
    ("manager", "patch", "/documents/{document}", {"title": "Đổi"}),
    ("manager", "post", "/documents", {"kind": "plan", "number": "1/KH", "title": "Mới",
                                       "issuer": "PC08", "issue_date": "2025-05-01",
                                       "code_prefix": "KH1"}),
    ("manager", "post", "/tasks/{traffic}/suspend", {"reason": "Chờ"}),
    ("officer", "post", "/tasks/{traffic}/cancel", {"reason": "Thôi"}),
    ("outsider", "post", "/tasks/{traffic}/resume", {}),
    ("manager", "post", "/tasks", {"document": "{document}", "title": "Mới",
                                   "lead_unit": "{pc08}", "due_date": "2025-12-31"}),
    ("officer", "post", "/tasks", {"parent": "{traffic}", "title": "Con",
                                   "lead_unit": "{pc08_d1}", "due_date": "2025-12-31"}),
]


def _fill(value: Any, names: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return names[value[1:-1]]
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    return value


@pytest.mark.parametrize(("persona", "method", "template", "body"), FORBIDDEN,
                         ids=[f"{p} {m} {t}" for p, m, t, _b in FORBIDDEN])
def test_visible_but_not_allowed_gets_403_and_saves_nothing(people, work, org, persona, method,
                                                           template, body) -> None:
    names = {"traffic": work.traffic.pk, "document": work.document.pk, "pc08": org.pc08.pk,
             "pc08_d1": org.pc08_d1.pk}
    client = ApiClient(token_for(getattr(people, persona)))
    audit_before, tasks_before = AuditEvent.objects.count(), Task.objects.count()
    response = _call(client, method, template.format(**names), _fill(body, names))
    assert_error(response, 403, "forbidden")
    assert (AuditEvent.objects.count(), Task.objects.count()) == (audit_before, tasks_before)
