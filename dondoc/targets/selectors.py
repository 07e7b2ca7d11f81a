"""Reading targets: the scoped list, series of current measurements, the league table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.targets.models import Measurement, Target, TargetUnit
from dondoc.targets.trajectory import Line, Standing, standing


def target_list(*, user: Any, document: int | None = None,
                unit: Unit | None = None) -> QuerySet[Target]:
    """Targets the user sees, optionally of one document and/or concerning a unit's
    subtree (managed by it, or giving a unit of it its own target)."""
    targets = scoping.targets_visible_to(user).select_related("document", "owner_unit",
                                                              "group")
    if document is not None:
        targets = targets.filter(document_id=document)
    if unit is not None:
        shares = TargetUnit.objects.filter(unit__path__startswith=unit.path)
        targets = targets.filter(Q(owner_unit__path__startswith=unit.path)
                                 | Q(pk__in=shares.values("target_id")))
    current = Measurement.objects.filter(unit__isnull=True, superseded_by__isnull=True)
    return targets.prefetch_related(Prefetch("measurements", queryset=current,
                                             to_attr="overall"))


def target_detail(*, user: Any, pk: Any) -> Target:
    return scoping.get_visible_or_404(
        scoping.targets_visible_to(user).select_related("document", "owner_unit", "group"),
        pk=pk)


def line_of(target: Target, share: TargetUnit | None = None) -> Line:
    if share is None:
        return Line(target.baseline_date, target.baseline_value, target.target_date,
                    target.target_value, target.direction)
    return Line(target.baseline_date, share.baseline_value, target.target_date,
                share.target_value, target.direction)


def current_points(measurements: list[Measurement]) -> list[tuple[dt.date, Decimal]]:
    """One point per period end: the latest entered measurement not superseded."""
    latest: dict[dt.date, Measurement] = {}
    for item in sorted(measurements, key=lambda m: (m.entered_at, m.pk)):
        latest[item.period_end] = item
    return sorted((day, item.value) for day, item in latest.items())


def overall_standing(target: Target) -> Standing | None:
    """The whole target's standing; needs ``target.overall`` from :func:`target_list`."""
    return standing(line_of(target), current_points(getattr(target, "overall", [])))


def history(target: Target) -> list[Measurement]:
    """Every measurement of the target, corrected ones included, newest period first."""
    return list(target.measurements.select_related("unit", "entered_by", "supersedes",
                                                   "superseded_by")
                .order_by("-period_end", "unit__path", "-entered_at", "-id"))


@dataclass
class LeagueRow:
    share: TargetUnit
    standing: Standing | None
    rank: int = 0


def league(target: Target, measurements: list[Measurement]) -> list[LeagueRow]:
    """Units with their own target, best share of the target achieved first."""
    by_unit: dict[int, list[Measurement]] = {}
    for item in live(measurements):
        if item.unit_id is not None:
            by_unit.setdefault(item.unit_id, []).append(item)
    rows = [LeagueRow(share, standing(line_of(target, share),
                                      current_points(by_unit.get(share.unit_id, []))))
            for share in target.units.select_related("unit")]
    rows.sort(key=lambda row: (row.standing is None,
                               -(row.standing.percent if row.standing else 0),
                               row.share.unit.path))
    for index, row in enumerate(rows, start=1):
        row.rank = index
    return rows


def live(measurements: list[Measurement]) -> list[Measurement]:
    """The measurements no other one corrects."""
    corrected = {item.supersedes_id for item in measurements}
    return [item for item in measurements if item.pk not in corrected]


def series(target: Target, measurements: list[Measurement],
           unit_id: int | None) -> list[tuple[dt.date, Decimal]]:
    return current_points([item for item in live(measurements) if item.unit_id == unit_id])



@dataclass
class DashboardTarget:
    target: Target
    standing: Standing | None
    planned_now: Decimal
    share: TargetUnit | None = None  # the scope unit's own share, when it has one


def for_dashboard(*, user: Any, unit: Unit, document_ids: list[int] | None,
                  as_of: dt.date, limit: int = 8) -> tuple[list[DashboardTarget], int]:
    """The targets the leadership picture shows for a scope, as of a date: those of the
    chosen documents (every visible one without a document) managed inside the scope's
    subtree or giving a unit of it its own share. Each stands as it did on ``as_of``:
    measurements of periods ended by then and entered by then, corrections known by then.
    Where the scope unit has its own share, its share's line and measurements count.
    Behind-the-plan targets first; returns the first ``limit`` and the count. 3 queries."""
    targets = scoping.targets_visible_to(user).select_related("document")
    if document_ids is not None:
        targets = targets.filter(document_id__in=document_ids)
    shares = TargetUnit.objects.filter(unit__path__startswith=unit.path)
    targets = targets.filter(Q(owner_unit__path__startswith=unit.path)
                             | Q(pk__in=shares.values("target_id")),
                             baseline_date__lte=as_of)
    end_of_day = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min,
                                     tzinfo=timezone.get_current_timezone())
    known = Measurement.objects.filter(Q(unit__isnull=True) | Q(unit=unit),
                                       period_end__lte=as_of, entered_at__lt=end_of_day)
    own = TargetUnit.objects.filter(unit=unit)
    rows = list(targets.prefetch_related(
        Prefetch("measurements", queryset=known, to_attr="known"),
        Prefetch("units", queryset=own, to_attr="own_share")))
    result = []
    for target in rows:
        share = target.own_share[0] if target.own_share else None
        unit_id = unit.pk if share is not None else None
        line = line_of(target, share)
        points = current_points([item for item in live(target.known)
                                 if item.unit_id == unit_id])
        result.append(DashboardTarget(target, standing(line, points), line.planned(as_of),
                                      share))
    result.sort(key=lambda row: (row.standing is None,
                                 row.standing.on_track if row.standing else True,
                                 row.standing.percent if row.standing else 0,
                                 row.target.name))
    return result[:limit], len(result)
