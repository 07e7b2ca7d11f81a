"""Security from day one: hashing, lockout, two-factor, headers, language."""

from __future__ import annotations

import datetime as dt
import importlib

import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dondoc.organization.tests.factories import DEFAULT_PASSWORD


def test_production_settings_hash_passwords_with_argon2() -> None:
    production = importlib.import_module("config.settings")
    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert production.DEBUG is False or production.env_bool("DONDOC_DEBUG")


def test_login_locks_after_repeated_failures(people) -> None:
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "officer", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "officer",
                                              "password": DEFAULT_PASSWORD})
    assert locked.status_code == 429
    assert "locked" in locked.content.decode().lower() or "khóa" in locked.content.decode()
    # Another account from the same address is not locked.
    other = Client().post("/accounts/login/", {"username": "staff", "password": DEFAULT_PASSWORD})
    assert other.status_code == 302


def test_leader_must_enrol_two_factor_before_anything_else(people) -> None:
    people.leader.otp_exempt = False
    people.leader.save()
    client = Client()
    client.post("/accounts/login/", {"username": "leader", "password": DEFAULT_PASSWORD})
    response = client.get("/units/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/")
    enrol = client.get("/accounts/2fa/")
    assert b"<svg" in enrol.content
    device = TOTPDevice.objects.get(user=people.leader)
    wrong = client.post("/accounts/2fa/", {"token": "000000"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["token"]
    # After a wrong code django-otp throttles for a moment: come back a minute later.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1), tick=False):
        token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
        assert client.post("/accounts/2fa/", {"token": token}).status_code == 302
    assert client.get("/units/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_admin_without_exemption_is_sent_to_two_factor(people) -> None:
    people.admin.otp_exempt = False
    people.admin.save()
    client = Client()
    client.post("/accounts/login/", {"username": "admin", "password": DEFAULT_PASSWORD})
    assert client.get("/").status_code == 302


def test_officer_needs_no_second_factor(people, login) -> None:
    assert login(people.officer).get("/").status_code == 200


def test_pages_carry_a_strict_content_security_policy(people, login) -> None:
    response = login(people.officer).get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_load_nothing_from_outside(people, login) -> None:
    page = login(people.staff).get("/units/").content.decode()
    assert "http://" not in page.replace("http://testserver", "")
    assert "https://" not in page


def test_language_choice_is_remembered_on_the_account(people, login) -> None:
    client = login(people.officer)
    assert 'lang="vi"' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    people.officer.refresh_from_db()
    assert people.officer.language == "en"
    fresh = login(people.officer)  # a new session, another browser
    assert 'lang="en"' in fresh.get("/").content.decode()


def test_the_login_page_is_vietnamese_whatever_the_browser_asks(db) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/accounts/login/").content.decode()
    assert 'lang="vi"' in page


def test_healthz_reports_the_database(db) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
