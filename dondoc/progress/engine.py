"""Status engine: the timeliness status of a task as of any date D, from plain facts.

Pure functions over frozen dataclasses: no Django, no database, no clock. The engine
looks only at what was known on D, so every statistic can be reproduced for a past date
(DESIGN.md, "Status engine semantics"). The SQL statistics selectors must agree with it.
"""

from __future__ import annotations

import calendar
import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "CompletionRequest",
    "Counts",
    "Evaluation",
    "Extension",
    "Recurrence",
    "Status",
    "Suspension",
    "TaskFacts",
    "deadline_in_force",
    "evaluate",
    "on_time_rate",
    "period_containing",
    "rate_percent",
    "summarize",
]


class Status(enum.StrEnum):
    """Where a task stands at D; exactly one applies, checked in declaration order."""

    SUSPENDED = "suspended"
    COMPLETED_ON_TIME = "completed_on_time"
    COMPLETED_LATE = "completed_late"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    STANDING = "standing"
    IN_PROGRESS_OVERDUE = "in_progress_overdue"
    IN_PROGRESS_ON_TIME = "in_progress_on_time"


class Recurrence(enum.StrEnum):
    """How often a task without a due date must report: calendar month, quarter or year."""

    NONE = "none"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


_MONTHS_PER_PERIOD = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3, Recurrence.YEARLY: 12}


@dataclass(frozen=True)
class Extension:
    """An approved deadline extension: from ``approved_on`` the deadline is ``new_due``."""

    approved_on: date
    new_due: date


@dataclass(frozen=True)
class CompletionRequest:
    """A unit's request to close the task; staff accept or return it on ``decided_on``.

    ``decided_on`` and ``accepted`` are both ``None`` while the request is undecided. A
    request the unit withdrew ends on its withdrawal day like a returned one
    (``accepted=False``): it was awaiting confirmation on the days before, not after.
    """

    submitted_on: date
    decided_on: date | None = None
    accepted: bool | None = None

    def __post_init__(self) -> None:
        if (self.decided_on is None) != (self.accepted is None):
            raise ValueError("decided_on and accepted must be both set or both None")
        if self.decided_on is not None and self.decided_on < self.submitted_on:
            raise ValueError("a completion request cannot be decided before it is submitted")

    def accepted_by(self, as_of: date) -> bool:
        """Whether staff had accepted this request on or before ``as_of``."""
        return self.accepted is True and self.decided_on is not None and self.decided_on <= as_of

    def pending_at(self, as_of: date) -> bool:
        """Whether the request was submitted by ``as_of`` and still undecided at ``as_of``."""
        return self.submitted_on <= as_of and (self.decided_on is None or self.decided_on > as_of)


@dataclass(frozen=True)
class Suspension:
    """A suspension of the task, in force on the days ``start <= d < end`` (open if no end)."""

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError("a suspension cannot end before it starts")

    def active_on(self, day: date) -> bool:
        """Whether the task was suspended on ``day``."""
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class TaskFacts:
    """Everything the engine needs to know about one task, each fact with its date."""

    assigned_on: date
    due: date | None  # original due date; None for standing, recurring and to-set tasks
    recurrence: Recurrence = Recurrence.NONE
    # Kind ``none``, "deadline to set": assigned without a date. Its deadline is set later
    # by a dated record (an approved ``Extension`` from no deadline), so until that date
    # the task is in progress on time with the *no_deadline* flag, outside the rate.
    deadline_to_set: bool = False
    cancelled_on: date | None = None
    extensions: tuple[Extension, ...] = ()
    completion_requests: tuple[CompletionRequest, ...] = ()
    suspensions: tuple[Suspension, ...] = ()
    progress_dates: tuple[date, ...] = ()  # dates of progress updates (reports)


@dataclass(frozen=True)
class Evaluation:
    """The status of one task at D, with the facts that explain it.

    ``deadline`` is the deadline in force at D, except for completed and awaiting tasks,
    where it is the deadline the completion was judged against (in force on the
    submission date), and for recurring tasks, where it is a period end.
    """

    status: Status
    deadline: date | None
    completed_on: date | None  # submission date of the accepted (or awaited) request
    late: bool
    due_soon: bool
    not_started: bool
    days_overdue: int
    no_deadline: bool = False  # in progress with its deadline still to be set


def deadline_in_force(facts: TaskFacts, as_of: date) -> date | None:
    """The deadline in force at ``as_of``.

    The new due date of the latest extension approved on or before ``as_of`` (on the same
    approval day, the later one in ``facts.extensions`` wins); otherwise the original due.
    """
    in_force = facts.due
    latest_approval: date | None = None
    for extension in facts.extensions:
        if extension.approved_on > as_of:
            continue
        if latest_approval is None or extension.approved_on >= latest_approval:
            latest_approval = extension.approved_on
            in_force = extension.new_due
    return in_force


def period_containing(day: date, recurrence: Recurrence) -> tuple[date, date]:
    """The first and last day of the calendar month, quarter or year containing ``day``."""
    if recurrence is Recurrence.NONE:
        raise ValueError("a non-recurring task has no reporting periods")
    months = _MONTHS_PER_PERIOD[recurrence]
    first_month = (day.month - 1) // months * months + 1
    last_month = first_month + months - 1
    last_day = calendar.monthrange(day.year, last_month)[1]
    return date(day.year, first_month, 1), date(day.year, last_month, last_day)


def evaluate(facts: TaskFacts, as_of: date, *, due_soon_days: int = 3) -> Evaluation | None:
    """The status of the task at ``as_of``, or ``None`` if the task does not count then.

    A task does not count before it is assigned, nor from the day it is cancelled.
    """
    if due_soon_days < 0:
        raise ValueError("due_soon_days must not be negative")
    if facts.assigned_on > as_of:
        return None
    if facts.cancelled_on is not None and facts.cancelled_on <= as_of:
        return None

    if any(suspension.active_on(as_of) for suspension in facts.suspensions):
        return _open(Status.SUSPENDED, deadline=deadline_in_force(facts, as_of))

    accepted = _accepted_request(facts, as_of)
    if accepted is not None:
        return _closing(facts, accepted, completed=True)
    awaited = _pending_request(facts, as_of)
    if awaited is not None:
        return _closing(facts, awaited, completed=False)

    not_started = not any(day <= as_of for day in facts.progress_dates)
    deadline = deadline_in_force(facts, as_of)
    if facts.due is None and facts.deadline_to_set:
        if deadline is None:
            return _open(Status.IN_PROGRESS_ON_TIME, deadline=None, not_started=not_started,
                         no_deadline=True)
    elif facts.due is None:
        if facts.recurrence is Recurrence.NONE:
            return _open(Status.STANDING, deadline=deadline)
        return _recurring(facts, as_of, not_started=not_started)

    deadline = deadline or facts.due
    assert deadline is not None
    if as_of > deadline:
        return _overdue(deadline, as_of, not_started=not_started)
    return _open(
        Status.IN_PROGRESS_ON_TIME,
        deadline=deadline,
        due_soon=(deadline - as_of).days <= due_soon_days,
        not_started=not_started,
    )


def _accepted_request(facts: TaskFacts, as_of: date) -> CompletionRequest | None:
    """The request whose acceptance completed the task by ``as_of`` (the first accepted)."""
    accepted = [r for r in facts.completion_requests if r.accepted_by(as_of)]
    return min(accepted, key=lambda r: (r.decided_on, r.submitted_on), default=None)


def _pending_request(facts: TaskFacts, as_of: date) -> CompletionRequest | None:
    """The request awaiting a decision at ``as_of`` (the latest submitted, if several)."""
    pending: CompletionRequest | None = None
    for request in facts.completion_requests:
        if request.pending_at(as_of) and (
            pending is None or request.submitted_on >= pending.submitted_on
        ):
            pending = request
    return pending


def _closing(facts: TaskFacts, request: CompletionRequest, *, completed: bool) -> Evaluation:
    """A completed or awaiting task, judged against the deadline in force at submission.

    Staff's confirmation time does not count against the unit. Without a deadline
    (standing or recurring task) the completion is on time.
    """
    judged_against = deadline_in_force(facts, request.submitted_on)
    is_late = judged_against is not None and request.submitted_on > judged_against
    if not completed:
        status = Status.AWAITING_CONFIRMATION
    elif is_late:
        status = Status.COMPLETED_LATE
    else:
        status = Status.COMPLETED_ON_TIME
    return Evaluation(
        status=status,
        deadline=judged_against,
        completed_on=request.submitted_on,
        late=is_late,
        due_soon=False,
        not_started=False,
        days_overdue=0,
    )


def _recurring(facts: TaskFacts, as_of: date, *, not_started: bool) -> Evaluation:
    """A recurring task: overdue if the most recent closed period has no report.

    Only a period the task existed in is owed, even if it was assigned on its last day.
    """
    current_start, current_end = period_containing(as_of, facts.recurrence)
    closed_start, closed_end = period_containing(
        current_start - timedelta(days=1), facts.recurrence
    )
    first_start, _ = period_containing(facts.assigned_on, facts.recurrence)
    if closed_start >= first_start and not any(
        closed_start <= day <= closed_end for day in facts.progress_dates
    ):
        return _overdue(closed_end, as_of, not_started=not_started)
    return _open(Status.STANDING, deadline=current_end, not_started=not_started)


def _overdue(deadline: date, as_of: date, *, not_started: bool) -> Evaluation:
    return Evaluation(
        status=Status.IN_PROGRESS_OVERDUE,
        deadline=deadline,
        completed_on=None,
        late=True,
        due_soon=False,
        not_started=not_started,
        days_overdue=(as_of - deadline).days,
    )


def _open(
    status: Status, *, deadline: date | None, due_soon: bool = False, not_started: bool = False,
    no_deadline: bool = False,
) -> Evaluation:
    return Evaluation(
        status=status,
        deadline=deadline,
        completed_on=None,
        late=False,
        due_soon=due_soon,
        not_started=not_started,
        days_overdue=0,
        no_deadline=no_deadline,
    )


@dataclass(frozen=True)
class Counts:
    """Task counts by status for a set of evaluations at one date.

    ``awaiting_late`` is part of ``awaiting_confirmation``; ``due_soon`` and
    ``no_deadline`` (deadline still to be set) are parts of ``in_progress_on_time``;
    ``not_started`` counts open tasks in progress (on time or
    overdue) and recurring tasks with no progress update yet.
    """

    total: int = 0
    completed_on_time: int = 0
    completed_late: int = 0
    awaiting_confirmation: int = 0
    awaiting_late: int = 0
    in_progress_on_time: int = 0
    in_progress_overdue: int = 0
    due_soon: int = 0
    standing: int = 0
    suspended: int = 0
    not_started: int = 0
    no_deadline: int = 0

    def __add__(self, other: Counts) -> Counts:
        """The counts of two disjoint sets of tasks together (every field is a count)."""
        return Counts(**{name: getattr(self, name) + getattr(other, name)
                         for name in _COUNT_FIELDS})

    @property
    def completed(self) -> int:
        """Completed tasks, on time or late."""
        return self.completed_on_time + self.completed_late

    @property
    def open(self) -> int:
        """Tasks not completed: awaiting, in progress, standing or suspended."""
        return self.total - self.completed

    @property
    def in_progress_dated(self) -> int:
        """In progress on time with a deadline (not those whose deadline is to be set)."""
        return self.in_progress_on_time - self.no_deadline

    @property
    def awaiting_on_time(self) -> int:
        """Awaiting confirmation, submitted within the deadline."""
        return self.awaiting_confirmation - self.awaiting_late

    @property
    def overdue_total(self) -> int:
        """Open tasks whose deadline has passed: overdue in progress and late awaiting."""
        return self.in_progress_overdue + self.awaiting_late

    @property
    def on_time_rate(self) -> float | None:
        """See :func:`on_time_rate`."""
        return on_time_rate(
            completed_on_time=self.completed_on_time,
            completed_late=self.completed_late,
            overdue_open=self.overdue_total,
        )

    @property
    def on_time_percent(self) -> Decimal | None:
        """The on-time rate as shown everywhere: see :func:`rate_percent`."""
        return rate_percent(self.on_time_rate)


_COUNT_FIELDS = tuple(item.name for item in fields(Counts))


def summarize(evaluations: Iterable[Evaluation | None]) -> Counts:
    """Count evaluations by status; ``None`` (tasks that do not count at D) is skipped."""
    by_status: Counter[Status] = Counter()
    awaiting_late = due_soon = not_started = no_deadline = 0
    for evaluation in evaluations:
        if evaluation is None:
            continue
        by_status[evaluation.status] += 1
        if evaluation.status is Status.AWAITING_CONFIRMATION and evaluation.late:
            awaiting_late += 1
        if evaluation.due_soon:
            due_soon += 1
        if evaluation.not_started:
            not_started += 1
        if evaluation.no_deadline:
            no_deadline += 1
    return Counts(
        total=by_status.total(),
        completed_on_time=by_status[Status.COMPLETED_ON_TIME],
        completed_late=by_status[Status.COMPLETED_LATE],
        awaiting_confirmation=by_status[Status.AWAITING_CONFIRMATION],
        awaiting_late=awaiting_late,
        in_progress_on_time=by_status[Status.IN_PROGRESS_ON_TIME],
        in_progress_overdue=by_status[Status.IN_PROGRESS_OVERDUE],
        due_soon=due_soon,
        standing=by_status[Status.STANDING],
        suspended=by_status[Status.SUSPENDED],
        not_started=not_started,
        no_deadline=no_deadline,
    )


def on_time_rate(*, completed_on_time: int, completed_late: int, overdue_open: int) -> float | None:
    """Completed on time ÷ (completed + open tasks past their deadline); ``None`` if 0 ÷ 0.

    Overdue open work lowers the rate: leaving a task unfinished does not escape it.
    """
    if min(completed_on_time, completed_late, overdue_open) < 0:
        raise ValueError("counts must not be negative")
    denominator = completed_on_time + completed_late + overdue_open
    if denominator == 0:
        return None
    return completed_on_time / denominator


_ONE_DECIMAL = Decimal("0.1")


def rate_percent(ratio: float | None) -> Decimal | None:
    """A ratio (0–1) as a percentage rounded half up to one decimal: 2/7 → 28.6, 2/3 → 66.7.

    The one rounding of rates for pages, exports and the API. The ratio goes through its
    shortest decimal form (``repr``), so a ratio that is exactly a decimal (1/16 = 0.0625)
    rounds as written (6.3), not as its binary approximation.
    """
    if ratio is None:
        return None
    return (Decimal(repr(float(ratio))) * 100).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)
