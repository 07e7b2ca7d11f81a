"""The trajectory maths on known data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from dondoc.targets.trajectory import HIGHER, LOWER, Line, chart, standing

# 0 → 100 over 100 days; 50 → 10 (lower is better) over the same days.
B, T = dt.date(2024, 1, 1), dt.date(2024, 4, 10)  # 100 days apart
UP = Line(B, D(0), T, D(100), HIGHER)
DOWN = Line(B, D(50), T, D(10), LOWER)  # e.g. accidents a month: 50 → 10


def test_the_dates_are_100_days_apart() -> None:
    assert (T - B).days == 100


def test_planned_value_is_the_straight_line() -> None:
    assert UP.planned(B + dt.timedelta(days=25)) == D(25)
    assert UP.planned(B + dt.timedelta(days=50)) == D(50)
    assert DOWN.planned(B + dt.timedelta(days=50)) == D(30)  # 50 + (10 − 50) × 0.5
    assert DOWN.planned(B + dt.timedelta(days=75)) == D(20)


def test_before_the_baseline_the_plan_is_the_baseline() -> None:
    assert UP.planned(B - dt.timedelta(days=30)) == D(0)
    assert DOWN.planned(B - dt.timedelta(days=1)) == D(50)


def test_after_the_target_date_the_plan_is_the_target() -> None:
    assert UP.planned(T + dt.timedelta(days=400)) == D(100)
    assert DOWN.planned(T + dt.timedelta(days=1)) == D(10)


def test_on_track_when_at_least_as_good_as_the_plan() -> None:
    day = B + dt.timedelta(days=50)  # plan: 50 (up), 30 (down)
    assert UP.on_track(day, D(50)) and UP.on_track(day, D(60))
    assert not UP.on_track(day, D("49.9"))
    assert DOWN.on_track(day, D(30)) and DOWN.on_track(day, D(12))
    assert not DOWN.on_track(day, D(31))
    # After the target date only reaching the target counts.
    assert not UP.on_track(T + dt.timedelta(days=10), D(99))
    assert DOWN.on_track(T + dt.timedelta(days=10), D(10))


def test_share_of_the_target_achieved() -> None:
    assert UP.percent_achieved(D(40)) == D("40.0")
    assert UP.percent_achieved(D(120)) == D("120.0")
    assert DOWN.percent_achieved(D(30)) == D("50.0")  # 50 → 30 is half of 50 → 10
    assert DOWN.percent_achieved(D(60)) == D("-25.0")  # moved the wrong way
    flat = Line(B, D(5), T, D(5), LOWER)
    assert flat.percent_achieved(D(4)) == D(100) and flat.percent_achieved(D(6)) == D(0)


def test_standing_is_taken_at_the_latest_measurement() -> None:
    points = [(B + dt.timedelta(days=80), D(70)), (B + dt.timedelta(days=20), D(30))]
    result = standing(UP, points)
    assert result is not None
    assert (result.day, result.value, result.planned) == (B + dt.timedelta(days=80), D(70),
                                                          D(80))
    assert result.on_track is False and result.percent == D("70.0")
    assert standing(UP, []) is None


def test_a_target_date_not_after_the_baseline_is_refused() -> None:
    with pytest.raises(ValueError):
        Line(B, D(0), B, D(1)).planned(B)


def test_chart_draws_plan_and_actual_inside_the_box() -> None:
    drawn = chart(UP, [(B + dt.timedelta(days=50), D(60)), (B + dt.timedelta(days=20), D(10))])
    # Values 0 … 110 (a tenth of the range as margin above; none below zero) over
    # y 16 … 224 (208 px): y(0) = 224.0, y(100) = 16 + 208 × 10/110 = 34.9.
    assert drawn["plan"] == "56.0,224.0 624.0,34.9"
    dots = drawn["dots"]
    assert isinstance(dots, list) and [dot["on_track"] for dot in dots] == [False, True]
    assert str(drawn["actual"]).count(",") == 2
