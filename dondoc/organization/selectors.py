"""Reads of the unit tree and of accounts, always through the scoping rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from dondoc.core.text import fold
from dondoc.organization import scoping
from dondoc.organization.models import Unit, User


@dataclass(frozen=True)
class TreeRow:
    unit: Unit
    level: int  # depth relative to the top of the shown tree
    user_count: int
    valid: bool


def unit_tree(*, user: Any, as_of: dt.date | None, include_dissolved: bool,
              query: str = "") -> list[TreeRow]:
    """The visible units in tree order, with their account counts: two queries."""
    units = scoping.units_visible_to(user).select_related("successor")
    if as_of is not None:
        units = units.filter(pk__in=Unit.objects.valid_on(as_of).values("pk"))
    elif not include_dissolved:
        units = units.filter(is_active=True)
    if query:
        units = units.filter(search_text__contains=fold(query))
    units = units.annotate(user_count=Count("users", filter=Q(users__is_active=True)))
    rows = list(units.order_by("path"))
    top = min((unit.depth for unit in rows), default=1)
    return [
        TreeRow(unit=unit, level=unit.depth - top, user_count=unit.user_count,
                valid=as_of is None or unit.is_valid_on(as_of))
        for unit in rows
    ]


def unit_ancestors(unit: Unit) -> list[Unit]:
    return list(Unit.objects.get_ancestors(unit))


def user_list(*, user: Any, query: str = "", unit: Unit | None = None, role: str = "",
              active: str = "") -> QuerySet[User]:
    users = scoping.users_visible_to(user).select_related("unit")
    if unit is not None:
        users = users.filter(unit__path__startswith=unit.path)
    if role:
        users = users.filter(role=role)
    if active == "1":
        users = users.filter(is_active=True)
    elif active == "0":
        users = users.filter(is_active=False)
    if query:
        folded = fold(query)
        users = users.filter(Q(search_text__contains=folded) | Q(username__icontains=query))
    return users.order_by("unit__path", "last_name", "first_name")
