"""The task search: every word typed, whatever the accents, as a substring of the task's
folded text. On SQLite the words of three or more characters are read from the trigram
index (plans migration 0012), which must find exactly what ``LIKE`` finds and follow every
write to the tasks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dondoc.core.text import containing_words
from dondoc.plans import selectors, services
from dondoc.plans.models import Task

TITLES = [
    "Lắp đặt camera giám sát giao thông",
    "Đôn đốc phòng cháy, chữa cháy tại trụ sở",
    "Chuyển đổi số trong công tác tham mưu",
    'Rà soát 100% hồ sơ "tồn đọng" (giai đoạn 2_3)',
    "An ninh mạng: tập huấn cho cán bộ",
    "Xây dựng mô hình Công an xã chính quy",
]
QUERIES = [
    "camera", "CAMERA Giám", "giam sat", "chay", "cháy trụ", "so", "số", "an", "an ninh",
    "100%", '"tồn', "2_3", "đoạn 2_3", "xa", "mô hình xã", "khong co", "x", "  ", "ng",
    "tham-muu", "muu", "dong)", "công tác tham mưu chuyển đổi số trong",
]


@pytest.fixture
def tasks(org, people):  # type: ignore[no-untyped-def]
    document = services.document_create(
        actor=people.staff, kind="plan", number="02/KH", title="Kế hoạch", issuer="CATP",
        issue_date=dt.date(2024, 1, 1), owner_unit=org.catp, code_prefix="KH02")
    return [services.task_create(actor=people.staff, document=document, title=title,
                                 lead_unit=org.pc08, assigning_unit=org.catp,
                                 due_date=dt.date(2027, 1, 1)) for title in TITLES]


def _found(query: str) -> set[str]:
    return set(selectors.tasks_containing_words(Task.objects.all(), query)
               .values_list("title", flat=True))


def _by_like(query: str) -> set[str]:
    return set(containing_words(Task.objects.all(), query).values_list("title", flat=True))


def _index_is_whole() -> None:
    """FTS5's own check that the index holds exactly the tasks' current text."""
    if selectors._task_search_index(Task.objects.db):
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO plans_task_search(plans_task_search) "
                           "VALUES ('integrity-check')")


def test_the_index_finds_exactly_what_like_finds(tasks) -> None:
    for query in QUERIES:
        assert _found(query) == _by_like(query), query
    assert _found("giám sát") == {TITLES[0]}
    assert _found("chay tru so") == {TITLES[1]}
    assert _found('"tồn đọng"') == {TITLES[3]}
    assert _found("100%") == {TITLES[3]}
    assert _found("khong co") == set()
    assert _found("") == set(TITLES)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the trigram index is SQLite's")
def test_sqlite_reads_words_of_three_letters_from_the_index(tasks) -> None:
    assert selectors._task_search_index(Task.objects.db)
    with CaptureQueriesContext(connection) as queries:
        assert _found("camera giám ao") == {TITLES[0]}
    sql = queries.captured_queries[-1]["sql"]
    assert "MATCH" in sql and '"camera" "giam"' in sql
    assert "LIKE '%ao%'" in sql  # two letters: tested on the rows the index left
    assert '"plans_task"."id" IN (SELECT rowid' in sql  # the search leads the query


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the trigram index is SQLite's")
def test_sqlite_tests_the_words_on_the_rows_a_unit_filter_found(tasks, org, people) -> None:
    """With a lead unit filter, the tasks are found through the unit and the words are
    tested on their text, not looked up in the whole city's index first."""
    filters = selectors.filters_from_params({"lead": str(org.pc08.pk), "q": "camera giam"})
    listed = selectors.task_list(user=people.staff, filters=filters)
    with CaptureQueriesContext(connection) as queries:
        assert [task.title for task in listed] == [TITLES[0]]
    sql = queries.captured_queries[0]["sql"]
    assert "MATCH" not in sql and "LIKE '%camera%'" in sql


def test_the_index_follows_every_write_to_the_tasks(tasks, org, people) -> None:
    first = tasks[0]
    services.task_update(actor=people.staff, task=first, expected_version=first.version,
                         title="Nâng cấp máy chủ dữ liệu")
    assert _found("camera") == set()
    assert _found("may chu") == {"Nâng cấp máy chủ dữ liệu"}
    services.tasks_bulk_create(
        actor=people.staff, document=first.document, assigning_unit=org.catp,
        items=[services.NewTask(code=f"KH02-B{n}", title=f"Kiểm tra camera điểm {n}",
                                lead_unit=org.pc08, due_date=dt.date(2027, 1, 1))
               for n in range(3)])
    assert _found("kiem tra camera") == {f"Kiểm tra camera điểm {n}" for n in range(3)}
    Task.objects.filter(code="KH02-B1").delete()
    assert _found("kiem tra camera") == {"Kiểm tra camera điểm 0", "Kiểm tra camera điểm 2"}
    Task.objects.filter(pk=tasks[1].pk).update(search_text="da doi bang sql")
    assert _found("doi bang") == {TITLES[1]}
    assert _found("phong chay") == set()
    _index_is_whole()
    for query in [*QUERIES, "camera", "kiem", "may chu"]:
        assert _found(query) == _by_like(query), query


def test_the_task_list_page_searches_through_it(tasks, login, people) -> None:
    client = login(people.staff)
    page = client.get("/tasks/", {"q": "giám sát giao"}).content.decode()
    assert "Lắp đặt camera giám sát giao thông" in page
    assert "Đôn đốc phòng cháy" not in page
