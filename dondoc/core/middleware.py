"""Responses that must not outlive the session in a shared browser or a proxy cache."""

from __future__ import annotations

from collections.abc import Callable

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every page answered to a signed-in user (session or
    API token) and on every file download: after sign-out, the browser's back button or
    the next user of the machine must not find tasks, statistics or documents in a cache.

    Static files (WhiteNoise answers them earlier) and anonymous pages keep their caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        already = "no-store" in response.get("Cache-Control", "")
        if (signed_in or isinstance(response, FileResponse)) and not already:
            add_never_cache_headers(response)
        return response
