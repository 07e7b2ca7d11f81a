"""The cadence the report-due and survey-due reminder sources share."""

from __future__ import annotations

import datetime as dt

import pytest

from dondoc.notifications.reminders import (
    EXTRA_SOURCES,
    Reminder,
    add_source,
    deadline_reminder_day,
)


@pytest.mark.parametrize(("days_left", "reminded"), [
    (8, False), (7, True), (6, False), (3, True), (2, False), (1, True),
    (0, True),  # the deadline itself
    (-1, True),  # the day after
    (-2, False), (-7, False), (-8, True), (-15, True), (-14, False),
])
def test_a_unit_is_reminded_before_on_and_weekly_after_the_deadline(
        days_left: int, reminded: bool) -> None:
    assert deadline_reminder_day(days_left, before=(7, 3, 1, 0), late_every=7) is reminded


def test_a_source_is_added_once_however_often_an_app_connects() -> None:
    def source(day: dt.date) -> list[Reminder]:
        return []

    try:
        add_source(source)
        add_source(source)
        assert EXTRA_SOURCES.count(source) == 1
    finally:
        EXTRA_SOURCES.remove(source)
