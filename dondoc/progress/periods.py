"""Statistics of a period ("Q3/2026", "6 tháng đầu năm 2026", "năm 2026"…), issue 10.

A period is a span of days; its figures, decided in issue 10:

* **assigned**: tasks assigned in the period (and not cancelled by its end);
* **completed** in the period, on time or late: tasks completed at its end that were not
  completed the day before it started (judged as the engine judges them at the end);
* **overdue** at the period's end: open tasks past their deadline in force (in progress
  overdue, or awaiting confirmation after the deadline), as of the end;
* **on-time rate** of the period: the DESIGN formula as of the end, over the tasks whose
  deadline in force at the end falls in the period.

A period that is not over yet is counted up to today (``Period.until``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils.translation import gettext as _

from dondoc.plans.models import Task
from dondoc.progress import engine
from dondoc.progress.engine import Status
from dondoc.progress.selectors import annotate_status, business_today, counted_on


class PeriodError(ValueError):
    """A text that names no period; ``str()`` is the message shown to the user."""


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    @property
    def until(self) -> dt.date:
        """The day the figures are read as of: the end, or today for a running period."""
        return min(self.end, business_today())


def _plain(text: str) -> str:
    """Lower case without diacritics (``đ`` → ``d``), spaces collapsed."""
    text = text.strip().lower().replace("đ", "d")
    text = "".join(char for char in unicodedata.normalize("NFD", text)
                   if unicodedata.category(char) != "Mn")
    return re.sub(r"\s+", " ", text)


def _year(raw: str) -> int:
    year = int(raw)
    if not 1900 <= year <= 2200:
        raise PeriodError(_("The year %(year)s is out of range.") % {"year": raw})
    return year


def _months(year: int, first: int, last: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])


# (pattern on the plain text, kind); the year is the last group.
_PATTERNS: list[tuple[str, str]] = [
    (r"(?:q|quy)\s*([1-4])\s*[/\- ]\s*(?:nam\s*)?(\d{4})", "quarter"),
    (r"(?:h|nua nam\s*)([12])\s*[/\- ]\s*(\d{4})", "half"),
    (r"6 thang (dau|cuoi)(?: nam)?\s*[/ ]?\s*(\d{4})", "half_words"),
    (r"(?:9 thang|9t)(?: dau)?(?: nam)?\s*[/ ]?\s*(\d{4})", "nine"),
    (r"(?:thang|t)\s*(\d{1,2})\s*[/\- ]\s*(\d{4})", "month"),
    (r"(\d{1,2})/(\d{4})", "month"),
    (r"(?:nam|year)?\s*(\d{4})", "year"),
]


def parse_period(text: str) -> Period:
    """The period a text names; :class:`PeriodError` (with a message) when it names none.

    Accepted: ``Q3/2026`` or ``quý 3/2026``; ``H1/2026``, ``6 tháng đầu năm 2026``,
    ``6 tháng cuối năm 2026``; ``9 tháng 2026``; ``tháng 3/2026`` or ``03/2026``;
    ``năm 2026`` or ``2026``; or a date ``dd/mm/yyyy`` (that day alone).
    """
    plain = _plain(text)
    if not plain:
        raise PeriodError(_("Enter a period, e.g. Q3/2026, H1/2026, 9 tháng 2026, 2026."))
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}", plain):
        fmt = "%d/%m/%Y" if "/" in plain else "%Y-%m-%d"
        try:
            day = dt.datetime.strptime(plain, fmt).date()  # noqa: DTZ007 - a date
        except ValueError:
            raise PeriodError(_("Not a valid date: %(value)s") % {"value": text}) from None
        return Period(day, day, day.strftime("%d/%m/%Y"))
    for pattern, kind in _PATTERNS:
        match = re.fullmatch(pattern, plain)
        if match is None:
            continue
        year = _year(match.group(match.lastindex or 1))
        if kind == "quarter":
            quarter = int(match.group(1))
            start, end = _months(year, 3 * quarter - 2, 3 * quarter)
            return Period(start, end, f"Q{quarter}/{year}")
        if kind in ("half", "half_words"):
            first = match.group(1) in ("1", "dau")
            start, end = _months(year, 1, 6) if first else _months(year, 7, 12)
            return Period(start, end, f"H{1 if first else 2}/{year}")
        if kind == "nine":
            start, end = _months(year, 1, 9)
            return Period(start, end, _("9 months of %(year)s") % {"year": year})
        if kind == "month":
            month = int(match.group(1))
            if not 1 <= month <= 12:
                raise PeriodError(_("Not a valid month: %(value)s") % {"value": text})
            start, end = _months(year, month, month)
            return Period(start, end, f"{month:02d}/{year}")
        start, end = _months(year, 1, 12)
        return Period(start, end, _("Year %(year)s") % {"year": year})
    raise PeriodError(_("Not a period: %(value)s. Write e.g. Q3/2026, H1/2026, "
                        "9 tháng 2026, 2026 or a date dd/mm/yyyy.") % {"value": text})


def period_between(start: dt.date, end: dt.date) -> Period:
    """A period of chosen days (e.g. a cut-off window, 15/12/2025–14/03/2026);
    :class:`PeriodError` when it ends before it starts."""
    if end < start:
        raise PeriodError(_("The period ends (%(end)s) before it starts (%(start)s).") % {
            "end": end.strftime("%d/%m/%Y"), "start": start.strftime("%d/%m/%Y")})
    label = _months_label(start, end) or (
        f"{start.strftime('%d/%m/%Y')}–{end.strftime('%d/%m/%Y')}")
    return Period(start, end, label)


def _months_label(start: dt.date, end: dt.date) -> str | None:
    """The label ``parse_period`` gives a span of whole calendar months, else ``None``."""
    if start.day != 1 or end != _months(end.year, end.month, end.month)[1]:
        return None
    if start.year != end.year:
        return None
    first, last = start.month, end.month
    if first == last:
        return f"{first:02d}/{end.year}"
    if last - first == 2 and first % 3 == 1:
        return f"Q{(first + 2) // 3}/{end.year}"
    if (first, last) in ((1, 6), (7, 12)):
        return f"H{1 if first == 1 else 2}/{end.year}"
    if (first, last) == (1, 9):
        return _("9 months of %(year)s") % {"year": end.year}
    if (first, last) == (1, 12):
        return _("Year %(year)s") % {"year": end.year}
    return None


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def previous_period(period: Period) -> Period:
    """The period a report compares with: the month, quarter or half-year before; the
    same nine months or year one year earlier; for chosen days, the same number of days
    just before."""
    start, end = period.start, period.end
    whole_months = start.day == 1 and end == _months(end.year, end.month, end.month)[1]
    if whole_months:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        back = 12 if months in (9, 12) else months
        first = _add_months(start, -back)
        last_month_start = _add_months(end.replace(day=1), -back)
        last = _months(last_month_start.year, last_month_start.month,
                       last_month_start.month)[1]
        return period_between(first, last)
    length = (end - start).days + 1
    return period_between(start - dt.timedelta(days=length), start - dt.timedelta(days=1))


def next_period(period: Period) -> Period:
    """The period after ``period`` that a report plans for: the next month, quarter or
    half-year; after nine months the last quarter; after a year the next year; for
    chosen days, the same number of days just after."""
    start, end = period.start, period.end
    if start.day == 1 and end == _months(end.year, end.month, end.month)[1]:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        ahead = 3 if months == 9 else months
        first = _add_months(end.replace(day=1), 1)
        last_start = _add_months(first, ahead - 1)
        return period_between(first, _months(last_start.year, last_start.month,
                                             last_start.month)[1])
    length = (end - start).days + 1
    return period_between(end + dt.timedelta(days=1), end + dt.timedelta(days=length))


@dataclass(frozen=True)
class PeriodStats:
    period: Period
    assigned: int
    completed_on_time: int
    completed_late: int
    overdue_at_end: int
    rate_counts: engine.Counts  # the tasks whose deadline in force falls in the period

    @property
    def completed(self) -> int:
        return self.completed_on_time + self.completed_late

    @property
    def on_time_rate(self) -> float | None:
        return self.rate_counts.on_time_rate


_COMPLETED = [Status.COMPLETED_ON_TIME.value, Status.COMPLETED_LATE.value]


def _by_status(tasks: Any, *also: str) -> dict[tuple[Any, ...], int]:
    """Task counts by (status, awaiting late, *also)."""
    found: dict[tuple[Any, ...], int] = {}
    for row in tasks.order_by().values("status", "awaiting_late", *also).annotate(
            n=Count("pk")):
        key = (row["status"], bool(row["awaiting_late"]), *(bool(row[name]) for name in also))
        found[key] = found.get(key, 0) + row["n"]
    return found


def _count(found: dict[tuple[str, bool], int], status: Status, late: bool | None = None,
           ) -> int:
    return sum(count for (name, is_late), count in found.items()
               if name == status.value and (late is None or is_late == late))


def period_statistics(tasks: QuerySet[Task], period: Period) -> PeriodStats:
    """The period's figures for ``tasks`` (already scoped): four aggregate queries."""
    until = period.until
    if period.start > until:
        raise PeriodError(_("The period has not started yet."))
    assigned = tasks.filter(counted_on(until), assigned_on__gte=period.start).count()
    # The statuses at the end, split by whether the deadline in force falls in the
    # period: one pass of the status SQL for both.
    annotated: Any = annotate_status(tasks, until)
    split: dict[Any, int] = _by_status(annotated.annotate(in_period=ExpressionWrapper(
        Q(deadline_at__gte=period.start, deadline_at__lte=period.end),
        output_field=BooleanField())), "in_period")
    at_end: dict[tuple[str, bool], int] = {}
    in_period: dict[tuple[str, bool], int] = {}
    for (name, late, inside), n in split.items():
        at_end[(name, late)] = at_end.get((name, late), 0) + n
        if inside:
            in_period[(name, late)] = n
    # A completed task stays completed, judged the same, unless it is cancelled later:
    # the period's completions are the end's minus those already completed before it.
    before_on_time, before_late = _completed_before_still_counted(tasks, period.start, until)
    rate_counts = engine.Counts(
        total=sum(in_period.values()),
        completed_on_time=_count(in_period, Status.COMPLETED_ON_TIME),
        completed_late=_count(in_period, Status.COMPLETED_LATE),
        awaiting_confirmation=_count(in_period, Status.AWAITING_CONFIRMATION),
        awaiting_late=_count(in_period, Status.AWAITING_CONFIRMATION, True),
        in_progress_on_time=_count(in_period, Status.IN_PROGRESS_ON_TIME),
        in_progress_overdue=_count(in_period, Status.IN_PROGRESS_OVERDUE),
        standing=_count(in_period, Status.STANDING),
        suspended=_count(in_period, Status.SUSPENDED))
    return PeriodStats(
        period=period, assigned=assigned,
        completed_on_time=_count(at_end, Status.COMPLETED_ON_TIME) - before_on_time,
        completed_late=_count(at_end, Status.COMPLETED_LATE) - before_late,
        overdue_at_end=(_count(at_end, Status.IN_PROGRESS_OVERDUE)
                        + _count(at_end, Status.AWAITING_CONFIRMATION, True)),
        rate_counts=rate_counts)


def _completed_before_still_counted(tasks: QuerySet[Task], start: dt.date, until: dt.date,
                                    ) -> tuple[int, int]:
    """Tasks completed (on time, late) the day before ``start`` that still count at
    ``until`` (not cancelled since): the part of the end's completed tasks that is not
    the period's."""
    before: Any = annotate_status(tasks, start - dt.timedelta(days=1))
    ids = before.filter(status__in=_COMPLETED).values("pk")
    at_end: Any = annotate_status(tasks.filter(pk__in=ids), until)
    rows = at_end.filter(
        status__in=_COMPLETED).order_by().values("status").annotate(n=Count("pk"))
    found = {row["status"]: row["n"] for row in rows}
    return (found.get(Status.COMPLETED_ON_TIME.value, 0),
            found.get(Status.COMPLETED_LATE.value, 0))


# Reporting periods (issue 12) -------------------------------------------------------
#
# Reporting obligations use the same periods: a kind (month, quarter, 6 months,
# 9 months, year) and the periods of that kind in a span, with the labels
# ``parse_period`` gives. A cut-off window ("from the 15th to the 14th") ends on day N
# of the period's last month and starts the day after the previous period's cut-off.

PERIOD_KINDS = ("month", "quarter", "half", "nine", "year")
_KIND_OF_MONTHS = {1: "month", 3: "quarter", 6: "half", 9: "nine", 12: "year"}


def period_kind(period: Period) -> str | None:
    """The kind of a period :func:`parse_period` gives (``None`` for a single day)."""
    if period.start.day != 1 or period.end != _months(period.end.year, period.end.month,
                                                      period.end.month)[1]:
        return None
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1
    kind = _KIND_OF_MONTHS.get(months)
    if kind == "nine" and period.start.month != 1:
        return None
    if kind in ("quarter", "half", "year") and (period.start.month - 1) % months:
        return None
    return kind


def period_of_kind(kind: str, day: dt.date) -> Period:
    """The period of ``kind`` containing ``day`` (for ``nine``: January to September of
    its year, whatever the day)."""
    year, month = day.year, day.month
    if kind == "month":
        return parse_period(f"{month:02d}/{year}")
    if kind == "quarter":
        return parse_period(f"Q{(month - 1) // 3 + 1}/{year}")
    if kind == "half":
        return parse_period(f"H{1 if month <= 6 else 2}/{year}")
    if kind == "nine":
        return parse_period(f"9 tháng {year}")
    if kind == "year":
        return parse_period(str(year))
    raise PeriodError(_("Unknown period kind: %(kind)s") % {"kind": kind})


def periods_between(kind: str, first: Period, last: Period) -> list[Period]:
    """The periods of ``kind`` from ``first`` to ``last`` (both included)."""
    if last.end < first.start:
        raise PeriodError(_("The last period ends before the first one starts."))
    found: list[Period] = []
    current = period_of_kind(kind, first.start)
    while current.start <= last.start and len(found) < 1200:
        found.append(current)
        step = current.end + dt.timedelta(days=1)
        if kind == "nine":
            step = dt.date(current.start.year + 1, 1, 1)
        current = period_of_kind(kind, step)
    return found


def day_of_month(year: int, month: int, day: int) -> dt.date:
    """Day ``day`` of the month, or its last day when the month is shorter."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def cutoff_window(period: Period, cutoff_day: int | None) -> tuple[dt.date, dt.date]:
    """The days "in the period" for a report: the calendar period (``cutoff_day`` None),
    or from the day after the previous cut-off to day ``cutoff_day`` of the last month."""
    if cutoff_day is None:
        return period.start, period.end
    end = day_of_month(period.end.year, period.end.month, cutoff_day)
    before = period.start - dt.timedelta(days=1)
    start = day_of_month(before.year, before.month, cutoff_day) + dt.timedelta(days=1)
    return start, end
