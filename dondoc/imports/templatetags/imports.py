"""Template helpers of the imports app."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from dondoc.imports.models import ReviewFlag

register = template.Library()


@register.filter
def open_flags(flags: Iterable[ReviewFlag]) -> list[ReviewFlag]:
    """The flags still to review (from an already fetched list: no query per flag)."""
    return [flag for flag in flags if flag.cleared_on is None]
