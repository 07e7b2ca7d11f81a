"""The roadmap drawn on the server as SVG: one bar per task on a time axis, no script.

A bar runs from the task's start (its start date, else its assignment date) to its
deadline in force at the chosen date. Status is shown by colour, by a fill pattern that
survives grey-scale printing and by a short label after the bar, never by colour alone.
Markers: the deadline in force (filled diamond), the original deadline when an
extension moved it (hollow diamond), the completion date (a circle with a tick), and
the day the roadmap is drawn for (a vertical line). Each chart carries ``data-origin``
(the first day of its axis) and ``data-scale`` (pixels per day), and each bar its
dates, so that a test can check a bar spans its dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from dondoc.dashboards.roadmap import Bar
from dondoc.progress.labels import DUE_SOON, NO_DEADLINE, STATUS_STYLES

ZOOMS = ("month", "quarter", "year")
# Pixels for one month, one quarter or one year of the axis.
UNIT_PX = {"month": 58.0, "quarter": 96.0, "year": 140.0}
DAYS_PER_UNIT = {"month": 365.25 / 12, "quarter": 365.25 / 4, "year": 365.25}
LABEL_W = 270  # the task column on the left
STATUS_W = 190  # room for the status label after the last day
ROW_H = 22
AXIS_H = 34

# (fill colour, pattern) per tone; patterns: solid, hatch (/), cross, dots, vertical,
# horizontal, light (pale fill with a border).
TONES: dict[str, tuple[str, str]] = {
    "completed_on_time": (STATUS_STYLES["completed_on_time"].colour, "solid"),
    "completed_late": (STATUS_STYLES["completed_late"].colour, "hatch"),
    "in_progress_on_time": (STATUS_STYLES["in_progress_on_time"].colour, "dots"),
    "due_soon": (DUE_SOON.colour, "horizontal"),
    "in_progress_overdue": (STATUS_STYLES["in_progress_overdue"].colour, "cross"),
    "awaiting_confirmation": (STATUS_STYLES["awaiting_confirmation"].colour, "vertical"),
    "standing": (STATUS_STYLES["standing"].colour, "light"),
    "no_deadline": (NO_DEADLINE.colour, "light"),
    "suspended": (STATUS_STYLES["suspended"].colour, "hatch"),
}
TONE_ORDER = ("in_progress_overdue", "due_soon", "in_progress_on_time", "awaiting_confirmation",
              "completed_on_time", "completed_late", "standing", "no_deadline", "suspended")


def zoom_names() -> list[tuple[str, str]]:
    return [("month", _("months")), ("quarter", _("quarters")), ("year", _("years"))]


def tone_label(tone: str) -> str:
    if tone == "due_soon":
        return str(DUE_SOON.label)
    if tone == "no_deadline":
        return str(NO_DEADLINE.label)
    style = STATUS_STYLES.get(tone)
    return str(style.label) if style else tone


def _pattern(prefix: str, tone: str) -> str:
    colour, kind = TONES[tone]
    pid = f"{prefix}-{tone}"
    if kind == "solid":
        return f'<pattern id="{pid}" width="4" height="4" patternUnits="userSpaceOnUse">' \
               f'<rect width="4" height="4" fill="{colour}"/></pattern>'
    if kind == "light":
        return f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">' \
               f'<rect width="6" height="6" fill="#e9ecef"/>' \
               f'<line x1="0" y1="6" x2="6" y2="0" stroke="{colour}" stroke-width="1"/></pattern>'
    if kind == "dots":
        return f'<pattern id="{pid}" width="5" height="5" patternUnits="userSpaceOnUse">' \
               f'<rect width="5" height="5" fill="{colour}"/>' \
               f'<circle cx="2.5" cy="2.5" r="1" fill="#fff"/></pattern>'
    lines = {
        "hatch": '<line x1="0" y1="6" x2="6" y2="0" stroke="#fff" stroke-width="1.6"/>',
        "cross": '<line x1="0" y1="6" x2="6" y2="0" stroke="#fff" stroke-width="1.2"/>'
                 '<line x1="0" y1="0" x2="6" y2="6" stroke="#fff" stroke-width="1.2"/>',
        "vertical": '<line x1="3" y1="0" x2="3" y2="6" stroke="#fff" stroke-width="1.5"/>',
        "horizontal": '<line x1="0" y1="3" x2="6" y2="3" stroke="#fff" stroke-width="1.5"/>',
    }[kind]
    return f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">' \
           f'<rect width="6" height="6" fill="{colour}"/>{lines}</pattern>'


def _defs(prefix: str) -> str:
    return "<defs>" + "".join(_pattern(prefix, tone) for tone in TONES) + "</defs>"


def status_text(bar: Bar, as_of: dt.date) -> str:
    """What the bar's label says: the status, with the days overdue or the day completed."""
    label = tone_label(bar.tone)
    if bar.status == "in_progress_overdue" and bar.deadline is not None:
        return _("%(status)s, %(days)s days") % {"status": label,
                                                 "days": (as_of - bar.deadline).days}
    if bar.completed_on is not None:
        return f"{label} {bar.completed_on:%d/%m/%Y}"
    return label


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _unit_start(day: dt.date, zoom: str) -> dt.date:
    if zoom == "year":
        return dt.date(day.year, 1, 1)
    if zoom == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return _month_start(day)


def _step(zoom: str) -> int:
    return {"month": 1, "quarter": 3, "year": 12}[zoom]


@dataclass(frozen=True)
class Axis:
    """The time axis shared by every chart of a page."""

    start: dt.date
    end: dt.date  # exclusive: the first day after the axis
    zoom: str

    @property
    def scale(self) -> float:
        return UNIT_PX[self.zoom] / DAYS_PER_UNIT[self.zoom]

    @property
    def width(self) -> float:
        return self.x((self.end - self.start).days) - LABEL_W

    def x(self, days: float) -> float:
        return LABEL_W + days * self.scale

    def x_of(self, day: dt.date) -> float:
        """The x of ``day``; a day beyond the axis (``SPAN_YEARS``) stays at its edge."""
        return self.x((min(max(day, self.start), self.end) - self.start).days)

    def ticks(self) -> list[tuple[dt.date, str]]:
        result = []
        day = self.start
        while day < self.end:
            if self.zoom == "year":
                label = str(day.year)
            elif self.zoom == "quarter":
                label = f"Q{(day.month - 1) // 3 + 1}/{day.year}"
            else:
                label = f"{day.month:02d}/{day.year}"
            result.append((day, label))
            day = _add_months(day, _step(self.zoom))
        return result


def bar_dates(bars: Sequence[Bar], as_of: dt.date) -> list[dt.date]:
    days = [as_of]
    for bar in bars:
        days.append(bar.start)
        days.extend(day for day in (bar.deadline, bar.original_due, bar.completed_on) if day)
    return days


def auto_zoom(bars: Sequence[Bar], as_of: dt.date) -> str:
    """The zoom that keeps the roadmap about a screen wide: month for up to 16 months,
    quarter for up to 4 years, else year."""
    days = bar_dates(bars, as_of)
    span = (max(days) - min(days)).days
    if span <= 16 * 31:
        return "month"
    if span <= 4 * 366:
        return "quarter"
    return "year"


MAX_TICKS = 96  # months, quarters or years on one axis; beyond, the next coarser zoom
SPAN_YEARS = 40  # the axis never reaches further than this before or after the date


def _clamp(day: dt.date, as_of: dt.date) -> dt.date:
    low = as_of.replace(year=max(1, as_of.year - SPAN_YEARS), month=1, day=1)
    high = as_of.replace(year=min(9998, as_of.year + SPAN_YEARS), month=12, day=31)
    return min(max(day, low), high)


def axis_for(bars: Sequence[Bar], as_of: dt.date, zoom: str) -> tuple[Axis, bool]:
    """The axis over every date of the bars (within ``SPAN_YEARS`` of the date), and
    whether ``zoom`` had to become coarser to stay within ``MAX_TICKS``."""
    days = [_clamp(day, as_of) for day in bar_dates(bars, as_of)]
    coarser = False
    while True:
        start = _unit_start(min(days), zoom)
        end = _add_months(_unit_start(max(days), zoom), _step(zoom))
        months = (end.year - start.year) * 12 + end.month - start.month
        if months // _step(zoom) <= MAX_TICKS or zoom == "year":
            return Axis(start=start, end=end, zoom=zoom), coarser
        zoom, coarser = ZOOMS[ZOOMS.index(zoom) + 1], True


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _diamond(x: float, y: float, *, filled: bool, colour: str = "#111") -> str:
    fill = colour if filled else "#fff"
    return (f'<polygon points="{x:.1f},{y - 6:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 6:.1f} '
            f'{x - 5:.1f},{y:.1f}" fill="{fill}" stroke="{colour}" stroke-width="1.3"/>')


def _done_mark(x: float, y: float) -> str:
    return (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5.5" fill="#fff" stroke="#111" '
            f'stroke-width="1.3"/><path d="M{x - 3:.1f},{y:.1f} l2.2,2.4 l3.8,-4.6" fill="none" '
            f'stroke="#111" stroke-width="1.5"/>')


def chart(*, bars: Sequence[Bar], axis: Axis, as_of: dt.date, prefix: str, title: str,
          link_of: Callable[[int], str], as_of_text: str, today: bool) -> SafeString:
    """One lane's bars as an SVG with the axis on top and the date's line across."""
    width = LABEL_W + axis.width + STATUS_W
    height = AXIS_H + ROW_H * max(1, len(bars)) + 6
    parts = [f'<svg class="gantt" viewBox="0 0 {width:.0f} {height}" width="{width:.0f}" '
             f'height="{height}" role="group" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg" data-origin="{axis.start.isoformat()}" '
             f'data-scale="{axis.scale:.6f}" data-left="{LABEL_W}">',
             f"<title>{escape(title)}</title>", _defs(prefix)]
    # Rows first (zebra), then the grid, so that the lines stay visible.
    for index in range(len(bars)):
        if index % 2:
            parts.append(f'<rect x="0" y="{AXIS_H + index * ROW_H}" width="{width:.0f}" '
                         f'height="{ROW_H}" fill="#f4f6f8"/>')
    ticks = axis.ticks()
    for number, (day, label) in enumerate(ticks):
        x = axis.x_of(day)
        nxt = axis.x_of(ticks[number + 1][0]) if number + 1 < len(ticks) else axis.x_of(axis.end)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{AXIS_H - 14}" y2="{height}" '
                     f'stroke="#c8ccd0" stroke-width="0.7"/>'
                     f'<text x="{(x + nxt) / 2:.1f}" y="{AXIS_H - 18}" text-anchor="middle" '
                     f'font-size="11" fill="#222">{escape(label)}</text>')
    parts.append(f'<line x1="{LABEL_W}" x2="{axis.x_of(axis.end):.1f}" y1="{AXIS_H - 14}" '
                 f'y2="{AXIS_H - 14}" stroke="#555" stroke-width="0.8"/>')
    x_end = axis.x_of(axis.end)
    for index, bar in enumerate(bars):
        y = AXIS_H + index * ROW_H
        mid = y + ROW_H / 2
        colour, _kind = TONES[bar.tone]
        x0 = axis.x_of(bar.start)
        # Without a deadline (standing, recurring, still to set): open to the date's line.
        x1 = (axis.x_of(bar.deadline) if bar.deadline is not None
              else max(axis.x_of(as_of), x0))
        bar_w = max(x1 - x0, 2.0)
        href = escape(link_of(bar.pk))
        label = f"{bar.code} · {bar.title}"
        short = label if len(label) <= 42 else label[:41] + "…"
        said = status_text(bar, as_of)
        tooltip = escape(f"{label} — {said}")
        parts.append(f'<a href="{href}" class="gantt-row">'
                     f"<title>{tooltip}</title>"
                     f'<text x="6" y="{mid + 4:.1f}" font-size="11" fill="#0b3d91">'
                     f"{escape(short)}</text>"
                     f'<rect class="gantt-bar tone-{bar.tone}" x="{x0:.2f}" y="{y + 5}" '
                     f'width="{bar_w:.2f}" height="{ROW_H - 10}" fill="url(#{prefix}-{bar.tone})" '
                     f'stroke="{colour}" stroke-width="1" data-task="{bar.pk}" '
                     f'data-start="{_iso(bar.start)}" data-end="{_iso(bar.deadline)}" '
                     f'data-status="{bar.status}"/>')
        overdue = bar.status == "in_progress_overdue"
        if overdue and bar.deadline is not None and as_of > bar.deadline:
            # The overdue stretch: from the missed deadline to the date, dashed.
            parts.append(f'<line x1="{x1:.1f}" x2="{axis.x_of(as_of):.1f}" y1="{mid:.1f}" '
                         f'y2="{mid:.1f}" stroke="{colour}" stroke-width="2" '
                         f'stroke-dasharray="4 3"/>')
        if bar.extended and bar.original_due is not None:
            parts.append(_diamond(axis.x_of(bar.original_due), mid, filled=False,
                                  colour="#555"))
        if bar.deadline is not None:
            parts.append(_diamond(x1, mid, filled=True))
        if bar.completed_on is not None:
            parts.append(_done_mark(axis.x_of(bar.completed_on), mid))
        end = max(x1, axis.x_of(as_of) if bar.status == "in_progress_overdue" else x1,
                  axis.x_of(bar.completed_on) if bar.completed_on else x1)
        text_x = min(end + 9, x_end + 4)
        parts.append(f'<text x="{text_x:.1f}" y="{mid + 4:.1f}" font-size="10" fill="#222">'
                     f"{escape(said)}</text></a>")
    # The date's line over everything, labelled in the axis band.
    x_day = axis.x_of(as_of)
    day_label = _("Today") if today else as_of_text
    parts.append(f'<line class="gantt-today" x1="{x_day:.1f}" x2="{x_day:.1f}" y1="{AXIS_H - 12}" '
                 f'y2="{height}" stroke="#b3261e" stroke-width="1.6" stroke-dasharray="6 3"/>'
                 f'<text x="{x_day + 3:.1f}" y="{AXIS_H - 3}" font-size="10" font-weight="700" '
                 f'fill="#b3261e">{escape(day_label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def swatch(tone: str) -> SafeString:
    """A small sample of a tone's fill and pattern, for the legend."""
    colour, _kind = TONES[tone]
    return mark_safe(  # noqa: S308 - no text from outside
        f'<svg class="gantt-swatch" viewBox="0 0 34 14" width="34" height="14" '
        f'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">'
        f'<defs>{_pattern(f"sw-{tone}", tone)}</defs><rect x="0.5" y="1.5" width="33" '
        f'height="11" fill="url(#sw-{tone}-{tone})" stroke="{colour}"/></svg>')


def legend() -> list[tuple[SafeString, str]]:
    """(sample, label) of every tone and marker, for the legend above the charts."""
    items = [(swatch(tone), tone_label(tone)) for tone in TONE_ORDER]

    def mark(body: str) -> SafeString:
        return mark_safe(  # noqa: S308 - no text from outside
            '<svg class="gantt-swatch" viewBox="0 0 34 14" width="34" height="14" '
            'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">'
            f"{body}</svg>")

    items.append((mark(_diamond(17, 7, filled=True)), _("Deadline in force")))
    items.append((mark(_diamond(17, 7, filled=False, colour="#555")), _("Original deadline")))
    items.append((mark(_done_mark(17, 7)), _("Completion (date submitted)")))
    items.append((mark('<line x1="17" x2="17" y1="0" y2="14" stroke="#b3261e" '
                       'stroke-width="1.6" stroke-dasharray="4 2"/>'),
                  _("The chosen date (today)")))
    return items
