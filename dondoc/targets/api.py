"""Targets in the JSON API (``/api/v1/targets``): list, detail, measurements, and entering
a measurement, with the same scoping and services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from dondoc.api.common import PageQuery, paginate, person, responses, unit_ref, user
from dondoc.api.errors import invalid
from dondoc.api.schemas import ApiDate, Body, Id, LongText, ObjectId, QueryId
from dondoc.organization import scoping
from dondoc.targets import selectors, services
from dondoc.targets.models import Direction, Measurement, Target
from dondoc.targets.trajectory import Standing

router = Router(tags=["targets"])


class TargetQuery(PageQuery):
    document: QueryId | None = Field(None, description="Targets of this document.")
    unit: QueryId | None = Field(None, description=(
        "Targets managed by this unit or its sub-units, or giving one of them a target."))


class StandingOut(Schema):
    day: dt.date
    value: Decimal
    planned: Decimal
    percent_achieved: Decimal
    on_track: bool


class UnitTargetOut(Schema):
    unit: dict[str, Any]
    baseline_value: Decimal
    target_value: Decimal
    standing: StandingOut | None


class TargetOut(Schema):
    id: int
    document: int
    group: int | None
    owner_unit: dict[str, Any]
    name: str
    measure_unit: str
    direction: Direction
    baseline_value: Decimal
    baseline_date: dt.date
    target_value: Decimal
    target_date: dt.date
    standing: StandingOut | None
    units: list[UnitTargetOut] | None = Field(None, description="In the detail only.")


class TargetPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[TargetOut]


class MeasurementOut(Schema):
    id: int
    target: int
    unit: dict[str, Any] | None
    period_end: dt.date
    value: Decimal
    note: str
    file_name: str
    supersedes: int | None
    superseded: bool
    entered_by: str
    entered_at: dt.datetime


class MeasurementIn(Body):
    unit: Id | None = Field(None, description="The unit (with its own target); empty for "
                                              "the whole target.")
    period_end: ApiDate
    value: Decimal = Field(description="The measured value.", allow_inf_nan=False)
    note: LongText = Field("", description="Where the figure comes from (required).")
    supersedes: Id | None = Field(None, description="The measurement this one corrects.")


def _standing(standing: Standing | None) -> dict[str, Any] | None:
    if standing is None:
        return None
    return {"day": standing.day, "value": standing.value, "planned": standing.planned,
            "percent_achieved": standing.percent, "on_track": standing.on_track}


def present(target: Target, *, detail: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": target.pk, "document": target.document_id, "group": target.group_id,
        "owner_unit": unit_ref(target.owner_unit), "name": target.name,
        "measure_unit": target.measure_unit, "direction": target.direction,
        "baseline_value": target.baseline_value, "baseline_date": target.baseline_date,
        "target_value": target.target_value, "target_date": target.target_date,
        "standing": None, "units": None}
    if detail:
        measurements = selectors.history(target)
        line = selectors.line_of(target)
        from dondoc.targets.trajectory import standing

        result["standing"] = _standing(standing(line, selectors.series(target, measurements,
                                                                       None)))
        result["units"] = [
            {"unit": unit_ref(row.share.unit), "baseline_value": row.share.baseline_value,
             "target_value": row.share.target_value, "standing": _standing(row.standing)}
            for row in selectors.league(target, measurements)]
    else:
        result["standing"] = _standing(selectors.overall_standing(target))
    return result


def present_measurement(item: Measurement, corrected: set[int]) -> dict[str, Any]:
    return {"id": item.pk, "target": item.target_id,
            "unit": unit_ref(item.unit) if item.unit else None, "period_end": item.period_end,
            "value": item.value, "note": item.note, "file_name": item.original_name,
            "supersedes": item.supersedes_id, "superseded": item.pk in corrected,
            "entered_by": person(item.entered_by), "entered_at": item.entered_at}


@router.get("/targets", response=responses({200: TargetPage}), summary="List targets")
def target_list(request: HttpRequest, query: Query[TargetQuery]) -> dict[str, Any]:
    """The targets of the documents you may read, with where each stands as of its latest
    whole-target measurement."""
    caller = user(request)
    unit = None
    if query.unit is not None:
        unit = scoping.units_visible_to(caller).filter(pk=query.unit).first()
        if unit is None:
            raise invalid("unit", _("Unknown unit: %(id)s") % {"id": query.unit})
    targets = selectors.target_list(user=caller, document=query.document, unit=unit)
    return paginate(targets, query, lambda page: [present(item) for item in page])


@router.get("/targets/{target_id}", response=responses({200: TargetOut}),
            summary="One target")
def target_detail(request: HttpRequest, target_id: ObjectId) -> dict[str, Any]:
    """The target with the standing of the whole target and of each unit with its own
    target (latest value, planned value that day, share achieved, on track or not)."""
    return present(selectors.target_detail(user=user(request), pk=target_id), detail=True)


@router.get("/targets/{target_id}/measurements", response=responses({200: list[MeasurementOut]}),
            summary="Measurements of a target")
def measurement_list(request: HttpRequest, target_id: ObjectId) -> list[dict[str, Any]]:
    """Every measurement, corrected ones included (``superseded``), newest period first."""
    target = selectors.target_detail(user=user(request), pk=target_id)
    measurements = selectors.history(target)
    corrected = {item.supersedes_id for item in measurements if item.supersedes_id}
    return [present_measurement(item, corrected) for item in measurements]


@router.post("/targets/{target_id}/measurements",
             response=responses({201: MeasurementOut}), summary="Enter a measurement")
def measurement_create(request: HttpRequest, target_id: ObjectId,
                       payload: MeasurementIn) -> Status[dict[str, Any]]:
    """Enter a value for the whole target (staff in scope) or for your own unit's target
    (its managers and officers). A correction names the measurement it ``supersedes``;
    the old one is kept."""
    caller = user(request)
    target = scoping.get_editable_or_403(scoping.targets_visible_to(caller),
                                         scoping.targets_measurable_by(caller), pk=target_id)
    unit = None
    if payload.unit is None:
        if not scoping.targets_editable_by(caller).filter(pk=target.pk).exists():
            raise PermissionDenied
    else:
        row = scoping.target_units_measurable_by(caller, target).filter(
            unit_id=payload.unit).first()
        if row is None:
            raise invalid("unit", _("You may not enter measurements for this unit here."))
        unit = row.unit
    supersedes = None
    if payload.supersedes is not None:
        supersedes = target.measurements.filter(pk=payload.supersedes).first()
        if supersedes is None:
            raise invalid("supersedes", _("Unknown measurement of this target: %(id)s") % {
                "id": payload.supersedes})
    item = services.measurement_add(actor=caller, target=target, unit=unit,
                                    period_end=payload.period_end, value=payload.value,
                                    note=payload.note, supersedes=supersedes)
    return Status(201, present_measurement(item, set()))
