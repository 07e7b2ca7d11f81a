"""Segregation of duties on requests (security test, issue 7, item 2): a completion or
extension request is never decided by its requester nor by a user of the task's lead unit;
a leader whose scope contains the assigning unit decides it — in the pages, the API and
from the home page."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from dondoc.api import services as token_services
from dondoc.organization.models import Role
from dondoc.organization.tests.factories import UserFactory
from dondoc.plans import services
from dondoc.plans.models import (
    CompletionRequest,
    DeadlineExtension,
    DocumentKind,
    RequestStatus,
    Task,
    TaskState,
)

TODAY = dt.date(2025, 5, 15)


@pytest.fixture
def own_task(org: Any, people: Any, time_machine: Any) -> Task:
    """A task the Staff Department (PV01, the staff persona's unit) leads, due in 2026."""
    time_machine.move_to(dt.datetime(2025, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False)
    document = services.document_create(
        actor=people.staff, kind=DocumentKind.PLAN, number="118/KH-CAĐN", title="Kế hoạch",
        issuer="CATP", issue_date=dt.date(2025, 1, 10), owner_unit=org.catp,
        code_prefix="KH118")
    return services.task_create(
        actor=people.staff, document=document, title="Tham mưu sơ kết", lead_unit=org.pv01,
        assigning_unit=org.catp, due_date=dt.date(2026, 6, 30),
        assigned_on=dt.date(2025, 1, 15))


def api_post(user: Any, path: str, body: dict[str, Any]) -> Any:
    _token, secret = token_services.token_create(actor=user, name="test")
    return Client().post(f"/api/v1{path}", data=json.dumps(body),
                         content_type="application/json",
                         headers={"Authorization": f"Bearer {secret}"})


def request_extension(login: Any, user: Any, task: Task, to: str = "30/06/2030") -> None:
    response = login(user).post(f"/tasks/{task.pk}/extend/",
                                {"proposed_due": to, "reason": "Chờ hướng dẫn của Bộ"})
    assert response.status_code == 302, response.content[:300]


def test_staff_cannot_approve_an_extension_of_their_own_units_task(login, people, org,
                                                                   own_task) -> None:
    request_extension(login, people.staff, own_task)
    extension = DeadlineExtension.objects.get(task=own_task)
    staff = login(people.staff)
    page = staff.get(f"/tasks/{own_task.pk}/")
    assert f"/extensions/{extension.pk}/decide/" not in page.content.decode()
    response = staff.post(f"/extensions/{extension.pk}/decide/",
                          {"extension-decision": "approve", "extension-note": ""})
    assert response.status_code == 403
    assert "Bạn đã gửi đề nghị này" in response.content.decode()  # the reason, in Vietnamese
    api = api_post(people.staff, f"/extensions/{extension.pk}/decision",
                   {"decision": "approve"})
    assert api.status_code == 403
    assert api.json()["code"] == "forbidden"
    assert "Bạn đã gửi đề nghị này" in api.json()["message"]
    # A colleague of the same department did not ask, but their unit leads the task.
    colleague = UserFactory(username="colleague", unit=org.pv01, role=Role.STAFF,
                            otp_exempt=True, language="en")
    response = login(colleague).post(f"/extensions/{extension.pk}/decide/",
                                     {"extension-decision": "approve"})
    assert response.status_code == 403
    assert "decided by a leader whose scope contains" in response.content.decode()
    api = api_post(colleague, f"/extensions/{extension.pk}/decision", {"decision": "approve"})
    assert api.status_code == 403
    assert api.json() == {"code": "forbidden", "errors": {}, "message": (
        "Your unit leads this task: the request is decided by a leader whose scope contains "
        "the assigning unit.")}
    own_task.refresh_from_db()
    assert own_task.deadline == dt.date(2026, 6, 30)
    assert DeadlineExtension.objects.get(pk=extension.pk).status == RequestStatus.PENDING


def test_a_leader_approves_it_from_the_home_page_card(login, people, own_task) -> None:
    request_extension(login, people.staff, own_task)
    extension = DeadlineExtension.objects.get(task=own_task)
    leader = login(people.leader)
    home = leader.get("/")
    card = next(item for item in home.context["attention"]
                if item.label == "Đề nghị chờ bạn quyết định")
    assert card.count == 1
    listed = leader.get(card.url)
    assert [task.pk for task in listed.context["page"]] == [own_task.pk]
    page = leader.get(f"/tasks/{own_task.pk}/")
    assert f"/extensions/{extension.pk}/decide/" in page.content.decode()
    response = leader.post(f"/extensions/{extension.pk}/decide/",
                           {"extension-decision": "approve", "extension-note": ""})
    assert response.status_code == 302
    own_task.refresh_from_db()
    assert own_task.deadline == dt.date(2030, 6, 30)
    assert DeadlineExtension.objects.get(pk=extension.pk).decided_by == people.leader
    after = leader.get("/").context["attention"]
    assert [item.count for item in after if item.url.endswith("decide=mine")] == [0]


def test_a_leader_decides_a_completion_through_the_api(login, people, own_task) -> None:
    response = login(people.staff).post(f"/tasks/{own_task.pk}/complete/",
                                        {"note": "Đã có báo cáo sơ kết"})
    assert response.status_code == 302
    completion = CompletionRequest.objects.get(task=own_task)
    refused = api_post(people.staff, f"/completion-requests/{completion.pk}/decision",
                       {"decision": "approve"})
    assert refused.status_code == 403
    decided = api_post(people.leader, f"/completion-requests/{completion.pk}/decision",
                       {"decision": "approve"})
    assert decided.status_code == 200, decided.content[:300]
    assert decided.json()["status"] == "approved"
    own_task.refresh_from_db()
    assert own_task.state == TaskState.COMPLETED


def test_a_unit_manager_cannot_approve_a_request_on_a_sub_task_they_asked_for(
        login, people, org, own_task) -> None:
    parent = services.task_create(
        actor=people.staff, document=own_task.document, title="Lắp camera",
        lead_unit=org.pc08, assigning_unit=org.catp, due_date=dt.date(2026, 6, 30))
    sub_task = services.task_create(
        actor=people.manager, document=own_task.document, parent=parent, title="Đội 1 lắp",
        lead_unit=org.pc08_d1, assigning_unit=org.pc08, due_date=dt.date(2026, 3, 31))
    request_extension(login, people.manager, sub_task, to="31/12/2030")
    extension = DeadlineExtension.objects.get(task=sub_task)
    response = login(people.manager).post(f"/extensions/{extension.pk}/decide/",
                                          {"extension-decision": "approve"})
    assert response.status_code == 403
    assert api_post(people.manager, f"/extensions/{extension.pk}/decision",
                    {"decision": "approve"}).status_code == 403
    # The team's officer asks instead: then the manager who cascaded it decides.
    services.extension_decide(actor=people.leader, extension=extension, approve=False,
                              note="Không đủ căn cứ")
    again = services.extension_request(actor=people.team_officer, task=sub_task,
                                       proposed_due=dt.date(2026, 9, 30), reason="Mưa bão")
    ok = login(people.manager).post(f"/extensions/{again.pk}/decide/",
                                    {"extension-decision": "approve"})
    assert ok.status_code == 302
    sub_task.refresh_from_db()
    assert sub_task.deadline == dt.date(2026, 9, 30)


@pytest.mark.parametrize("decider", ["admin", "staff", "leader", "manager"])
def test_the_requester_never_decides_their_own_request(people, org, own_task,
                                                       decider) -> None:
    actor = getattr(people, decider)
    task = services.task_create(
        actor=people.staff, document=own_task.document, title="Nhiệm vụ của đội",
        lead_unit=org.pc08_d1, assigning_unit=org.pc08, due_date=dt.date(2026, 3, 31))
    extension = services.extension_request(actor=actor, task=task, reason="Lý do",
                                           proposed_due=dt.date(2030, 1, 1))
    with pytest.raises(services.DecisionRefused, match="Bạn đã gửi đề nghị này"):
        services.extension_decide(actor=actor, extension=extension, approve=True)
    completion = services.completion_request(actor=actor, task=task, note="Xong")
    with pytest.raises(services.DecisionRefused, match="Bạn đã gửi đề nghị này"):
        services.completion_decide(actor=actor, request=completion, accept=True)


def test_staff_still_decide_what_other_units_lead(login, people, org, own_task) -> None:
    task = services.task_create(
        actor=people.staff, document=own_task.document, title="Camera", lead_unit=org.pc08,
        assigning_unit=org.catp, due_date=dt.date(2026, 3, 31))
    extension = services.extension_request(actor=people.officer, task=task, reason="Lý do",
                                           proposed_due=dt.date(2026, 9, 30))
    response = login(people.staff).post(f"/extensions/{extension.pk}/decide/",
                                        {"extension-decision": "refuse",
                                         "extension-note": "Không đủ căn cứ"})
    assert response.status_code == 302
    assert DeadlineExtension.objects.get(pk=extension.pk).status == RequestStatus.REFUSED


def test_a_leader_of_another_agency_cannot_decide(people, org, own_task) -> None:
    extension = services.extension_request(actor=people.staff, task=own_task, reason="Lý do",
                                           proposed_due=dt.date(2030, 1, 1))
    with pytest.raises(services.DecisionRefused):
        services.extension_decide(actor=people.other_staff, extension=extension, approve=True)
    with pytest.raises(services.DecisionRefused):
        services.extension_decide(actor=people.inspector, extension=extension, approve=True)
