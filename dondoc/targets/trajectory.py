"""The maths of a target, pure (no database): the planned line and the on-track rule.

The plan is the straight line from the baseline ``(b_day, b)`` to the target
``(t_day, t)``::

    planned(day) = b + (t - b) * f,   f = clamp((day - b_day) / (t_day - b_day), 0, 1)

so before the baseline day the plan is the baseline, after the target day the target.
A measurement ``v`` on ``day`` is *on track* when it is at least as good as the plan:
``v >= planned(day)`` when higher is better, ``v <= planned(day)`` when lower is better.
The share of the target achieved is the share of the way from baseline to target:
``(v - b) / (t - b) * 100``, the same formula for both directions (when ``t == b``: 100
if ``v`` is as good as ``t``, else 0).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HIGHER = "higher"
LOWER = "lower"


@dataclass(frozen=True)
class Line:
    baseline_date: dt.date
    baseline_value: Decimal
    target_date: dt.date
    target_value: Decimal
    direction: str = HIGHER

    def fraction_of_time(self, day: dt.date) -> Decimal:
        """How far along the plan ``day`` is, from 0 (baseline day or before) to 1."""
        span = (self.target_date - self.baseline_date).days
        if span <= 0:
            raise ValueError("the target date must come after the baseline date")
        elapsed = (day - self.baseline_date).days
        return min(Decimal(1), max(Decimal(0), Decimal(elapsed) / Decimal(span)))

    def planned(self, day: dt.date) -> Decimal:
        return self.baseline_value + (self.target_value - self.baseline_value) * \
            self.fraction_of_time(day)

    def is_better_or_equal(self, value: Decimal, than: Decimal) -> bool:
        return value <= than if self.direction == LOWER else value >= than

    def on_track(self, day: dt.date, value: Decimal) -> bool:
        return self.is_better_or_equal(value, self.planned(day))

    def percent_achieved(self, value: Decimal) -> Decimal:
        """Share of the way from baseline to target, rounded to 0.1 (may pass 100 or be
        negative when the value moved the wrong way)."""
        distance = self.target_value - self.baseline_value
        if distance == 0:
            return Decimal(100) if self.is_better_or_equal(value, self.target_value) \
                else Decimal(0)
        share = (value - self.baseline_value) / distance * 100
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Standing:
    """Where a series stands as of its latest measurement."""

    day: dt.date
    value: Decimal
    planned: Decimal
    percent: Decimal
    on_track: bool


def standing(line: Line, points: list[tuple[dt.date, Decimal]]) -> Standing | None:
    """The standing as of the latest point (by day); ``None`` without points."""
    if not points:
        return None
    day, value = max(points, key=lambda point: point[0])
    return Standing(day=day, value=value, planned=line.planned(day),
                    percent=line.percent_achieved(value), on_track=line.on_track(day, value))


# The chart -------------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36


def _fmt(number: float) -> str:
    return f"{number:.1f}"


def chart(line: Line, points: list[tuple[dt.date, Decimal]]) -> dict[str, object]:
    """Coordinates of an SVG chart (viewBox WIDTH × HEIGHT): the planned line, the actual
    polyline and dots, axis ticks. The template draws them; nothing is computed there."""
    days = [line.baseline_date, line.target_date] + [day for day, _v in points]
    values = [line.baseline_value, line.target_value] + [value for _d, value in points]
    first, last = min(days), max(days)
    low, high = min(values), max(values)
    if high == low:
        high = low + 1
    pad = (high - low) / 10
    # A margin of a tenth of the range, never below zero for quantities that cannot be.
    low, high = (low - pad if low < 0 or low - pad >= 0 else Decimal(0)), high + pad
    span_days = max(1, (last - first).days)

    def x(day: dt.date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (day - first).days / span_days

    def y(value: Decimal) -> float:
        return float(TOP + (HEIGHT - TOP - BOTTOM) * (high - value) / (high - low))

    ordered = sorted(points)
    plan = [(line.baseline_date, line.baseline_value), (line.target_date, line.target_value)]
    if first < line.baseline_date:
        plan.insert(0, (first, line.baseline_value))
    if last > line.target_date:
        plan.append((last, line.target_value))
    ticks_y = [low + (high - low) * Decimal(step) / 4 for step in range(5)]
    years = range(first.year, last.year + 1)
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT,
        "top": TOP, "bottom": HEIGHT - BOTTOM,
        "plan": " ".join(f"{_fmt(x(d))},{_fmt(y(v))}" for d, v in plan),
        "actual": " ".join(f"{_fmt(x(d))},{_fmt(y(v))}" for d, v in ordered),
        "dots": [{"x": _fmt(x(d)), "y": _fmt(y(v)), "day": d, "value": v,
                  "on_track": line.on_track(d, v)} for d, v in ordered],
        "ticks_y": [{"y": _fmt(y(v)), "value": v} for v in ticks_y],
        "ticks_x": [{"x": _fmt(x(dt.date(year, 1, 1))), "label": str(year)} for year in years
                    if first <= dt.date(year, 1, 1) <= last],
    }
