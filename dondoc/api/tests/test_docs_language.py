"""The API documentation speaks the user's language: the page around Swagger UI, and the
schema's description and every operation's summary and description."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dondoc.organization.models import User


def schema_as(login: Any, user: User, language: str) -> dict[str, Any]:
    user.language = language
    user.save()
    response = login(user).get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{method.upper()} {path}": operation
            for path, item in schema["paths"].items() for method, operation in item.items()}


def test_every_operation_is_summarised_and_described_in_vietnamese(people, login) -> None:
    english = operations(schema_as(login, people.staff, "en"))
    vietnamese = operations(schema_as(login, people.staff, "vi"))
    assert english.keys() == vietnamese.keys() and len(english) >= 30
    for where, operation in vietnamese.items():
        for key in ("summary", "description"):
            assert english[where].get(key), f"{where} has no English {key}"
            assert operation.get(key), f"{where} has no {key}"
            assert operation[key] != english[where][key], f"{where}: {key} not translated"
    assert vietnamese["GET /api/v1/tasks"]["summary"] == "Danh sách nhiệm vụ"
    assert english["GET /api/v1/tasks"]["summary"] == "List tasks"


def test_the_schema_description_follows_the_language(people, login) -> None:
    assert "Xác thực" in schema_as(login, people.staff, "vi")["info"]["description"]
    assert "Authentication" in schema_as(login, people.staff, "en")["info"]["description"]


@pytest.mark.parametrize(("language", "texts"), [
    ("vi", ['<html lang="vi">', "<title>Tài liệu API · dondoc</title>", "Tài khoản của tôi",
            "Mã truy cập API của tôi", "được mô tả bằng ngôn ngữ của bạn"]),
    ("en", ['<html lang="en">', "<title>API documentation · dondoc</title>", "My account",
            "My API tokens", "described in your language"]),
])
def test_the_docs_page_around_swagger_ui_is_in_the_users_language(people, login, language,
                                                                  texts) -> None:
    people.officer.language = language
    people.officer.save()
    page = login(people.officer).get("/api/v1/docs").content.decode()
    for text in texts:
        assert text in page


def test_the_docs_page_is_in_vietnamese_before_sign_in(db) -> None:
    page = Client().get("/api/v1/docs").content.decode()
    assert '<html lang="vi">' in page and "Tài liệu API" in page
