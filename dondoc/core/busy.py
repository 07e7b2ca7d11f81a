"""A database too busy to write answers 503 with Retry-After, never a bare 500.

SQLite waits (``timeout``) for another writer to finish; when the wait runs out it raises
"database is locked". PostgreSQL raises lock-timeout, deadlock and serialization errors.
Each is a temporary condition: the API answers its JSON error body, pages a short
friendly page, both with ``Retry-After``. ``server_error`` is the last resort for errors
raised outside a view (middleware): JSON under /api/, the 500 page elsewhere.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Final

from django.db import OperationalError
from django.db.utils import InternalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS: Final = 5
_SQLITE_BUSY: Final = ("database is locked", "database table is locked", "database is busy")
_PG_RETRYABLE: Final = {"55P03", "40001", "40P01"}  # lock timeout, serialization, deadlock


def is_database_busy(error: BaseException | None) -> bool:
    """Whether ``error`` is a lock wait that ran out (worth retrying shortly)."""
    if not isinstance(error, OperationalError | InternalError):
        return False
    text = str(error).lower()
    if any(marker in text for marker in _SQLITE_BUSY):
        return True
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    return sqlstate in _PG_RETRYABLE


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def busy_message() -> str:
    return _("The system is busy saving other work. Wait a few seconds and try again.")


def error_body(code: str, message: str) -> dict[str, object]:
    """The API's one error body (see ``dondoc.api.errors``)."""
    return {"code": code, "message": message, "errors": {}}


def busy_response(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if is_api(request):
        response = JsonResponse(error_body("unavailable", busy_message()), status=503)
    else:
        response = HttpResponse(loader.render_to_string("503.html", request=request),
                                status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseBusyMiddleware:
    """Turns a lock wait that ran out in a view into a 503 with Retry-After."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception
                          ) -> HttpResponse | None:
        return busy_response(request) if is_database_busy(exception) else None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: JSON under /api/, the static 500 page elsewhere (no context needed)."""
    if is_database_busy(sys.exc_info()[1]):
        return busy_response(request)
    if is_api(request):
        return JsonResponse(error_body("server_error", _(
            "Something went wrong on the server. Try again later or tell the system "
            "administrator.")), status=500)
    return HttpResponse(loader.render_to_string("500.html"), status=500)
