"""Reads of API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from dondoc.api.models import ApiToken
from dondoc.api.services import TOKEN_PREFIX, hash_secret


def tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_for_secret(*, secret: str, now: dt.datetime) -> ApiToken | None:
    """The usable token with this secret (and its active owner), or ``None``."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = (ApiToken.objects.select_related("user", "user__unit")
             .filter(token_hash=hash_secret(secret)).first())
    if token is None or not token.is_usable_at(now) or not token.user.is_active:
        return None
    return token
