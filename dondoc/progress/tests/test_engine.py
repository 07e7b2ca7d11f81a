"""Tests for the status engine: one table of named cases per rule, then properties."""

from __future__ import annotations

import ast
import dataclasses
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dondoc.progress import engine
from dondoc.progress.engine import (
    CompletionRequest,
    Counts,
    Evaluation,
    Extension,
    Recurrence,
    Status,
    Suspension,
    TaskFacts,
    deadline_in_force,
    evaluate,
    on_time_rate,
    period_containing,
    summarize,
)

d = date.fromisoformat

# A fixed-deadline task: assigned 10/01/2024, due 31/03/2024, first report 01/02/2024.
TASK = TaskFacts(assigned_on=d("2024-01-10"), due=d("2024-03-31"))
STANDING_TASK = TaskFacts(assigned_on=d("2024-01-10"), due=None)


def task(**changes: Any) -> TaskFacts:
    return dataclasses.replace(TASK, **changes)


def accepted(submitted: str, decided: str) -> CompletionRequest:
    return CompletionRequest(submitted_on=d(submitted), decided_on=d(decided), accepted=True)


def returned(submitted: str, decided: str) -> CompletionRequest:
    return CompletionRequest(submitted_on=d(submitted), decided_on=d(decided), accepted=False)


def undecided(submitted: str) -> CompletionRequest:
    return CompletionRequest(submitted_on=d(submitted))


def extension(approved: str, new_due: str) -> Extension:
    return Extension(approved_on=d(approved), new_due=d(new_due))


def fields_of(evaluation: Evaluation | None, expected: dict[str, Any]) -> dict[str, Any]:
    assert evaluation is not None
    return {name: getattr(evaluation, name) for name in expected}


# --- Which tasks count at D ---------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "as_of", "counts"),
    [
        pytest.param(TASK, "2024-01-09", False, id="a task assigned after D does not count"),
        pytest.param(TASK, "2024-01-10", True, id="a task counts from the day it is assigned"),
        pytest.param(
            task(cancelled_on=d("2024-02-01")),
            "2024-02-01",
            False,
            id="a task cancelled on D does not count",
        ),
        pytest.param(
            task(cancelled_on=d("2024-02-01")),
            "2024-06-01",
            False,
            id="a task cancelled before D does not count",
        ),
        pytest.param(
            task(cancelled_on=d("2024-02-01")),
            "2024-01-31",
            True,
            id="a task cancelled after D still counts at D",
        ),
        pytest.param(
            task(
                cancelled_on=d("2024-04-01"),
                completion_requests=(accepted("2024-03-01", "2024-03-02"),),
            ),
            "2024-04-01",
            False,
            id="a completed task cancelled later no longer counts",
        ),
    ],
)
def test_which_tasks_count(facts: TaskFacts, as_of: str, counts: bool) -> None:
    assert (evaluate(facts, d(as_of)) is not None) is counts


# --- Deadline in force ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "as_of", "expected"),
    [
        pytest.param(TASK, "2024-02-01", "2024-03-31", id="without extension the original due"),
        pytest.param(
            task(extensions=(extension("2024-03-20", "2024-04-30"),)),
            "2024-03-19",
            "2024-03-31",
            id="an extension approved after D does not apply",
        ),
        pytest.param(
            task(extensions=(extension("2024-03-20", "2024-04-30"),)),
            "2024-03-20",
            "2024-04-30",
            id="an extension applies from the day it is approved",
        ),
        pytest.param(
            task(
                extensions=(
                    extension("2024-03-01", "2024-05-15"),
                    extension("2024-02-01", "2024-04-15"),
                )
            ),
            "2024-03-10",
            "2024-05-15",
            id="the latest approved extension wins whatever the tuple order",
        ),
        pytest.param(
            task(
                extensions=(
                    extension("2024-03-01", "2024-05-15"),
                    extension("2024-03-01", "2024-04-15"),
                )
            ),
            "2024-03-10",
            "2024-04-15",
            id="of two extensions approved the same day the later in the tuple wins",
        ),
        pytest.param(
            task(
                extensions=(
                    extension("2024-02-01", "2024-04-15"),
                    extension("2024-03-01", "2024-05-15"),
                )
            ),
            "2024-02-15",
            "2024-04-15",
            id="a second extension approved after D leaves the first in force",
        ),
        pytest.param(
            task(extensions=(extension("2024-02-01", "2024-03-15"),)),
            "2024-02-01",
            "2024-03-15",
            id="an approved extension may also bring the deadline forward",
        ),
        pytest.param(STANDING_TASK, "2024-02-01", None, id="a standing task has no deadline"),
    ],
)
def test_deadline_in_force(facts: TaskFacts, as_of: str, expected: str | None) -> None:
    assert deadline_in_force(facts, d(as_of)) == (d(expected) if expected else None)


def test_the_original_due_date_is_kept_after_an_extension() -> None:
    facts = task(extensions=(extension("2024-03-20", "2024-04-30"),))

    assert facts.due == d("2024-03-31")
    assert deadline_in_force(facts, d("2024-01-10")) == d("2024-03-31")


# --- Status at D: one table, in the order of the rules -----------------------------------

SUSPENDED_IN_FEBRUARY = (Suspension(start=d("2024-02-01"), end=d("2024-02-15")),)
REPORTED = (d("2024-02-01"),)

STATUS_CASES = [
    # 1. suspended
    pytest.param(
        task(suspensions=SUSPENDED_IN_FEBRUARY, progress_dates=REPORTED),
        "2024-01-31",
        {"status": Status.IN_PROGRESS_ON_TIME},
        id="the day before a suspension starts the task is not suspended",
    ),
    pytest.param(
        task(suspensions=SUSPENDED_IN_FEBRUARY),
        "2024-02-01",
        {"status": Status.SUSPENDED, "deadline": d("2024-03-31")},
        id="a task is suspended from the first day of the suspension",
    ),
    pytest.param(
        task(suspensions=SUSPENDED_IN_FEBRUARY),
        "2024-02-14",
        {"status": Status.SUSPENDED},
        id="a task is suspended on the day before the suspension ends",
    ),
    pytest.param(
        task(suspensions=SUSPENDED_IN_FEBRUARY, progress_dates=REPORTED),
        "2024-02-15",
        {"status": Status.IN_PROGRESS_ON_TIME},
        id="a task is no longer suspended on the day the suspension ends",
    ),
    pytest.param(
        task(suspensions=(Suspension(start=d("2024-02-01")),)),
        "2025-06-01",
        {"status": Status.SUSPENDED, "late": False, "days_overdue": 0, "not_started": False},
        id="an open-ended suspension lasts past the deadline without making it overdue",
    ),
    pytest.param(
        task(
            suspensions=(Suspension(start=d("2024-03-10")),),
            completion_requests=(accepted("2024-03-01", "2024-03-02"),),
        ),
        "2024-03-10",
        {"status": Status.SUSPENDED},
        id="suspension comes before completion in the order of the rules",
    ),
    # 2. completed
    pytest.param(
        task(completion_requests=(accepted("2024-03-31", "2024-04-03"),)),
        "2024-04-10",
        {
            "status": Status.COMPLETED_ON_TIME,
            "completed_on": d("2024-03-31"),
            "deadline": d("2024-03-31"),
            "late": False,
        },
        id="a completion submitted on the due date is on time",
    ),
    pytest.param(
        task(completion_requests=(accepted("2024-04-01", "2024-04-03"),)),
        "2024-04-10",
        {"status": Status.COMPLETED_LATE, "completed_on": d("2024-04-01"), "late": True},
        id="a completion submitted the day after the due date is late",
    ),
    pytest.param(
        task(completion_requests=(accepted("2024-03-30", "2024-04-20"),)),
        "2024-04-25",
        {"status": Status.COMPLETED_ON_TIME, "completed_on": d("2024-03-30"), "late": False},
        id="the time staff take to confirm does not make a completion late",
    ),
    pytest.param(
        task(completion_requests=(accepted("2024-03-30", "2024-04-20"),)),
        "2024-04-20",
        {"status": Status.COMPLETED_ON_TIME},
        id="a task is completed from the day the request is accepted",
    ),
    pytest.param(
        task(
            extensions=(extension("2024-03-25", "2024-04-30"),),
            completion_requests=(accepted("2024-04-10", "2024-04-12"),),
        ),
        "2024-04-15",
        {"status": Status.COMPLETED_ON_TIME, "deadline": d("2024-04-30"), "late": False},
        id="an extension approved before submission makes a late-looking completion on time",
    ),
    pytest.param(
        task(
            extensions=(extension("2024-04-11", "2024-04-30"),),
            completion_requests=(accepted("2024-04-10", "2024-04-12"),),
        ),
        "2024-04-15",
        {"status": Status.COMPLETED_LATE, "deadline": d("2024-03-31"), "late": True},
        id="an extension approved after submission does not rescue a late completion",
    ),
    pytest.param(
        task(
            completion_requests=(
                returned("2024-03-20", "2024-03-25"),
                accepted("2024-04-05", "2024-04-08"),
            )
        ),
        "2024-04-10",
        {"status": Status.COMPLETED_LATE, "completed_on": d("2024-04-05")},
        id="after a returned request the accepted resubmission is the completion date",
    ),
    pytest.param(
        dataclasses.replace(
            STANDING_TASK, completion_requests=(accepted("2024-06-01", "2024-06-02"),)
        ),
        "2024-06-05",
        {"status": Status.COMPLETED_ON_TIME, "deadline": None, "late": False},
        id="a completed standing task counts as on time",
    ),
    pytest.param(
        dataclasses.replace(
            STANDING_TASK,
            recurrence=Recurrence.MONTHLY,
            completion_requests=(accepted("2024-06-20", "2024-06-21"),),
        ),
        "2024-08-05",
        {"status": Status.COMPLETED_ON_TIME, "deadline": None},
        id="a completed recurring task counts as on time",
    ),
    # 3. awaiting confirmation
    pytest.param(
        task(completion_requests=(accepted("2024-03-30", "2024-04-20"),)),
        "2024-04-10",
        {
            "status": Status.AWAITING_CONFIRMATION,
            "completed_on": d("2024-03-30"),
            "late": False,
            "days_overdue": 0,
        },
        id="a completion decided after D shows as awaiting confirmation at D",
    ),
    pytest.param(
        task(completion_requests=(undecided("2024-04-02"),)),
        "2024-04-10",
        {"status": Status.AWAITING_CONFIRMATION, "completed_on": d("2024-04-02"), "late": True},
        id="a late submission awaiting confirmation is flagged late",
    ),
    pytest.param(
        task(completion_requests=(returned("2024-03-20", "2024-03-25"),)),
        "2024-03-22",
        {"status": Status.AWAITING_CONFIRMATION, "completed_on": d("2024-03-20")},
        id="a request awaits confirmation until it is returned",
    ),
    pytest.param(
        task(
            completion_requests=(
                returned("2024-03-20", "2024-03-25"),
                accepted("2024-04-05", "2024-04-08"),
            ),
            progress_dates=REPORTED,
        ),
        "2024-03-28",
        {"status": Status.IN_PROGRESS_ON_TIME, "completed_on": None},
        id="a returned request puts the task back in progress",
    ),
    pytest.param(
        task(
            completion_requests=(
                returned("2024-03-20", "2024-03-25"),
                accepted("2024-04-05", "2024-04-08"),
            )
        ),
        "2024-04-02",
        {"status": Status.IN_PROGRESS_OVERDUE, "days_overdue": 2},
        id="a returned request leaves the task overdue after the deadline",
    ),
    pytest.param(
        task(completion_requests=(undecided("2024-03-30"),), progress_dates=REPORTED),
        "2024-03-29",
        {"status": Status.IN_PROGRESS_ON_TIME},
        id="a request submitted after D is ignored at D",
    ),
    # 4. standing (recurring tasks are in their own table below)
    pytest.param(
        STANDING_TASK,
        "2030-01-01",
        {"status": Status.STANDING, "deadline": None, "late": False, "days_overdue": 0},
        id="a task without due date is standing and never overdue",
    ),
    # 5. overdue
    pytest.param(
        task(progress_dates=REPORTED),
        "2024-04-01",
        {
            "status": Status.IN_PROGRESS_OVERDUE,
            "deadline": d("2024-03-31"),
            "late": True,
            "days_overdue": 1,
            "not_started": False,
        },
        id="a task is overdue the day after its deadline",
    ),
    pytest.param(
        task(extensions=(extension("2024-04-05", "2024-04-30"),)),
        "2024-04-02",
        {"status": Status.IN_PROGRESS_OVERDUE, "deadline": d("2024-03-31"), "days_overdue": 2},
        id="a task is overdue at D even if an extension is approved after D",
    ),
    pytest.param(
        task(extensions=(extension("2024-04-05", "2024-04-30"),)),
        "2024-04-05",
        {"status": Status.IN_PROGRESS_ON_TIME, "deadline": d("2024-04-30")},
        id="an approved extension puts an overdue task back within its deadline",
    ),
    pytest.param(
        TASK,
        "2024-04-05",
        {"status": Status.IN_PROGRESS_OVERDUE, "not_started": True},
        id="an overdue task without any progress update is flagged not started",
    ),
    # 6. on time, due soon, not started
    pytest.param(
        task(progress_dates=REPORTED),
        "2024-03-31",
        {"status": Status.IN_PROGRESS_ON_TIME, "due_soon": True, "days_overdue": 0},
        id="a task due today is on time and due soon",
    ),
    pytest.param(
        task(progress_dates=REPORTED),
        "2024-03-28",
        {"status": Status.IN_PROGRESS_ON_TIME, "due_soon": True},
        id="a task due in three days is due soon",
    ),
    pytest.param(
        task(progress_dates=REPORTED),
        "2024-03-27",
        {"status": Status.IN_PROGRESS_ON_TIME, "due_soon": False},
        id="a task due in four days is not yet due soon",
    ),
    pytest.param(
        task(progress_dates=REPORTED),
        "2024-01-31",
        {"status": Status.IN_PROGRESS_ON_TIME, "not_started": True, "late": False},
        id="a task without a progress update yet is not started",
    ),
    pytest.param(
        task(progress_dates=REPORTED),
        "2024-02-01",
        {"status": Status.IN_PROGRESS_ON_TIME, "not_started": False},
        id="a task is started from the day of its first progress update",
    ),
]


@pytest.mark.parametrize(("facts", "as_of", "expected"), STATUS_CASES)
def test_status_at_d(facts: TaskFacts, as_of: str, expected: dict[str, Any]) -> None:
    assert fields_of(evaluate(facts, d(as_of)), expected) == expected


@pytest.mark.parametrize(
    ("due_soon_days", "as_of", "due_soon"),
    [
        pytest.param(7, "2024-03-24", True, id="a wider warning window flags a week ahead"),
        pytest.param(7, "2024-03-23", False, id="a wider warning window stops at its edge"),
        pytest.param(0, "2024-03-31", True, id="a zero-day window flags the due date only"),
        pytest.param(0, "2024-03-30", False, id="a zero-day window ignores the day before"),
    ],
)
def test_due_soon_window_is_configurable(due_soon_days: int, as_of: str, due_soon: bool) -> None:
    evaluation = evaluate(TASK, d(as_of), due_soon_days=due_soon_days)

    assert evaluation is not None
    assert evaluation.due_soon is due_soon


def test_a_negative_due_soon_window_is_refused() -> None:
    with pytest.raises(ValueError, match="due_soon_days"):
        evaluate(TASK, d("2024-02-01"), due_soon_days=-1)


# --- Recurring tasks ------------------------------------------------------------------


def recurring(recurrence: Recurrence, assigned: str, *reports: str) -> TaskFacts:
    return TaskFacts(
        assigned_on=d(assigned),
        due=None,
        recurrence=recurrence,
        progress_dates=tuple(d(report) for report in reports),
    )


MONTHLY, QUARTERLY, YEARLY = Recurrence.MONTHLY, Recurrence.QUARTERLY, Recurrence.YEARLY


@pytest.mark.parametrize(
    ("facts", "as_of", "expected"),
    [
        pytest.param(
            recurring(MONTHLY, "2024-01-10"),
            "2024-01-25",
            {"status": Status.STANDING, "deadline": d("2024-01-31")},
            id="a monthly task is standing in its first month",
        ),
        pytest.param(
            recurring(MONTHLY, "2024-01-10"),
            "2024-02-01",
            {
                "status": Status.IN_PROGRESS_OVERDUE,
                "deadline": d("2024-01-31"),
                "days_overdue": 1,
                "late": True,
                "not_started": True,
            },
            id="a monthly task assigned mid-month owes a report for that month",
        ),
        pytest.param(
            recurring(MONTHLY, "2024-01-31"),
            "2024-02-05",
            {"status": Status.IN_PROGRESS_OVERDUE, "days_overdue": 5},
            id="a monthly task assigned on the last day of a month owes that month",
        ),
        pytest.param(
            recurring(MONTHLY, "2024-01-10", "2024-01-28"),
            "2024-02-05",
            {"status": Status.STANDING, "deadline": d("2024-02-29"), "days_overdue": 0},
            id="a monthly task with last month's report is standing until month end",
        ),
        pytest.param(
            recurring(MONTHLY, "2024-01-10", "2024-01-31"),
            "2024-02-05",
            {"status": Status.STANDING},
            id="a monthly report dated the last day of the month counts for it",
        ),
        pytest.param(
            recurring(MONTHLY, "2024-01-10", "2024-02-01"),
            "2024-02-05",
            {"status": Status.IN_PROGRESS_OVERDUE, "not_started": False},
            id="a report dated after the month does not count for that month",
        ),
        pytest.param(
            recurring(MONTHLY, "2024-01-10", "2024-02-10"),
            "2024-03-03",
            {"status": Status.STANDING, "deadline": d("2024-03-31")},
            id="only the most recent closed month is owed",
        ),
        pytest.param(
            recurring(MONTHLY, "2023-11-10", "2023-11-20"),
            "2024-01-15",
            {"status": Status.IN_PROGRESS_OVERDUE, "deadline": d("2023-12-31")},
            id="a monthly period closes across the year end",
        ),
        pytest.param(
            recurring(QUARTERLY, "2024-02-20"),
            "2024-03-31",
            {"status": Status.STANDING, "deadline": d("2024-03-31")},
            id="a quarterly task assigned mid-quarter is standing during that quarter",
        ),
        pytest.param(
            recurring(QUARTERLY, "2024-02-20"),
            "2024-04-10",
            {"status": Status.IN_PROGRESS_OVERDUE, "deadline": d("2024-03-31"), "days_overdue": 10},
            id="a quarterly task missing the report of its first quarter is overdue",
        ),
        pytest.param(
            recurring(QUARTERLY, "2024-02-20", "2024-03-15"),
            "2024-04-10",
            {"status": Status.STANDING, "deadline": d("2024-06-30")},
            id="a quarterly task with last quarter's report is standing",
        ),
        pytest.param(
            recurring(YEARLY, "2024-06-01"),
            "2024-12-31",
            {"status": Status.STANDING, "deadline": d("2024-12-31")},
            id="a yearly task is standing through its first year",
        ),
        pytest.param(
            recurring(YEARLY, "2024-06-01"),
            "2025-01-15",
            {"status": Status.IN_PROGRESS_OVERDUE, "deadline": d("2024-12-31"), "days_overdue": 15},
            id="a yearly task missing last year's report is overdue",
        ),
        pytest.param(
            recurring(YEARLY, "2024-06-01", "2024-12-20"),
            "2025-01-15",
            {"status": Status.STANDING, "deadline": d("2025-12-31")},
            id="a yearly task with last year's report is standing",
        ),
    ],
)
def test_recurring_task(facts: TaskFacts, as_of: str, expected: dict[str, Any]) -> None:
    assert fields_of(evaluate(facts, d(as_of)), expected) == expected


@pytest.mark.parametrize(
    ("day", "recurrence", "bounds"),
    [
        pytest.param("2024-02-10", MONTHLY, ("2024-02-01", "2024-02-29"), id="a leap february"),
        pytest.param("2023-02-10", MONTHLY, ("2023-02-01", "2023-02-28"), id="a common february"),
        pytest.param("2024-05-31", QUARTERLY, ("2024-04-01", "2024-06-30"), id="second quarter"),
        pytest.param("2024-12-01", QUARTERLY, ("2024-10-01", "2024-12-31"), id="fourth quarter"),
        pytest.param("2024-07-04", YEARLY, ("2024-01-01", "2024-12-31"), id="a calendar year"),
    ],
)
def test_period_containing(day: str, recurrence: Recurrence, bounds: tuple[str, str]) -> None:
    assert period_containing(d(day), recurrence) == (d(bounds[0]), d(bounds[1]))


# --- Counts and the on-time rate --------------------------------------------------------


def an_evaluation(status: Status, **flags: Any) -> Evaluation:
    values: dict[str, Any] = {
        "deadline": None,
        "completed_on": None,
        "late": False,
        "due_soon": False,
        "not_started": False,
        "days_overdue": 0,
    }
    return Evaluation(status=status, **(values | flags))


def test_the_2017_government_statistics_give_the_expected_rate() -> None:
    # 21,914 tasks: 14,068 completed on time, 1,983 late; 5,640 open within the
    # deadline, 223 overdue (Government-assigned tasks, 2017).
    evaluations = (
        [an_evaluation(Status.COMPLETED_ON_TIME)] * 14_068
        + [an_evaluation(Status.COMPLETED_LATE, late=True)] * 1_983
        + [an_evaluation(Status.IN_PROGRESS_ON_TIME)] * 5_640
        + [an_evaluation(Status.IN_PROGRESS_OVERDUE, late=True, days_overdue=9)] * 223
    )

    counts = summarize(evaluations)

    assert (counts.total, counts.completed, counts.open) == (21_914, 16_051, 5_863)
    assert counts.overdue_total == 223
    assert counts.on_time_rate == pytest.approx(14_068 / 16_274)
    assert round(100 * (counts.on_time_rate or 0), 2) == 86.44


@pytest.mark.parametrize(
    ("on_time", "late", "overdue", "rate"),
    [
        pytest.param(0, 0, 0, None, id="no completed or overdue task gives no rate"),
        pytest.param(5, 0, 0, 1.0, id="everything completed on time gives one"),
        pytest.param(0, 0, 3, 0.0, id="only overdue work gives zero"),
        pytest.param(3, 1, 0, 0.75, id="late completions lower the rate"),
        pytest.param(8, 0, 2, 0.8, id="overdue open work lowers the rate too"),
    ],
)
def test_on_time_rate(on_time: int, late: int, overdue: int, rate: float | None) -> None:
    result = on_time_rate(completed_on_time=on_time, completed_late=late, overdue_open=overdue)

    assert result == (pytest.approx(rate) if rate is not None else None)


def test_on_time_rate_refuses_negative_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        on_time_rate(completed_on_time=1, completed_late=-1, overdue_open=0)


def test_summarize_skips_tasks_that_do_not_count_and_splits_the_flags() -> None:
    counts = summarize(
        [
            None,
            an_evaluation(Status.AWAITING_CONFIRMATION, late=True),
            an_evaluation(Status.AWAITING_CONFIRMATION),
            an_evaluation(Status.IN_PROGRESS_ON_TIME, due_soon=True, not_started=True),
            an_evaluation(Status.COMPLETED_ON_TIME),
            an_evaluation(Status.STANDING),
            an_evaluation(Status.SUSPENDED),
        ]
    )

    assert counts == Counts(
        total=6,
        completed_on_time=1,
        awaiting_confirmation=2,
        awaiting_late=1,
        in_progress_on_time=1,
        due_soon=1,
        standing=1,
        suspended=1,
        not_started=1,
    )
    assert (counts.completed, counts.open, counts.overdue_total) == (1, 5, 1)
    assert counts.on_time_rate == pytest.approx(0.5), "late awaiting work lowers the rate"


def test_summarize_of_nothing_is_all_zero() -> None:
    assert summarize([]) == Counts()
    assert Counts().on_time_rate is None


# --- Data that cannot happen is refused ------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(
            lambda: CompletionRequest(submitted_on=d("2024-03-01"), decided_on=d("2024-03-02")),
            id="a decision date without an outcome is refused",
        ),
        pytest.param(
            lambda: CompletionRequest(submitted_on=d("2024-03-01"), accepted=True),
            id="an outcome without a decision date is refused",
        ),
        pytest.param(
            lambda: returned("2024-03-02", "2024-03-01"),
            id="a decision before the submission is refused",
        ),
        pytest.param(
            lambda: Suspension(start=d("2024-03-02"), end=d("2024-03-01")),
            id="a suspension ending before it starts is refused",
        ),
        pytest.param(
            lambda: period_containing(d("2024-03-01"), Recurrence.NONE),
            id="a non-recurring task has no periods",
        ),
    ],
)
def test_impossible_data_is_refused(make: Any) -> None:
    with pytest.raises(ValueError):
        make()


def test_the_engine_does_not_import_django() -> None:
    tree = ast.parse(Path(engine.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")

    assert not {name.split(".")[0] for name in imported} & {"django", "dondoc"}


# --- Properties -----------------------------------------------------------------------

FIRST_DAY, LAST_DAY = date(2023, 11, 1), date(2025, 12, 31)
days = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
fast = settings(max_examples=200, deadline=None, database=None)


@st.composite
def completion_requests(draw: st.DrawFn) -> CompletionRequest:
    submitted_on = draw(days)
    decided_on = draw(st.none() | st.dates(min_value=submitted_on, max_value=LAST_DAY))
    decision = None if decided_on is None else draw(st.booleans())
    return CompletionRequest(submitted_on=submitted_on, decided_on=decided_on, accepted=decision)


@st.composite
def suspensions(draw: st.DrawFn) -> Suspension:
    start = draw(days)
    return Suspension(start=start, end=draw(st.none() | st.dates(min_value=start)))


def tuples(strategy: st.SearchStrategy[Any], size: int) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.lists(strategy, max_size=size).map(tuple)


task_facts = st.builds(
    TaskFacts,
    assigned_on=days,
    due=st.none() | days,
    recurrence=st.sampled_from(Recurrence),
    deadline_to_set=st.booleans(),
    cancelled_on=st.none() | days,
    extensions=tuples(st.builds(Extension, approved_on=days, new_due=days), 3),
    completion_requests=tuples(completion_requests(), 3),
    suspensions=tuples(suspensions(), 2),
    progress_dates=tuples(days, 4),
)
COMPLETED = {Status.COMPLETED_ON_TIME, Status.COMPLETED_LATE}


def known_at(facts: TaskFacts, as_of: date) -> TaskFacts:
    """The facts as they were recorded on ``as_of``: nothing from later days."""

    def request_at(request: CompletionRequest) -> CompletionRequest:
        if request.decided_on is not None and request.decided_on > as_of:
            return CompletionRequest(submitted_on=request.submitted_on)
        return request

    cancelled_later = facts.cancelled_on is not None and facts.cancelled_on > as_of
    return dataclasses.replace(
        facts,
        cancelled_on=None if cancelled_later else facts.cancelled_on,
        extensions=tuple(e for e in facts.extensions if e.approved_on <= as_of),
        completion_requests=tuple(
            request_at(r) for r in facts.completion_requests if r.submitted_on <= as_of
        ),
        suspensions=tuple(
            Suspension(start=s.start, end=s.end if s.end and s.end <= as_of else None)
            for s in facts.suspensions
            if s.start <= as_of
        ),
        progress_dates=tuple(day for day in facts.progress_dates if day <= as_of),
    )


@fast
@given(facts=task_facts, as_of=days)
def test_evaluate_gives_none_or_one_consistent_status(facts: TaskFacts, as_of: date) -> None:
    evaluation = evaluate(facts, as_of)

    if evaluation is None:
        assert facts.assigned_on > as_of or (
            facts.cancelled_on is not None and facts.cancelled_on <= as_of
        )
        return
    assert evaluation.status in Status
    assert (evaluation.days_overdue > 0) is (evaluation.status is Status.IN_PROGRESS_OVERDUE)
    assert not evaluation.due_soon or evaluation.status is Status.IN_PROGRESS_ON_TIME
    assert not evaluation.no_deadline or (
        evaluation.status is Status.IN_PROGRESS_ON_TIME and evaluation.deadline is None
        and not evaluation.due_soon)
    has_completion = evaluation.status in COMPLETED | {Status.AWAITING_CONFIRMATION}
    assert (evaluation.completed_on is not None) is has_completion
    if evaluation.completed_on is not None:
        assert evaluation.late is (
            evaluation.deadline is not None and evaluation.completed_on > evaluation.deadline
        )
        assert evaluation.completed_on <= as_of


@fast
@given(facts=task_facts, as_of=days)
def test_evaluation_at_d_uses_only_what_was_known_at_d(facts: TaskFacts, as_of: date) -> None:
    assert evaluate(known_at(facts, as_of), as_of) == evaluate(facts, as_of)


@fast
@given(facts=task_facts, as_of=days)
def test_no_completion_shows_before_its_acceptance(facts: TaskFacts, as_of: date) -> None:
    evaluation = evaluate(facts, as_of)

    accepted_by_d = any(r.accepted_by(as_of) for r in facts.completion_requests)
    if evaluation is not None and evaluation.status in COMPLETED:
        assert accepted_by_d
    earlier = evaluate(facts, as_of - timedelta(days=1))
    if earlier is not None and not any(
        r.accepted_by(as_of - timedelta(days=1)) for r in facts.completion_requests
    ):
        assert earlier.status not in COMPLETED


@fast
@given(tasks=st.lists(task_facts, max_size=12), as_of=days)
def test_summarized_statuses_add_up_to_the_total(tasks: list[TaskFacts], as_of: date) -> None:
    evaluations = [evaluate(facts, as_of) for facts in tasks]
    counts = summarize(evaluations)

    assert counts.total == sum(evaluation is not None for evaluation in evaluations)
    assert counts.total == (
        counts.completed_on_time
        + counts.completed_late
        + counts.awaiting_confirmation
        + counts.in_progress_on_time
        + counts.in_progress_overdue
        + counts.standing
        + counts.suspended
    )
    assert counts.awaiting_late <= counts.awaiting_confirmation
    assert counts.due_soon <= counts.in_progress_on_time
    assert counts.completed + counts.open == counts.total
    rate = counts.on_time_rate
    assert rate is None or 0 <= rate <= 1


@fast
@given(
    on_time=st.integers(min_value=0, max_value=10**6),
    late=st.integers(min_value=0, max_value=10**6),
    overdue=st.integers(min_value=0, max_value=10**6),
)
def test_the_rate_is_between_zero_and_one(on_time: int, late: int, overdue: int) -> None:
    rate = on_time_rate(completed_on_time=on_time, completed_late=late, overdue_open=overdue)

    if on_time + late + overdue == 0:
        assert rate is None
    else:
        assert rate is not None
        assert 0 <= rate <= 1
