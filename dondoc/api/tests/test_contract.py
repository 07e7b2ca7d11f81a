"""The contract: the OpenAPI document is valid and complete, and the docs page loads only
what is on this machine."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.test import Client
from ninja.responses import NinjaJSONEncoder
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from dondoc.api.common import COMMON_ERRORS
from dondoc.api.v1 import api
from dondoc.browser_support import browser_page, chromium_available, expect

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema(),
                                                   cls=NinjaJSONEncoder))
    return loaded


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, operation) for path, item in document["paths"].items()
            for method, operation in item.items() if method in METHODS]


def test_the_schema_is_a_valid_openapi_31_document(document) -> None:
    assert document["openapi"].startswith("3.1")
    errors = [error.message for error in OPENAPI_31_VALIDATOR.iter_errors(document)]
    assert errors == []
    schemathesis.openapi.from_dict(document).validate()


def test_the_schema_is_served_without_credentials(db) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "dondoc API"


def test_an_unknown_address_gets_the_api_404_body(db) -> None:
    response = Client().get("/api/v1/no/such/thing", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found.", "errors": {}}


def test_every_operation_is_described_and_documents_its_errors(document) -> None:
    operations = _operations(document)
    assert len(operations) >= 24
    ids = [operation["operationId"] for _path, _method, operation in operations]
    assert len(ids) == len(set(ids))
    for path, method, operation in operations:
        where = f"{method.upper()} {path}"
        assert path.startswith("/api/v1/"), where
        assert operation.get("summary") and operation.get("tags"), where
        schemes = {name for requirement in operation["security"] for name in requirement}
        assert schemes == {"TokenAuth", "SessionAuth"}, where
        for code in COMMON_ERRORS:
            body = operation["responses"][str(code)]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/ErrorOut"}, where


def test_writes_document_their_conflicts_and_updates_their_preconditions(document) -> None:
    patch = document["paths"]["/api/v1/tasks/{task_id}"]["patch"]
    assert {"409", "412", "428"} <= set(patch["responses"])
    header = next(p for p in patch["parameters"] if p["in"] == "header")
    assert header["name"] == "If-Match"


def test_request_bodies_refuse_unknown_fields(document) -> None:
    schemas = document["components"]["schemas"]
    bodies = [name for name in schemas if name.endswith("In")]
    assert len(bodies) >= 8
    for name in bodies:
        assert schemas[name].get("additionalProperties") is False, name


def test_list_pages_are_bounded(document) -> None:
    for path, method, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "page_size":
                assert parameter["schema"]["maximum"] == 100, f"{method} {path}"


# The docs page ---------------------------------------------------------------------------


def test_the_docs_page_uses_only_vendored_assets(db) -> None:
    response = Client().get("/api/v1/docs")
    page = response.content.decode()
    assert response.status_code == 200
    # Scripts, styles and images (the links to dondoc's own pages are not assets).
    urls = re.findall(r'<(?:script|link|img)\b[^>]*?(?:src|href)="([^"]+)"', page)
    assert urls and all(url.startswith("/static/") for url in urls), urls
    assert "<script>" not in page  # the CSP forbids inline scripts
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    static = Path(settings.BASE_DIR) / "static" / "vendor" / "swagger-ui"
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"):
        assert (static / name).is_file(), name


@pytest.mark.browser
@pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed")
@pytest.mark.django_db(transaction=True)
def test_the_docs_page_renders_in_a_browser_without_leaving_the_machine(live_server) -> None:
    outside: list[str] = []
    errors: list[str] = []
    with browser_page() as page:
        page.on("request", lambda request: outside.append(request.url)
                if not request.url.startswith((live_server.url, "data:")) else None)
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{live_server.url}/api/v1/docs")
        page.get_by_text("/api/v1/tasks/{task_id}/progress").first.wait_for(timeout=15000)
        expect(page.get_by_role("heading", name=re.compile("dondoc API"))).to_be_visible()
    assert outside == []
    assert errors == []
