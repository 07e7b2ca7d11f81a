"""The address of the person at the other end, also behind a reverse proxy.

Without ``DONDOC_TRUSTED_PROXIES`` it is the connection's address (``REMOTE_ADDR``) and
any forwarding header is ignored: anyone can send one. With it, a request that comes from
one of those proxies is traced back through ``DONDOC_PROXY_CLIENT_HEADER`` (by default
``X-Forwarded-For``) from the right, skipping the trusted proxies: the first address that
is not a trusted proxy is the client. Entries further left were written by the client
itself and are never believed. Login lockout (django-axes) and the audit log both use it.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(name: str, items: list[str]) -> list[Network]:
    """``["10.0.0.1", "172.16.0.0/12"]`` → networks; a wrong entry fails at start-up."""
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks (e.g. 10.0.0.5,172.16.0.0/12), "
                f"not {item!r}") from None
    return networks


def header_meta_key(header: str) -> str:
    """``X-Forwarded-For`` → ``HTTP_X_FORWARDED_FOR``, the key Django's ``META`` uses."""
    return "HTTP_" + header.strip().upper().replace("-", "_")


def _address(text: str) -> Address | None:
    value = text.strip().strip('"')
    if value.startswith("["):  # [2001:db8::1]:443
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # 203.0.113.7:51234
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address: Address | None, proxies: list[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def client_address(request: Any) -> str:
    """The client's address for lockout and audit (see the module's docstring)."""
    remote = str(request.META.get("REMOTE_ADDR", ""))[:64]
    proxies: list[Network] = getattr(settings, "DONDOC_TRUSTED_PROXY_NETWORKS", [])
    if not proxies or not _trusted(_address(remote), proxies):
        return remote
    header = str(request.META.get(getattr(settings, "DONDOC_PROXY_CLIENT_META_KEY",
                                          "HTTP_X_FORWARDED_FOR"), ""))
    hops = [hop for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # garbage: trust nothing further left
        if not _trusted(address, proxies):
            return str(address)
    return remote  # only proxies (or nothing usable): the nearest one is all we know
