"""Property-based tests of every operation against the OpenAPI schema (schemathesis).

Runs in-process through Django's WSGI application, authenticated with a staff token on
the small organisation of ``conftest.py``. For every operation, a bounded number of
generated requests (valid and invalid) must never cause a server error, and every answer
must be documented by the schema: status code, content type, headers and body.

In valid requests, half of the generated object ids are replaced by ids of real objects
(and then ``If-Match`` by the real ETag), so that the fuzzing reaches past "not found".
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from ninja.responses import NinjaJSONEncoder
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dondoc.api.tests.conftest import token_for
from dondoc.api.v1 import api
from dondoc.plans import services
from dondoc.plans.models import Document, Task

MAX_EXAMPLES = 15

schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder)))
schema.app = WSGIHandler()


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """Django's WSGI handler closes "old" connections around each request; in a test that
    would close the connection holding the test's transaction (Django's test client
    disconnects the same signal handler)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def staff_secret(people: Any) -> str:
    """A staff token (fixtures are set up once per operation, not per example)."""
    return token_for(people.staff, name="schemathesis")


@pytest.fixture
def real_ids(org: Any, people: Any, work: Any) -> dict[str, int]:
    """Objects the generated requests are pointed at half of the time."""
    direction = services.direction_add(actor=people.leader, task=work.traffic,
                                       text="Đẩy nhanh tiến độ")
    extension = services.extension_request(actor=people.manager, task=work.traffic,
                                           proposed_due=dt.date(2025, 9, 30),
                                           reason="Chờ thiết bị")
    evidence = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 evidence")
    completion = services.completion_request(actor=people.outsider, task=work.admin_task,
                                             note="Đã hoàn thành", files=[evidence])
    return {"unit_id": org.pc08.pk, "document_id": work.document.pk,
            "task_id": work.traffic.pk, "direction_id": direction.pk,
            "extension_id": extension.pk, "request_id": completion.pk,
            "file_id": completion.files.get().pk}


def _point_at_real_objects(case: Any, real_ids: dict[str, int]) -> None:
    if case.meta is None or case.meta.generation.mode != schemathesis.GenerationMode.POSITIVE:
        return  # an invalid request stays invalid
    parameters = case.path_parameters or {}
    for name, value in list(parameters.items()):
        if name in real_ids and isinstance(value, int) and value % 2 == 0:
            parameters[name] = real_ids[name]
    if case.method.upper() == "PATCH" and parameters.get("task_id") == real_ids["task_id"]:
        task = Task.objects.get(pk=real_ids["task_id"])
        case.headers = {**(case.headers or {}), "If-Match": f'"{task.pk}-{task.version}"'}
    if (case.method.upper() == "PATCH"
            and parameters.get("document_id") == real_ids["document_id"]):
        document = Document.objects.get(pk=real_ids["document_id"])
        case.headers = {**(case.headers or {}),
                        "If-Match": f'"{document.pk}-{document.version}"'}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_to_the_schema(case: Any, staff_secret: str,
                                                real_ids: dict[str, int]) -> None:
    _point_at_real_objects(case, real_ids)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {staff_secret}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                response_headers_conformance, response_schema_conformance,
                negative_data_rejection],
    )
