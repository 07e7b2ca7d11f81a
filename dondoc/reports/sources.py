"""Where section IV (difficulties and proposals) comes from, each source optional.

* the difficulties and proposals units wrote in their progress updates in the period
  (always: ``dondoc.progress``);
* the units' period reports, when ``dondoc.unitreports`` is installed:
  ``dondoc.unitreports.selectors.unit_reports_for(scope_unit, document, period)``;
* the obstacle register, when ``dondoc.obstacles`` is installed:
  ``dondoc.obstacles.selectors.obstacles_for_report(scope_unit, document, start, end)``.

The optional modules are looked up with ``importlib`` so that this app works with or
without them and uses them as soon as they are merged. Their items are read through a
few attribute names (``unit``, ``difficulties``, ``proposals``, ``title``…), never more.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Callable, Iterable
from typing import Any

from dondoc.organization.models import Unit
from dondoc.plans.models import Document
from dondoc.progress import periods

MAX_ITEMS = 60  # per source: the section is a summary, the registers hold the rest
MAX_TEXT = 600


def optional_function(module_name: str, name: str) -> Callable[..., Any] | None:
    """``module_name.name`` when that module is installed, else ``None``."""
    try:
        if importlib.util.find_spec(module_name) is None:
            return None
    except ModuleNotFoundError:
        return None
    module = importlib.import_module(module_name)
    found = getattr(module, name, None)
    return found if callable(found) else None


def _text(value: Any) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def _unit_name(item: Any) -> str:
    for name in ("unit", "reporting_unit", "owner_unit", "raised_by_unit", "responsible_unit"):
        unit = getattr(item, name, None)
        if unit is not None:
            return str(getattr(unit, "short_name", "") or getattr(unit, "name", "") or unit)
    return ""


def _first(item: Any, *names: str) -> str:
    for name in names:
        value = getattr(item, name, None)
        if value:
            return _text(value)
    return ""


def _updates(*, scope_unit: Unit, document_ids: list[int], start: dt.date,
             end: dt.date) -> list[dict[str, str]]:
    from dondoc.progress.models import ProgressUpdate

    rows = (ProgressUpdate.objects.filter(
        task__document_id__in=document_ids, unit__path__startswith=scope_unit.path,
        reported_on__gte=start, reported_on__lte=end)
        .exclude(difficulties="", proposals="")
        .select_related("unit", "task").order_by("-reported_on", "-id")
        .only("difficulties", "proposals", "reported_on", "unit__name", "unit__short_name",
              "task__code")[:MAX_ITEMS * 4])
    seen: set[tuple[str, str, str]] = set()
    result = []
    for update in rows:
        key = (update.unit.name, _text(update.difficulties), _text(update.proposals))
        if key in seen:
            continue
        seen.add(key)
        result.append({"unit": update.unit.short_name or update.unit.name,
                       "task": update.task.code, "difficulties": key[1], "proposals": key[2]})
        if len(result) >= MAX_ITEMS:
            break
    result.sort(key=lambda row: (row["unit"], row["task"]))
    return result


def _unit_reports(items: Iterable[Any]) -> list[dict[str, str]]:
    result = []
    for item in list(items)[:MAX_ITEMS]:
        difficulties = _first(item, "difficulties", "difficulties_text")
        proposals = _first(item, "proposals", "proposals_text", "recommendations")
        if difficulties or proposals:
            result.append({"unit": _unit_name(item), "difficulties": difficulties,
                           "proposals": proposals})
    return result


def _obstacles(found: Any) -> list[dict[str, str]]:
    """Rows of the obstacle register for the period (``obstacles_for_report`` gives a
    ``ReportObstacles`` whose ``rows`` carry each obstacle's state at the period's end)."""
    result = []
    for item in list(getattr(found, "rows", found))[:MAX_ITEMS]:
        status = getattr(item, "get_status_display", None)
        category = getattr(item, "get_category_display", None)
        result.append({
            "unit": getattr(item, "unit_name", "") or _unit_name(item),
            "title": _first(item, "title", "summary", "description") or _text(item),
            "category": getattr(item, "category_label", "")
            or (str(category()) if callable(category) else ""),
            "status": getattr(item, "state_label", "")
            or (str(status()) if callable(status) else ""),
            "resolver": _first(item, "resolver_name", "resolver", "assigned_to",
                               "responsible_unit"),
        })
    return result


def collect(*, scope_unit: Unit, document: Document, document_ids: list[int],
            period: periods.Period, cut_off: dt.date) -> dict[str, Any]:
    """The items of each source for the period (up to the cut-off), as JSON values."""
    end = min(period.end, cut_off)
    found: dict[str, Any] = {
        "updates": _updates(scope_unit=scope_unit, document_ids=document_ids,
                            start=period.start, end=end),
        "unit_reports": None, "obstacles": None,
    }
    unit_reports_for = optional_function("dondoc.unitreports.selectors", "unit_reports_for")
    if unit_reports_for is not None:
        found["unit_reports"] = _unit_reports(unit_reports_for(scope_unit, document, period))
    obstacles_for_report = optional_function("dondoc.obstacles.selectors",
                                             "obstacles_for_report")
    if obstacles_for_report is not None:
        found["obstacles"] = _obstacles(obstacles_for_report(scope_unit, document,
                                                             period.start, end))
    return found
