"""Survey reminders: before the deadline, on the day, weekly when late, every few days for a
returned answer; written once per day whatever the number of passes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dondoc.notifications.models import Notification
from dondoc.notifications.reminders import EXTRA_SOURCES
from dondoc.surveys import services
from dondoc.surveys.models import Submission
from dondoc.surveys.notices import survey_due_source
from dondoc.surveys.tests.conftest import VEHICLES_FILLED, Survey

DEADLINE = dt.date(2026, 5, 31)


def due_for(user: Any) -> list[dt.date]:
    return sorted(Notification.objects.filter(kind="survey_due", recipient=user)
                  .values_list("key_date", flat=True))


def test_the_survey_source_joins_the_reminder_pass() -> None:
    assert survey_due_source in EXTRA_SOURCES


def test_reminders_before_on_and_after_the_deadline_once_a_day(survey: Survey,
                                                               people: Any) -> None:
    for offset in range(-10, 20):
        day = DEADLINE + dt.timedelta(days=offset)
        survey_due_source(day)
        survey_due_source(day)  # a second pass the same day writes nothing more
    days = due_for(people.manager)
    assert days == [DEADLINE - dt.timedelta(days=7), DEADLINE - dt.timedelta(days=3),
                    DEADLINE - dt.timedelta(days=1), DEADLINE,
                    DEADLINE + dt.timedelta(days=1), DEADLINE + dt.timedelta(days=8),
                    DEADLINE + dt.timedelta(days=15)]
    assert Notification.objects.filter(kind="survey_due", recipient=people.manager).count() \
        == len(days)


def test_submitted_answers_are_not_reminded(survey: Survey, people: Any) -> None:
    services.save_draft(survey.pc08, VEHICLES_FILLED, people.officer)
    services.submit(Submission.objects.get(pk=survey.pc08.pk), people.manager)
    survey_due_source(DEADLINE)
    assert due_for(people.manager) == []
    assert due_for(people.outsider) == [DEADLINE]  # PC06 has not answered
