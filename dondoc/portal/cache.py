"""The portal's public pages are cached for a few seconds per language and content
version; every editor write bumps the version, so an edit shows at once."""

from __future__ import annotations

from django.core.cache import cache

VERSION_KEY = "portal:version"
PAGE_TTL_S = 15
HOME_TTL_S = 5  # the whole home page for visitors: its visitor counter is live within it


def version() -> int:
    value = cache.get(VERSION_KEY)
    if value is None:
        cache.add(VERSION_KEY, 1, None)
        value = cache.get(VERSION_KEY, 1)
    return int(value)


def bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def page_key(name: str, language: str, *parts: object) -> str:
    return ":".join(["portal", name, language, str(version()), *map(str, parts)])
