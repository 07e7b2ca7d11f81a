"""Status and statistics in the database, agreeing with the pure engine (``engine.py``).

``annotate_status`` adds each task's status as of a date D as one SQL ``CASE``: a fast
form over the task's maintained fields when D is today, and a form over the workflow
records (extensions, completion requests, suspensions, updates) for any past date.
``statistics`` turns that into conditional counts: one aggregate query per grouping.
The tests generate tasks through the real services and check that both forms and the
engine give the same answer for every task and date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from dondoc.plans.models import (
    CompletionRequest,
    DeadlineExtension,
    DeadlineKind,
    LeadUnitChange,
    RequestStatus,
    Suspension,
    Task,
    TaskState,
)
from dondoc.progress import engine
from dondoc.progress.engine import Recurrence, Status
from dondoc.progress.models import ProgressUpdate

STATUS_FIELDS = [status.value for status in Status]
RECURRENCE_OF_KIND = {
    DeadlineKind.MONTHLY: Recurrence.MONTHLY,
    DeadlineKind.QUARTERLY: Recurrence.QUARTERLY,
    DeadlineKind.YEARLY: Recurrence.YEARLY,
}


def due_soon_days() -> int:
    return int(getattr(settings, "DONDOC_DUE_SOON_DAYS", 3))


def business_today() -> dt.date:
    return timezone.localdate()


def counted_on(as_of: dt.date) -> Q:
    """Tasks that count as of D: assigned on or before D and not cancelled by then."""
    return Q(assigned_on__lte=as_of) & (Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=as_of))


def _last_closed_period(as_of: dt.date, recurrence: Recurrence) -> tuple[dt.date, dt.date]:
    current_start, _end = engine.period_containing(as_of, recurrence)
    previous_end = current_start - dt.timedelta(days=1)
    return engine.period_containing(previous_end, recurrence)


class _RecurringOverdue(Expression):
    """True for a recurring task that owes the report of its last closed period as of D:
    assigned by the end of that period, with no progress report dated within it (the
    engine's ``_recurring``).

    Written as SQL here rather than as three ``Exists`` subqueries on a ``Q``: it is part
    of every status, and resolving and compiling those subqueries was the largest part of
    building a list's query (about 1.3 ms of each list request, measured)."""

    conditional = True

    def __init__(self, as_of: dt.date) -> None:
        super().__init__(output_field=BooleanField())
        self.as_of = as_of
        self.task: Any = F("pk")
        self.kind: Any = F("deadline_kind")
        self.assigned: Any = F("assigned_on")

    def get_source_expressions(self) -> list[Any]:
        return [self.task, self.kind, self.assigned]

    def set_source_expressions(self, exprs: Any) -> None:
        self.task, self.kind, self.assigned = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        task, task_params = compiler.compile(self.task)
        kind, kind_params = compiler.compile(self.kind)
        assigned, assigned_params = compiler.compile(self.assigned)
        quote = connection.ops.quote_name
        report = quote("dondoc_owed_report")  # an alias no query of Django's uses
        table, task_id, reported_on = (
            quote(ProgressUpdate._meta.db_table), quote("task_id"), quote("reported_on"))
        day = connection.ops.adapt_datefield_value
        # Quoted names and compiled columns only; every value is a parameter.
        owed = (f"({kind} = %s AND {assigned} <= %s AND NOT EXISTS (SELECT 1 FROM {table} "  # noqa: S608
                f"{report} WHERE {report}.{task_id} = {task} AND {report}.{reported_on} >= %s "
                f"AND {report}.{reported_on} <= %s))")
        parts: list[str] = []
        params: list[Any] = []
        for deadline_kind, recurrence in RECURRENCE_OF_KIND.items():
            start, end = _last_closed_period(self.as_of, recurrence)
            parts.append(owed)
            params += [*kind_params, str(deadline_kind), *assigned_params, day(end),
                       *task_params, day(start), day(end)]
        return "(" + " OR ".join(parts) + ")", params


def _deadline_at(as_of: dt.date) -> Any:
    extension = DeadlineExtension.objects.filter(
        task=OuterRef("pk"), status=RequestStatus.APPROVED, decided_on__lte=as_of
    ).order_by("-decided_on", "-id").values("proposed_due")[:1]
    return Coalesce(Subquery(extension), F("due_date"))


# Kinds whose deadline is a date (fixed, or "to set" once it is set): due soon and overdue
# are judged against it. Standing and recurring kinds are judged by periods instead.
DATED_KINDS = [DeadlineKind.FIXED, DeadlineKind.NONE]
UNDATED_KINDS = [DeadlineKind.STANDING, *RECURRENCE_OF_KIND]
OPEN_IN_PROGRESS = [TaskState.ASSIGNED, TaskState.IN_PROGRESS, TaskState.RETURNED]


# The states the status's first tests do not settle (suspended, completed, awaiting
# confirmation): a task in one of these is in progress, standing or overdue.
UNSETTLED_STATES = [*OPEN_IN_PROGRESS, TaskState.CANCELLED]


def today_status_bound(status: str, day: dt.date) -> Q | None:
    """A condition on stored columns that every task whose status on ``day`` (today) is
    ``status`` meets: necessary, not sufficient (the status itself still decides), and
    ``None`` when there is none. Written beside the status, it lets PostgreSQL find the
    candidates of a status filter through its indexes on the state and the deadline
    (``plans_task_lead_state``, ``plans_task_agency_state``) instead of working out the
    status of every task in scope: a province's overdue list at 1,000,000 tasks visits
    15,500 table pages instead of 27,500. Only for today's status (``_CurrentStatus``),
    which follows the task's current state; ``test_status_sql`` checks it task by task."""
    if status == Status.SUSPENDED:
        return Q(state=TaskState.SUSPENDED)
    if status in (Status.COMPLETED_ON_TIME, Status.COMPLETED_LATE):
        return Q(state=TaskState.COMPLETED)
    if status == Status.AWAITING_CONFIRMATION:
        return Q(state=TaskState.SUBMITTED)
    unsettled = Q(state__in=UNSETTLED_STATES)
    if status == Status.IN_PROGRESS_OVERDUE:  # a report owed, or past its date
        return unsettled & (Q(deadline_kind__in=list(RECURRENCE_OF_KIND))
                            | Q(deadline__lt=day))
    if status == Status.STANDING:
        return unsettled & Q(deadline_kind__in=UNDATED_KINDS)
    if status == Status.IN_PROGRESS_ON_TIME:
        return unsettled
    return None


def _may_be_not_started() -> Q:
    """The engine flags *not started* on open tasks in progress and on recurring tasks
    (which owe periodic reports), never on a standing task without reporting periods."""
    return ~Q(deadline_kind=DeadlineKind.STANDING)


def annotate_status(queryset: QuerySet[Task], as_of: dt.date | None = None) -> QuerySet[Task]:
    """Add ``status``, ``deadline_at``, ``due_soon``, ``not_started`` and ``no_deadline``
    as of D (default today).

    Rows that do not count as of D (not yet assigned, cancelled) are filtered out.
    """
    today = business_today()
    day = as_of or today
    soon = day + dt.timedelta(days=due_soon_days())
    if day == today:
        return _annotate_current(queryset.filter(counted_on(day)), day, soon)
    return _annotate_historic(queryset.filter(counted_on(day)), day, soon)


class _CurrentStatus(Expression):
    """Today's status from the task's maintained fields: the engine's checks in its order
    (suspended, completed on time or late, awaiting confirmation, a recurring report owed,
    standing, past the deadline, otherwise in progress on time).

    Written as SQL here, like :class:`_RecurringOverdue`, rather than as a ``Case`` of
    ``When`` lookups: every list, statistic and dashboard query builds it, and resolving
    and compiling those lookups was the largest part of building a list's queries
    (measured, the status annotations: built 1.06 → 0.48 ms, built and compiled 2.55 →
    1.14 ms; the API's task list, server CPU 14.3 → 13.1 ms). Every value is a
    parameter; ``test_status_sql`` checks it against the engine."""

    def __init__(self, as_of: dt.date) -> None:
        super().__init__(output_field=CharField())
        self.as_of = as_of
        self.owed: Any = _RecurringOverdue(as_of)
        self.state: Any = F("state")
        self.late: Any = F("completion_late")
        self.kind: Any = F("deadline_kind")
        self.deadline: Any = F("deadline")

    def get_source_expressions(self) -> list[Any]:
        return [self.owed, self.state, self.late, self.kind, self.deadline]

    def set_source_expressions(self, exprs: Any) -> None:
        self.owed, self.state, self.late, self.kind, self.deadline = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        owed, owed_params = compiler.compile(self.owed)
        state, late, kind, deadline = (compiler.compile(column)[0] for column in (
            self.state, self.late, self.kind, self.deadline))
        undated = ", ".join(["%s"] * len(UNDATED_KINDS))
        sql = (f"CASE WHEN {state} = %s THEN %s WHEN ({state} = %s AND NOT {late}) THEN %s "
               f"WHEN {state} = %s THEN %s WHEN {state} = %s THEN %s WHEN {owed} THEN %s "
               f"WHEN {kind} IN ({undated}) THEN %s WHEN {deadline} < %s THEN %s ELSE %s END")
        params = [
            str(TaskState.SUSPENDED), str(Status.SUSPENDED),
            str(TaskState.COMPLETED), str(Status.COMPLETED_ON_TIME),
            str(TaskState.COMPLETED), str(Status.COMPLETED_LATE),
            str(TaskState.SUBMITTED), str(Status.AWAITING_CONFIRMATION),
            *owed_params, str(Status.IN_PROGRESS_OVERDUE),
            *(str(undated_kind) for undated_kind in UNDATED_KINDS), str(Status.STANDING),
            connection.ops.adapt_datefield_value(self.as_of), str(Status.IN_PROGRESS_OVERDUE),
            str(Status.IN_PROGRESS_ON_TIME),
        ]
        return sql, params


def _annotate_current(queryset: QuerySet[Task], day: dt.date, soon: dt.date) -> QuerySet[Task]:
    return queryset.annotate(
        status=_CurrentStatus(day),
        deadline_at=F("deadline"),
        awaiting_late=F("pending_late"),
        due_soon=ExpressionWrapper(
            Q(deadline_kind__in=DATED_KINDS, deadline__gte=day, deadline__lte=soon)
            & Q(state__in=OPEN_IN_PROGRESS),
            output_field=BooleanField(),
        ),
        not_started=ExpressionWrapper(
            Q(last_progress_on__isnull=True) & _may_be_not_started()
            & Q(state__in=OPEN_IN_PROGRESS),
            output_field=BooleanField(),
        ),
        no_deadline=ExpressionWrapper(
            Q(deadline_kind=DeadlineKind.NONE, deadline__isnull=True)
            & Q(state__in=OPEN_IN_PROGRESS),
            output_field=BooleanField(),
        ),
    )


def _annotate_historic(queryset: QuerySet[Task], day: dt.date, soon: dt.date) -> QuerySet[Task]:
    accepted = CompletionRequest.objects.filter(
        task=OuterRef("pk"), status=RequestStatus.APPROVED, decided_on__lte=day
    ).order_by("decided_on", "id")
    pending = CompletionRequest.objects.filter(task=OuterRef("pk"), submitted_on__lte=day).filter(
        Q(decided_on__isnull=True) | Q(decided_on__gt=day)
    ).order_by("-submitted_on", "-id")
    suspended = Suspension.objects.filter(task=OuterRef("pk"), start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gt=day)
    )
    reported = ProgressUpdate.objects.filter(task=OuterRef("pk"), reported_on__lte=day)
    queryset = queryset.annotate(
        deadline_at=_deadline_at(day),
        is_suspended=Exists(suspended),
        accepted_late=Subquery(accepted.values("late")[:1]),
        awaiting_late=Subquery(pending.values("late")[:1]),
        has_pending=Exists(pending),
        has_report=Exists(reported),
    )
    status = Case(
        When(is_suspended=True, then=Value(Status.SUSPENDED)),
        When(accepted_late=False, then=Value(Status.COMPLETED_ON_TIME)),
        When(accepted_late=True, then=Value(Status.COMPLETED_LATE)),
        When(has_pending=True, then=Value(Status.AWAITING_CONFIRMATION)),
        When(_RecurringOverdue(day), then=Value(Status.IN_PROGRESS_OVERDUE)),
        When(deadline_kind__in=UNDATED_KINDS, then=Value(Status.STANDING)),
        When(deadline_at__lt=day, then=Value(Status.IN_PROGRESS_OVERDUE)),
        default=Value(Status.IN_PROGRESS_ON_TIME),
        output_field=CharField(),
    )
    open_status = Q(is_suspended=False, accepted_late__isnull=True, has_pending=False)
    return queryset.annotate(
        status=status,
        due_soon=ExpressionWrapper(
            open_status & Q(deadline_kind__in=DATED_KINDS, deadline_at__gte=day,
                            deadline_at__lte=soon),
            output_field=BooleanField(),
        ),
        not_started=ExpressionWrapper(open_status & _may_be_not_started() & Q(has_report=False),
                                      output_field=BooleanField()),
        no_deadline=ExpressionWrapper(
            open_status & Q(deadline_kind=DeadlineKind.NONE, deadline_at__isnull=True),
            output_field=BooleanField(),
        ),
    )


def annotate_list_facts(queryset: QuerySet[Task], as_of: dt.date | None = None,
                        ) -> QuerySet[Task]:
    """On a queryset from :func:`annotate_status` for the same D, add what a list shows
    beside the status, as of D: ``progress_at`` and ``awaiting_since`` (the date of the
    completion request awaiting confirmation). Kept apart from the status so that the
    statistics' aggregate queries do not compute them.

    Progress as of D is 100 once a completion was accepted by D, otherwise the percent of
    the latest report on or before D made by the unit that led the task when it reported
    (0 before any): the rule by which the services keep ``progress`` for today. (A
    transfer and a report on the same day count as transfer first.)
    """
    today = business_today()
    day = as_of or today
    if day == today:
        return queryset.annotate(progress_at=F("progress"), awaiting_since=F("pending_since"))
    return _list_facts_historic(queryset, day)


def _list_facts_historic(queryset: QuerySet[Task], day: dt.date) -> QuerySet[Task]:
    lead_when_reported = LeadUnitChange.objects.filter(
        task=OuterRef("task_id"), changed_on__gt=OuterRef("reported_on"),
    ).order_by("changed_on", "id").values("old_unit_id")[:1]
    reported = ProgressUpdate.objects.filter(task=OuterRef("pk"), reported_on__lte=day).annotate(
        lead_then=Coalesce(Subquery(lead_when_reported), OuterRef("lead_unit_id"),
                           output_field=BigIntegerField()),
    ).filter(unit_id=F("lead_then")).order_by("-reported_on", "-id").values("percent")[:1]
    pending = CompletionRequest.objects.filter(task=OuterRef("pk"), submitted_on__lte=day).filter(
        Q(decided_on__isnull=True) | Q(decided_on__gt=day)
    ).order_by("-submitted_on", "-id").values("submitted_on")[:1]
    accepted = CompletionRequest.objects.filter(
        task=OuterRef("pk"), status=RequestStatus.APPROVED, decided_on__lte=day)
    return queryset.annotate(
        progress_at=Case(
            When(Exists(accepted), then=Value(100)),
            default=Coalesce(Subquery(reported), Value(0)),
            output_field=IntegerField(),
        ),
        awaiting_since=Subquery(pending),
    )


# Statistics --------------------------------------------------------------------------


@dataclass(frozen=True)
class StatRow:
    key: Any
    counts: engine.Counts


def derived_table(rows: QuerySet[Any]) -> tuple[str, list[Any]]:
    """The SQL of ``rows`` as a derived table that the database computes once per row,
    and its parameters: an optimisation fence keeps the table from being merged into the
    query that reads it (SQLite's flattener leaves a subquery with a LIMIT alone,
    PostgreSQL does not pull up a subquery with an OFFSET)."""
    sql, params = rows.query.sql_with_params()
    fence = "LIMIT -1" if connections[rows.db].vendor == "sqlite" else "OFFSET 0"
    return f"({sql} {fence})", list(params)


# Each :class:`engine.Counts` field as a condition on a derived row ``t`` of
# ``annotate_status`` (its status, with its flags); the statuses are parameters.
_ON_TIME = Status.IN_PROGRESS_ON_TIME.value
_COUNTED: dict[str, tuple[str, tuple[str, ...]]] = {
    **{status.value: ("t.status = %s", (status.value,)) for status in Status},
    "awaiting_late": ("t.status = %s AND t.awaiting_late",
                      (Status.AWAITING_CONFIRMATION.value,)),
    "due_soon": ("t.status = %s AND t.due_soon", (_ON_TIME,)),
    # As in engine.summarize: every task the engine flags, including recurring ones.
    "not_started": ("t.not_started", ()),
    "no_deadline": ("t.status = %s AND t.no_deadline", (_ON_TIME,)),
}


def _counted(annotated: QuerySet[Task], keys: list[str]) -> list[tuple[Any, ...]]:
    """The counts of ``annotated`` (a queryset of ``annotate_status``) per value of
    ``keys`` (fields or annotations; none: one row for all), in one query: rows of the
    keys' values followed by the :class:`engine.Counts` fields in their order.

    Each task's status is computed once, in a derived table, and counted outside it.
    Written as Django's conditional aggregates, every count repeats the whole status
    ``CASE`` (with its subqueries for a past date): twelve times the work per task. The
    city's statistics as of today 54 → 35 ms, as of a past day 1,350 → 415 ms; a
    province at 1,000,000 tasks (PostgreSQL) 223–282 → 152–181 ms and 2.3–3.5 → 1.2–1.7 s.
    """
    rows = annotated.order_by().values(*keys, "status", "awaiting_late", "due_soon",
                                       "not_started", "no_deadline")
    try:
        table, params = derived_table(rows)
    except EmptyResultSet:  # conditions no row can meet (``none()``): nothing to count
        return [] if keys else [(0,) * len(fields(engine.Counts))]
    quote = connections[annotated.db].ops.quote_name
    group = ", ".join(f"t.{quote(key)}" for key in keys)
    columns: list[str] = [*(f"t.{quote(key)}" for key in keys), "COUNT(*)"]
    condition_params: list[Any] = []
    for item in fields(engine.Counts)[1:]:
        condition, values = _COUNTED[item.name]
        columns.append(f"COUNT(*) FILTER (WHERE {condition})")
        condition_params.extend(values)
    # Every piece is a quoted name, written here or compiled by Django; values are
    # parameters, in the order of the text.
    query = f"SELECT {', '.join(columns)} FROM {table} t"  # noqa: S608
    if keys:
        query += f" GROUP BY {group}"
    with connections[annotated.db].cursor() as cursor:
        cursor.execute(query, [*condition_params, *params])
        return cursor.fetchall()


def lead_path_at(as_of: dt.date | None) -> Any:
    """The lead unit's path as of D: before a transfer, the old unit still counts."""
    if as_of is None or as_of >= business_today():
        return F("lead_unit__path")
    earlier = LeadUnitChange.objects.filter(task=OuterRef("pk"), changed_on__gt=as_of).order_by(
        "changed_on", "id").values("old_unit__path")[:1]
    return Coalesce(Subquery(earlier), F("lead_unit__path"))


def statistics(queryset: QuerySet[Task], as_of: dt.date | None = None) -> engine.Counts:
    """All status counts for the tasks of ``queryset`` as of D, in one aggregate query."""
    # Without keys the aggregate has no GROUP BY: always exactly one row, zeros included.
    return engine.Counts(*_counted(annotate_status(queryset, as_of), [])[0])


def lead_unit_at(as_of: dt.date | None) -> Any:
    """The lead unit's id as of D (like :func:`lead_path_at`)."""
    if as_of is None or as_of >= business_today():
        return F("lead_unit_id")
    earlier = LeadUnitChange.objects.filter(task=OuterRef("pk"), changed_on__gt=as_of).order_by(
        "changed_on", "id").values("old_unit_id")[:1]
    return Coalesce(Subquery(earlier), F("lead_unit_id"), output_field=BigIntegerField())


def statistics_by(queryset: QuerySet[Task], key: str, as_of: dt.date | None = None,
                  ) -> list[StatRow]:
    """Counts grouped by a field (``document``, ``group``, ``lead_unit``…): one query.
    Grouped by ``lead_unit``, a task counts for the unit that led it on D."""
    annotated = annotate_status(queryset, as_of)
    if key == "lead_unit":
        annotated = annotated.annotate(lead_unit_on=lead_unit_at(as_of))
        key = "lead_unit_on"
    return [StatRow(key=row[0], counts=engine.Counts(*row[1:]))
            for row in _counted(annotated, [key])]


def _by_branch(queryset: QuerySet[Task], parent_path: str, steplen: int,
               as_of: dt.date | None, *keys: str) -> list[tuple[Any, ...]]:
    """Rows of :func:`_counted` for the tasks led on D by the subtree of ``parent_path``,
    grouped by child subtree (``branch``: the child's path, or ``parent_path`` for the
    parent's own tasks) and by ``keys``."""
    annotated = (
        annotate_status(queryset, as_of)
        .annotate(lead_path=lead_path_at(as_of))
        .filter(lead_path__startswith=parent_path)
        .annotate(branch=Substr("lead_path", 1, len(parent_path) + steplen))
    )
    return _counted(annotated, ["branch", *keys])


def statistics_by_subtree(queryset: QuerySet[Task], *, parent_path: str, steplen: int,
                          as_of: dt.date | None = None) -> list[StatRow]:
    """Counts per child subtree of the unit with ``parent_path`` (each child with all its
    descendants), plus the parent's own tasks under the key ``parent_path``: one query."""
    return [StatRow(key=row[0], counts=engine.Counts(*row[1:]))
            for row in _by_branch(queryset, parent_path, steplen, as_of)]


@dataclass(frozen=True)
class SubtreeStatistics:
    """The counts of the tasks a unit's subtree led on D: in all, per child subtree (the
    unit's own tasks under its own path) and per document."""

    total: engine.Counts
    branches: dict[str, engine.Counts]
    documents: dict[int, engine.Counts]


def subtree_statistics(queryset: QuerySet[Task], *, parent_path: str, steplen: int,
                       as_of: dt.date | None = None) -> SubtreeStatistics:
    """:class:`SubtreeStatistics` in ONE pass over the tasks: counted per (child subtree,
    document) by the database and added up here, since every field is a count. Three
    aggregates (in all, per child, per document) each computed the status of every task
    again: a province's statistics at 1,000,000 tasks took three times 230 ms."""
    width = len(fields(engine.Counts))
    total = [0] * width
    branches: dict[str, list[int]] = {}
    documents: dict[int, list[int]] = {}
    # Plain lists added in place: a province has thousands of (branch, document) groups.
    for branch, document, *values in _by_branch(queryset, parent_path, steplen, as_of,
                                                "document"):
        for sums in (total, branches.setdefault(branch, [0] * width),
                     documents.setdefault(document, [0] * width)):
            for index, value in enumerate(values):
                sums[index] += value
    return SubtreeStatistics(
        total=engine.Counts(*total),
        branches={key: engine.Counts(*sums) for key, sums in branches.items()},
        documents={key: engine.Counts(*sums) for key, sums in documents.items()})


# Engine facts from the database ------------------------------------------------------


def facts_for(task: Task) -> engine.TaskFacts:
    """The engine's input for one task (used by detail pages and by the agreement tests).

    Reads the prefetched relations when present (``extensions``, ``completion_requests``,
    ``suspensions``, ``updates``).
    """
    return engine.TaskFacts(
        assigned_on=task.assigned_on,
        due=task.due_date,
        recurrence=RECURRENCE_OF_KIND.get(task.deadline_kind, Recurrence.NONE),  # type: ignore[call-overload]
        deadline_to_set=task.deadline_kind == DeadlineKind.NONE,
        cancelled_on=task.cancelled_on,
        extensions=tuple(
            engine.Extension(approved_on=ext.decided_on, new_due=ext.proposed_due)
            for ext in sorted(task.extensions.all(), key=_decision_order)
            if ext.status == RequestStatus.APPROVED and ext.decided_on is not None
        ),
        completion_requests=tuple(
            engine.CompletionRequest(
                submitted_on=request.submitted_on, decided_on=request.decided_on,
                # Returned and withdrawn requests both end, not accepted, on ``decided_on``.
                accepted=None if request.status == RequestStatus.PENDING
                else request.status == RequestStatus.APPROVED,
            )
            for request in task.completion_requests.all()
        ),
        suspensions=tuple(engine.Suspension(start=s.start, end=s.end)
                          for s in task.suspensions.all()),
        progress_dates=tuple(update.reported_on for update in task.updates.all()),
    )


def _decision_order(extension: DeadlineExtension) -> tuple[dt.date, int]:
    return (extension.decided_on or dt.date.min, extension.pk)


def evaluate_task(task: Task, as_of: dt.date | None = None) -> engine.Evaluation | None:
    return engine.evaluate(facts_for(task), as_of or business_today(),
                           due_soon_days=due_soon_days())


def progress_on(task: Task, as_of: dt.date | None = None) -> int:
    """The task's progress % as of D, by the rule of :func:`annotate_list_facts`, from its
    (prefetched) ``updates``, ``completion_requests`` and ``lead_changes``."""
    day = as_of or business_today()
    if day >= business_today():
        return task.progress
    if any(request.status == RequestStatus.APPROVED and request.decided_on is not None
           and request.decided_on <= day for request in task.completion_requests.all()):
        return 100
    changes = sorted(task.lead_changes.all(), key=lambda change: (change.changed_on, change.pk))

    def lead_when(reported_on: dt.date) -> int:
        later = [change for change in changes if change.changed_on > reported_on]
        return later[0].old_unit_id if later else task.lead_unit_id

    reports = [(update.reported_on, update.pk, update.percent) for update in task.updates.all()
               if update.reported_on <= day and update.unit_id == lead_when(update.reported_on)]
    return max(reports)[2] if reports else 0
