"""The dashboard's numbers in the JSON API (``/api/v1/dashboard``), with the same scoping."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from dondoc.api.common import responses, user
from dondoc.api.errors import invalid
from dondoc.api.schemas import ApiDate, CountsOut, QueryId
from dondoc.dashboards import selectors
from dondoc.dashboards.figures import Figures
from dondoc.dashboards.params import scope_from_params
from dondoc.progress.rates import percent

router = Router(tags=["dashboard"])


class DashboardQuery(Schema):
    unit: QueryId | None = Field(None, description=(
        "The scope: tasks that this unit or a unit below it led on the date. Default: the "
        "top of your scope."))
    document: QueryId | None = Field(None, description="With the documents implementing it.")
    as_of: ApiDate | None = Field(None, description="Default: today.")
    compare_on: ApiDate | None = Field(None, description="Also give the figures at this date.")
    own_only: bool = Field(False, description="League rows count only each unit's own tasks.")


class FiguresOut(Schema):
    counts: CountsOut
    on_time_rate_percent: float | None = Field(description="Rounded half up to one decimal.")
    overdue_by_age: dict[str, int] = Field(description="Keys 1-7, 8-30, 31-90, 90+ (days).")
    due_in_7_days: int
    due_in_30_days: int
    oldest_overdue_days: int


class LeagueRowOut(Schema):
    unit: dict[str, Any]
    own_tasks_only: bool
    figures: FiguresOut
    urged: int = Field(0, description="Urging letters the row's units received up to the date.")


class DashboardOut(Schema):
    as_of: dt.date
    unit: dict[str, Any]
    document: int | None
    figures: FiguresOut
    compare_on: dt.date | None
    compare: FiguresOut | None
    league: list[LeagueRowOut]


def present(figures: Figures) -> dict[str, Any]:
    counts = figures.counts
    rate = percent(counts.on_time_rate)
    return {
        "counts": {**{name: getattr(counts, name) for name in CountsOut.model_fields
                      if name not in {"completed", "open", "overdue_total", "on_time_rate"}},
                   "completed": counts.completed, "open": counts.open,
                   "overdue_total": counts.overdue_total, "on_time_rate": counts.on_time_rate},
        "on_time_rate_percent": float(rate) if rate is not None else None,
        "overdue_by_age": dict(zip(("1-7", "8-30", "31-90", "90+"), figures.ages, strict=True)),
        "due_in_7_days": figures.due_7, "due_in_30_days": figures.due_30,
        "oldest_overdue_days": figures.oldest_overdue_days,
    }


@router.get("/dashboard", response=responses({200: DashboardOut}), summary="Dashboard")
def dashboard(request: HttpRequest, query: Query[DashboardQuery]) -> dict[str, Any]:
    """The dashboard's figures for a scope, document and date, and the league table of the
    scope's sub-units (each with its subtree unless ``own_only``), ranked by on-time rate."""
    caller = user(request)
    params: dict[str, str] = {"compare": "none"}
    if query.unit is not None:
        params["unit"] = str(query.unit)
    if query.document is not None:
        params["document"] = str(query.document)
    if query.as_of is not None:
        params["as_of"] = query.as_of.isoformat()
    if query.compare_on is not None:
        params.update(compare="date", compare_on=query.compare_on.isoformat())
    if query.own_only:
        params["own"] = "1"
    parsed = scope_from_params(caller, params)
    if parsed.errors:
        field, message = next(iter(parsed.errors.items()))
        raise invalid(field, message)
    if parsed.scope is None:
        raise invalid("unit", "no unit")
    board = selectors.dashboard(caller, parsed.scope)
    scope = board.scope
    return {
        "as_of": scope.as_of, "document": scope.document.pk if scope.document else None,
        "unit": {"id": scope.unit.pk, "code": scope.unit.code, "name": scope.unit.name},
        "figures": present(board.figures), "compare_on": scope.compare_on,
        "compare": present(board.compare) if board.compare else None,
        "league": [{"unit": {"id": row.unit.pk, "code": row.unit.code, "name": row.unit.name},
                    "own_tasks_only": row.own_row or scope.own_only,
                    "figures": present(row.figures), "urged": row.urged}
                   for row in board.rows],
    }
