"""Charts drawn on the server as SVG: no script, strict CSP, sharp in print and grey-scale.

Each line has its own dash pattern and point marker besides its colour, so a chart
printed in black and white still tells the lines apart; the numbers are always also in
a table next to the chart (for screen readers and for reading exact values).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#1f5fbf", "#b3261e", "#1e7b34", "#6f42c1", "#b35900", "#343a40")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
MARKERS = ("circle", "square", "triangle", "diamond", "circle", "square")


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{colour}"/>'
    if kind == "triangle":
        return (f'<polygon points="{x:.1f},{y - 4:.1f} {x - 4:.1f},{y + 3:.1f} '
                f'{x + 4:.1f},{y + 3:.1f}" fill="{colour}"/>')
    if kind == "diamond":
        return (f'<polygon points="{x:.1f},{y - 4:.1f} {x + 4:.1f},{y:.1f} {x:.1f},{y + 4:.1f} '
                f'{x - 4:.1f},{y:.1f}" fill="{colour}"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>'


def line_chart(*, title: str, months: Sequence[dt.date], series: Sequence[Series],
               maximum: float | None = None, unit: str = "") -> SafeString:
    """A line chart of values per month end; ``None`` leaves a gap."""
    width, height, left, right, top, bottom = 640, 240, 44, 12, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    # Counts get whole-number ticks: the top is rounded up to a multiple of 4 (five ticks).
    top_value = maximum if maximum is not None else float(
        math.ceil(max([4.0, *values]) / 4) * 4)
    step = plot_w / max(1, len(months) - 1)

    def x_of(index: int) -> float:
        return left + index * step

    def y_of(value: float) -> float:
        return top + plot_h - (value / top_value) * plot_h if top_value else top + plot_h

    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for tick in range(5):
        value = top_value * tick / 4
        y = y_of(value)
        label = f"{value:.0f}{unit}"
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" '
                     f'y2="{y:.1f}" stroke="#ccc" stroke-width="0.5"/>'
                     f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" '
                     f'font-size="10" fill="#333">{label}</text>')
    for index, day in enumerate(months):
        if len(months) <= 13 or index % max(1, len(months) // 12) == 0:
            parts.append(f'<text x="{x_of(index):.1f}" y="{height - bottom + 14}" '
                         f'text-anchor="middle" font-size="10" fill="#333">'
                         f'{day.month:02d}/{day.year % 100:02d}</text>')
    for number, item in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        dash = DASHES[number % len(DASHES)]
        marker = MARKERS[number % len(MARKERS)]
        segments: list[list[tuple[float, float]]] = [[]]
        for index, point in enumerate(item.values):
            if point is None:
                segments.append([])
                continue
            segments[-1].append((x_of(index), y_of(point)))
        for segment in segments:
            if len(segment) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                             f'stroke-width="2"{dash_attr}/>')
            parts.extend(_marker(marker, x, y, colour) for x, y in segment)
    # Legend under the axis: a sample of each line's dash and marker, then its name.
    x = left
    for number, item in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        dash = DASHES[number % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        y = height - 6
        parts.append(f'<line x1="{x}" x2="{x + 22}" y1="{y - 3}" y2="{y - 3}" stroke="{colour}" '
                     f'stroke-width="2"{dash_attr}/>'
                     + _marker(MARKERS[number % len(MARKERS)], x + 11, y - 3, colour)
                     + f'<text x="{x + 26}" y="{y}" font-size="10" fill="#222">'
                     f"{escape(item.label[:40])}</text>")
        x += 34 + min(40, len(item.label)) * 6
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
