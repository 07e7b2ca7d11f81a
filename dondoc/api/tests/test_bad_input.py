"""Bad input gets a 4xx with the error body that says what is wrong, and nothing is saved."""

from __future__ import annotations

from typing import Any

import pytest

from dondoc.api.tests.conftest import ApiClient, assert_error, token_for
from dondoc.audit.models import AuditEvent
from dondoc.plans import services
from dondoc.plans.models import Task
from dondoc.progress.models import ProgressUpdate


@pytest.fixture
def staff(people: Any, work: Any) -> ApiClient:
    return ApiClient(token_for(people.staff))


def _valid_task(work: Any, org: Any, **changes: Any) -> dict[str, Any]:
    return {"document": work.document.pk, "title": "Nhiệm vụ mới", "lead_unit": org.pc08.pk,
            "due_date": "2025-12-31", **changes}


def _saved() -> tuple[int, int, int]:
    return Task.objects.count(), ProgressUpdate.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": 123}, "title"),
    ({"title": ""}, "title"),
    ({"title": "a\x00b"}, "title"),
    ({"lead_unit": "PC08"}, "lead_unit"),
    ({"lead_unit": "6"}, "lead_unit"),  # a number as text is refused, not guessed
    ({"priority": 2.5}, "priority"),
    ({"priority": 9}, "priority"),
    ({"is_public": "yes"}, "is_public"),
    ({"coordinating_units": "PC06"}, "coordinating_units"),
    ({"deadline_kind": "someday"}, "deadline_kind"),
    ({"owner": 1}, "owner"),  # unknown field
    ({"due_date": "31/12/2025"}, "due_date"),
    ({"due_date": "2025-02-30"}, "due_date"),
    ({"due_date": 20251231}, "due_date"),
    ({"due_date": "2025-12-31T10:00:00"}, "due_date"),
])
def test_a_bad_task_field_is_named_and_nothing_is_saved(staff, work, org, changes,
                                                         field) -> None:
    before = _saved()
    body = assert_error(staff.post("/tasks", _valid_task(work, org, **changes)), 422, "invalid")
    assert field in body["errors"], body
    assert all(isinstance(message, str) and message for message in body["errors"][field])
    assert _saved() == before


def test_a_task_without_a_due_date_has_its_deadline_to_set(staff, work, org) -> None:
    """Issue 8, "No date yet": an empty deadline on create is the kind "none"."""
    response = staff.post("/tasks", _valid_task(work, org, due_date=None))
    assert response.status_code == 201, response.content[:300]
    body = response.json()
    assert (body["deadline_kind"], body["deadline"], body["no_deadline"]) == ("none", None, True)


def test_an_unknown_field_is_reported_as_such(staff, work, org) -> None:
    body = assert_error(staff.post("/tasks", _valid_task(work, org, colour="red")), 422)
    assert list(body["errors"]) == ["colour"]


@pytest.mark.parametrize("field", ["lead_unit", "coordinating_units"])
def test_unknown_or_foreign_units_are_refused(staff, work, org, field) -> None:
    before = _saved()
    for unit in (987654, org.other.pk):
        value: Any = unit if field == "lead_unit" else [org.pc06.pk, unit]
        body = assert_error(staff.post("/tasks", _valid_task(work, org, **{field: value})), 422)
        assert str(unit) in body["errors"][field][0]
    assert _saved() == before


def test_an_unknown_document_or_group_is_refused(staff, work, org) -> None:
    before = _saved()
    assert "document" in assert_error(
        staff.post("/tasks", _valid_task(work, org, document=987654)), 422)["errors"]
    assert "document" in assert_error(
        staff.post("/tasks", _valid_task(work, org, document=work.other_document.pk)),
        422)["errors"]
    other_group = services.group_create(actor=None, document=work.other_document, number="I",
                                        title="Nhóm khác")
    before = _saved()
    assert "group" in assert_error(
        staff.post("/tasks", _valid_task(work, org, group=other_group.pk)), 422)["errors"]
    assert _saved() == before


def test_a_body_that_is_not_json_gets_400(staff) -> None:
    before = _saved()
    assert_error(staff.send("post", "/tasks", raw="{not json"), 400, "bad_request")
    assert_error(staff.send("post", "/tasks", raw="[1, 2]"), 422, "invalid")
    assert _saved() == before


def test_a_huge_body_gets_413_before_it_is_read(staff, work, org) -> None:
    before = _saved()
    huge = _valid_task(work, org, description="x" * 1_100_000)
    assert_error(staff.post("/tasks", huge), 413, "too_large")
    assert _saved() == before


def test_the_body_limit_is_a_setting(staff, work, settings) -> None:
    settings.DONDOC_API_MAX_BODY_BYTES = 100
    response = staff.post(f"/tasks/{work.traffic.pk}/directions", {"text": "x" * 200})
    assert_error(response, 413, "too_large")


def test_a_long_text_is_refused_with_its_limit(staff, work, org) -> None:
    body = assert_error(staff.post("/tasks", _valid_task(work, org, tags="x" * 201)), 422)
    assert "200" in body["errors"]["tags"][0]


@pytest.mark.parametrize(("params", "field"), [
    ({"as_of": "2025-13-01"}, "as_of"),
    ({"as_of": "15/05/2025"}, "as_of"),
    ({"due_from": "tomorrow"}, "due_from"),
    ({"unit": 987654}, "unit"),
    ({"lead": 987654}, "lead"),
    ({"unit": "abc"}, "unit"),
    ({"status": "late-ish"}, "status"),
    ({"ordering": "title; drop table"}, "ordering"),
    ({"page_size": 101}, "page_size"),
    ({"page": 0}, "page"),
    ({"priority": 7}, "priority"),
])
def test_bad_list_filters_are_refused(staff, params, field) -> None:
    body = assert_error(staff.get("/tasks", params), 422, "invalid")
    assert field in body["errors"], body


@pytest.mark.parametrize("params", [{"as_of": "2025-02-30"}, {"unit": 987654},
                                    {"document": 987654}, {"group_by": "province"}])
def test_bad_statistics_parameters_are_refused(staff, params) -> None:
    assert_error(staff.get("/statistics", params), 422, "invalid")


@pytest.mark.parametrize("path", ["/tasks/0", "/tasks/abc", "/tasks/99999999999999999999",
                                  "/units/-1"])
def test_impossible_ids_get_a_4xx(staff, path) -> None:
    assert staff.get(path).status_code in {404, 422}


def test_a_bad_progress_report_saves_nothing(staff, people, work) -> None:
    client = ApiClient(token_for(people.manager))
    before = _saved()
    for body in ({"percent": 101, "results": "x"}, {"percent": -1, "results": "x"},
                 {"percent": 50}, {"percent": 50, "results": "x", "unit": 987654},
                 {"percent": 50, "results": "x", "corrects": 987654},
                 {"percent": "50", "results": "x"}):
        assert_error(client.post(f"/tasks/{work.traffic.pk}/progress", body), 422)
    assert _saved() == before


def test_a_bad_extension_request_saves_nothing(people, work) -> None:
    client = ApiClient(token_for(people.manager))
    before = _saved()
    for body in ({"proposed_due": "2025-06-01", "reason": "Chờ"},  # before the deadline
                 {"proposed_due": "2025-06-31", "reason": "Chờ"},
                 {"proposed_due": "2025-12-31", "reason": " "}):
        assert_error(client.post(f"/tasks/{work.traffic.pk}/extensions", body), 422)
    assert _saved() == before
