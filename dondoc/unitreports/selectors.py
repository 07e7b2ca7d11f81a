"""Reads of periodic unit reports: the matrix, the reports due, the hooks for the
consolidated report and the reminders, and the pre-fill from progress updates.

Every cell (obligation, unit, period) is computed from three bounded queries — the
obligations, their units (one more for sub-units), the reports — whatever the size of
the matrix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.plans.models import Document, Task
from dondoc.progress.models import ProgressUpdate
from dondoc.progress.periods import Period
from dondoc.progress.selectors import business_today, lead_path_at, statistics
from dondoc.unitreports.models import ReportingObligation, ReportState, UnitReport
from dondoc.unitreports.states import PROBLEM_CELLS, Cell, cell_state, is_late

# Pre-fill ---------------------------------------------------------------------------


def document_tree_ids(document_id: int) -> list[int]:
    """The document and every document implementing it, at any depth (one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Document.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found: list[int] = []
    stack = [document_id]
    while stack:
        current = stack.pop()
        if current not in found:
            found.append(current)
            stack.extend(children.get(current, []))
    return found


@dataclass(frozen=True)
class Prefill:
    results: str
    difficulties: str
    proposals: str
    statistics: dict[str, Any]
    update_ids: list[int]


def updates_in_window(*, unit: Unit, document_ids: Sequence[int], start: dt.date,
                      end: dt.date) -> QuerySet[ProgressUpdate]:
    """The progress updates the unit's subtree posted on the document's tasks in the
    window (both ends included), oldest first."""
    return (ProgressUpdate.objects.filter(unit__path__startswith=unit.path,
                                          task__document_id__in=document_ids,
                                          reported_on__gte=start, reported_on__lte=end)
            .select_related("task").order_by("reported_on", "id"))


def statistics_as_of(*, unit: Unit, document_ids: Sequence[int], cutoff: dt.date,
                     ) -> dict[str, Any]:
    """The status counts (the engine's, in SQL) of the tasks the unit's subtree led on
    the cut-off (or today, for a period not cut off yet)."""
    day = min(cutoff, business_today())
    tasks = Task.objects.filter(document_id__in=document_ids).annotate(
        lead_path_on=lead_path_at(day)).filter(lead_path_on__startswith=unit.path)
    counts = statistics(tasks, day)
    values = asdict(counts)
    values["on_time_rate"] = (None if counts.on_time_rate is None
                              else float(counts.on_time_rate))
    values["as_of"] = day.isoformat()
    return values


def _lines(updates: Iterable[ProgressUpdate], attribute: str, *, percent: bool = False) -> str:
    lines = []
    for update in updates:
        text = getattr(update, attribute).strip()
        if not text:
            continue
        head = f"- [{update.task.code}] " if update.task.code else "- "
        tail = f" ({update.percent}%)" if percent else ""
        lines.append(f"{head}{text}{tail}")
    return "\n".join(lines)


def prefill(*, obligation: ReportingObligation, unit: Unit, period: Period) -> Prefill:
    """What the report starts with: the window's updates, line by line per task, and the
    statistics as of the cut-off."""
    start, cutoff = obligation.window(period)
    documents = document_tree_ids(obligation.document_id)
    updates = list(updates_in_window(unit=unit, document_ids=documents, start=start,
                                     end=cutoff))
    return Prefill(results=_lines(updates, "results", percent=True),
                   difficulties=_lines(updates, "difficulties"),
                   proposals=_lines(updates, "proposals"),
                   statistics=statistics_as_of(unit=unit, document_ids=documents,
                                               cutoff=cutoff),
                   update_ids=[update.pk for update in updates])


# Cells ------------------------------------------------------------------------------


@dataclass
class CellInfo:
    obligation: ReportingObligation
    unit: Unit
    period: Period
    deadline: dt.date
    state: Cell
    late: bool
    report: UnitReport | None = None


def obliged_units(obligations: Sequence[ReportingObligation]) -> dict[int, list[Unit]]:
    """Each obligation's reporting units (sub-units included when it says so), by path:
    two queries for any number of obligations."""
    through = ReportingObligation.units.through.objects.filter(
        reportingobligation_id__in=[o.pk for o in obligations]).select_related("unit")
    named: dict[int, list[Unit]] = {}
    for row in through:
        named.setdefault(row.reportingobligation_id, []).append(row.unit)
    roots = {unit.path for o in obligations if o.with_subunits for unit in named.get(o.pk, [])}
    below: list[Unit] = []
    if roots:
        condition = Q(pk__in=[])
        for path in roots:
            condition |= Q(path__startswith=path)
        below = list(Unit.objects.filter(condition, is_active=True))
    result: dict[int, list[Unit]] = {}
    for obligation in obligations:
        units = {unit.pk: unit for unit in named.get(obligation.pk, [])}
        if obligation.with_subunits:
            for root in list(units.values()):
                units.update({unit.pk: unit for unit in below
                              if unit.path.startswith(root.path)})
        result[obligation.pk] = sorted(units.values(), key=lambda unit: unit.path)
    return result


def started_periods(obligation: ReportingObligation, as_of: dt.date) -> list[Period]:
    """The obligation's periods that have started on ``as_of`` (reports may be written)."""
    return [period for period in obligation.periods() if period.start <= as_of]


def cells(obligations: Sequence[ReportingObligation], *, as_of: dt.date,
          unit_path: str | None = None, period_start: dt.date | None = None,
          ) -> list[CellInfo]:
    """Every (obligation, unit, period started by ``as_of``) with its state; restricted
    to the units under ``unit_path`` and to one period when given. Three queries."""
    obligations = list(obligations)
    if not obligations:
        return []
    units_of = obliged_units(obligations)
    reports = UnitReport.objects.filter(obligation__in=obligations)
    if unit_path is not None:
        reports = reports.filter(unit__path__startswith=unit_path)
    if period_start is not None:
        reports = reports.filter(period_start=period_start)
    found = {(r.obligation_id, r.unit_id, r.period_start): r for r in reports}
    result: list[CellInfo] = []
    for obligation in obligations:
        for period in started_periods(obligation, as_of):
            if period_start is not None and period.start != period_start:
                continue
            deadline = obligation.deadline(period)
            for unit in units_of.get(obligation.pk, []):
                if unit_path is not None and not unit.path.startswith(unit_path):
                    continue
                report = found.get((obligation.pk, unit.pk, period.start))
                if report is not None:
                    report.obligation = obligation
                    report.unit = unit
                submitted = report.first_submitted_on if report else None
                result.append(CellInfo(
                    obligation=obligation, unit=unit, period=period, deadline=deadline,
                    state=cell_state(deadline=deadline, as_of=as_of,
                                     state=report.state if report else None,
                                     first_submitted_on=submitted),
                    late=is_late(deadline=deadline, as_of=as_of, first_submitted_on=submitted),
                    report=report))
    return result


# The matrix (staff) -----------------------------------------------------------------


@dataclass
class MatrixRow:
    unit: Unit
    cells: list[CellInfo | None]


@dataclass
class Matrix:
    obligation: ReportingObligation
    periods: list[Period]
    rows: list[MatrixRow]
    totals: dict[str, int] = field(default_factory=dict)


def matrix(obligation: ReportingObligation, *, as_of: dt.date, unit_path: str | None = None,
           state: str = "", period_start: dt.date | None = None) -> Matrix:
    """Units × periods of one obligation, with the state of each report; ``state``
    keeps the rows with at least one cell in that state (``late`` = missing or late)."""
    found = cells([obligation], as_of=as_of, unit_path=unit_path, period_start=period_start)
    periods = sorted({cell.period for cell in found}, key=lambda period: period.start)
    by_unit: dict[int, dict[dt.date, CellInfo]] = {}
    units: dict[int, Unit] = {}
    totals: dict[str, int] = {}
    for cell in found:
        by_unit.setdefault(cell.unit.pk, {})[cell.period.start] = cell
        units[cell.unit.pk] = cell.unit
        totals[cell.state.value] = totals.get(cell.state.value, 0) + 1
    rows = []
    for pk, unit in sorted(units.items(), key=lambda item: item[1].path):
        row = [by_unit[pk].get(period.start) for period in periods]
        if state and not any(c is not None and _matches(c, state) for c in row):
            continue
        rows.append(MatrixRow(unit=unit, cells=row))
    return Matrix(obligation=obligation, periods=periods, rows=rows, totals=totals)


def _matches(cell: CellInfo, state: str) -> bool:
    if state == "late":
        return cell.state in PROBLEM_CELLS
    return cell.state.value == state


# A unit's own reports ---------------------------------------------------------------


def visible_obligations(user: Any) -> list[ReportingObligation]:
    """The obligations the user sees, read once per request (the home page's card and
    the dashboard's column both need them)."""
    cached: list[ReportingObligation] | None = getattr(user, "_dondoc_obligations", None)
    if cached is None:
        cached = list(scoping.obligations_visible_to(user).select_related("document")
                      .order_by("-first_period_start", "id"))
        user._dondoc_obligations = cached
    return cached


def my_reports(user: Any, *, as_of: dt.date | None = None) -> list[CellInfo]:
    """The reports of the user's own unit and its sub-units: those not accepted yet first
    (the most urgent deadline first), then the accepted ones."""
    day = as_of or business_today()
    unit = getattr(user, "unit", None)
    if unit is None:
        return []
    found = cells(visible_obligations(user), as_of=day, unit_path=unit.path)
    found.sort(key=lambda c: (c.state == Cell.ACCEPTED, c.deadline, c.unit.path))
    return found


# Hooks for the other capabilities ---------------------------------------------------


@dataclass(frozen=True)
class DueReport:
    unit: Unit
    obligation: ReportingObligation
    period: Period
    deadline: dt.date
    state: Cell
    report_id: int | None


def reports_due(as_of: dt.date) -> list[DueReport]:
    """For the reminders: every report of a started period not submitted yet on
    ``as_of`` (``due`` before its deadline, ``missing`` after) or returned to the unit."""
    obligations = list(ReportingObligation.objects.filter(
        first_period_start__lte=as_of).select_related("document"))
    return [DueReport(unit=cell.unit, obligation=cell.obligation, period=cell.period,
                      deadline=cell.deadline, state=cell.state,
                      report_id=cell.report.pk if cell.report else None)
            for cell in cells(obligations, as_of=as_of)
            if cell.state in {Cell.DUE, Cell.MISSING, Cell.RETURNED}]


def unit_reports_for(scope_unit: Unit, document: Document, period: Period,
                     ) -> list[UnitReport]:
    """For the consolidated report: the submitted and accepted reports of the units of
    ``scope_unit``'s subtree on ``document`` (or a document implementing it) for the
    period, with their narrative sections (results, difficulties, proposals)."""
    return list(UnitReport.objects.filter(
        unit__path__startswith=scope_unit.path,
        obligation__document_id__in=document_tree_ids(document.pk),
        period_start=period.start, period_end=period.end,
        state__in=[ReportState.SUBMITTED, ReportState.ACCEPTED],
    ).select_related("unit", "obligation").order_by("unit__path", "obligation_id"))


# The dashboard's league table -------------------------------------------------------


@dataclass
class Tally:
    """Reports of periods whose deadline has passed (on the day), for a unit's subtree."""

    missing: int = 0
    late: int = 0  # submitted after the deadline (whatever became of them)
    accepted: int = 0
    returned: int = 0
    submitted: int = 0

    @property
    def late_or_missing(self) -> int:
        return self.missing + self.late


def tallies(user: Any, *, scope_unit: Unit, as_of: dt.date,
            document_ids: list[int] | None = None) -> dict[str, Tally]:
    """Per unit path, the reports of periods whose deadline passed by ``as_of``; each
    unit's figures counted once for it (the dashboard rolls them up)."""
    obligations = [o for o in visible_obligations(user) if o.first_period_start <= as_of
                   and (document_ids is None or o.document_id in document_ids)]
    result: dict[str, Tally] = {}
    for cell in cells(obligations, as_of=as_of, unit_path=scope_unit.path):
        if cell.deadline >= as_of:
            continue
        tally = result.setdefault(cell.unit.path, Tally())
        if cell.state == Cell.MISSING:
            tally.missing += 1
            continue
        if cell.late:
            tally.late += 1
        if cell.state == Cell.ACCEPTED:
            tally.accepted += 1
        elif cell.state == Cell.RETURNED:
            tally.returned += 1
        else:
            tally.submitted += 1
    return result


def subtree_tally(found: dict[str, Tally], path: str, *, own_only: bool = False) -> Tally:
    total = Tally()
    for unit_path, tally in found.items():
        if unit_path == path or (not own_only and unit_path.startswith(path)):
            total.missing += tally.missing
            total.late += tally.late
            total.accepted += tally.accepted
            total.returned += tally.returned
            total.submitted += tally.submitted
    return total
