"""Obstacles in the API: the same scope (404 for others), ETags, 409 for a step the state
refuses, 403 for a step that is not yours, 422 for bad input, answers in the caller's
language."""

from __future__ import annotations

from typing import Any

from dondoc.api.tests.conftest import assert_error
from dondoc.audit.models import AuditEvent
from dondoc.obstacles.models import Obstacle
from dondoc.plans import services as plan_services


def test_raise_then_walk_the_road(api: Any, people: Any, work: Any, org: Any) -> None:
    manager = api(people.manager)
    response = manager.post("/obstacles", {
        "task": work.traffic.pk, "category": "budget", "description": "Thiếu kinh phí",
        "resolver_agency": "Sở Tài chính", "proposed_solution": "Bố trí kinh phí năm 2025"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["unit"]["code"] == "PC08" and body["state"] == "open"
    assert body["category_label"] == "Kinh phí" and body["allowed_steps"] == [
        "escalate", "reject", "resolve"]
    obstacle_id, etag = body["id"], response["ETag"]
    assert_error(manager.post(f"/obstacles/{obstacle_id}/transition", {"step": "escalate"}),
                 403, "forbidden")
    staff = api(people.staff)
    escalated = staff.post(f"/obstacles/{obstacle_id}/transition", {"step": "escalate"},
                           headers={"If-Match": etag})
    assert escalated.status_code == 200 and escalated.json()["state"] == "escalated"
    stale = staff.post(f"/obstacles/{obstacle_id}/transition",
                       {"step": "reject", "text": "Trùng"}, headers={"If-Match": etag})
    assert_error(stale, 412, "precondition_failed")
    again = staff.post(f"/obstacles/{obstacle_id}/transition", {"step": "escalate"})
    body = assert_error(again, 409, "conflict")
    assert "đang mở" in body["message"]
    assert_error(api(people.leader).post(f"/obstacles/{obstacle_id}/transition",
                                         {"step": "direct", "text": ""}), 422, "invalid")
    directed = api(people.leader).post(f"/obstacles/{obstacle_id}/transition",
                                       {"step": "direct", "text": "Giải quyết dứt điểm"})
    assert directed.json()["direction"] == "Giải quyết dứt điểm"
    resolved = staff.post(f"/obstacles/{obstacle_id}/transition",
                          {"step": "resolve", "text": "Đã bố trí"})
    assert resolved.json()["state"] == "resolved" and resolved.json()["allowed_steps"] == []
    listed = manager.get("/obstacles", {"state": "resolved"}).json()
    assert listed["count"] == 1 and listed["results"][0]["resolution"] == "Đã bố trí"
    detail = manager.get(f"/obstacles/{obstacle_id}")
    assert detail["ETag"] == f'"obstacle-{obstacle_id}-4"'


def test_another_agency_and_a_sibling_get_404(api: Any, people: Any, work: Any,
                                              raise_on: Any) -> None:
    obstacle = raise_on(task=work.team_task, actor=people.team_officer)
    clients = [api(people.other_staff), api(people.outsider)]
    audit = AuditEvent.objects.count()
    for client in clients:
        for pk_path, body in (("/obstacles/{}", None),
                              ("/obstacles/{}/transition", {"step": "reject", "text": "Không"})):
            def call(pk: int, path: str = pk_path, sent: Any = body, to: Any = client) -> Any:
                url = path.format(pk)
                return to.get(url) if sent is None else to.post(url, sent)
            theirs, missing = call(obstacle.pk), call(987654)
            assert_error(theirs, 404, "not_found")
            assert theirs.json() == missing.json()
        assert client.get("/obstacles").json()["count"] == 0
    assert AuditEvent.objects.count() == audit
    assert Obstacle.objects.get().state == "open"


def test_bad_input_is_explained(api: Any, people: Any, work: Any) -> None:
    manager = api(people.manager)
    both = manager.post("/obstacles", {"task": work.traffic.pk, "document": work.document.pk,
                                       "category": "budget", "description": "x",
                                       "resolver_agency": "Sở"})
    assert "task" in assert_error(both, 422, "invalid")["errors"]
    no_resolver = manager.post("/obstacles", {"task": work.traffic.pk, "category": "budget",
                                              "description": "x"})
    assert "resolver_unit" in assert_error(no_resolver, 422)["errors"]
    bad_category = manager.post("/obstacles", {"task": work.traffic.pk, "category": "weather",
                                               "description": "x", "resolver_agency": "Sở"})
    assert "category" in assert_error(bad_category, 422)["errors"]
    foreign = manager.post("/obstacles", {"task": work.other_task.pk, "category": "budget",
                                          "description": "x", "resolver_agency": "Sở"})
    assert "task" in assert_error(foreign, 422)["errors"]
    assert_error(manager.post("/obstacles", {"task": work.admin_task.pk, "category": "budget",
                                             "description": "x", "resolver_agency": "Sở"}),
                 422)  # PC06's task: unknown to PC08
    assert_error(api(people.inspector).post("/obstacles", {
        "task": work.traffic.pk, "category": "budget", "description": "x",
        "resolver_agency": "Sở"}), 403, "forbidden")
    assert "age" in assert_error(manager.get("/obstacles", {"age": "old"}), 422)["errors"]
    assert not Obstacle.objects.exists()


def test_a_progress_report_becomes_an_obstacle_once(api: Any, people: Any, work: Any) -> None:
    update = plan_services.progress_post(
        actor=people.manager, task=work.traffic, unit=work.traffic.lead_unit, percent=40,
        results="Đã lắp 10 camera", difficulties="Thiếu nhân lực kỹ thuật")
    manager = api(people.manager)
    payload = {"task": work.traffic.pk, "progress_update": update.pk, "category": "personnel",
               "description": update.difficulties, "resolver_unit": people.staff.unit_id}
    created = manager.post("/obstacles", payload)
    assert created.status_code == 201 and created.json()["progress_update"] == update.pk
    assert_error(manager.post("/obstacles", payload), 409, "conflict")
