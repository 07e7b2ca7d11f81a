"""API test helpers: a little work in two agencies, set up through the real services, and
clients that call the API with a personal token.

    CATP  document KH118 (owner CATP)  group I
          ├── KH118-I.1  lead PC08 (coordinator PC06)   due 30/06/2025
          ├── KH118-I.2  lead PC06                      due 31/03/2025
          └── KH118-I.3  lead PC08-D1                   standing
    OTHER document KH7 (owner OTHER)
          └── KH7.1      lead OTHER                     due 30/06/2025
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from dondoc.api import ratelimit
from dondoc.api import services as token_services
from dondoc.organization.models import User
from dondoc.plans import services
from dondoc.plans.models import DeadlineKind, Document, DocumentKind, Task, TaskGroup

TODAY = dt.date(2025, 5, 15)


@dataclass
class Work:
    document: Document
    group: TaskGroup
    traffic: Task  # lead PC08, coordinated by PC06
    admin_task: Task  # lead PC06
    team_task: Task  # lead PC08-D1, standing
    other_document: Document
    other_task: Task  # another agency's


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()
    ratelimit.counter().reset()


@pytest.fixture
def work(org: Any, people: Any, time_machine: Any) -> Work:
    time_machine.move_to(dt.datetime(2025, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False)
    staff = people.staff
    document = services.document_create(
        actor=staff, kind=DocumentKind.PLAN, number="118/KH-CAĐN",
        title="Kế hoạch thực hiện Nghị quyết 12-NQ/TW", issuer="Công an thành phố Đà Nẵng",
        issue_date=dt.date(2025, 1, 10), owner_unit=org.catp, code_prefix="KH118")
    group = services.group_create(actor=staff, document=document, number="I",
                                  title="Xây dựng lực lượng")
    traffic = services.task_create(
        actor=staff, document=document, group=group, title="Lắp đặt camera giao thông",
        lead_unit=org.pc08, assigning_unit=org.catp, coordinating_units=[org.pc06],
        due_date=dt.date(2025, 6, 30), assigned_on=dt.date(2025, 1, 15))
    admin_task = services.task_create(
        actor=staff, document=document, group=group, title="Chuẩn hóa hồ sơ cư trú",
        lead_unit=org.pc06, assigning_unit=org.catp, due_date=dt.date(2025, 3, 31),
        assigned_on=dt.date(2025, 1, 15))
    team_task = services.task_create(
        actor=staff, document=document, group=group, title="Tuần tra thường xuyên",
        lead_unit=org.pc08_d1, assigning_unit=org.catp, deadline_kind=DeadlineKind.STANDING,
        assigned_on=dt.date(2025, 1, 15))
    other_document = services.document_create(
        actor=people.other_staff, kind=DocumentKind.PLAN, number="7/KH-CAT",
        title="Kế hoạch của tỉnh khác", issuer="Công an tỉnh Quảng Nam",
        issue_date=dt.date(2025, 2, 1), owner_unit=org.other, code_prefix="KH7")
    other_task = services.task_create(
        actor=people.other_staff, document=other_document, title="Nhiệm vụ của tỉnh khác",
        lead_unit=org.other, assigning_unit=org.other, due_date=dt.date(2025, 6, 30),
        assigned_on=dt.date(2025, 2, 1))
    return Work(document=document, group=group, traffic=traffic, admin_task=admin_task,
                team_task=team_task, other_document=other_document, other_task=other_task)


class ApiClient:
    """A test client that sends ``Authorization: Bearer <token>`` and JSON bodies."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.client = Client()

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}", **(extra or {})}

    def get(self, path: str, params: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> Any:
        return self.client.get(f"/api/v1{path}", params or {}, headers=self._headers(headers))

    def send(self, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None, raw: bytes | str | None = None) -> Any:
        import json

        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return getattr(self.client, method)(f"/api/v1{path}", data=data,
                                            content_type="application/json",
                                            headers=self._headers(headers))

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("post", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("patch", path, body, **kwargs)


def token_for(user: User, name: str = "test") -> str:
    _token, secret = token_services.token_create(actor=user, name=name)
    return secret


@pytest.fixture
def api(people: Any) -> Any:
    """``api(user)`` returns an :class:`ApiClient` with a fresh token of ``user``."""

    def _api(user: User) -> ApiClient:
        return ApiClient(token_for(user))

    return _api


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response has the status and dondoc's error body; returns the body."""
    assert response.status_code == status, response.content[:500]
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "errors"}, body
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
    if code is not None:
        assert body["code"] == code, body
    return body
