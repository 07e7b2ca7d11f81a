"""Behind a reverse proxy: lockout and audit see the real client, and nobody can forge it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory, override_settings

from dondoc.audit.models import AuditEvent
from dondoc.core.client import client_address, header_meta_key, parse_networks
from dondoc.organization.tests.factories import DEFAULT_PASSWORD

PROXY = "10.0.0.5"
BEHIND_PROXY = override_settings(
    DONDOC_TRUSTED_PROXY_NETWORKS=parse_networks("test", [PROXY, "172.16.0.0/12"]),
    DONDOC_PROXY_CLIENT_META_KEY="HTTP_X_FORWARDED_FOR")


def _address(remote: str, forwarded: str | None = None) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_forwarding_header_is_ignored() -> None:
    assert _address("203.0.113.7", "198.51.100.1") == "203.0.113.7"


@BEHIND_PROXY
@pytest.mark.parametrize(("remote", "forwarded", "client"), [
    (PROXY, "203.0.113.7", "203.0.113.7"),
    (PROXY, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the client forged the first entry
    (PROXY, "203.0.113.7, 172.16.4.4", "203.0.113.7"),  # two proxies in a row
    (PROXY, "203.0.113.7:51234", "203.0.113.7"),
    (PROXY, "[2001:db8::7]:443", "2001:db8::7"),
    (PROXY, "", PROXY),
    (PROXY, "not-an-address", PROXY),
    ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not from the proxy: header not believed
])
def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client(
        remote: str, forwarded: str, client: str) -> None:
    assert _address(remote, forwarded) == client


def test_a_wrong_proxy_setting_stops_the_start() -> None:
    with pytest.raises(ImproperlyConfigured, match="DONDOC_TRUSTED_PROXIES"):
        parse_networks("DONDOC_TRUSTED_PROXIES", ["10.0.0.300"])
    assert header_meta_key("X-Real-IP") == "HTTP_X_REAL_IP"


def _login(client: Client, username: str, password: str, forwarded: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password},
                       HTTP_X_FORWARDED_FOR=forwarded)


@BEHIND_PROXY
def test_a_stranger_behind_the_same_proxy_cannot_lock_the_owner_out(people: Any) -> None:
    stranger, owner = Client(REMOTE_ADDR=PROXY), Client(REMOTE_ADDR=PROXY)
    for _ in range(6):
        _login(stranger, "officer", "doan-bua", "198.51.100.66")
    assert _login(stranger, "officer", DEFAULT_PASSWORD, "198.51.100.66").status_code == 429
    assert _login(owner, "officer", DEFAULT_PASSWORD, "203.0.113.7").status_code == 302


@BEHIND_PROXY
def test_the_guesser_stays_locked_whatever_address_they_forge(people: Any) -> None:
    stranger = Client(REMOTE_ADDR=PROXY)
    for number in range(6):  # a forged left-most entry changes nothing
        _login(stranger, "officer", "doan-bua", f"192.0.2.{number}, 198.51.100.66")
    assert _login(stranger, "officer", DEFAULT_PASSWORD,
                  "192.0.2.99, 198.51.100.66").status_code == 429


@BEHIND_PROXY
def test_the_audit_log_records_the_real_client(login: Any, people: Any) -> None:
    client = Client(REMOTE_ADDR=PROXY)
    _login(client, "staff", DEFAULT_PASSWORD, "192.0.2.1, 203.0.113.7")
    client.post("/accounts/tokens/", {"name": "Hệ thống", "validity": "30"},
                HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.7")
    event = AuditEvent.objects.filter(object_type="api.apitoken").latest("seq")
    assert event.ip_address == "203.0.113.7"
