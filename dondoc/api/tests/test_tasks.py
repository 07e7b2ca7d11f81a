"""Tasks through the API: the list's filters (as the pages), detail with status, create,
cascade, update with ETag / If-Match, the workflow steps, audit, and statistics."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dondoc.api.endpoints.tasks import TaskOrdering, TaskStatusFilter
from dondoc.api.tests.conftest import ApiClient, assert_error, token_for
from dondoc.audit.models import AuditEvent
from dondoc.plans import selectors
from dondoc.plans.models import Task, TaskState
from dondoc.progress.engine import Status


@pytest.fixture
def staff(people: Any, work: Any) -> ApiClient:
    return ApiClient(token_for(people.staff))


def _codes(response: Any) -> set[str]:
    assert response.status_code == 200, response.content[:300]
    return {task["code"] for task in response.json()["results"]}


# The list --------------------------------------------------------------------------------


def test_the_api_offers_exactly_the_selectors_sorts_and_statuses() -> None:
    from typing import get_args

    assert set(get_args(TaskOrdering)) == set(selectors.SORTS)
    for status in get_args(TaskStatusFilter):
        assert selectors.filters_from_params({"status": status}).errors == {}, status
    every_status = {s.value for s in Status}
    assert every_status <= set(get_args(TaskStatusFilter))


def test_the_list_shows_status_as_of_today(staff, work) -> None:
    rows = {row["code"]: row for row in staff.get("/tasks").json()["results"]}
    assert rows[work.traffic.code]["status"] == Status.IN_PROGRESS_ON_TIME
    assert rows[work.admin_task.code]["status"] == Status.IN_PROGRESS_OVERDUE
    assert rows[work.team_task.code]["status"] == Status.STANDING
    assert rows[work.admin_task.code]["status_label"]


def test_the_list_answers_exactly_its_schema_and_agrees_with_each_task(staff, work, people,
                                                                       org) -> None:
    """The list is rendered without a second validation: its body must already be what
    ``TaskPage`` gives, field for field, and each row what the task's own answer says."""
    from dondoc.api.schemas import TaskPage
    from dondoc.plans.services import task_assign_people

    task_assign_people(actor=people.manager, task=work.traffic, unit=org.pc08,
                       officers=[people.officer])
    for params in ({}, {"status": "overdue"}, {"as_of": "2025-06-30"}, {"ordering": "code"}):
        body = staff.get("/tasks", params).json()
        assert body["results"], params
        assert TaskPage.model_validate(body).model_dump(mode="json") == body
        for row in body["results"]:
            detail = staff.get(f"/tasks/{row['id']}", {"as_of": params.get("as_of", "")}
                               if "as_of" in params else {}).json()
            assert {name: detail[name] for name in row} == row, (params, row["code"])
    rows = staff.get("/tasks").json()["results"]
    assert any(row["coordinating_units"] for row in rows)
    assert any(row["assignees"] for row in rows)


def test_the_list_filters_by_status_as_of_a_past_date(staff, work) -> None:
    overdue_now = _codes(staff.get("/tasks", {"status": "overdue"}))
    overdue_in_march = _codes(staff.get("/tasks", {"status": "overdue", "as_of": "2025-03-15"}))
    assert overdue_now == {work.admin_task.code}
    assert overdue_in_march == set()
    before_assignment = staff.get("/tasks", {"as_of": "2025-01-01"}).json()
    assert before_assignment["count"] == 0


def test_the_list_filters_by_unit_subtree_and_role(staff, work, org) -> None:
    assert _codes(staff.get("/tasks", {"unit": org.pc08.pk})) == {
        work.traffic.code, work.team_task.code}
    assert _codes(staff.get("/tasks", {"lead": org.pc08.pk, "subtree": "false"})) == {
        work.traffic.code}
    assert _codes(staff.get("/tasks", {"unit": org.pc06.pk, "role": "coordinator"})) == {
        work.traffic.code}
    assert _codes(staff.get("/tasks", {"coordinator": org.pc06.pk})) == {work.traffic.code}


def test_the_list_searches_without_diacritics_and_pages(staff, work) -> None:
    assert _codes(staff.get("/tasks", {"q": "camera giao thong"})) == {work.traffic.code}
    first = staff.get("/tasks", {"page_size": 2, "ordering": "code"}).json()
    second = staff.get("/tasks", {"page_size": 2, "page": 2, "ordering": "code"}).json()
    assert first["count"] == second["count"] == 3
    assert [row["code"] for row in first["results"] + second["results"]] == sorted(
        [work.traffic.code, work.admin_task.code, work.team_task.code])
    assert staff.get("/tasks", {"page": 50}).json()["results"] == []


def test_the_list_uses_a_bounded_number_of_queries(staff, work, people, org,
                                                   django_assert_max_num_queries) -> None:
    from dondoc.plans import services

    for number in range(15):
        services.task_create(actor=people.staff, document=work.document,
                             title=f"Nhiệm vụ {number}", lead_unit=org.pc08,
                             assigning_unit=org.catp, coordinating_units=[org.pc06],
                             due_date=dt.date(2025, 9, 1))
    with django_assert_max_num_queries(12):
        response = staff.get("/tasks", {"page_size": 100})
    assert response.json()["count"] == 18


# Detail ----------------------------------------------------------------------------------


def test_the_detail_has_status_and_an_etag(staff, work) -> None:
    response = staff.get(f"/tasks/{work.admin_task.pk}")
    body = response.json()
    assert body["status"] == Status.IN_PROGRESS_OVERDUE
    assert body["days_overdue"] == 45
    assert response["ETag"] == f'"{work.admin_task.pk}-{body["version"]}"'
    earlier = staff.get(f"/tasks/{work.admin_task.pk}", {"as_of": "2025-03-01"}).json()
    assert earlier["status"] == Status.IN_PROGRESS_ON_TIME
    assert earlier["as_of"] == "2025-03-01"


# Create and cascade ----------------------------------------------------------------------


def test_staff_assign_a_task_and_it_is_audited(staff, work, org) -> None:
    response = staff.post("/tasks", {
        "document": work.document.pk, "group": work.group.pk, "title": "Số hóa hồ sơ",
        "lead_unit": org.pc08.pk, "coordinating_units": [org.pc06.pk],
        "due_date": "2025-12-31", "priority": 3, "tags": "chuyển đổi số"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "KH118-I.4"
    assert body["coordinating_units"][0]["code"] == "PC06"
    assert body["assigning_unit"] == org.catp.pk
    assert response["ETag"]
    event = AuditEvent.objects.get(object_type="plans.task", object_id=str(body["id"]))
    assert event.action == "create" and event.actor_name == "staff"


def test_a_manager_cascades_a_sub_task_to_a_sub_unit(people, work, org) -> None:
    manager = ApiClient(token_for(people.manager))
    response = manager.post("/tasks", {"parent": work.traffic.pk, "title": "Lắp camera quận 1",
                                       "lead_unit": org.pc08_d1.pk, "due_date": "2025-06-15"})
    assert response.status_code == 201, response.content
    child = Task.objects.get(pk=response.json()["id"])
    assert (child.parent_id, child.document_id, child.group_id) == (
        work.traffic.pk, work.document.pk, work.group.pk)
    assert child.assigning_unit_id == org.pc08.pk
    assert child.code == f"{work.traffic.code}.1"
    outside = manager.post("/tasks", {"parent": work.traffic.pk, "title": "Sai đơn vị",
                                      "lead_unit": org.pc06.pk, "due_date": "2025-06-15"})
    assert "lead_unit" in assert_error(outside, 422)["errors"]


# Update, ETag and If-Match ---------------------------------------------------------------


def test_an_update_with_the_current_etag_succeeds_and_returns_the_new_one(staff, work) -> None:
    etag = staff.get(f"/tasks/{work.traffic.pk}")["ETag"]
    response = staff.patch(f"/tasks/{work.traffic.pk}",
                           {"title": "Lắp đặt camera", "due_date": "2025-07-31"},
                           headers={"If-Match": etag})
    assert response.status_code == 200, response.content
    assert response["ETag"] != etag
    task = Task.objects.get(pk=work.traffic.pk)
    assert (task.title, task.due_date, task.deadline) == (
        "Lắp đặt camera", dt.date(2025, 7, 31), dt.date(2025, 7, 31))
    assert AuditEvent.objects.filter(object_type="plans.task", object_id=str(task.pk),
                                     action="update").count() == 1


def test_two_updates_with_the_same_etag_one_wins_one_gets_412(staff, people, work) -> None:
    other = ApiClient(token_for(people.admin))
    etag = staff.get(f"/tasks/{work.traffic.pk}")["ETag"]
    first = staff.patch(f"/tasks/{work.traffic.pk}", {"title": "Bản của A"},
                        headers={"If-Match": etag})
    second = other.patch(f"/tasks/{work.traffic.pk}", {"title": "Bản của B"},
                         headers={"If-Match": etag})
    assert first.status_code == 200
    assert_error(second, 412, "precondition_failed")
    assert second["ETag"] == first["ETag"]
    assert Task.objects.get(pk=work.traffic.pk).title == "Bản của A"


def test_a_write_between_read_and_save_is_caught_by_the_version(staff, work, monkeypatch) -> None:
    """The If-Match check and the save are separate steps: a writer slipping in between
    is caught by the service's versioned save, also with 412."""
    from dondoc.api.endpoints import tasks as endpoint
    from dondoc.plans import services

    original = services.task_update

    def racing_update(**kwargs: Any) -> Any:
        Task.objects.filter(pk=work.traffic.pk).update(version=99)
        return original(**kwargs)

    monkeypatch.setattr(endpoint.services, "task_update", racing_update)
    etag = staff.get(f"/tasks/{work.traffic.pk}")["ETag"]
    response = staff.patch(f"/tasks/{work.traffic.pk}", {"title": "Mất"},
                           headers={"If-Match": etag})
    assert_error(response, 412, "precondition_failed")
    assert Task.objects.get(pk=work.traffic.pk).title != "Mất"


def test_an_update_without_if_match_gets_428(staff, work) -> None:
    assert_error(staff.patch(f"/tasks/{work.traffic.pk}", {"title": "X"}), 428,
                 "precondition_required")


def test_a_workflow_step_makes_an_old_etag_stale(staff, people, work) -> None:
    etag = staff.get(f"/tasks/{work.traffic.pk}")["ETag"]
    ApiClient(token_for(people.manager)).post(f"/tasks/{work.traffic.pk}/progress",
                                              {"percent": 30, "results": "Khảo sát xong"})
    stale = staff.patch(f"/tasks/{work.traffic.pk}", {"title": "X"}, headers={"If-Match": etag})
    assert_error(stale, 412)


def test_a_closed_task_cannot_be_changed(staff, people, work) -> None:
    from dondoc.plans import services

    services.task_cancel(actor=people.staff, task=work.traffic, reason="Không còn phù hợp")
    etag = staff.get(f"/tasks/{work.traffic.pk}")["ETag"]
    assert_error(staff.patch(f"/tasks/{work.traffic.pk}", {"title": "X"},
                             headers={"If-Match": etag}), 409, "conflict")


# Workflow --------------------------------------------------------------------------------


def test_the_whole_workflow_through_the_api(people, work, org) -> None:
    manager = ApiClient(token_for(people.manager))
    staff = ApiClient(token_for(people.staff))
    leader = ApiClient(token_for(people.leader))
    task_url = f"/tasks/{work.traffic.pk}"

    progress = manager.post(f"{task_url}/progress", {"percent": 40, "results": "Lắp 40 camera",
                                                     "difficulties": "Thiếu kinh phí"})
    assert progress.status_code == 201, progress.content
    assert progress.json()["unit"]["code"] == "PC08"
    correction = manager.post(f"{task_url}/progress", {"percent": 45, "results": "Lắp 45 camera",
                                                       "corrects": progress.json()["id"]})
    assert correction.json()["corrects"] == progress.json()["id"]
    assert [u["percent"] for u in staff.get(f"{task_url}/progress").json()["results"]] == [40, 45]

    direction = leader.post(f"{task_url}/directions", {"text": "Hoàn thành trước 30/6"})
    assert direction.status_code == 201
    acknowledged = manager.post(f"/directions/{direction.json()['id']}/acknowledge")
    assert acknowledged.json()["acknowledged_by"]

    extension = manager.post(f"{task_url}/extensions", {"proposed_due": "2025-08-31",
                                                        "reason": "Chờ thiết bị"})
    assert extension.status_code == 201
    twice = manager.post(f"{task_url}/extensions", {"proposed_due": "2025-09-30",
                                                    "reason": "Lần nữa"})
    assert_error(twice, 409, "conflict")
    decided = staff.post(f"/extensions/{extension.json()['id']}/decision", {"decision": "approve"})
    assert decided.json()["status"] == "approved"
    assert staff.get(task_url).json()["deadline"] == "2025-08-31"

    completion = manager.post(f"{task_url}/completion-requests", {"note": "Đã lắp đủ 100 camera"})
    assert completion.status_code == 201
    refused = staff.post(f"/completion-requests/{completion.json()['id']}/decision",
                         {"decision": "refuse"})
    assert "note" in assert_error(refused, 422)["errors"]
    accepted = staff.post(f"/completion-requests/{completion.json()['id']}/decision",
                          {"decision": "approve", "note": "Đạt"})
    assert accepted.json()["status"] == "approved"
    detail = staff.get(task_url).json()
    assert (detail["state"], detail["status"]) == (TaskState.COMPLETED,
                                                   Status.COMPLETED_ON_TIME)
    again = staff.post(f"/completion-requests/{completion.json()['id']}/decision",
                       {"decision": "approve"})
    assert_error(again, 409, "conflict")

    kinds = set(AuditEvent.objects.filter(actor_name__in=["manager", "staff", "leader"])
                .values_list("object_type", flat=True))
    assert {"progress.progressupdate", "plans.direction", "plans.deadlineextension",
            "plans.completionrequest"} <= kinds


def test_only_leaders_give_directions(people, work) -> None:
    response = ApiClient(token_for(people.manager)).post(
        f"/tasks/{work.traffic.pk}/directions", {"text": "Không phải lãnh đạo"})
    assert_error(response, 403, "forbidden")


# Statistics ------------------------------------------------------------------------------


def test_statistics_count_the_scope_as_of_a_date(staff, work, org) -> None:
    today = staff.get("/statistics").json()
    assert today["counts"]["total"] == 3
    assert today["counts"]["in_progress_overdue"] == 1
    assert today["counts"]["on_time_rate"] == 0.0
    march = staff.get("/statistics", {"as_of": "2025-03-15"}).json()
    assert march["counts"]["in_progress_overdue"] == 0
    assert march["counts"]["on_time_rate"] is None
    pc08 = staff.get("/statistics", {"unit": org.pc08.pk}).json()
    assert pc08["counts"]["total"] == 2


def test_statistics_by_sub_unit_and_by_document(staff, work, org) -> None:
    by_unit = staff.get("/statistics", {"group_by": "child_unit"}).json()
    totals = {group["key"]: group["counts"]["total"] for group in by_unit["groups"]}
    assert totals == {org.pc08.pk: 2, org.pc06.pk: 1}
    assert by_unit["unit"] == org.catp.pk
    by_document = staff.get("/statistics", {"group_by": "document"}).json()
    assert [(g["key"], g["counts"]["total"]) for g in by_document["groups"]] == [
        (work.document.pk, 3)]
