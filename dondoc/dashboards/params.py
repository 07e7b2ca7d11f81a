"""Reading the dashboard's choices from a query string; bad values are reported, not guessed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from dondoc.dashboards import snapshots
from dondoc.dashboards.selectors import SORT_KEYS, Scope, parse_scope_documents
from dondoc.organization import scoping
from dondoc.plans.selectors import parse_day
from dondoc.progress.selectors import business_today


@dataclass
class Parsed:
    scope: Scope | None
    errors: dict[str, str] = field(default_factory=dict)
    compare: str = "month"
    raw: dict[str, str] = field(default_factory=dict)


def _integer(params: Any, name: str, errors: dict[str, str]) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        errors[name] = _("Not a valid number: %(value)s") % {"value": raw}
        return None


def _day(params: Any, name: str, errors: dict[str, str]) -> dt.date | None:
    try:
        return parse_day(params.get(name))
    except ValueError:
        errors[name] = _("Enter a valid date as dd/mm/yyyy.")
        return None


def scope_from_params(user: Any, params: Any) -> Parsed:
    """The scope (unit, document, date, comparison, league options) the user asked for."""
    errors: dict[str, str] = {}
    units = scoping.units_visible_to(user)
    unit = scoping.scope_root(user) or units.order_by("depth", "path").first()
    unit_id = _integer(params, "unit", errors)
    if unit_id is not None:
        chosen = units.filter(pk=unit_id).first()
        if chosen is None:
            errors["unit"] = _("Unknown unit: %(id)s") % {"id": unit_id}
        else:
            unit = chosen
    if unit is None:
        return Parsed(scope=None, errors=errors)
    document = None
    document_id = _integer(params, "document", errors)
    if document_id is not None:
        document = scoping.documents_visible_to(user).filter(pk=document_id).first()
        if document is None:
            errors["document"] = _("Unknown document: %(id)s") % {"id": document_id}
    today = business_today()
    as_of = _day(params, "as_of", errors) or today
    if as_of > today:
        errors["as_of"] = _("The date cannot be in the future.")
        as_of = today
    compare = params.get("compare") or "month"
    compare_on: dt.date | None
    if compare == "quarter":
        compare_on = snapshots.previous_quarter_end(as_of)
    elif compare == "date":
        compare_on = _day(params, "compare_on", errors)
        if compare_on is None and "compare_on" not in errors:
            errors["compare_on"] = _("Enter the date to compare with.")
    elif compare == "none":
        compare_on = None
    else:
        compare = "month"
        compare_on = snapshots.previous_month_end(as_of)
    if compare_on is not None and compare_on > today:
        errors["compare_on"] = _("The date cannot be in the future.")
        compare_on = None
    sort = params.get("sort") or "rate"
    if sort not in SORT_KEYS:
        errors["sort"] = _("Unknown column: %(value)s") % {"value": sort}
        sort = "rate"
    expand = []
    for raw in params.getlist("expand") if hasattr(params, "getlist") else [params.get("expand")]:
        for part in (raw or "").split(","):
            if part.strip().isdigit():
                expand.append(int(part))
    scope = Scope(unit=unit, as_of=as_of, document=document,
                  document_ids=parse_scope_documents(user, document),
                  own_only=params.get("own") == "1", expand=expand, sort=sort,
                  descending=params.get("dir", "desc" if sort != "unit" else "asc") != "asc",
                  compare_on=compare_on)
    raw_values = {name: (params.get(name) or "") for name in
                  ("unit", "document", "as_of", "compare", "compare_on", "own", "sort", "dir")}
    raw_values["expand"] = ",".join(str(pk) for pk in expand)
    return Parsed(scope=scope, errors=errors, compare=compare, raw=raw_values)
