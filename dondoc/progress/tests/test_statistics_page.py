"""The statistics page counts, in all, per sub-unit and per document, the tasks a unit's
subtree led on its date, reading each task's status once."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dondoc.api.tests.conftest import ApiClient, token_for
from dondoc.plans import services

TODAY = dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)


def _two_plans_and_a_transfer(org, people):
    """PC06 leads a task of each plan and PC08 one of the first, until PC06's tasks pass to
    PC08 on 01/03/2025."""
    plans = [services.document_create(
        actor=people.staff, kind="plan", number=number, title=f"Kế hoạch {number}",
        issuer="CATP", issue_date=issued, owner_unit=org.catp, code_prefix=prefix)
        for number, issued, prefix in (("01/KH", dt.date(2024, 1, 1), "KH01"),
                                       ("02/KH", dt.date(2024, 2, 1), "KH02"))]
    for document, lead, due in ((plans[0], org.pc06, dt.date(2025, 12, 31)),
                                (plans[1], org.pc06, dt.date(2025, 12, 31)),
                                (plans[0], org.pc08, dt.date(2025, 1, 31))):
        services.task_create(actor=people.staff, document=document, title="Nhiệm vụ",
                             lead_unit=lead, assigning_unit=org.catp, due_date=due,
                             assigned_on=dt.date(2024, 2, 1))
    services.tasks_transfer(actor=people.staff, from_unit=org.pc06, to_unit=org.pc08,
                            on=dt.date(2025, 3, 1))
    return plans


def _figures(page):
    context = page.context
    rows = {unit.code if unit else "own": counts.total for unit, counts in context["rows"]}
    documents = {document.number: counts.total for document, counts in context["by_document"]}
    return context["total"].total, rows, documents


@time_machine.travel(TODAY, tick=False)
def test_before_a_transfer_the_old_unit_counts_the_tasks_everywhere_on_the_page(
        org, people, login) -> None:
    _two_plans_and_a_transfer(org, people)
    client = login(people.staff)
    before = client.get("/statistics/", {"unit": org.pc06.pk, "as_of": "01/01/2025"})
    # PC06 led two tasks then, one of each plan: the total, its own row and the documents
    # all say so (the total is not the tasks it leads today).
    assert _figures(before) == (2, {"own": 2}, {"01/KH": 1, "02/KH": 1})
    today = client.get("/statistics/", {"unit": org.pc06.pk})
    assert _figures(today) == (0, {}, {})
    city = client.get("/statistics/", {"unit": org.catp.pk, "as_of": "01/01/2025"})
    assert _figures(city) == (3, {"PC06": 2, "PC08": 1}, {"01/KH": 2, "02/KH": 1})
    assert _figures(client.get("/statistics/", {"unit": org.catp.pk})) == (
        3, {"PC08": 3}, {"01/KH": 2, "02/KH": 1})


@time_machine.travel(TODAY, tick=False)
def test_the_documents_are_listed_in_their_own_order(org, people, login) -> None:
    _two_plans_and_a_transfer(org, people)
    page = login(people.staff).get("/statistics/", {"unit": org.catp.pk})
    assert [document.number for document, _ in page.context["by_document"]] == [
        "01/KH", "02/KH"]
    overdue = {document.number: counts.in_progress_overdue
               for document, counts in page.context["by_document"]}
    assert overdue == {"01/KH": 1, "02/KH": 0}  # PC08's task was due on 31/01/2025


@time_machine.travel(TODAY, tick=False)
def test_the_page_computes_each_tasks_status_in_one_query(org, people, login) -> None:
    _two_plans_and_a_transfer(org, people)
    client = login(people.staff)
    for as_of in ("", "01/01/2025"):
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/statistics/", {"unit": org.catp.pk, "as_of": as_of})
        assert page.status_code == 200
        status_queries = [query for query in queries.captured_queries
                          if "'completed_on_time'" in query["sql"]]
        assert len(status_queries) == 1, as_of


@time_machine.travel(TODAY, tick=False)
def test_the_api_groups_a_units_tasks_by_document_as_led_on_the_date(org, people) -> None:
    plans = _two_plans_and_a_transfer(org, people)
    api = ApiClient(token_for(people.staff))
    body = api.get("/statistics", {"unit": org.pc06.pk, "as_of": "2025-01-01",
                                   "group_by": "document"}).json()
    assert body["counts"]["total"] == 2
    assert [(group["key"], group["label"], group["counts"]["total"])
            for group in body["groups"]] == [(plans[0].pk, "01/KH", 1), (plans[1].pk, "02/KH", 1)]
    today = api.get("/statistics", {"unit": org.pc06.pk, "group_by": "document"}).json()
    assert (today["counts"]["total"], today["groups"]) == (0, [])
    everything = api.get("/statistics", {"group_by": "document"}).json()
    assert everything["counts"]["total"] == 3
    assert [group["counts"]["total"] for group in everything["groups"]] == [2, 1]
