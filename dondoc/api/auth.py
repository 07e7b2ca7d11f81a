"""Who is calling: a personal token (``Authorization: Bearer …``) or the browser session.

Either way the caller becomes ``request.user`` and acts with that user's scope; the
language of the answers becomes the user's. The session needs the CSRF token on unsafe
methods; a token does not (browsers never send it on their own). A request whose body
is larger than ``DONDOC_API_MAX_BODY_BYTES`` is refused before it is read.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import BaseThrottle

from dondoc.api import ratelimit, selectors, services
from dondoc.api.errors import ApiError
from dondoc.core.limits import MAX_FILES_PER_SUBMISSION

DEFAULT_MAX_BODY_BYTES = 1_048_576
DEFAULT_RATE_LIMIT = "600/m"


def _admit(request: HttpRequest, user: Any) -> Any:
    """Common to both ways in: the user's language, then the body-size limit. Portal
    editors have no API: they see no unit, task or document data."""
    from dondoc.organization import scoping

    if scoping.is_portal_only(user):
        raise ApiError(403, "forbidden", _("Portal editors work on the public portal only."))
    request.user = user
    translation.activate(user.language)
    request.LANGUAGE_CODE = user.language
    limit = body_limit(request)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise ApiError(413, "too_large", _(
            "The request body is too large (at most %(limit)s bytes).") % {"limit": limit})
    return user


def body_limit(request: HttpRequest) -> int:
    """The largest body accepted: ``DONDOC_API_MAX_BODY_BYTES`` for JSON; for a multipart
    upload, room for the most evidence files the pages accept (each at most
    ``DONDOC_MAX_UPLOAD_MB``, checked one by one later) on top of that."""
    limit = int(getattr(settings, "DONDOC_API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES))
    if request.content_type == "multipart/form-data":
        limit += settings.DONDOC_MAX_UPLOAD_MB * 1024 * 1024 * MAX_FILES_PER_SUBMISSION
    return limit


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ddk_…``: a wrong, expired or revoked token is a 401 at once."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization")
        if not header:
            return None
        scheme, _space, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise AuthenticationError
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = timezone.now()
        api_token = selectors.token_for_secret(secret=token, now=now)
        if api_token is None:
            raise AuthenticationError
        services.token_mark_used(token=api_token, now=now)
        request.api_token = api_token  # type: ignore[attr-defined]
        return _admit(request, api_token.user)


class SessionAuth(APIKeyCookie):
    """The signed-in browser (e.g. the docs page), with Django's CSRF check."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None  # no session: let the caller get a clean 401, not a CSRF error
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if key is None or user is None or not user.is_authenticated or not user.is_active:
            return None
        return _admit(request, user)


# Rate limit ----------------------------------------------------------------------------

_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400,
            "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/m"`` → (600, 60). Fails loudly on a wrong setting."""
    try:
        count, period = rate.split("/", 1)
        return int(count), _PERIODS[period.strip()]
    except (ValueError, KeyError):
        raise ImproperlyConfigured(
            f"DONDOC_API_RATE_LIMIT must look like 600/m (per s, m, h or d), not {rate!r}"
        ) from None


class TokenRateLimit(BaseThrottle):
    """At most N requests per period per token (per user for the browser session).

    A fixed window counted in a store every worker process shares (see
    ``dondoc.api.ratelimit``: Redis when configured, else a SQLite file of its own), so
    the limit holds however many processes serve the API.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        limit, period = parse_rate(str(getattr(settings, "DONDOC_API_RATE_LIMIT",
                                               DEFAULT_RATE_LIMIT)))
        token = getattr(request, "api_token", None)
        caller = f"token:{token.pk}" if token is not None else f"user:{request.user.pk}"
        now = time.time()
        window = int(now // period)
        key = f"dondoc:api-rate:{caller}:{window}"
        count = ratelimit.counter().hit(key, period + 1)
        self._local.wait = (window + 1) * period - now
        return count <= limit

    def wait(self) -> float | None:
        return float(max(1, math.ceil(getattr(self._local, "wait", 1))))
