"""Issue 9, items 10 and 11: the task page offers each action only to whom it belongs, shows
one status, says "Back" on forms and "Cancel task" only for cancelling the task; the
decision form keeps the choice and shows its error next to the field, in a fieldset."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from dondoc.organization import scoping
from dondoc.plans import services
from dondoc.plans.models import RequestStatus, TaskState
from dondoc.plans.tests.factories import make_document, make_task
from dondoc.progress.models import ProgressUpdate

TODAY = timezone.localdate


@pytest.fixture
def tasks(org, people):  # type: ignore[no-untyped-def]
    """``coordinated``: PC08 leads, the staff department (PV01) coordinates, the agency
    assigned it. ``own``: PV01 leads it."""
    document = make_document(org.catp, actor=people.staff)
    due = TODAY() + dt.timedelta(days=20)
    assigned = TODAY() - dt.timedelta(days=30)
    coordinated = make_task(document, org.pc08, actor=people.staff, title="Việc của PC08",
                            coordinating_units=[org.pv01], due_date=due, assigned_on=assigned)
    own = make_task(document, org.pv01, actor=people.admin, title="Việc của Phòng Tham mưu",
                    due_date=due, assigned_on=assigned)
    return coordinated, own


def _html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# 10 (a). Report progress: offered only to those who may report, refused by the server ----


def test_staff_are_not_offered_progress_on_a_task_their_agency_assigned_to_another_unit(
        login, people, tasks) -> None:
    coordinated, _own = tasks
    page = _html(login(people.staff).get(f"/tasks/{coordinated.pk}/"))
    assert "Báo cáo tiến độ</a>" not in page
    assert f"/tasks/{coordinated.pk}/progress/" not in page


def test_the_server_refuses_staff_progress_on_another_units_task(login, people, tasks) -> None:
    coordinated, _own = tasks
    client = login(people.staff)
    assert client.get(f"/tasks/{coordinated.pk}/progress/").status_code == 403
    response = client.post(f"/tasks/{coordinated.pk}/progress/", {
        "unit": people.staff.unit_id, "percent": 50, "results": "Đã làm một nửa"})
    assert response.status_code == 403
    assert not ProgressUpdate.objects.filter(task=coordinated).exists()


def test_the_lead_units_officer_and_the_staffs_own_task_still_offer_progress(
        login, people, tasks) -> None:
    coordinated, own = tasks
    assert "Báo cáo tiến độ</a>" in _html(login(people.officer).get(f"/tasks/{coordinated.pk}/"))
    assert "Báo cáo tiến độ</a>" in _html(login(people.staff).get(f"/tasks/{own.pk}/"))


def test_a_coordinating_unit_that_does_not_decide_still_reports(org, people, tasks) -> None:
    coordinated, _own = tasks
    services.task_update(actor=people.staff, task=coordinated, expected_version=coordinated.version,
                         coordinating_units=[org.pv01, org.pc06])
    reportable = scoping.tasks_reportable_by(people.outsider)  # PC06's manager
    assert reportable.filter(pk=coordinated.pk).exists()
    assert not scoping.tasks_reportable_by(people.staff).filter(pk=coordinated.pk).exists()


def test_the_api_refuses_staff_progress_on_another_units_task(people, tasks) -> None:
    from dondoc.api.tests.conftest import ApiClient, token_for

    coordinated, own = tasks
    api = ApiClient(token_for(people.staff))
    refused = api.post(f"/tasks/{coordinated.pk}/progress", {"percent": 10, "results": "Một ít"})
    assert refused.status_code == 403, refused.content[:300]
    assert api.post(f"/tasks/{own.pk}/progress",
                    {"percent": 10, "results": "Một ít"}).status_code == 201
    assert not ProgressUpdate.objects.filter(task=coordinated).exists()


# 10 (b). One status on the task page -----------------------------------------------------


def _badges(page: str) -> list[str]:
    head = page.split("<h1", 1)[0].rsplit("<code", 1)[1]
    return re.findall(r'class="(?:status status-[\w-]+|badge [^"]*)"', head)


def test_the_task_page_shows_one_status_badge(login, people, tasks) -> None:
    coordinated, _own = tasks
    page = _html(login(people.officer).get(f"/tasks/{coordinated.pk}/"))
    assert _badges(page) == ['class="status status-in_progress_on_time"']
    assert "Đã giao" not in page.split("<h1", 1)[0]  # the workflow state "Assigned"


def test_a_suspended_or_cancelled_task_shows_that_state_once(login, people, tasks) -> None:
    coordinated, own = tasks
    services.task_suspend(actor=people.staff, task=coordinated, reason="Chờ chủ trương")
    services.task_cancel(actor=people.admin, task=own, reason="Không còn phù hợp")
    client = login(people.admin)
    suspended = _html(client.get(f"/tasks/{coordinated.pk}/"))
    assert _badges(suspended) == ['class="status status-suspended"']
    cancelled = _html(client.get(f"/tasks/{own.pk}/"))
    assert _badges(cancelled) == ['class="status status-cancelled"']
    assert cancelled.split("<h1", 1)[0].count("Đã hủy") == 1


# 10 (c). "Back" on forms, "Cancel task" only for the task ------------------------------


@pytest.mark.parametrize("path", ["/tasks/{pk}/progress/", "/tasks/{pk}/complete/",
                                  "/tasks/{pk}/extend/"])
def test_forms_go_back_rather_than_cancel(login, people, tasks, path) -> None:
    coordinated, _own = tasks
    page = _html(login(people.officer).get(path.format(pk=coordinated.pk)))
    back = re.search(r'<a class="btn btn-link" href="/tasks/\d+/">([^<]+)</a>', page)
    assert back is not None and back.group(1) == "Quay lại"
    assert ">Hủy<" not in page


def test_the_task_and_document_forms_of_staff_say_back(login, people, tasks) -> None:
    coordinated, _own = tasks
    client = login(people.staff)
    for path in (f"/tasks/{coordinated.pk}/edit/", f"/tasks/{coordinated.pk}/suspend/",
                 f"/documents/{coordinated.document_id}/edit/", "/documents/new/"):
        page = _html(client.get(path))
        assert ">Quay lại</a>" in page, path
        assert ">Hủy<" not in page, path


def test_cancel_task_is_the_only_cancel_on_the_task_page(login, people, tasks) -> None:
    coordinated, _own = tasks
    page = _html(login(people.staff).get(f"/tasks/{coordinated.pk}/"))
    assert "Hủy nhiệm vụ" in page
    assert re.findall(r">\s*Hủy\s*<", page) == []


# 11. The decision form ----------------------------------------------------------------


@pytest.fixture
def pending(people, tasks):  # type: ignore[no-untyped-def]
    coordinated, _own = tasks
    services.completion_request(actor=people.officer, task=coordinated, note="Đã xong")
    return coordinated, coordinated.completion_requests.get()


def test_the_decision_is_a_fieldset_with_a_legend(login, people, pending) -> None:
    task, _request = pending
    page = _html(login(people.staff).get(f"/tasks/{task.pk}/"))
    fieldset = re.search(r'<fieldset id="id_completion-decision"[^>]*>\s*<legend[^>]*>'
                         r'Quyết định', page)
    assert fieldset is not None


def test_a_refusal_without_reason_keeps_the_choice_and_says_why_next_to_the_note(
        login, people, pending) -> None:
    _task, request = pending
    response = login(people.staff).post(f"/completions/{request.pk}/decide/", {
        "completion-decision": "refuse", "completion-note": "  "})
    page = _html(response)
    # The choice is kept …
    assert re.search(r'<input type="radio" name="completion-decision" value="refuse"'
                     r'[^>]*checked', page)
    # … the error is next to the field and in the summary linking to it.
    assert ('<div class="invalid-feedback d-block" id="id_completion-note_error">Nêu lý do.</div>'
            in page)
    assert '<a href="#id_completion-note">Ghi chú: Nêu lý do.</a>' in page
    assert 'aria-invalid="true"' in page
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_a_decision_without_a_choice_says_so_at_the_fieldset(login, people, pending) -> None:
    _task, request = pending
    page = _html(login(people.staff).post(f"/completions/{request.pk}/decide/",
                                          {"completion-note": "Chưa đủ"}))
    assert 'id="id_completion-decision_error"' in page
    assert '<a href="#id_completion-decision">Quyết định:' in page
    assert "Chưa đủ</textarea>" in page  # the note typed is not lost


def test_a_valid_decision_still_redirects(login, people, pending) -> None:
    task, request = pending
    response = login(people.staff).post(f"/completions/{request.pk}/decide/",
                                        {"completion-decision": "approve"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == TaskState.COMPLETED


def test_an_extension_refusal_without_reason_keeps_the_choice(login, people, tasks) -> None:
    coordinated, _own = tasks
    extension = services.extension_request(actor=people.officer, task=coordinated,
                                           proposed_due=TODAY() + dt.timedelta(days=60),
                                           reason="Chờ số liệu")
    page = _html(login(people.staff).post(f"/extensions/{extension.pk}/decide/", {
        "extension-decision": "refuse"}))
    assert re.search(r'value="refuse"[^>]*checked', page)
    assert 'id="id_extension-note_error">Nêu lý do.<' in page
