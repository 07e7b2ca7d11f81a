"""Template helpers of the dashboard: rates, signed changes, bars."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def rate(value: Decimal | None) -> str:
    """A rate already in per cent (rounded half up), in the locale's number format."""
    if value is None:
        return "—"
    return f"{number_format(value, 1)} %"


@register.filter
def signed(value: Any) -> str:
    """A change with its sign: +3, −2, 0 (the rate with one decimal)."""
    if value is None:
        return "—"
    text = number_format(abs(value), 1) if isinstance(value, Decimal) else str(abs(value))
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"−{text}"
    return text


@register.filter
def share(part: int, whole: int) -> str:
    """``part`` as a percentage of ``whole`` for a bar width (CSS), never more than 100."""
    if not whole:
        return "0"
    return f"{min(100.0, part * 100 / whole):.2f}"


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def attr(obj: Any, name: str) -> Any:
    return getattr(obj, name, None)


@register.simple_tag
def query(raw: dict[str, str], **changes: Any) -> str:
    """The dashboard's query string with some choices changed (empty values dropped)."""
    from urllib.parse import urlencode

    values = {**raw, **{key: "" if value is None else str(value)
                        for key, value in changes.items()}}
    return "?" + urlencode({key: value for key, value in values.items() if value != ""})


@register.simple_tag
def toggle_expand(raw: dict[str, str], pk: int) -> str:
    """The query string with unit ``pk`` expanded, or collapsed if it was."""
    current = [part for part in raw.get("expand", "").split(",") if part]
    wanted = [part for part in current if part != str(pk)]
    if len(wanted) == len(current):
        wanted.append(str(pk))
    return query(raw, expand=",".join(wanted))


