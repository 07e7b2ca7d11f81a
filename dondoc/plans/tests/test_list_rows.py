"""The rows of the task tables, drawn in Python (issue 15): what a user reads in them is
escaped, cut where it is too long, named and linked as before, and costs no query per row."""

from __future__ import annotations

import datetime as dt
import html
import re

from dondoc.api.tests.conftest import ApiClient, token_for
from dondoc.plans import services
from dondoc.plans.tests.test_views import plan  # noqa: F401 - the fixture


def _task(people, org, document, group, title, **extra):  # type: ignore[no-untyped-def]
    return services.task_create(actor=people.staff, document=document, group=group, title=title,
                                lead_unit=org.pc08, assigning_unit=org.catp,
                                due_date=extra.pop("due_date", dt.date(2030, 1, 1)), **extra)


def test_rows_escape_what_users_typed_and_cut_long_titles(org, people, login, plan) -> None:  # noqa: F811
    document, group = plan
    hostile = "<script>alert('x')</script> & \"kế hoạch\""
    task = _task(people, org, document, group, hostile)
    people.officer.last_name, people.officer.first_name = "<b>Nguyễn</b>", "An & Bình"
    people.officer.save()
    services.task_assign_people(actor=people.manager, task=task, unit=org.pc08,
                                officers=[people.officer])
    long_title = "Triển khai " + "rất dài " * 40
    _task(people, org, document, group, long_title)

    page = login(people.staff).get("/tasks/").content.decode()

    assert "<script>alert" not in page and "<b>Nguyễn</b>" not in page
    assert html.escape(hostile) in page
    assert "&lt;b&gt;Nguyễn&lt;/b&gt; An &amp; Bình" in page
    titles = re.findall(r'class="task-title" href="[^"]+">([^<]*)</a>', page)
    cut = next(title for title in titles if title.startswith("Triển khai"))
    assert cut.endswith("…") and len(cut) == 140


def test_rows_link_to_the_task_as_of_the_lists_date_and_show_its_columns(
        org, people, login, plan) -> None:  # noqa: F811
    document, group = plan
    late = _task(people, org, document, group, "Nhiệm vụ quá hạn", due_date=dt.date(2024, 1, 1),
                 assigned_on=dt.date(2023, 6, 1))
    client = login(people.staff)

    overdue = client.get("/tasks/?status=in_progress_overdue").content.decode()
    assert f'href="/tasks/{late.pk}/"' in overdue
    assert 'class="text-end text-nowrap days-overdue"' in overdue
    assert "01/01/2024" in overdue and 'status-in_progress_overdue' in overdue

    dated = client.get("/tasks/?as_of=15/06/2024").content.decode()
    assert f'href="/tasks/{late.pk}/?as_of=15/06/2024"' in dated
    assert "days-overdue" not in dated  # only the overdue lists have that column


def test_rows_cost_no_query_per_task_on_pages_and_the_api(
        org, people, login, plan, django_assert_max_num_queries) -> None:  # noqa: F811
    document, group = plan
    for n in range(12):
        task = _task(people, org, document, group, f"Nhiệm vụ {n}",
                     coordinating_units=[org.pc06])
        services.task_assign_people(actor=people.manager, task=task, unit=org.pc08,
                                    officers=[people.officer])
    client = login(people.staff)
    with django_assert_max_num_queries(12):
        page = client.get("/tasks/?size=50").content.decode()
    assert page.count('class="small task-people"') == 12

    api = ApiClient(token_for(people.staff))
    with django_assert_max_num_queries(9):
        body = api.get("/tasks?page_size=50").json()
    assert len(body["results"]) == 12
    assert all(row["coordinating_units"][0]["id"] == org.pc06.pk for row in body["results"])
    assert all([person["id"] for person in row["assignees"]] == [people.officer.pk]
               for row in body["results"])
    # A unit's subtree: its path is read once, when the query's units are checked.
    with django_assert_max_num_queries(7):
        body = api.get(f"/tasks?unit={org.pc08.pk}&status=open&page_size=50").json()
    assert len(body["results"]) == 12


def test_rows_name_the_deadline_and_keep_the_progress_for_the_phone_card(
        org, people, login, plan) -> None:  # noqa: F811
    """On a phone a row is a card without the table's head: its deadline and progress say
    what they are (the progress cell is no longer hidden below 576 px)."""
    document, group = plan
    _task(people, org, document, group, "Nhiệm vụ có hạn", due_date=dt.date(2030, 1, 1))
    page = login(people.staff).get("/tasks/").content.decode()
    assert '<span class="cell-label">Thời hạn: </span>01/01/2030' in page
    assert '<td class="text-end task-progress">' in page
    assert '<span class="cell-label small">Tiến độ: </span><span class="small">0%</span>' in page


def test_the_officer_ticks_are_styled_checkboxes_with_their_names(
        org, people, login, plan) -> None:  # noqa: F811
    document, group = plan
    task = _task(people, org, document, group, "Nhiệm vụ giao cán bộ")
    page = login(people.manager).get(f"/tasks/{task.pk}/").content.decode()
    box = re.search(r'<input type="checkbox" name="officers"[^>]*>', page)
    assert box and 'class="form-check-input"' in box.group(0)
