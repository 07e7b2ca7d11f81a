"""Helpers shared by the endpoints: paging, the standard error responses, small presenters."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema
from pydantic import Field

from dondoc.api.schemas import ErrorOut

# Every operation may answer with these; each answer has the error body.
COMMON_ERRORS = (400, 401, 403, 404, 413, 422, 429)
MAX_PAGE_SIZE = 100


def responses(ok: dict[int, Any], *extra_errors: int) -> dict[int, Any]:
    """The success shapes plus the error body for the common and the given error codes."""
    result: dict[int, Any] = dict(ok)
    for code in (*COMMON_ERRORS, *extra_errors):
        result[code] = ErrorOut
    return result


def etag_header(status: int) -> dict[str, Any]:
    """``openapi_extra`` documenting the ETag header of a task answer."""
    return {"responses": {status: {"headers": {"ETag": {
        "description": "The task's version; send it back as If-Match to change the task.",
        "schema": {"type": "string"}}}}}}


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=100_000, description="Page number, from 1.")
    page_size: int = Field(25, ge=1, le=MAX_PAGE_SIZE,
                           description=f"Items per page, at most {MAX_PAGE_SIZE}.")


def paginate(queryset: QuerySet[Any], query: PageQuery,
             present: Callable[[list[Any]], Iterable[dict[str, Any]]]) -> dict[str, Any]:
    """One page of ``queryset``; ``present`` turns the page's objects into result rows.

    The page is read first: a page with rows that is not full is the last one, so the
    total is known without a count (most lists of one task's steps fit on one page)."""
    start = (query.page - 1) * query.page_size
    items = list(queryset[start:start + query.page_size])
    if 0 < len(items) < query.page_size or (start == 0 and not items):
        count = start + len(items)
    else:
        count = queryset.count()
    return {"count": count, "page": query.page, "page_size": query.page_size,
            "results": list(present(items))}


def user(request: HttpRequest) -> Any:
    """The caller (set by the authentication step)."""
    return request.user


def unit_ref(unit: Any) -> dict[str, Any]:
    return {"id": unit.pk, "code": unit.code, "name": unit.name}


def person(account: Any) -> str:
    """How a person is named in answers: full name, else username; empty when unknown."""
    if account is None:
        return ""
    return str(account.get_full_name() or account.get_username())
