"""Values outside what a date or a 64-bit key can hold are the caller's error, not a crash:
pages show the filter error (the value is ignored), the API answers 422."""

from __future__ import annotations

from typing import Any

import pytest

from dondoc.plans.selectors import filters_from_params

HUGE = "99999999999999999999"  # beyond a signed 64-bit integer
FAR_DAYS = ["9999-12-31", "0001-01-01", "31/12/9999", "01/01/0001"]
LIST_PAGES = ["/tasks/", "/tasks/mine/", "/tasks/export.xlsx", "/statistics/"]


@pytest.mark.parametrize("page", LIST_PAGES)
@pytest.mark.parametrize("day", FAR_DAYS)
def test_a_far_date_on_a_list_is_reported_not_a_crash(login: Any, people: Any, work: Any,
                                                      page: str, day: str) -> None:
    response = login(people.staff).get(page, {"as_of": day})
    # The export refuses a wrong filter (nothing to show it on); pages show the error.
    assert response.status_code == (400 if page.endswith(".xlsx") else 200)
    if page == "/tasks/":
        assert "01/01/1900" in response.content.decode()  # the error says the range


@pytest.mark.parametrize("name", ["document", "group", "lead", "coordinator", "unit",
                                  "parent", "priority"])
def test_a_number_beyond_64_bits_in_a_filter_is_reported(login: Any, people: Any, work: Any,
                                                         name: str) -> None:
    client = login(people.staff)
    for value in (HUGE, f"-{HUGE}"):
        for page in ("/tasks/", "/tasks/mine/", "/tasks/export.xlsx"):
            status = client.get(page, {name: value}).status_code
            assert status == (400 if page.endswith(".xlsx") else 200)


def test_filters_name_the_wrong_values() -> None:
    filters = filters_from_params({"document": HUGE, "as_of": "9999-12-31",
                                   "due_from": "01/01/0001", "lead": "12"})
    assert set(filters.errors) == {"document", "as_of", "due_from"}
    assert filters.document is None and filters.as_of is None and filters.lead == 12


def test_a_page_number_beyond_64_bits_shows_a_page(login: Any, people: Any, work: Any) -> None:
    client = login(people.manager)
    for page in ("/tasks/", "/tasks/mine/"):
        response = client.get(page, {"page": HUGE})
        assert response.status_code == 200
        assert work.traffic.code in response.content.decode()


def test_statistics_with_a_unit_beyond_64_bits_is_not_found(login: Any, people: Any) -> None:
    assert login(people.staff).get("/statistics/", {"unit": HUGE}).status_code == 404


@pytest.mark.parametrize("path", ["/tasks", "/statistics", "task"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_api_answers_422_for_a_far_date(api: Any, people: Any, work: Any, path: str,
                                        day: str) -> None:
    if path == "task":
        path = f"/tasks/{work.traffic.pk}"
    response = api(people.staff).get(path, {"as_of": day})
    assert response.status_code == 422, response.content[:300]
    assert "1900-01-01" in response.json()["message"] + str(response.json()["errors"])


def test_api_refuses_a_far_due_date(api: Any, people: Any, work: Any) -> None:
    response = api(people.staff).post("/tasks", {
        "document": work.document.pk, "title": "Ngày quá xa", "lead_unit": work.traffic.lead_unit_id,
        "due_date": "9999-12-31"})
    assert response.status_code == 422
