"""Writes for API tokens: create (the secret is returned once), revoke, note its use."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from dondoc.api.models import ApiToken
from dondoc.audit.models import Action
from dondoc.audit.services import PendingEvent, record, record_many

TOKEN_PREFIX = "ddk_"  # noqa: S105 - marks dondoc tokens, not a secret
# How often ``last_used_at`` is written: once a minute is exact enough for the owner and
# keeps busy clients from turning every read into a write.
LAST_USED_RESOLUTION = dt.timedelta(seconds=60)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(*, actor: Any, name: str,
                 expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for ``actor``; returns it with its secret, which is never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=actor, name=name.strip(), prefix=secret[:12],
                     token_hash=hash_secret(secret), expires_at=expires_at)
    token.full_clean()
    token.save()
    record(actor=actor, action=Action.CREATE, obj=token, unit_id=actor.unit_id,
           changes={"name": [None, token.name], "prefix": [None, token.prefix],
                    "expires_at": [None, expires_at.isoformat() if expires_at else None]})
    return token, secret


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(actor=actor, action=Action.UPDATE, obj=token, unit_id=token.user.unit_id,
           changes={"revoked": [False, True]})
    return token


@transaction.atomic
def tokens_revoke_all(*, actor: Any, user: Any, reason: str) -> int:
    """Revoke every live token of ``user`` (after a password change or reset: whoever
    knew the old password may have made a token with it). Returns how many."""
    now = timezone.now()
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    if not tokens:
        return 0
    ApiToken.objects.filter(pk__in=[token.pk for token in tokens]).update(revoked_at=now)
    record_many(actor=actor, events=[
        PendingEvent(action=Action.UPDATE, obj=token, unit_id=user.unit_id,
                     changes={"revoked": [False, True]}, message=reason)
        for token in tokens])
    return len(tokens)


def token_mark_used(*, token: ApiToken, now: dt.datetime) -> None:
    """Remember when the token was last used (not audited: it is not a change of data)."""
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
