"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def dondoc(request: HttpRequest) -> dict[str, Any]:
    from dondoc.organization import scoping

    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "ORG_NAME": settings.DONDOC_ORG_NAME,
        # The menu offers only what the user may open.
        "can_read_audit": signed_in and scoping.can_read_audit(user),
    }
