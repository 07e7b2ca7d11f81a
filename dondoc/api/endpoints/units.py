"""Units: the visible part of the tree, one unit, a unit's subtree; and the caller."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from dondoc.api.common import PageQuery, paginate, responses, unit_ref, user
from dondoc.api.schemas import MeOut, ObjectId, SearchText, UnitOut, UnitPage
from dondoc.core.text import containing_words
from dondoc.organization import scoping
from dondoc.organization.models import Unit, UnitKind

router = Router(tags=["units"])

UNIT_ORDERING = {"path": ("path",), "code": ("code",), "name": ("name", "code")}


class UnitQuery(PageQuery):
    q: SearchText = Field("", description="Words of the code or name (diacritics ignored).")
    kind: UnitKind | None = None
    active: bool | None = Field(None, description="Only active (true) or dissolved (false).")
    ordering: Literal["path", "code", "name"] = Field(
        "path", description="path = tree order (parents before their sub-units).")


def present_units(caller: Any, units: list[Unit]) -> list[dict[str, Any]]:
    """Rows with the parent's id when the parent is visible: one query for the page."""
    step = Unit.steplen
    parent_paths = {unit.path[:-step] for unit in units if unit.depth > 1}
    parents = dict(scoping.units_visible_to(caller).filter(path__in=parent_paths)
                   .values_list("path", "pk")) if parent_paths else {}
    return [{
        "id": unit.pk, "code": unit.code, "name": unit.name, "short_name": unit.short_name,
        "kind": unit.kind, "kind_label": unit.get_kind_display(),
        "parent": parents.get(unit.path[:-step]), "depth": unit.depth,
        "children": unit.numchild, "is_active": unit.is_active,
        "valid_from": unit.valid_from, "valid_to": unit.valid_to,
    } for unit in units]


def _filtered(units: Any, query: UnitQuery) -> Any:
    units = containing_words(units, query.q)
    if query.kind:
        units = units.filter(kind=query.kind)
    if query.active is not None:
        units = units.filter(is_active=query.active)
    return units.order_by(*UNIT_ORDERING[query.ordering])


@router.get("/me", response=responses({200: MeOut}), summary="The caller")
def me(request: HttpRequest) -> dict[str, Any]:
    """Who the token or session acts as: account, role and unit."""
    caller = user(request)
    return {"id": caller.pk, "username": caller.username, "full_name": caller.get_full_name(),
            "role": caller.role, "language": caller.language,
            "unit": unit_ref(caller.unit) if caller.unit else None}


@router.get("/units", response=responses({200: UnitPage}), summary="List units")
def unit_list(request: HttpRequest, query: Query[UnitQuery]) -> dict[str, Any]:
    """The units in your scope, in tree order by default, with their parent and depth."""
    caller = user(request)
    units = _filtered(scoping.units_visible_to(caller), query)
    return paginate(units, query, lambda page: present_units(caller, page))


@router.get("/units/{unit_id}", response=responses({200: UnitOut}), summary="One unit")
def unit_detail(request: HttpRequest,
                unit_id: ObjectId) -> dict[str, Any]:
    """One unit in your scope, with its parent and depth."""
    caller = user(request)
    unit = scoping.get_visible_or_404(scoping.units_visible_to(caller), pk=unit_id)
    return present_units(caller, [unit])[0]


@router.get("/units/{unit_id}/subtree", response=responses({200: UnitPage}),
            summary="A unit's subtree")
def unit_subtree(request: HttpRequest, query: Query[UnitQuery],
                 unit_id: ObjectId) -> dict[str, Any]:
    """The unit and all its sub-units (one indexed query on the tree path)."""
    caller = user(request)
    visible = scoping.units_visible_to(caller)
    unit = scoping.get_visible_or_404(visible, pk=unit_id)
    units = _filtered(visible.filter(path__startswith=unit.path), query)
    return paginate(units, query, lambda page: present_units(caller, page))
