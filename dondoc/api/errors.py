"""One error body for every failure: ``{"code", "message", "errors": {field: [messages]}}``.

Messages are in the caller's language: the token owner's (or signed-in user's) language,
or the ``Accept-Language`` of an anonymous caller. Objects outside the caller's scope
get exactly the body of objects that do not exist.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from dondoc.core import busy
from dondoc.core.concurrency import ConflictError
from dondoc.plans.services import WorkflowError

if TYPE_CHECKING:
    from ninja import NinjaAPI

FieldErrors = dict[str, list[str]]
logger = logging.getLogger("dondoc.api")


class ApiError(HttpError):
    """An error raised by an endpoint with its code, translated message and field errors."""

    def __init__(self, status_code: int, code: str, message: str,
                 errors: FieldErrors | None = None, headers: dict[str, str] | None = None,
                 ) -> None:
        super().__init__(status_code, message)
        self.code = code
        self.errors = errors or {}
        self.headers = headers or {}


def invalid(field: str, message: str) -> ApiError:
    """A 422 naming one field, e.g. an unknown unit in the body."""
    return ApiError(422, "invalid", _("Some fields are not valid."), {field: [message]})


def activate_caller_language(request: HttpRequest) -> None:
    """The token owner's or signed-in user's language; else the Accept-Language."""
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        language = user.language
    else:
        language = translation.get_language_from_request(request)
    translation.activate(language)
    request.LANGUAGE_CODE = language


def _body(code: str, message: str, errors: FieldErrors | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "errors": errors or {}}


def _respond(api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str,
             errors: FieldErrors | None = None) -> HttpResponse:
    return api.create_response(request, _body(code, message, errors), status=status)


# Pydantic's messages are English only; these are the ones a caller can meet, translated.
def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind.startswith("int_") or kind == "int_type":
        return _("Enter a whole number.")
    if kind.startswith("bool_"):
        return _("Enter true or false.")
    if kind.startswith("date_"):
        return _("Enter a valid date as YYYY-MM-DD.")
    if kind == "string_type":
        return _("Enter text.")
    if kind == "string_too_short":
        return _("This field cannot be empty.")
    if kind == "string_too_long":
        return _("Enter at most %(limit)s characters.") % {"limit": ctx.get("max_length")}
    if kind == "too_long":
        return _("Give at most %(limit)s items.") % {"limit": ctx.get("max_length")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Enter a value of at least %(limit)s.") % {
            "limit": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Enter a value of at most %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt"))}
    if kind in {"literal_error", "enum"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind == "list_type":
        return _("Enter a list.")
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return _("Enter a JSON object.")
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    return str(error.get("msg", kind))


_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if parts and parts[0] == "payload":  # the body parameter's own name
        parts = parts[1:]
    return ".".join(parts) or NON_FIELD_ERRORS


def field_errors_from_pydantic(errors: list[dict[str, Any]]) -> FieldErrors:
    result: FieldErrors = {}
    for error in errors:
        result.setdefault(_field_name(error.get("loc", ())), []).append(_pydantic_message(error))
    return result


def field_errors_from_django(error: DjangoValidationError) -> FieldErrors:
    if hasattr(error, "error_dict"):
        return {field: [str(message) for message in messages]
                for field, messages in error.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(message) for message in error.messages]}


_HTTP_CODES = {
    400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 412: "precondition_failed",
    413: "too_large", 422: "invalid", 428: "precondition_required", 429: "rate_limited",
    500: "server_error", 503: "unavailable",
}


def install_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default error bodies with dondoc's."""

    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        activate_caller_language(request)
        response = _respond(api, request, exc.status_code, exc.code, exc.message, exc.errors)
        for name, value in exc.headers.items():
            response[name] = value
        return response

    def validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        activate_caller_language(request)
        return _respond(api, request, 422, "invalid", _("Some fields are not valid."),
                        field_errors_from_pydantic(exc.errors))

    def authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        activate_caller_language(request)
        response = _respond(api, request, 401, "not_authenticated", _(
            "Authentication required: send a valid API token as "
            "'Authorization: Bearer <token>', or sign in."))
        response["WWW-Authenticate"] = 'Bearer realm="dondoc"'
        return response

    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        activate_caller_language(request)
        return _respond(api, request, 429, "rate_limited",
                        _("Too many requests. Wait a little and try again."))

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        activate_caller_language(request)
        status = exc.status_code
        if status == 400:
            message = _("The request body is not valid JSON.")
        elif status == 403:
            message = _("The request was refused: CSRF token missing or incorrect.")
        else:
            message = str(exc)
        return _respond(api, request, status, _HTTP_CODES.get(status, "error"), message)

    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        activate_caller_language(request)
        return _respond(api, request, 404, "not_found", _("Not found."))

    def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        activate_caller_language(request)
        return _respond(api, request, 403, "forbidden",
                        _("You are not allowed to do this."))

    def django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return _respond(api, request, 422, "invalid", _("Some fields are not valid."),
                        field_errors_from_django(exc))

    def workflow(request: HttpRequest, exc: WorkflowError) -> HttpResponse:
        return _respond(api, request, 409, "conflict", exc.message)

    def conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
        return _respond(api, request, 412, "precondition_failed", str(exc.message))

    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        activate_caller_language(request)
        return _respond(api, request, 413, "too_large", _("The request body is too large."))

    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        """Anything else: 503 + Retry-After for a database too busy to write, otherwise
        500 — always the JSON body (the traceback goes to the log, not to the caller)."""
        activate_caller_language(request)
        if busy.is_database_busy(exc):
            logger.warning("API %s %s: database busy (%s)", request.method, request.path, exc)
            response = _respond(api, request, 503, "unavailable", busy.busy_message())
            response["Retry-After"] = str(busy.RETRY_AFTER_SECONDS)
            return response
        logger.error("API %s %s failed", request.method, request.path, exc_info=exc)
        return _respond(api, request, 500, "server_error", _(
            "Something went wrong on the server. Try again later or tell the system "
            "administrator."))

    handlers: list[tuple[type[Exception], Any]] = [
        (ApiError, api_error), (NinjaValidationError, validation),
        (AuthenticationError, authentication), (Throttled, throttled), (HttpError, http_error),
        (Http404, not_found), (PermissionDenied, forbidden),
        (DjangoValidationError, django_validation), (WorkflowError, workflow),
        (ConflictError, conflict), (RequestDataTooBig, too_large),
        (Exception, unexpected),
    ]
    for exception, handler in handlers:
        api.add_exception_handler(exception, handler)
