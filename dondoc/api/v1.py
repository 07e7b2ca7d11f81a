"""The API v1: one NinjaAPI with token and session authentication, a rate limit per token,
dondoc's error bodies, and a docs page that loads nothing from outside the machine."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase
from ninja.openapi.schema import OpenAPISchema

from dondoc.api.auth import SessionAuth, TokenAuth, TokenRateLimit
from dondoc.api.endpoints import documents, statistics, tasks, units, workflow
from dondoc.api.errors import install_handlers
from dondoc.dashboards import api as dashboard_api
from dondoc.inspections import api as inspections_api
from dondoc.notifications import api as notifications_api
from dondoc.obstacles import api as obstacles_api
from dondoc.reports import api as reports_api
from dondoc.surveys import api as surveys_api
from dondoc.targets import api as targets_api
from dondoc.unitreports import api as unit_reports_api
from dondoc.urging import api as urging_api

DESCRIPTION = """\
The dondoc JSON API. Every answer is limited to what the caller may see, by the same
rules as the pages; an object outside your scope is answered exactly like one that does
not exist (404).

**Authentication**: `Authorization: Bearer <token>` with a personal token created on
the page *My API tokens* (`/accounts/tokens/`, linked from *My account*), or the browser
session (unsafe methods then need the CSRF token).

**Errors** always have the body `{"code": "...", "message": "...", "errors": {"field":
["..."]}}`; the message is in the caller's language.

**Lists** are paged: `page` (from 1) and `page_size` (at most 100).

**Dates** are `YYYY-MM-DD`. **Updates** of a task need `If-Match` with the task's `ETag`.

**Rate limit**: too many requests per token answer 429 with `Retry-After` (seconds).
"""


def unwrapped(text: str) -> str:
    """``text`` with each paragraph on one line: the message id its translation is kept
    under, so that re-wrapping a docstring does not lose its translation."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)


def in_callers_language(text: str) -> str:
    """An English summary or description of the schema in the active language (the
    catalogue holds them under their unwrapped English text; English if none)."""
    return gettext(unwrapped(text)) if text else text


class VendoredSwagger(DocsBase):
    """Swagger UI from ``static/vendor/swagger-ui`` (no CDN), started by a static script."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        return render(request, "api/docs.html", {
            "api": api, "openapi_url": self.get_openapi_url(api, kwargs),
        })


class DondocAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        """The schema in the caller's language: the API's description and every
        operation's summary and description (Swagger UI's own controls stay English)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        info = schema.get("info", {})
        info["description"] = in_callers_language(info.get("description", ""))
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for key in ("summary", "description"):
                    if operation.get(key):
                        operation[key] = in_callers_language(operation[key])
        return schema

    def create_response(self, request: HttpRequest, data: Any, *, status: int | None = None,
                        temporal_response: HttpResponse | None = None) -> HttpResponse:
        response = super().create_response(request, data, status=status,
                                           temporal_response=temporal_response)
        response["Content-Language"] = translation.get_language()
        response.headers.setdefault("Cache-Control", "private, no-store")
        return response


api = DondocAPI(
    title="dondoc API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth()],
    throttle=[TokenRateLimit()],
    docs=VendoredSwagger(),
)
install_handlers(api)
for module in (units, documents, tasks, workflow, statistics):
    api.add_router("/", module.router)
api.add_router("/", dashboard_api.router)
api.add_router("/", reports_api.router)
api.add_router("/", inspections_api.router)
api.add_router("/", urging_api.router)
api.add_router("/", notifications_api.router)
api.add_router("/", unit_reports_api.router)
api.add_router("/", obstacles_api.router)
api.add_router("/", targets_api.router)
api.add_router("/", surveys_api.router)
