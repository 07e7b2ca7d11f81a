"""A task list past its count limit (``DONDOC_TASK_LIST_COUNT_LIMIT``, on by default on
PostgreSQL for ministry-size lists) says "more than N" and still pages through every row;
below the limit, or with the limit off, it gives the exact total (issue 15)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import override_settings

from dondoc.plans import services
from dondoc.plans.tests.test_views import plan  # noqa: F401 - the fixture


def _tasks(people, org, plan, count: int, **extra):  # type: ignore[no-untyped-def]  # noqa: F811
    document, group = plan
    return [services.task_create(actor=people.staff, document=document, group=group,
                                 title=f"Nhiệm vụ {n:02d}", lead_unit=org.pc08,
                                 assigning_unit=org.catp, due_date=dt.date(2030, 1, 1), **extra)
            for n in range(count)]


def _codes(page: str) -> list[str]:
    return re.findall(r"<code[^>]*>([^<]+)</code>", page)


@pytest.mark.parametrize("status", ["", "in_progress_on_time"])
def test_past_the_limit_the_list_says_more_than_and_pages_through_every_task(
        org, people, login, plan, status) -> None:  # noqa: F811
    made = _tasks(people, org, plan, 30)
    client = login(people.staff)
    query = f"&status={status}" if status else ""
    with override_settings(DONDOC_TASK_LIST_COUNT_LIMIT=5):
        first = client.get(f"/tasks/?page=1{query}").content.decode()
        second = client.get(f"/tasks/?page=2{query}").content.decode()
        beyond = client.get(f"/tasks/?page=9{query}").content.decode()
    assert "hơn 5 nhiệm vụ" in first and "30 nhiệm vụ" not in first
    assert "Trang 1" in first and "Trang 1/" not in first and "page=2" in first
    assert "Trang 2" in second and "page=3" not in second  # the last page has no "next"
    shown = _codes(first) + _codes(second)
    assert sorted(shown) == sorted(task.code for task in made)  # every task, once
    assert "Trang 1" in beyond and _codes(beyond)  # a page past the end shows the first


def test_below_the_limit_or_without_it_the_total_is_exact(org, people, login, plan,  # noqa: F811
                                                          ) -> None:
    _tasks(people, org, plan, 7)
    client = login(people.staff)
    for limit in (7, 0):
        with override_settings(DONDOC_TASK_LIST_COUNT_LIMIT=limit):
            page = client.get("/tasks/").content.decode()
        assert "7 nhiệm vụ" in page and "hơn" not in page, limit
    people.staff.language = "en"
    people.staff.save()
    with override_settings(DONDOC_TASK_LIST_COUNT_LIMIT=6):
        english = login(people.staff).get("/tasks/").content.decode()
    assert "more than 6 tasks" in english and "Page 1" not in english  # one page


@pytest.mark.parametrize("query", [
    "", "&status=in_progress_overdue", "&sort=-deadline", "&sort=-priority",
    "&sort=progress", "&sort=days_overdue&status=overdue", "&as_of=08/10/2029",
    "&as_of=08/10/2029&status=in_progress_on_time",
])
def test_below_the_limit_every_page_lists_the_same_tasks_in_the_same_order(
        org, people, login, plan, query) -> None:  # noqa: F811
    """Within the limit a page is read in one query (the capped rows with their sort keys,
    counted and ordered by the database): for every order and date it must list what the
    plain list lists, page by page."""
    document, group = plan
    for n in range(32):
        services.task_create(actor=people.staff, document=document, group=group,
                             title=f"Việc {n:02d}", lead_unit=org.pc08, assigning_unit=org.catp,
                             due_date=dt.date(2020 + n % 12, 1 + n % 12, 1 + n % 27),
                             priority=1 + n % 3)
    client = login(people.staff)
    pages = {}
    for limit in (100, 0):
        with override_settings(DONDOC_TASK_LIST_COUNT_LIMIT=limit):
            pages[limit] = [client.get(f"/tasks/?page={n}{query}").content.decode()
                            for n in (1, 2)]
    one_pass, plain = pages[100], pages[0]
    assert [_codes(page) for page in one_pass] == [_codes(page) for page in plain]
    assert _codes(one_pass[0])
    if "status" not in query:
        assert len(_codes(one_pass[0])) == 25 and len(_codes(one_pass[1])) == 7
        assert "32 nhiệm vụ" in one_pass[0] and "hơn" not in one_pass[0]


def test_below_the_limit_a_page_past_the_end_still_knows_the_total(
        org, people, login, plan) -> None:  # noqa: F811
    from dondoc.plans import selectors

    _tasks(people, org, plan, 6)
    filters = selectors.filters_from_params({})
    tasks = selectors.task_list(user=people.staff, filters=filters)
    rows, total = selectors.task_slice(tasks, 25, 50, filters=filters, count_limit=10)
    assert (rows, total) == ([], 6)
    rows, total = selectors.task_slice(tasks, 0, 4, filters=filters, count_limit=10)
    assert len(rows) == 4 and total == 6
    rows, total = selectors.task_slice(tasks, 0, 4, filters=filters, count_limit=5)
    assert len(rows) == 4 and total == 6  # past the limit: at least one more than shown


def test_the_api_and_the_print_view_keep_the_exact_total(org, people, login, plan,  # noqa: F811
                                                         ) -> None:
    from dondoc.api.tests.conftest import ApiClient, token_for

    _tasks(people, org, plan, 8)
    with override_settings(DONDOC_TASK_LIST_COUNT_LIMIT=3):
        body = ApiClient(token_for(people.staff)).get("/tasks").json()
        printed = login(people.staff).get("/tasks/print/").content.decode()
    assert body["count"] == 8
    assert "8 nhiệm vụ" in printed and "hơn" not in printed


def test_an_order_the_one_query_cannot_sort_still_counts_and_pages(
        org, people, login, plan) -> None:  # noqa: F811
    """An order that is not made of names (an expression): the count, then the slice."""
    from django.db.models.functions import Lower

    from dondoc.plans import selectors

    made = _tasks(people, org, plan, 6)
    filters = selectors.filters_from_params({})
    tasks = selectors.task_list(user=people.staff, filters=filters).order_by(
        Lower("title").desc())
    rows, total = selectors.task_slice(tasks, 0, 4, filters=filters, count_limit=10)
    assert total == 6
    assert [task.title for task in rows] == sorted(
        (task.title for task in made), reverse=True)[:4]
    rows, total = selectors.task_slice(tasks, 0, 4, filters=filters, count_limit=5)
    assert len(rows) == 4 and total == 6  # past the limit: at least one more than shown


@pytest.mark.parametrize("query", ["decide=mine", "extension=pending&decide=mine",
                                   "decide=mine&status=in_progress_overdue"])
def test_a_list_that_can_hold_no_task_is_empty_not_an_error(org, people, login, plan,  # noqa: F811
                                                             query) -> None:
    """An officer decides nothing: "to decide" is a list of no task (an empty queryset,
    whose SQL Django does not write). With the count limit on it is the empty list, not
    a server error (a 500 on PostgreSQL, where the limit is on by default)."""
    _tasks(people, org, plan, 3)
    client = login(people.officer)
    with override_settings(DONDOC_TASK_LIST_COUNT_LIMIT=5):
        response = client.get(f"/tasks/?{query}")
    assert response.status_code == 200
    assert list(response.context["page"]) == [] and response.context["page"].paginator.count == 0
    assert "0 nhiệm vụ" in response.content.decode()
