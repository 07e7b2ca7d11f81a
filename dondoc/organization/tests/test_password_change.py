"""Changing a password: one's own needs the current one; any change or reset revokes the
account's API tokens (a token made with a leaked password must not outlive it)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from dondoc.api.models import ApiToken
from dondoc.api.services import token_create
from dondoc.audit.models import AuditEvent
from dondoc.organization.tests.factories import DEFAULT_PASSWORD

NEW = "mat-khau-Moi-2931"


def _change_own(client: Client, current: str) -> Any:
    return client.post("/accounts/profile/", {"form": "password", "current_password": current,
                                              "password1": NEW, "password2": NEW})


def _api_works(secret: str) -> bool:
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    return response.status_code == 200


def test_changing_ones_own_password_needs_the_current_one(login: Any, people: Any) -> None:
    client = login(people.officer)
    refused = _change_own(client, "not-my-password")
    assert refused.status_code == 200
    assert "current password is wrong" in refused.content.decode() or \
        "Mật khẩu hiện tại không đúng" in refused.content.decode()
    people.officer.refresh_from_db()
    assert people.officer.check_password(DEFAULT_PASSWORD)
    missing = client.post("/accounts/profile/", {"form": "password", "password1": NEW,
                                                 "password2": NEW})
    assert missing.status_code == 200
    people.officer.refresh_from_db()
    assert people.officer.check_password(DEFAULT_PASSWORD)


def test_changing_ones_own_password_revokes_the_api_tokens(login: Any, people: Any) -> None:
    _token, secret = token_create(actor=people.officer, name="hệ thống văn bản")
    _other, other_secret = token_create(actor=people.manager, name="khác")
    client = login(people.officer)
    assert _api_works(secret)
    response = _change_own(client, DEFAULT_PASSWORD)
    assert response.status_code == 302
    people.officer.refresh_from_db()
    assert people.officer.check_password(NEW)
    assert not _api_works(secret)
    assert _api_works(other_secret)  # nobody else's
    assert client.get("/").status_code == 200  # the session that changed it stays signed in
    assert AuditEvent.objects.filter(object_type="api.apitoken", message="password changed",
                                     object_id=str(_token.pk)).exists()


def test_a_managers_reset_revokes_the_accounts_tokens(login: Any, people: Any) -> None:
    _token, secret = token_create(actor=people.officer, name="di động")
    client = login(people.manager)
    response = client.post(f"/users/{people.officer.pk}/password/",
                           {"password1": NEW, "password2": NEW})
    assert response.status_code == 302
    assert not _api_works(secret)
    assert ApiToken.objects.get(pk=_token.pk).revoked_at is not None


def test_a_reset_signs_the_account_out_elsewhere(login: Any, people: Any) -> None:
    officer_session = login(people.officer)
    login(people.manager).post(f"/users/{people.officer.pk}/password/",
                               {"password1": NEW, "password2": NEW})
    assert officer_session.get("/").status_code == 302  # back to the login page
