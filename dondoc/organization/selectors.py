"""Reads of the unit tree and of accounts, always through the scoping rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from dondoc.core.text import containing_words, fold
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


# A unit picker lists its units in the page up to this many; beyond (a ministry's 20,000),
# it holds only the chosen ones and asks :func:`unit_options` as the user types.
PICKER_INLINE_LIMIT: int = settings.DONDOC_UNIT_PICKER_INLINE_LIMIT
PICKER_RESULTS = 50


class UnitChoices:
    """The units of a picker: ``(id, code, name)`` rows of ``units`` read once however many
    pickers of the page show them, and at most ``PICKER_INLINE_LIMIT + 1`` of them (more
    means the picker asks :func:`unit_options` as the user types)."""

    def __init__(self, units: QuerySet[Any]) -> None:
        self.units = units

    @cached_property
    def head(self) -> tuple[tuple[int, str, str], ...]:
        return tuple(tuple(row) for row in self.units.values_list(
            "pk", "code", "name")[:PICKER_INLINE_LIMIT + 1])

    @property
    def listed(self) -> bool:
        """Whether every unit is listed in the page."""
        return len(self.head) <= PICKER_INLINE_LIMIT

    def rows(self, ids: list[int]) -> list[tuple[int, str, str]]:
        """The rows of these ids (the chosen units), one query."""
        return list(self.units.filter(pk__in=ids).values_list("pk", "code", "name")) \
            if ids else []

    def __iter__(self) -> Any:
        return iter(self.head)


def pickable_units(user: Any) -> QuerySet[Unit]:
    """The units a filter's unit picker offers: the active units the user sees."""
    return scoping.units_visible_to(user).filter(is_active=True).order_by("path")


def unit_options(*, user: Any, query: str, chosen: list[int] | None = None,
                 ) -> tuple[list[tuple[int, str, str]], bool]:
    """(id, code, name) of the pickable units whose code or name contains every word of
    ``query`` (whatever the accents), in tree order, at most :data:`PICKER_RESULTS`, and
    whether there are more; or, with ``chosen``, those of these ids the user may pick."""
    units = pickable_units(user)
    if chosen is not None:
        return UnitChoices(units).rows(chosen[:PICKER_RESULTS]), False
    units = containing_words(units, query[:100], most=8)
    rows = list(units.values_list("pk", "code", "name")[:PICKER_RESULTS + 1])
    return rows[:PICKER_RESULTS], len(rows) > PICKER_RESULTS
