"""Deadline kind ``none`` ("deadline to set") in the pure engine, and the one rounding of
on-time rates (issue 8, decision "No date yet"; issue 9, item 4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dondoc.progress.engine import (
    CompletionRequest,
    Counts,
    Extension,
    Status,
    TaskFacts,
    evaluate,
    rate_percent,
    summarize,
)

d = date.fromisoformat

# Assigned 10/01/2024 without a date; on 01/03/2024 the deadline is set to 31/03/2024.
NO_DATE = TaskFacts(assigned_on=d("2024-01-10"), due=None, deadline_to_set=True)
SET_LATER = TaskFacts(assigned_on=d("2024-01-10"), due=None, deadline_to_set=True,
                      extensions=(Extension(approved_on=d("2024-03-01"), new_due=d("2024-03-31")),))


@pytest.mark.parametrize(
    ("facts", "as_of", "status", "no_deadline", "deadline"),
    [
        pytest.param(NO_DATE, "2024-01-10", Status.IN_PROGRESS_ON_TIME, True, None,
                     id="without a date it is in progress on time, flagged"),
        pytest.param(NO_DATE, "2030-12-31", Status.IN_PROGRESS_ON_TIME, True, None,
                     id="it never becomes overdue while the date is unknown"),
        pytest.param(SET_LATER, "2024-02-29", Status.IN_PROGRESS_ON_TIME, True, None,
                     id="before the date was set, the past keeps having no deadline"),
        pytest.param(SET_LATER, "2024-03-01", Status.IN_PROGRESS_ON_TIME, False, "2024-03-31",
                     id="from the day it is set, the date is the deadline"),
        pytest.param(SET_LATER, "2024-04-01", Status.IN_PROGRESS_OVERDUE, False, "2024-03-31",
                     id="once set, it becomes overdue like a fixed deadline"),
    ],
)
def test_a_deadline_to_set(facts: TaskFacts, as_of: str, status: Status, no_deadline: bool,
                           deadline: str | None) -> None:
    evaluation = evaluate(facts, d(as_of))

    assert evaluation is not None
    assert evaluation.status is status
    assert evaluation.no_deadline is no_deadline
    assert evaluation.deadline == (d(deadline) if deadline else None)


def test_a_standing_task_is_not_a_deadline_to_set() -> None:
    standing = TaskFacts(assigned_on=d("2024-01-10"), due=None)

    evaluation = evaluate(standing, d("2024-05-01"))

    assert evaluation is not None
    assert (evaluation.status, evaluation.no_deadline) == (Status.STANDING, False)


def test_due_soon_applies_once_the_date_is_set() -> None:
    evaluation = evaluate(SET_LATER, d("2024-03-29"))

    assert evaluation is not None and evaluation.due_soon


def test_a_completion_submitted_before_the_date_was_set_is_on_time() -> None:
    facts = TaskFacts(
        assigned_on=d("2024-01-10"), due=None, deadline_to_set=True,
        extensions=(Extension(approved_on=d("2024-03-01"), new_due=d("2024-02-01")),),
        completion_requests=(CompletionRequest(submitted_on=d("2024-02-20"),
                                               decided_on=d("2024-03-05"), accepted=True),),
    )

    evaluation = evaluate(facts, d("2024-03-10"))

    assert evaluation is not None and evaluation.status is Status.COMPLETED_ON_TIME


def test_tasks_without_a_date_are_counted_apart_and_left_out_of_the_rate() -> None:
    on_time = TaskFacts(assigned_on=d("2024-01-10"), due=d("2024-02-01"),
                        completion_requests=(CompletionRequest(
                            submitted_on=d("2024-01-20"), decided_on=d("2024-01-21"),
                            accepted=True),))
    overdue = TaskFacts(assigned_on=d("2024-01-10"), due=d("2024-02-01"))

    counts = summarize(evaluate(facts, d("2024-02-10")) for facts in
                       [on_time, overdue, NO_DATE, NO_DATE, SET_LATER])

    assert counts.no_deadline == 3
    assert counts.in_progress_on_time == 3
    assert counts.on_time_rate == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("counts", "percent"),
    [
        pytest.param(Counts(completed_on_time=2, in_progress_overdue=5), Decimal("28.6"),
                     id="2/7 rounds up to 28.6, not 28.5"),
        pytest.param(Counts(completed_on_time=2, completed_late=1), Decimal("66.7"),
                     id="2/3 rounds up to 66.7, not 66.6"),
        pytest.param(Counts(completed_on_time=1, completed_late=15), Decimal("6.3"),
                     id="an exact half (6.25) rounds up"),
        pytest.param(Counts(completed_on_time=1, completed_late=2), Decimal("33.3"),
                     id="1/3 rounds down to 33.3"),
        pytest.param(Counts(completed_on_time=3), Decimal("100.0"), id="all on time"),
        pytest.param(Counts(), None, id="nothing due gives no rate"),
    ],
)
def test_rates_are_rounded_half_up_to_one_decimal(counts: Counts, percent: Decimal | None,
                                                  ) -> None:
    assert counts.on_time_percent == percent
    assert rate_percent(counts.on_time_rate) == percent
