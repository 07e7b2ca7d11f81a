"""Every API failure answers the one JSON error body: a database too busy to write gives
503 with Retry-After (a real SQLite lock held by another connection), an unexpected
exception 500; pages answer a short 503 page."""

from __future__ import annotations

import copy
import json
import sqlite3
from typing import Any

import pytest
from django.db import OperationalError, connections
from django.test import RequestFactory

from dondoc.api.tests.conftest import ApiClient, assert_error, token_for
from dondoc.core import busy
from dondoc.progress.models import ProgressUpdate


@pytest.fixture
def file_database(tmp_path: Any, transactional_db: None) -> Any:
    """Move the default connection onto a file copy of the test database, as in
    production (the test database lives in memory, where SQLite has no file lock)."""
    connection = connections["default"]
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's database-wide write lock")
    connection.ensure_connection()
    memory = connection.connection
    path = tmp_path / "dondoc.sqlite3"
    copy_target = sqlite3.connect(path)
    memory.backup(copy_target)
    copy_target.close()
    saved = copy.deepcopy(connection.settings_dict)
    saved_mode = connection.transaction_mode
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    # The production options, with a short wait so the test does not take 15 seconds.
    connection.settings_dict["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;",
        "timeout": 0.5, "transaction_mode": "IMMEDIATE"}
    connection.ensure_connection()
    try:
        yield path
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
        connection.transaction_mode = saved_mode
        connection.connection = memory


def test_a_write_blocked_by_another_writer_answers_503_json_with_retry_after(
        work: Any, people: Any, file_database: Any) -> None:
    manager = ApiClient(token_for(people.manager))
    url = f"/tasks/{work.traffic.pk}/progress"
    holder = sqlite3.connect(file_database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a long write
    holder.execute("UPDATE plans_task SET title = title WHERE id = ?", (work.traffic.pk,))
    try:
        response = manager.post(url, {"percent": 40, "results": "Lắp 40 camera"})
    finally:
        holder.rollback()
        holder.close()
    body = assert_error(response, 503, "unavailable")
    assert response["Retry-After"] == str(busy.RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("application/json")
    assert "bận" in body["message"]  # the manager works in Vietnamese
    assert not ProgressUpdate.objects.exists()
    # Once the other write has ended, the same request goes through.
    again = manager.post(url, {"percent": 40, "results": "Lắp 40 camera"})
    assert again.status_code == 201, again.content
    assert ProgressUpdate.objects.count() == 1


def test_the_busy_message_is_in_the_callers_language(
        work: Any, people: Any, monkeypatch: Any, api: Any) -> None:
    from dondoc.plans import services

    def locked(**kwargs: Any) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "progress_post", locked)
    people.manager.language = "en"
    people.manager.save()
    response = api(people.manager).post(f"/tasks/{work.traffic.pk}/progress",
                                        {"percent": 40, "results": "x"})
    body = assert_error(response, 503, "unavailable")
    assert body["message"].startswith("The system is busy")


def test_an_unexpected_exception_answers_500_with_the_json_body(
        work: Any, people: Any, monkeypatch: Any, api: Any, caplog: Any) -> None:
    from dondoc.api.endpoints import tasks

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(tasks, "_detail_response", broken)
    response = api(people.staff).get(f"/tasks/{work.traffic.pk}")
    body = assert_error(response, 500, "server_error")
    assert "secret internal detail" not in response.content.decode()
    assert body["errors"] == {}
    assert any("failed" in record.getMessage() for record in caplog.records)  # logged


def test_an_error_outside_the_api_views_still_answers_json_under_api() -> None:
    request = RequestFactory().get("/api/v1/tasks")
    response = busy.server_error(request)
    assert response.status_code == 500
    assert set(json.loads(response.content)) == {"code", "message", "errors"}
    page = busy.server_error(RequestFactory().get("/tasks/"))
    assert page.status_code == 500 and b"<html" in page.content


def test_a_page_whose_write_finds_the_database_locked_answers_a_friendly_503(
        people: Any, login: Any, monkeypatch: Any) -> None:
    from dondoc.core import views

    def locked(user: Any) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(views.dashboard, "home_context", locked)
    response = login(people.staff).get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(busy.RETRY_AFTER_SECONDS)
    html = response.content.decode()
    assert "Hệ thống đang bận" in html and "The system is busy" in html


def test_other_database_errors_are_not_mistaken_for_a_busy_database() -> None:
    assert busy.is_database_busy(OperationalError("database is locked"))
    assert not busy.is_database_busy(OperationalError("no such table: plans_task"))
    assert not busy.is_database_busy(RuntimeError("database is locked"))
