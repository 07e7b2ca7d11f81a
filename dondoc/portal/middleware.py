"""Portal editors see the portal's pages only: everything else answers 403."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from dondoc.organization import scoping

EDITOR_PREFIXES = ("/portal/", "/accounts/login/", "/accounts/logout/", "/accounts/2fa/",
                   "/accounts/profile/", "/i18n/", "/static/", "/healthz", "/favicon.ico")


class PortalEditorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and scoping.is_portal_only(user)
                and request.path != "/" and not request.path.startswith(EDITOR_PREFIXES)):
            raise PermissionDenied
        return self.get_response(request)
