"""The bell, the list, marking read, the e-mail choice and the rules page; the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dondoc.notifications import kinds
from dondoc.notifications.models import MailPreference, Notification, ReminderRule
from dondoc.notifications.reminders import run_reminder_pass
from dondoc.notifications.services import notify
from dondoc.plans.tests.factories import make_document, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(org, people):
    document = make_document(org.pv01, actor=people.staff)
    return [make_task(document, org.pc08, actor=people.staff, title=f"Việc số {number}",
                      due_date=dt.date(2030, 3, 31), assigned_on=dt.date(2030, 1, 10))
            for number in range(3)]


def tell(user, task, number: int = 0) -> Notification:  # type: ignore[no-untyped-def]
    rows = notify([user], kinds.TASK_COMMENTED, task,
                  {"code": task.code, "actor": "Trần Văn B", "text": f"Ý kiến {number}"},
                  key=f"test:{number}")
    return rows[0]


def test_the_bell_shows_the_unread_count(login, people, tasks) -> None:
    for number, task in enumerate(tasks):
        tell(people.manager, task, number)
    page = login(people.manager).get("/").content.decode()
    assert 'data-testid="unread-count">3<' in page
    assert 'data-testid="unread-count"' not in login(people.officer).get("/").content.decode()


def test_the_list_shows_summaries_in_the_readers_language(login, people, tasks) -> None:
    tell(people.manager, tasks[0])
    client = login(people.manager)
    page = client.get("/notifications/").content.decode()
    assert f"Trần Văn B trao đổi về nhiệm vụ {tasks[0].code}: Ý kiến 0" in page
    people.manager.language = "en"
    people.manager.save()
    page = client.get("/notifications/").content.decode()
    assert f"Trần Văn B commented on task {tasks[0].code}: Ý kiến 0" in page


def test_opening_marks_read_and_goes_to_the_task(login, people, tasks) -> None:
    row = tell(people.manager, tasks[0])
    client = login(people.manager)
    response = client.post(f"/notifications/{row.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/tasks/{tasks[0].pk}/"
    row.refresh_from_db()
    assert row.read_at is not None
    assert client.get(response["Location"]).status_code == 200


def test_mark_read_needs_post(login, people, tasks) -> None:
    row = tell(people.manager, tasks[0])
    client = login(people.manager)
    assert client.get(f"/notifications/{row.pk}/read/").status_code == 405
    assert client.get(f"/notifications/{row.pk}/open/").status_code == 405
    assert client.post(f"/notifications/{row.pk}/read/").status_code == 302
    assert Notification.objects.get(pk=row.pk).read_at is not None


def test_another_persons_notification_is_404(login, people, tasks) -> None:
    row = tell(people.manager, tasks[0])
    client = login(people.officer)
    for url in (f"/notifications/{row.pk}/open/", f"/notifications/{row.pk}/read/"):
        assert client.post(url).status_code == 404
    assert client.get(f"/notifications/?digest={row.pk}").status_code == 404
    assert client.get("/notifications/?digest=abc").status_code == 404
    client.post("/notifications/read-all/")
    assert Notification.objects.get(pk=row.pk).read_at is None


def test_mark_all_read(login, people, tasks) -> None:
    for number, task in enumerate(tasks):
        tell(people.manager, task, number)
    client = login(people.manager)
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=people.manager,
                                           read_at__isnull=True).exists()
    assert 'data-testid="unread-count"' not in client.get("/").content.decode()


def test_a_task_out_of_reach_drops_out_of_the_list_and_the_count(login, people, tasks,
                                                                  org) -> None:
    tell(people.manager, tasks[0])
    people.manager.unit = org.pc06  # moved to another unit: the task is out of scope now
    people.manager.save()
    client = login(people.manager)
    assert "Ý kiến 0" not in client.get("/notifications/").content.decode()
    assert 'data-testid="unread-count"' not in client.get("/").content.decode()


def test_the_digest_opens_on_its_reminders(login, people, tasks) -> None:
    run_reminder_pass(dt.date(2030, 3, 31))
    digest = Notification.objects.get(kind=kinds.DIGEST, recipient=people.manager)
    client = login(people.manager)
    page = client.get("/notifications/").content.decode()
    assert "Nhắc việc ngày 31/03/2030: 3 nhiệm vụ" in page
    items = client.get(f"/notifications/?digest={digest.pk}").content.decode()
    assert all(task.code in items for task in tasks)
    client.post(f"/notifications/{digest.pk}/read/")
    assert not digest.items.filter(read_at__isnull=True).exists()


def queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_list_and_the_bell_do_not_query_per_row(login, people, org) -> None:
    document = make_document(org.pv01, actor=people.staff)
    client = login(people.manager)
    for number in range(3):
        tell(people.manager, make_task(document, org.pc08, actor=people.staff,
                                       title=f"Việc {number}"), number)
    few_list, few_home = queries(client, "/notifications/"), queries(client, "/")
    for number in range(3, 25):
        tell(people.manager, make_task(document, org.pc08, actor=people.staff,
                                       title=f"Việc {number}"), number)
    assert queries(client, "/notifications/") == few_list
    assert queries(client, "/") == few_home


def test_the_bell_costs_two_queries_once_per_request(rf, people, tasks) -> None:
    """The unread rows' tasks, then the scope asked about those tasks only (one query when
    none is about a task: test_unread_count.py)."""
    from django.template import Context, Template

    tell(people.manager, tasks[0])
    request = rf.get("/")
    request.user = people.manager
    template = Template("{% load notifications %}{% unread_notifications %}"
                        "{% unread_notifications %}")
    people.manager._dondoc_scope_root = people.manager.unit  # as the request had it
    with CaptureQueriesContext(connection) as context:
        assert template.render(Context({"request": request})) == "11"
    assert len(context.captured_queries) == 2


def test_the_mail_choice_is_on_the_account_page_and_saved(login, people) -> None:
    client = login(people.officer)
    page = client.get("/accounts/profile/").content.decode()
    assert 'name="mode" value="digest"' in page
    response = client.post("/notifications/email/", {"mode": "digest",
                                                     "next": "/accounts/profile/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    assert MailPreference.objects.get(user=people.officer).mode == "digest"
    client.post("/notifications/email/", {"mode": "sometimes"})
    assert MailPreference.objects.get(user=people.officer).mode == "digest"


def test_staff_edit_the_reminder_rules_others_may_not(login, people) -> None:
    assert login(people.officer).get("/notifications/rules/").status_code == 403
    assert login(people.manager).post("/notifications/rules/", {
        "kind": "before_due", "days": "14", "is_active": "on"}).status_code == 403
    client = login(people.staff)
    assert client.get("/notifications/rules/").status_code == 200
    response = client.post("/notifications/rules/", {"kind": "before_due", "days": "14",
                                                     "is_active": "on"})
    assert response.status_code == 302
    rule = ReminderRule.objects.get(kind="before_due", days=14)
    bad = client.post("/notifications/rules/", {"kind": "before_due", "days": "14"})
    assert bad.status_code == 400 and "Quy tắc này đã có." in bad.content.decode()
    bad = client.post("/notifications/rules/", {"kind": "overdue", "days": "abc"})
    assert "Nhập số ngày là số nguyên." in bad.content.decode()
    client.post(f"/notifications/rules/{rule.pk}/", {"action": "toggle"})
    assert ReminderRule.objects.get(pk=rule.pk).is_active is False
    client.post(f"/notifications/rules/{rule.pk}/", {"action": "delete"})
    assert not ReminderRule.objects.filter(pk=rule.pk).exists()
    assert client.post("/notifications/rules/999999/", {"action": "delete"}).status_code == 404


# API -----------------------------------------------------------------------------------


def test_api_lists_ones_own_notifications_in_ones_language(login, people, tasks) -> None:
    tell(people.manager, tasks[0])
    tell(people.officer, tasks[1])
    people.manager.language = "en"
    people.manager.save()
    answer = login(people.manager).get("/api/v1/notifications").json()
    assert answer["count"] == 1 and answer["unread"] == 1
    row = answer["results"][0]
    assert row["summary"] == f"Trần Văn B commented on task {tasks[0].code}: Ý kiến 0"
    assert row["url"] == f"/tasks/{tasks[0].pk}/" and row["task"] == tasks[0].pk


def test_api_marks_read_only_ones_own(login, people, tasks) -> None:
    mine = tell(people.manager, tasks[0])
    theirs = tell(people.officer, tasks[1])
    client = login(people.manager)
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read").status_code == 404
    answer = client.post("/api/v1/notifications/read", {"ids": [mine.pk, theirs.pk]},
                         content_type="application/json")
    assert answer.status_code == 200 and answer.json() == {"marked": 1}
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert client.post("/api/v1/notifications/read", {"ids": "x"},
                       content_type="application/json").status_code == 422
    one = client.post(f"/api/v1/notifications/{mine.pk}/read")
    assert one.status_code == 200 and one.json()["read_at"] is not None
