"""The audit log reads as plain language: object kinds and fields by their names in the
reader's language, task labels instead of ids, dates as dd/mm/yyyy."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dondoc.audit.models import AuditEvent
from dondoc.organization import services as org_services
from dondoc.plans import services
from dondoc.plans.tests.factories import make_document, make_group, make_task

DEVELOPER_WORDS = ["organization.user", "plans.direction", "plans.task",
                   "progress.progressupdate", "assigning_unit", "deadline_kind", "lead_unit",
                   "2026-10-28", "2026-12-31"]


def visible(html: str) -> str:
    """The page's text as a reader sees it (tags and their attributes removed)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def history(org, people):  # type: ignore[no-untyped-def]
    document = make_document(org.catp, actor=people.staff, code_prefix="KH118")
    group = make_group(document, actor=people.staff)
    task = make_task(document, org.pc08, actor=people.staff, group=group,
                     title="Rà soát tổ chức bộ máy", due_date=dt.date(2026, 12, 31),
                     assigned_on=dt.date(2026, 1, 5))
    services.progress_post(actor=people.officer, task=task, unit=org.pc08, percent=53,
                           results="Đã rà soát 5/9 đơn vị", reported_on=dt.date(2026, 10, 28))
    services.direction_add(actor=people.leader, task=task, text="Khẩn trương hoàn thành")
    org_services.user_update(actor=people.admin, user=people.viewer,
                             expected_version=people.viewer.version,
                             position="Cán bộ theo dõi")
    return task


def test_the_log_names_kinds_and_fields_in_vietnamese(people, login, history) -> None:
    html = login(people.admin).get("/audit/", {"size": 100}).content.decode()
    page = visible(html)
    for word in DEVELOPER_WORDS:
        assert word not in page, word
    assert "Báo cáo tiến độ" in page and "Ý kiến chỉ đạo" in page and "Tài khoản" in page
    assert "Đơn vị giao" in page and "Loại thời hạn" in page  # changed fields of the task
    assert "KH118-I.1 · 28/10/2026 53%" in page  # was "<task id> 2026-10-28 53%"
    assert "Task" not in page  # the progress update's task field, named after the model
    # The kind filter offers every kind by name.
    assert '<option value="plans.direction">Ý kiến chỉ đạo</option>' in html


def test_the_log_speaks_english_to_an_english_reader(people, login, history) -> None:
    people.admin.language = "en"
    people.admin.save()
    page = visible(login(people.admin).get("/audit/", {"size": 100}).content.decode())
    for word in DEVELOPER_WORDS:
        assert word not in page, word
    assert "Progress update" in page and "Assigning unit" in page and "Deadline kind" in page


def test_an_event_shows_each_change_with_readable_values(people, login, history) -> None:
    event = AuditEvent.objects.filter(object_type="plans.task", action="create").latest("seq")
    page = visible(login(people.admin).get(f"/audit/{event.seq}/").content.decode())
    for word in DEVELOPER_WORDS:
        assert word not in page, word
    assert "Nhiệm vụ: KH118-I.1" in page
    assert "31/12/2026" in page  # the due date
    assert "Ngày cụ thể" in page  # the deadline kind's label, not "fixed"
    assert "Phòng Cảnh sát giao thông" in page  # the lead unit's name, not its id


def test_the_log_page_reads_task_labels_in_one_query(people, login, history,
                                                      django_assert_max_num_queries) -> None:
    client = login(people.admin)
    with django_assert_max_num_queries(12):
        client.get("/audit/", {"size": 100})
