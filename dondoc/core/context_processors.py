"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def dondoc(request: HttpRequest) -> dict[str, Any]:
    return {"ORG_NAME": settings.DONDOC_ORG_NAME}
