"""Personal API tokens: the page, storage, expiry and revocation; session access; the
caller's language; the rate limit."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.test import Client
from django.utils import timezone, translation

from dondoc.api import services
from dondoc.api.models import ApiToken
from dondoc.api.tests.conftest import ApiClient, assert_error, token_for
from dondoc.audit.models import AuditEvent


def _secret_in(page: str) -> str:
    match = re.search(r"ddk_[A-Za-z0-9_-]{20,}", page)
    assert match, "the new token is shown"
    return match.group(0)


def test_it_creates_a_token_and_shows_it_once(people, login) -> None:
    client = login(people.officer)
    response = client.post("/accounts/tokens/", {"name": "Hệ thống văn bản", "validity": "90"})
    assert response.status_code == 200
    secret = _secret_in(response.content.decode())
    token = ApiToken.objects.get(user=people.officer)
    assert token.name == "Hệ thống văn bản"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix) and len(token.prefix) < len(secret) // 3
    assert token.expires_at is not None
    assert token.expires_at - timezone.now() > dt.timedelta(days=89)
    assert response["Cache-Control"] == "no-store"
    again = client.get("/accounts/tokens/").content.decode()
    assert secret not in again
    assert token.prefix in again


def test_the_secret_is_stored_only_as_its_hash(people) -> None:
    token, secret = services.token_create(actor=people.officer, name="x")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(value) for value in stored.values()}


def test_token_creation_and_revocation_are_audited(people, login) -> None:
    client = login(people.officer)
    client.post("/accounts/tokens/", {"name": "App", "validity": ""})
    token = ApiToken.objects.get(user=people.officer)
    assert token.expires_at is None
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    events = AuditEvent.objects.filter(object_type="api.apitoken", object_id=str(token.pk))
    assert sorted(events.values_list("action", flat=True)) == ["create", "update"]
    assert all(token.token_hash not in str(event.changes) for event in events)


def test_a_token_works_and_records_its_last_use(people) -> None:
    secret = token_for(people.officer)
    response = ApiClient(secret).get("/me")
    assert response.status_code == 200
    assert response.json()["username"] == "officer"
    assert ApiToken.objects.get(user=people.officer).last_used_at is not None


def test_a_revoked_token_is_refused(people) -> None:
    token, secret = services.token_create(actor=people.officer, name="x")
    services.token_revoke(actor=people.officer, token=token)
    assert_error(ApiClient(secret).get("/me"), 401, "not_authenticated")


def test_an_expired_token_is_refused(people, time_machine) -> None:
    time_machine.move_to(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), tick=False)
    _token, secret = services.token_create(
        actor=people.officer, name="x", expires_at=dt.datetime(2025, 1, 31, tzinfo=dt.UTC))
    assert ApiClient(secret).get("/me").status_code == 200
    time_machine.move_to(dt.datetime(2025, 2, 1, tzinfo=dt.UTC), tick=False)
    response = assert_error(ApiClient(secret).get("/me"), 401, "not_authenticated")
    assert response["errors"] == {}


def test_the_token_of_a_deactivated_account_is_refused(people) -> None:
    secret = token_for(people.officer)
    people.officer.is_active = False
    people.officer.save()
    assert_error(ApiClient(secret).get("/me"), 401)


@pytest.mark.parametrize("header", ["Bearer", "Bearer ddk_wrong", "Token abc", "Basic Zm9vOmJhcg==",
                                    "Bearer " + "x" * 5000])
def test_a_wrong_authorization_header_gets_401_with_a_challenge(db, header) -> None:
    response = Client().get("/api/v1/me", headers={"Authorization": header})
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_no_credentials_gets_401_even_on_unsafe_methods(db) -> None:
    response = Client(enforce_csrf_checks=True).post("/api/v1/tasks", data="{}",
                                                     content_type="application/json")
    assert_error(response, 401, "not_authenticated")


def test_a_user_cannot_revoke_someone_elses_token(people, login) -> None:
    token, _secret = services.token_create(actor=people.manager, name="x")
    response = login(people.officer).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_tokens_page_lists_only_ones_own_tokens(people, login) -> None:
    services.token_create(actor=people.manager, name="Của trưởng phòng")
    services.token_create(actor=people.officer, name="Của cán bộ")
    page = login(people.officer).get("/accounts/tokens/").content.decode()
    assert "Của cán bộ" in page
    assert "Của trưởng phòng" not in page


# Session ---------------------------------------------------------------------------------


def test_the_browser_session_can_read(people, login) -> None:
    response = login(people.staff).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["role"] == "staff"


def test_the_browser_session_needs_the_csrf_token_to_write(people, work) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.leader, backend="dondoc.organization.backends.UnitModelBackend")
    url = f"/api/v1/tasks/{work.traffic.pk}/directions"
    refused = client.post(url, data={"text": "Khẩn trương"}, content_type="application/json")
    assert_error(refused, 403, "forbidden")
    client.get("/api/v1/docs")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(url, data={"text": "Khẩn trương"}, content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert accepted.status_code == 201, accepted.content


# Language --------------------------------------------------------------------------------


def test_messages_are_in_the_token_owners_language(people, work) -> None:
    people.officer.language = "en"
    people.officer.save()
    response = ApiClient(token_for(people.officer)).post(
        "/tasks", {"document": work.document.pk, "lead_unit": 1})
    body = assert_error(response, 422, "invalid")
    assert body["errors"]["title"] == ["This field is required."]
    assert response["Content-Language"] == "en"


def test_vietnamese_is_the_default_language(people, work) -> None:
    with translation.override("vi"):
        required = translation.gettext("This field is required.")
    assert required != "This field is required."  # Django's own catalogue has it
    response = ApiClient(token_for(people.officer)).post(
        "/tasks", {"document": work.document.pk, "lead_unit": 1})
    body = assert_error(response, 422, "invalid")
    assert body["errors"]["title"] == [required]
    assert response["Content-Language"] == "vi"


def test_an_anonymous_caller_gets_its_accept_language(db) -> None:
    english = Client().get("/api/v1/me", headers={"Accept-Language": "en"})
    vietnamese = Client().get("/api/v1/me", headers={"Accept-Language": "vi"})
    assert english["Content-Language"] == "en"
    assert vietnamese["Content-Language"] == "vi"
    assert english.json()["message"] != "" and vietnamese.json()["message"] != ""


# Rate limit ------------------------------------------------------------------------------


def test_too_many_requests_get_429_with_retry_after(people, settings) -> None:
    settings.DONDOC_API_RATE_LIMIT = "3/m"
    client = ApiClient(token_for(people.officer))
    assert [client.get("/me").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/me")
    assert_error(refused, 429, "rate_limited")
    assert 1 <= int(refused["Retry-After"]) <= 60
    other = ApiClient(token_for(people.manager))
    assert other.get("/me").status_code == 200  # the limit is per token


def test_the_limit_resets_after_the_period(people, settings, time_machine) -> None:
    settings.DONDOC_API_RATE_LIMIT = "2/m"
    time_machine.move_to(dt.datetime(2025, 5, 15, 9, 0, 5, tzinfo=dt.UTC), tick=False)
    client = ApiClient(token_for(people.officer))
    assert [client.get("/me").status_code for _ in range(3)] == [200, 200, 429]
    time_machine.move_to(dt.datetime(2025, 5, 15, 9, 1, 1, tzinfo=dt.UTC), tick=False)
    assert client.get("/me").status_code == 200
