"""Reads of documents and tasks, always starting from the scoping functions.

``task_list`` is the one place that turns filters into a queryset: the task pages, the
Excel export, statistics pages and the API all call it, so they agree on what a user
sees and on what every filter means.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Expression, OrderBy, RawSQL, Window
from django.db.models.functions import StrIndex
from django.db.models.sql.where import WhereNode

from dondoc.core import limits
from dondoc.core.dates import DayOutOfRange, parse_day
from dondoc.core.paging import paginate_counted
from dondoc.core.text import SEARCH_WORDS, containing_words, fold
from dondoc.organization import scoping
from dondoc.organization.models import Unit, User
from dondoc.plans.models import (
    CompletionRequest,
    DeadlineExtension,
    Direction,
    Document,
    LeadUnitChange,
    RequestStatus,
    Task,
    TaskComment,
    TaskEvent,
    TaskState,
)
from dondoc.progress.engine import Counts, Status, period_containing
from dondoc.progress.selectors import (
    DATED_KINDS,
    OPEN_IN_PROGRESS,
    RECURRENCE_OF_KIND,
    annotate_list_facts,
    annotate_status,
    business_today,
    lead_unit_at,
    today_status_bound,
)

SORTS = {
    "deadline": ("deadline_at", "code"),
    "-deadline": ("-deadline_at", "code"),
    "code": ("code",),
    "-priority": ("-priority", "deadline_at", "code"),
    "progress": ("progress_at", "code"),
    "-progress": ("-progress_at", "code"),
    # The overdue list: most days overdue first (the oldest deadline), or fewest.
    "-days_overdue": ("overdue_since", "code"),
    "days_overdue": ("-overdue_since", "code"),
    # The awaiting list: the oldest request first, or the newest.
    "requested": ("awaiting_since", "code"),
    "-requested": ("-awaiting_since", "code"),
    "-updated": ("-updated_at",),
}
# Most urgent first: by status rank, then the nearest deadline, then priority.
URGENCY = [Status.IN_PROGRESS_OVERDUE, Status.IN_PROGRESS_ON_TIME, Status.AWAITING_CONFIRMATION,
           Status.STANDING, Status.SUSPENDED, Status.COMPLETED_LATE, Status.COMPLETED_ON_TIME]
# Due-soon tasks come right after the overdue ones: first among those in progress on time.
URGENCY_ORDER = ("urgency", F("due_soon").desc(), F("deadline_at").asc(nulls_last=True),
                 "-priority", "code")
# The rank is the position of the status's name in this text. No status name is part of
# another (checked below), so the positions order like the list.
URGENCY_NAMES = "|".join(URGENCY)
TODAY_URGENCY_ORDER = ("urgency", F("deadline").asc(nulls_last=True), "-priority", "code")
# The same order on SQLite, whose indexes cannot hold NULLS LAST: "deadline IS NULL", then
# the deadline. Its expression index (migration plans 0013) holds exactly these terms, so
# a page of a broad list is an index walk that stops after its rows instead of a sort of
# every task (the city's second page: 11 ms → 0.04 ms of SQL).
SQLITE_TODAY_URGENCY_ORDER = ("urgency", "deadline_missing", "deadline", "-priority", "code")
assert all(a == b or a not in b for a in URGENCY for b in URGENCY)


class TodayUrgency(Expression):
    """Today's urgency rank from stored fields: 0 open with a dated (or to-be-set)
    deadline, 1 awaiting confirmation, 2 other open tasks, 3 suspended, 4 closed.

    Its values are written into the SQL text, not passed as parameters: a database
    matches an ORDER BY to an expression index only on the same expression, and on
    SQLite a bound parameter matches no literal. The text is the one the indexes of
    migrations plans 0009 (PostgreSQL) and 0013 (SQLite) were made from; the tests read
    both plans."""

    def __init__(self) -> None:
        super().__init__(output_field=IntegerField())
        self.state: Any = F("state")
        self.kind: Any = F("deadline_kind")

    def get_source_expressions(self) -> list[Any]:
        return [self.state, self.kind]

    def set_source_expressions(self, exprs: Any) -> None:
        self.state, self.kind = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        state, _state_params = compiler.compile(self.state)
        kind, _kind_params = compiler.compile(self.kind)
        open_states = _literals(OPEN_IN_PROGRESS)
        return (f"CASE WHEN ({kind} IN ({_literals(DATED_KINDS)}) AND {state} IN "
                f"({open_states})) THEN 0 WHEN ({state} = {_literals([TaskState.SUBMITTED])}) "
                f"THEN 1 WHEN ({state} IN ({open_states})) THEN 2 WHEN ({state} = "
                f"{_literals([TaskState.SUSPENDED])}) THEN 3 ELSE 4 END"), []


def _literals(values: list[Any]) -> str:
    """Choice values as SQL string literals (lower-case words only: nothing to escape)."""
    assert all(re.fullmatch(r"[a-z_]+", str(value)) for value in values), values
    return ", ".join(f"'{value}'" for value in values)


# The officers named on each task, with their unit (shown in lists and on the task page).
ASSIGNEES = Prefetch("assignees", queryset=User.objects.select_related("unit").order_by(
    "last_name", "first_name", "username"))
# A list row names its officers only: their names, not their accounts' other columns, as a
# plain list (``task.listed_assignees``): a prefetch into ``task.assignees`` builds a
# filtered queryset per row, which cost more than reading the rows (issue 15).
LIST_ASSIGNEES = Prefetch("assignees", queryset=User.objects.only(
    "pk", "username", "first_name", "last_name", "unit_id").order_by(
    "last_name", "first_name", "username"), to_attr="listed_assignees")


def listed(task: Task, prefetch: Prefetch) -> list[Any]:
    """A task's related rows as a list query read them with ``prefetch`` (a ``to_attr``
    prefetch such as :data:`LIST_ASSIGNEES`), or, on a task read otherwise, through the
    relation itself (one query)."""
    rows = getattr(task, prefetch.to_attr or "", None)
    return list(getattr(task, prefetch.prefetch_through).all()) if rows is None else rows


def listed_assignees(task: Task) -> list[Any]:
    """The officers named on a task of a list (read with :data:`LIST_ASSIGNEES`), or on
    any other task (one query)."""
    return listed(task, LIST_ASSIGNEES)


@dataclass
class TaskFilters:
    """Every filter of the task list. Unknown or invalid values are reported, not guessed."""

    document: int | None = None
    group: int | None = None
    lead: int | None = None  # a unit id; with ``subtree`` its descendants too
    subtree: bool = True
    coordinator: int | None = None
    unit_role: str = ""  # "lead" | "coordinator" | "" : relative to ``involving``
    involving: int | None = None  # a unit whose tasks (as lead or coordinator) are wanted
    involving_me_too: bool = False  # with ``involving``: also tasks assigned to the user
    status: str = ""  # a Status value or "due_soon" / "not_started" / "no_deadline" / a group
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    priority: int | None = None
    query: str = ""
    as_of: dt.date | None = None
    parent: int | None = None
    top_level_only: bool = False
    extension_pending: bool = False  # a deadline extension waits for a decision
    to_decide: bool = False  # a request this user may decide waits (decide=mine)
    direction_pending: bool = False  # a direction waits to be acknowledged
    assignee: int | None = None  # an officer named on the task (cán bộ được giao)
    assignee_me: bool = False  # the signed-in user is named on the task
    ungrouped: bool = False  # tasks outside any group of their document
    with_subdocuments: bool = False  # ``document`` includes its implementing documents
    needs_review: bool = False  # an import left a flag to review
    sort: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def filters_from_params(params: Any) -> TaskFilters:
    """Read filters from a QueryDict or a plain dict; bad values land in ``errors``."""
    from django.utils.translation import gettext as _

    filters = TaskFilters()

    def integer(name: str) -> int | None:
        raw = (params.get(name) or "").strip()
        if not raw:
            return None
        try:
            number = int(raw)
        except ValueError:
            number = None
        if number is None or not limits.id_in_range(number):
            filters.errors[name] = _("Not a valid number: %(value)s") % {"value": raw[:30]}
            return None
        return number

    def day(name: str) -> dt.date | None:
        try:
            return parse_day(params.get(name))
        except DayOutOfRange:
            filters.errors[name] = _("Enter a date between %(first)s and %(last)s.") % {
                "first": limits.MIN_DAY.strftime("%d/%m/%Y"),
                "last": limits.MAX_DAY.strftime("%d/%m/%Y")}
            return None
        except ValueError:
            filters.errors[name] = _("Enter a valid date as dd/mm/yyyy.")
            return None

    filters.document = integer("document")
    filters.with_subdocuments = params.get("subdocs") == "1"
    if (params.get("group") or "").strip() == "none":
        filters.ungrouped = True
    else:
        filters.group = integer("group")
    filters.lead = integer("lead")
    filters.subtree = params.get("subtree", "1") != "0"
    filters.coordinator = integer("coordinator")
    filters.involving = integer("unit")
    filters.involving_me_too = params.get("mine_too") == "1"
    role = params.get("role", "")
    filters.unit_role = role if role in {"lead", "coordinator"} else ""
    filters.status = (params.get("status") or "").strip()
    valid_status = {s.value for s in Status} | {"due_soon", "not_started", "no_deadline", "open",
                                                "overdue", "completed"}
    if filters.status and filters.status not in valid_status:
        filters.errors["status"] = _("Unknown status: %(value)s") % {"value": filters.status}
        filters.status = ""
    filters.due_from = day("due_from")
    filters.due_to = day("due_to")
    filters.as_of = day("as_of")
    filters.priority = integer("priority")
    filters.parent = integer("parent")
    filters.top_level_only = params.get("top") == "1"
    filters.extension_pending = params.get("extension") == "pending"
    filters.to_decide = params.get("decide") == "mine"
    filters.direction_pending = params.get("direction") == "unacknowledged"
    if (params.get("assignee") or "").strip() == "me":
        filters.assignee_me = True
    else:
        filters.assignee = integer("assignee")
    filters.needs_review = params.get("needs_review") == "1"
    filters.query = (params.get("q") or "").strip()[:200]
    sort = params.get("sort") or ""
    filters.sort = sort if sort in SORTS else ""
    return filters


STATUS_GROUPS = {
    "open": [Status.IN_PROGRESS_ON_TIME, Status.IN_PROGRESS_OVERDUE, Status.AWAITING_CONFIRMATION,
             Status.STANDING, Status.SUSPENDED],
    "overdue": [Status.IN_PROGRESS_OVERDUE],
    "completed": [Status.COMPLETED_ON_TIME, Status.COMPLETED_LATE],
}


def _unit_path(user: Any, unit_id: int) -> str | None:
    """The path of a unit ``user`` sees (``None``: not visible); not read again when the
    API has just read it for this request (:func:`remember_unit_paths`)."""
    known: dict[int, str | None] = getattr(user, "_dondoc_unit_paths", {})
    if unit_id in known:
        return known[unit_id]
    return scoping.units_visible_to(user).filter(pk=unit_id).values_list(
        "path", flat=True).first()


def remember_unit_paths(user: Any, unit_ids: list[int]) -> dict[int, str]:
    """The paths of those of ``unit_ids`` that ``user`` sees, in one query, kept on this
    request's ``user`` for its list filters (see :func:`_unit_path`). Only for a user
    object that lives as long as one request (the API's caller)."""
    found = dict(scoping.units_visible_to(user).filter(pk__in=unit_ids)
                 .values_list("pk", "path"))
    user._dondoc_unit_paths = {pk: found.get(pk) for pk in unit_ids}
    return found


def _subtree(path: str) -> QuerySet[Unit]:
    """The units of a subtree, as a subquery: ``lead_unit_id IN (…)`` lets the database
    start from the subtree's tasks (index on the lead unit) instead of testing the path of
    every task's lead unit, and one list of ids serves every row."""
    return Unit.objects.filter(path__startswith=path).values("pk")


def _coordinated_by(**unit_lookup: Any) -> QuerySet[Any]:
    """Ids of the tasks coordinated by the given units, as a subquery (same reason)."""
    return Task.coordinating_units.through.objects.filter(**unit_lookup).values("task_id")


def tasks_awaiting_decision_by(user: Any) -> QuerySet[Task]:
    """Tasks with a pending completion or extension request that ``user`` may decide: in
    :func:`scoping.tasks_requests_decidable_by` and not requested by the user."""
    completions = CompletionRequest.objects.filter(status=RequestStatus.PENDING).exclude(
        submitted_by=user)
    extensions = DeadlineExtension.objects.filter(status=RequestStatus.PENDING).exclude(
        requested_by=user)
    return scoping.tasks_requests_decidable_by(user).filter(
        _has_row(completions, "task_id") | _has_row(extensions, "task_id"))


def _has_row(rows: QuerySet[Any], column: str) -> Q:
    """The tasks that ``rows`` name in ``column``: on PostgreSQL a correlated EXISTS,
    probed for each task through an index, on SQLite ``pk IN (the set)``. On PostgreSQL an
    ``IN`` ORed with another made it read every task and every request of the database (a
    province's "to decide" card at 1,000,000 tasks: 545 → 42 ms as EXISTS). SQLite's
    ``IN`` builds the set once and its EXISTS probes cost more (the bench city's list to
    decide: 14 ms as IN, 29 ms as EXISTS)."""
    if connections[rows.db].vendor == "postgresql":
        return Q(Exists(rows.filter(**{column: OuterRef("pk")})))
    return Q(pk__in=rows.values(column))


def task_scope(*, user: Any, filters: TaskFilters) -> QuerySet[Task]:
    """The visible tasks matching the filters that do not depend on status or deadline."""
    # The lead or unit filter's subtree, looked up once (None: not visible, or no filter).
    lead_path = _unit_path(user, filters.lead) if filters.lead else None
    involving_path = _unit_path(user, filters.involving) if filters.involving else None
    # A filter that keeps only tasks led or coordinated in one subtree (as it is today: not
    # the lead "as of" a past date, nor an officer's own tasks besides) lets the scope
    # skip its per-row test of unit paths when that subtree lies inside the scope.
    subtree = (lead_path if filters.as_of is None else None) or (
        involving_path if not filters.involving_me_too else None)
    tasks = (scoping.tasks_visible_for_subtree(user, subtree) if subtree is not None
             else scoping.tasks_visible_to(user))
    if filters.document and filters.with_subdocuments:
        tasks = tasks.filter(document_id__in=document_with_descendants(user=user,
                                                                       pk=filters.document))
    elif filters.document:
        tasks = tasks.filter(document_id=filters.document)
    if filters.group:
        tasks = tasks.filter(group_id=filters.group)
    if filters.ungrouped:
        tasks = tasks.filter(group__isnull=True)
    if filters.to_decide:  # exactly the tasks whose pending request this user may decide
        tasks = tasks.filter(_has_row(tasks_awaiting_decision_by(user), "pk"))
    if filters.direction_pending:
        tasks = tasks.filter(pk__in=Direction.objects.filter(
            acknowledged_at__isnull=True).values("task_id"))
    if filters.assignee_me or filters.assignee:
        person: int = user.pk if filters.assignee_me else (filters.assignee or 0)
        tasks = tasks.filter(pk__in=Task.assignees.through.objects.filter(
            user_id=person).values("task_id"))
    if filters.parent:
        tasks = tasks.filter(parent_id=filters.parent)
    if filters.extension_pending:
        tasks = tasks.filter(pk__in=DeadlineExtension.objects.filter(
            status=RequestStatus.PENDING).values("task_id"))
    if filters.needs_review:
        from dondoc.imports.selectors import needs_review_q

        tasks = tasks.filter(needs_review_q())
    if filters.top_level_only:
        tasks = tasks.filter(parent__isnull=True)
    if filters.lead:
        path = lead_path
        if path is None:
            return tasks.none()
        if filters.as_of is not None:
            # The unit that led the task on that date, as the statistics count it: a
            # dashboard's number as of a past date lands on exactly the tasks it counted.
            tasks = tasks.annotate(lead_unit_on=lead_unit_at(filters.as_of))
            tasks = (tasks.filter(lead_unit_on__in=_subtree(path)) if filters.subtree
                     else tasks.filter(lead_unit_on=filters.lead))
        else:
            tasks = (tasks.filter(scoping.among_ids("lead_unit_id", _subtree(path)))
                     if filters.subtree else tasks.filter(lead_unit_id=filters.lead))
    if filters.coordinator:
        tasks = tasks.filter(scoping.among_ids(
            "pk", _coordinated_by(unit_id=filters.coordinator)))
    if filters.involving:
        path = involving_path
        if path is None:
            return tasks.none()
        # Each part an indexed read of a few ids (PostgreSQL: a BitmapOr), so that a unit's
        # few dozen tasks are found directly, not by walking the urgency order of every
        # task of the agency (an officer's list at 1 M tasks: 2.1 s).
        as_lead = scoping.among_ids("lead_unit_id", _subtree(path))
        as_coordinator = scoping.among_ids("pk", _coordinated_by(unit__in=_subtree(path)))
        if filters.unit_role == "lead":
            tasks = tasks.filter(as_lead)
        elif filters.unit_role == "coordinator":
            tasks = tasks.filter(as_coordinator)
        elif filters.involving_me_too:
            # An officer's own tasks: the unit's, and those assigned to the officer by name.
            tasks = tasks.filter(as_lead | as_coordinator | scoping.among_ids(
                "pk", Task.assignees.through.objects.filter(user_id=user.pk)
                .values("task_id")))
        else:
            tasks = tasks.filter(as_lead | as_coordinator)
    if filters.priority:
        tasks = tasks.filter(priority=filters.priority)
    if filters.query:
        narrowed = any((filters.lead, filters.involving, filters.coordinator, filters.document,
                        filters.group, filters.parent, filters.assignee, filters.assignee_me,
                        filters.to_decide, filters.direction_pending, filters.extension_pending))
        tasks = tasks_containing_words(tasks, filters.query, narrowed=narrowed)
    return tasks


# SQLite's trigram index of the tasks' search text (plans migration 0012). The trigram
# tokenizer finds a quoted string of three or more characters as a substring: the same
# matches as LIKE '%word%'. Shorter words keep LIKE, on the rows the index left.
TASK_SEARCH_TABLE = "plans_task_search"
TRIGRAM = 3


def _task_search_index(alias: str) -> bool:
    """Whether the database ``alias`` has the trigram index (an SQLite built without FTS5
    has none); asked once per connection settings."""
    connection = connections[alias]
    if connection.vendor != "sqlite":
        return False
    known: dict[Any, bool] = connection.__dict__.setdefault("_dondoc_task_search", {})
    name = connection.settings_dict["NAME"]
    if name not in known:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s",
                           [TASK_SEARCH_TABLE])
            known[name] = cursor.fetchone() is not None
    return known[name]


def tasks_containing_words(tasks: QuerySet[Task], query: str, *,
                           narrowed: bool = False) -> QuerySet[Task]:
    """:func:`~dondoc.core.text.containing_words` for tasks: on SQLite the words of three
    or more characters are looked up in the trigram index (one subquery for all of them)
    instead of testing every task's text (the bench city's search: 9 -> 5 ms of SQL).

    ``narrowed``: another filter (a unit, a document, a person) already picks a few tasks
    through an index. The words are then tested on those tasks' text: the index would
    list every task of the city holding a common word first (a district's overdue tasks
    with the word "don": 1.5 ms with LIKE, 3.6 ms led by the index's matches)."""
    if narrowed or not _task_search_index(tasks.db):
        return containing_words(tasks, query)
    words = fold(query).split()[:SEARCH_WORDS]
    indexed = [word for word in words if len(word) >= TRIGRAM]
    if indexed:
        # Each word a quoted FTS5 string (its quotes doubled): every character is literal.
        match = " ".join('"' + word.replace('"', '""') + '"' for word in indexed)
        # A constant table name; the words are the parameter.
        tasks = tasks.filter(pk__in=RawSQL(  # noqa: S611
            f"SELECT rowid FROM {TASK_SEARCH_TABLE} WHERE {TASK_SEARCH_TABLE} MATCH %s",  # noqa: S608
            [match]))
    for word in words:
        if len(word) < TRIGRAM:
            tasks = tasks.filter(search_text__contains=word)
    return tasks


def status_condition(status: str) -> Q:
    """The rows of a list's status filter, on a queryset annotated by ``annotate_status``
    (the list's filter and the home page's counts both use it)."""
    if status == "due_soon":
        return Q(status=Status.IN_PROGRESS_ON_TIME, due_soon=True)
    if status == "not_started":
        return Q(not_started=True)  # the engine's flag, as counted
    if status == "no_deadline":
        return Q(status=Status.IN_PROGRESS_ON_TIME, no_deadline=True)
    if status in STATUS_GROUPS:
        return Q(status__in=STATUS_GROUPS[status])
    return Q(status=status)


def status_bound(status: str, day: dt.date) -> Q | None:
    """What every row of a list's status filter meets on stored columns, for today's
    status (:func:`dondoc.progress.selectors.today_status_bound`), or None."""
    statuses: list[str] = (
        [Status.IN_PROGRESS_ON_TIME] if status in ("due_soon", "no_deadline")
        else list(STATUS_GROUPS.get(status, [status])))
    combined = Q()
    for one in statuses:
        bound = today_status_bound(one, day)
        if bound is None:
            return None
        combined |= bound
    return combined


def task_list_counts(*, user: Any, params: Any, statuses: list[str]) -> dict[str, int]:
    """For each of ``statuses``, the number of rows of the list ``params`` with that
    status filter added, in one query: the same list (:func:`task_list` without its
    status), counted under each status's own condition (:func:`status_condition`)."""
    filters = filters_from_params({**{key: params.get(key) for key in params}, "status": ""})
    tasks = task_list(user=user, filters=filters)
    counts = tasks.aggregate(**{f"count_{status}": Count("pk", filter=status_condition(status))
                                for status in statuses})
    return {status: counts[f"count_{status}"] for status in statuses}


def task_list(*, user: Any, filters: TaskFilters) -> QuerySet[Task]:
    """The tasks ``user`` may see that match ``filters``, with their status as of the date,
    ready to render (related rows joined, nothing fetched per row). The default order is
    the most urgent first: overdue, due soon, in progress, awaiting, standing, closed."""
    tasks = task_scope(user=user, filters=filters)
    # Annotated with status fields the type checker cannot see: keep it loosely typed.
    annotated: Any = annotate_list_facts(annotate_status(tasks, filters.as_of), filters.as_of)
    if filters.due_from:
        annotated = annotated.filter(deadline_at__gte=filters.due_from)
    if filters.due_to:
        annotated = annotated.filter(deadline_at__lte=filters.due_to)
    if filters.status:
        annotated = annotated.filter(status_condition(filters.status))
        # The same rows, found through PostgreSQL's state indexes. SQLite would walk its
        # state index and then fetch most of the city's rows one by one: slower than its
        # scan (the bench city's overdue list, 20.7 → 27.4 ms), so it goes without.
        if filters.as_of is None and connections[tasks.db].vendor == "postgresql":
            bound = status_bound(filters.status, business_today())
            if bound is not None:
                annotated = annotated.filter(bound)
    if not filters.sort and filters.as_of is None:
        # Today: the same urgency from stored fields, so the database sorts on plain columns
        # and computes the status only for the rows of the page. Open tasks with a fixed
        # deadline come first by deadline (overdue, then due soon, then the rest).
        annotated = annotated.annotate(urgency=TodayUrgency())
        today_order: tuple[Any, ...] = TODAY_URGENCY_ORDER
        if connections[annotated.db].vendor == "sqlite":
            annotated = annotated.annotate(deadline_missing=ExpressionWrapper(
                Q(deadline__isnull=True), output_field=BooleanField()))
            today_order = SQLITE_TODAY_URGENCY_ORDER
        result: QuerySet[Task] = annotated.select_related(
            "lead_unit", "document", "group").prefetch_related(LIST_ASSIGNEES).order_by(
            *today_order)
        return result
    if not filters.sort:
        # One evaluation of the status per row. A Case(When(status=…)) per rank would repeat
        # the whole status CASE in every branch: several times the SQL work on a city's
        # tasks, and milliseconds more to compile each list query (see docs/performance.md).
        annotated = annotated.annotate(urgency=StrIndex(Value(URGENCY_NAMES), F("status")))
    if filters.sort.endswith("days_overdue"):
        annotated = annotated.annotate(overdue_since=_overdue_since(filters.as_of))
    order = SORTS.get(filters.sort, URGENCY_ORDER)
    ordered: QuerySet[Task] = annotated.select_related(
        "lead_unit", "document", "group").prefetch_related(LIST_ASSIGNEES).order_by(*order)
    return ordered


def document_with_descendants(*, user: Any, pk: int) -> list[int]:
    """The visible document ``pk`` and every visible document implementing it, at any depth."""
    children: dict[int | None, list[int]] = {}
    for doc_pk, parent_pk in scoping.documents_visible_to(user).values_list("pk", "parent_id"):
        children.setdefault(parent_pk, []).append(doc_pk)
    found: list[int] = []
    stack = [pk]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.append(current)
        stack.extend(children.get(current, []))
    return found


@dataclass(frozen=True)
class DocumentRollup:
    """A document's tasks together with those of every document implementing it."""

    counts: Counts
    progress: float | None  # mean progress of the top-level tasks, all documents together
    own_total: int  # tasks registered on the document itself


def document_rollups(*, user: Any) -> dict[int, DocumentRollup]:
    """Per visible document, its visible tasks' counts and progress rolled up over its
    implementing documents (at any depth): three queries whatever the number of documents."""
    from dondoc.progress.selectors import statistics_by

    children: dict[int | None, list[int]] = {}
    pks: list[int] = []
    for doc_pk, parent_pk in scoping.documents_visible_to(user).values_list("pk", "parent_id"):
        children.setdefault(parent_pk, []).append(doc_pk)
        pks.append(doc_pk)
    tasks = scoping.tasks_visible_to(user)
    own = {row.key: row.counts for row in statistics_by(tasks, "document")}
    sums = {row["document"]: (row["total"] or 0, row["n"]) for row in
            tasks.filter(parent__isnull=True).order_by().values("document")
            .annotate(total=Sum("progress"), n=Count("pk"))}
    result: dict[int, DocumentRollup] = {}
    totals: dict[int, tuple[Counts, int, int]] = {}

    def walk(pk: int, seen: frozenset[int]) -> tuple[Counts, int, int]:
        if pk in totals:
            return totals[pk]
        counts, progress_sum, top_level = own.get(pk, Counts()), *sums.get(pk, (0, 0))
        for child in children.get(pk, []):
            if child in seen:
                continue  # a cycle would be a data error; never loop on it
            child_counts, child_sum, child_n = walk(child, seen | {child})
            counts = counts + child_counts
            progress_sum, top_level = progress_sum + child_sum, top_level + child_n
        totals[pk] = (counts, progress_sum, top_level)
        return totals[pk]

    for pk in pks:
        counts, progress_sum, top_level = walk(pk, frozenset({pk}))
        result[pk] = DocumentRollup(counts=counts,
                                    progress=progress_sum / top_level if top_level else None,
                                    own_total=own.get(pk, Counts()).total)
    return result


def my_tasks_params(user: Any, params: Any) -> dict[str, Any]:
    """The parameters of "my tasks" as the list applies them: the user's own unit unless
    another is asked for, and (for the unit as a whole) the tasks assigned to the user."""
    effective = {key: params.get(key) for key in params}
    effective.setdefault("unit", str(user.unit_id) if user.unit_id else "")
    effective.setdefault("mine_too", "1")
    return effective


def describe_filters(*, user: Any, filters: TaskFilters) -> list[tuple[str, str]]:
    """The filters of a list in words (label, value), for a printed list's header."""
    return [(label, value) for label, value, _keys in _filter_words(user, filters)]


@dataclass(frozen=True)
class FilterChip:
    """An active filter of a list, in words, with the parameters that remove it."""

    label: str
    value: str
    keys: tuple[str, ...]


def filter_chips(*, user: Any, filters: TaskFilters, params: Any) -> list[FilterChip]:
    """The filters the user chose (those in ``params``, the query string; not a list's own
    defaults such as "my unit"), each to show above the results as a removable chip."""
    from django.utils.translation import gettext as _

    words = [*_filter_words(user, filters)]
    if filters.as_of:
        words.append((_("Status as of"), filters.as_of.strftime("%d/%m/%Y"), ("as_of",)))
    if filters.needs_review:
        words.append((_("Import flags"), _("Only tasks with import flags to review"),
                      ("needs_review",)))
    # The filters a home card opens a list with have their own chips (_special_filters).
    shown_apart = {"extension", "group"} if filters.ungrouped else {"extension"}
    return [FilterChip(label=label, value=value, keys=keys) for label, value, keys in words
            if not shown_apart & set(keys) and any(params.get(key) for key in keys)]


def _filter_words(user: Any, filters: TaskFilters) -> list[tuple[str, str, tuple[str, ...]]]:
    """The filters of a list as (label, value, query parameters that set it)."""
    from django.utils.translation import gettext as _

    from dondoc.plans.models import Priority, TaskGroup
    from dondoc.progress.labels import status_choices

    described: list[tuple[str, str, tuple[str, ...]]] = []
    units = dict((pk, f"{code} — {name}") for pk, code, name in scoping.units_visible_to(user)
                 .filter(pk__in=[pk for pk in (filters.lead, filters.coordinator,
                                               filters.involving) if pk])
                 .values_list("pk", "code", "name"))
    if filters.document:
        number = scoping.documents_visible_to(user).filter(pk=filters.document).values_list(
            "number", flat=True).first()
        described.append((_("Document"), number or "—", ("document", "subdocs")))
    if filters.group:
        group = TaskGroup.objects.filter(pk=filters.group).first()
        described.append((_("Task group"), str(group) if group else "—", ("group",)))
    if filters.involving:
        role = {"lead": _("as lead unit"), "coordinator": _("as coordinating unit")}.get(
            filters.unit_role, _("as lead or coordinator"))
        described.append((_("Unit"), f"{units.get(filters.involving, '—')} ({role})",
                          ("unit", "role")))
    if filters.lead:
        suffix = "" if filters.subtree else f" ({_('without sub-units')})"
        described.append((_("Lead unit"), units.get(filters.lead, "—") + suffix,
                          ("lead", "subtree")))
    if filters.coordinator:
        described.append((_("Coordinating unit"), units.get(filters.coordinator, "—"),
                          ("coordinator",)))
    if filters.status:
        labels = dict(status_choices())
        labels.update({"open": _("All open tasks"), "overdue": _("Overdue"),
                       "completed": _("Completed"),
                       "not_started": _("Not started (no report yet)")})
        described.append((_("Status"), str(labels.get(filters.status, filters.status)),
                          ("status",)))
    if filters.extension_pending:
        described.append((_("Extension"), _("With an extension request waiting for a "
                                            "decision"), ("extension",)))
    if filters.priority:
        described.append((_("Priority"), str(dict(Priority.choices).get(filters.priority,
                                                                          filters.priority)),
                          ("priority",)))
    if filters.due_from or filters.due_to:
        described.append((_("Deadline"), "{} – {}".format(
            filters.due_from.strftime("%d/%m/%Y") if filters.due_from else "…",
            filters.due_to.strftime("%d/%m/%Y") if filters.due_to else "…"),
            ("due_from", "due_to")))
    if filters.query:
        described.append((_("Search"), filters.query, ("q",)))
    return described


def overdue_days(task: Any, as_of: dt.date | None) -> int | None:
    """Days overdue of a row of :func:`task_list` as of its date, as the engine counts
    them: from the deadline in force or, for a recurring task, from the end of the last
    period it did not report for. ``None`` unless the row is overdue."""
    if getattr(task, "status", None) != Status.IN_PROGRESS_OVERDUE:
        return None
    day = as_of or business_today()
    deadline = task.deadline_at
    recurrence = RECURRENCE_OF_KIND.get(task.deadline_kind)
    if recurrence is not None:
        current_start, _end = period_containing(day, recurrence)
        deadline = current_start - dt.timedelta(days=1)
    return (day - deadline).days if deadline is not None else None


def _overdue_since(as_of: dt.date | None) -> Any:
    """The date a row's days overdue count from (see :func:`overdue_days`), in SQL."""
    day = as_of or business_today()
    periods = [When(deadline_kind=kind, then=Value(period_containing(day, recurrence)[0]
                                                   - dt.timedelta(days=1)))
               for kind, recurrence in RECURRENCE_OF_KIND.items()]
    return Case(*periods, default=F("deadline_at"), output_field=DateField())


def task_detail(*, user: Any, pk: int) -> Task:
    """One visible task with everything its page shows, in a bounded number of queries."""
    from dondoc.progress.models import ProgressUpdate
    from dondoc.urging.models import UrgingRecord

    # Each related list in one query, its people and units joined in; the lists that are
    # often empty only when one query asking them all (below) finds rows.
    always: list[Any] = [
        "coordinating_units", ASSIGNEES,
        Prefetch("updates", queryset=ProgressUpdate.objects.select_related("unit", "author")),
        Prefetch("events", queryset=TaskEvent.objects.select_related("actor")),
    ]
    when_present: dict[str, Any] = {
        "suspensions": "suspensions",
        "extensions": Prefetch("extensions", queryset=DeadlineExtension.objects.select_related(
            "requested_by", "decided_by")),
        "completion_requests": Prefetch(
            "completion_requests",
            queryset=CompletionRequest.objects.select_related("submitted_by", "decided_by")),
        "directions": Prefetch("directions", queryset=Direction.objects.select_related(
            "author", "acknowledged_by")),
        "comments": Prefetch("comments", queryset=TaskComment.objects.select_related(
            "author__unit")),
        "lead_changes": Prefetch("lead_changes", queryset=LeadUnitChange.objects.select_related(
            "old_unit", "new_unit")),
        "urging_records": Prefetch("urging_records", queryset=UrgingRecord.objects
                                   .select_related("letter__created_by", "unit")),
        "review_flags": "review_flags",
    }
    queryset = scoping.tasks_visible_to(user).select_related(
        "document", "group", "parent", "lead_unit", "assigning_unit",
    )
    task = scoping.get_visible_or_404(queryset, pk=pk)
    present = _relations_present(task, [*when_present, "children", "obstacles", "files"])
    task.has_subtasks = "children" in present
    task.has_obstacles = "obstacles" in present  # the obstacle box reads none when False
    for lookup in always:
        _read_related(task, lookup)
    for name, lookup in when_present.items():
        if name in present:
            _read_related(task, lookup)
        else:
            _set_prefetched(task, name, [])
    _attach_step_files(task, any_files="files" in present)
    return task


def _read_related(task: Task, lookup: str | Prefetch) -> None:
    """One related list of one task (a name or a ``Prefetch``), read by the relation's own
    manager and kept as if prefetched: what ``prefetch_related_objects`` gives for a
    single object, without the machinery that matches rows to many objects (measured:
    0.6 ms less for the task page's four lists)."""
    name = lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup
    manager: Any = getattr(task, name)
    rows = (manager._apply_rel_filters(lookup.queryset)
            if isinstance(lookup, Prefetch) and lookup.queryset is not None
            else manager.all())
    _set_prefetched(task, name, list(rows))


def _relations_present(task: Task, names: list[str]) -> set[str]:
    """Which of ``task``'s reverse relations have rows: one query of ``EXISTS`` tests
    written out (no ORM compilation), instead of one query per empty list."""
    from django.db import connection

    tests = []
    for name in names:
        relation: Any = Task._meta.get_field(name)
        table = connection.ops.quote_name(relation.related_model._meta.db_table)
        column = connection.ops.quote_name(relation.field.column)
        # Names from the models' own metadata, quoted; the task id is a parameter.
        tests.append(f"EXISTS (SELECT 1 FROM {table} WHERE {column} = %s)")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(tests)}", [task.pk] * len(tests))
        row = cursor.fetchone()
    return {name for name, found in zip(names, row, strict=True) if found}


def _set_prefetched(obj: Any, name: str, items: list[Any]) -> None:
    """Give ``obj.<name>.all()`` these rows, as ``prefetch_related`` would have."""
    rows = getattr(obj, name).all()  # not evaluated: its result is set here
    rows._result_cache = items
    rows._prefetch_done = True
    obj._prefetched_objects_cache = {**getattr(obj, "_prefetched_objects_cache", {}),
                                     name: rows}


def task_with_status_facts(*, user: Any, pk: int, history: bool = False) -> Task:
    """One visible task with what its status, deadline and progress are computed from
    (``progress.selectors.evaluate_task`` and ``progress_on``), its lead, coordinating
    units and officers: the API's task answer, without the task page's timeline, comments
    and files. ``history``: also the lead transfers, for the progress as of a past date."""
    from dondoc.progress.models import ProgressUpdate

    lookups: list[Any] = [
        "coordinating_units", "suspensions", "extensions", "completion_requests",
        Prefetch("updates", queryset=ProgressUpdate.objects.only(
            "id", "task_id", "unit_id", "reported_on", "percent")),
        ASSIGNEES,
    ]
    if history:
        lookups.append("lead_changes")
    queryset = scoping.tasks_visible_to(user).select_related("lead_unit").prefetch_related(
        *lookups)
    return scoping.get_visible_or_404(queryset, pk=pk)


STEP_FILE_FIELDS = {"updates": "progress_update_id", "completion_requests": "completion_request_id",
                    "extensions": "extension_id", "directions": "direction_id"}


def _attach_step_files(task: Task, *, any_files: bool = True) -> None:
    """The files of each step of ``task`` (progress updates, completion and extension
    requests, directions) as their prefetched ``files``: one query for the task's files
    instead of one per kind of step, none when the caller knows the task has no files
    (``any_files``). Every step file belongs to the step's task."""
    from dondoc.plans.models import TaskFile

    steps = {name: list(getattr(task, name).all()) for name in STEP_FILE_FIELDS}
    if not any(steps.values()):
        return
    by_step: dict[tuple[str, int], list[TaskFile]] = {}
    for item in (TaskFile.objects.filter(task=task) if any_files else ()):
        for name, column in STEP_FILE_FIELDS.items():
            step_id = getattr(item, column)
            if step_id is not None:
                by_step.setdefault((name, step_id), []).append(item)
    for name, objects in steps.items():
        for obj in objects:
            _set_prefetched(obj, "files", by_step.get((name, obj.pk), []))


def document_tree(*, user: Any) -> list[tuple[Document, int]]:
    """Visible documents in tree order with their depth (parents before children)."""
    documents = list(scoping.documents_visible_to(user).select_related("owner_unit")
                     .order_by("issue_date", "number"))
    by_parent: dict[int | None, list[Document]] = {}
    ids = {doc.pk for doc in documents}
    for doc in documents:
        parent = doc.parent_id if doc.parent_id in ids else None
        by_parent.setdefault(parent, []).append(doc)
    ordered: list[tuple[Document, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for doc in by_parent.get(parent, []):
            ordered.append((doc, depth))
            walk(doc.pk, depth + 1)

    walk(None, 0)
    return ordered


def unit_choices_for_filters(user: Any) -> Any:
    """The units a list can be filtered by, in tree order, for its pickers (a very large
    tree: only the chosen ones, see ``UnitChoices``)."""
    from dondoc.organization.selectors import UnitChoices, pickable_units

    return UnitChoices(pickable_units(user))


def paginate_tasks(request: Any, tasks: QuerySet[Task], filters: TaskFilters) -> Page[Task]:
    """A page of a task list: see :func:`task_slice`. Past the count limit
    (``DONDOC_TASK_LIST_COUNT_LIMIT``) ``page.count_capped`` is true and the paginator's
    count is only a lower bound: the page says "more than N"."""
    limit = settings.DONDOC_TASK_LIST_COUNT_LIMIT or None
    page = paginate_counted(request, lambda start, stop: task_slice(
        tasks, start, stop, filters=filters, count_limit=limit))
    page.count_capped = bool(limit) and page.paginator.count > (limit or 0)  # type: ignore[attr-defined]
    page.count_limit = limit  # type: ignore[attr-defined]
    return page


def task_slice(tasks: QuerySet[Task], start: int, stop: int, *, filters: TaskFilters,
               count_limit: int | None = None) -> tuple[list[Task], int]:
    """Rows ``start:stop`` of a task list and the list's total.

    First the slice's ids in list order (plain columns), then only those rows with their
    status and relations, so the status is not computed for rows that are not shown. The
    total comes with the ids as a window count when a status or text filter already makes
    the database look at every row (measured: one pass is faster), and from a separate
    count otherwise (a window would keep every row of an unfiltered city list).

    With ``count_limit`` the total is counted up to ``count_limit + 1`` rows (any rows, in
    no order: the database stops there); a total above ``count_limit`` is then a lower
    bound, at least one more than the rows up to this slice's end. A list within the limit
    is read in one query (:func:`_slice_within_limit`): its conditions run once over its
    rows. Past the limit the slice's ids come from the list's own order (an index walk
    for a broad list).
    """
    if count_limit:
        within = _slice_within_limit(tasks, start, stop, count_limit)
        if within is not None and within[1] <= count_limit:
            return rows_in_order(tasks, within[0]), within[1]
        if within is None:  # an order the one query cannot sort: count, then the slice
            total = tasks.order_by()[:count_limit + 1].count()
            if total <= count_limit:
                return rows_in_order(tasks, list(
                    tasks.values_list("pk", flat=True)[start:stop])), total
        ids = list(tasks.values_list("pk", flat=True)[start:stop])
        if not ids:  # a page past the end: the pager goes back to the first
            return [], count_limit + 1
        return rows_in_order(tasks, ids), max(
            count_limit + 1, start + len(ids) + (1 if len(ids) == stop - start else 0))
    if filters.status or filters.query:
        ids_and_total = list(tasks.annotate(total_rows=Window(Count("pk")))
                             .values_list("pk", "total_rows")[start:stop])
        if not ids_and_total:
            return [], tasks.count() if start else 0
        ids = [pk for pk, _total in ids_and_total]
        return rows_in_order(tasks, ids), ids_and_total[0][1]
    total = tasks.count()
    if start >= total:
        return [], total
    ids = list(tasks.values_list("pk", flat=True)[start:stop])
    return rows_in_order(tasks, ids), total


def _order_keys(tasks: QuerySet[Task]) -> list[tuple[str, str]] | None:
    """The list's order as (name, SQL direction) pairs of selectable names, or None when
    an item is not a plain name or ``F(name)`` ordering (then the caller keeps its
    two-query path)."""
    features = connections[tasks.db].features
    keys: list[tuple[str, str]] = []
    for item in tasks.query.order_by:
        if isinstance(item, str):
            if item == "?" or "." in item:
                return None
            keys.append((item.lstrip("-"), "DESC" if item.startswith("-") else "ASC"))
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            name: str = getattr(item.expression, "name")  # noqa: B009 - untyped in the stubs
            direction = "DESC" if item.descending else "ASC"
            if item.nulls_first or item.nulls_last:
                if not features.supports_order_by_nulls_modifier:
                    return None
                direction += " NULLS FIRST" if item.nulls_first else " NULLS LAST"
            keys.append((name, direction))
        else:
            return None
    return keys or None


def _slice_within_limit(tasks: QuerySet[Task], start: int, stop: int,
                        count_limit: int) -> tuple[list[int], int] | None:
    """One query for a list counted up to ``count_limit``: the first ``count_limit + 1``
    matching rows (in no order) with their sort keys, counted, and the slice ``start:stop``
    of them in list order — the list's conditions and its scattered rows are read once.
    Returns the slice's ids and the count (above ``count_limit``: the list is longer and
    the ids are not its slice), or None when the order is not made of plain names.

    Before, the capped ids were read and then ordered by a second query: PostgreSQL walked
    the urgency index filtering on 10,000 ids, or fetched them again by primary key (a
    province's overdue list at 1 M tasks: 98 + 80 ms)."""
    keys = _order_keys(tasks)
    if keys is None:
        return None
    inner = tasks.order_by().values_list("pk", *(name for name, _ in keys))[:count_limit + 1]
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # conditions that hold for no row (``none()``): nothing to read
        return [], 0
    # Positions, not names: the outer query sorts the inner one's columns 2, 3, …
    order = ", ".join(f"{position} {direction}"
                      for position, (_, direction) in enumerate(keys, start=2))
    with connections[tasks.db].cursor() as cursor:
        cursor.execute(f"SELECT *, COUNT(*) OVER () FROM ({sql}) AS capped "  # noqa: S608
                       f"ORDER BY {order} LIMIT %s OFFSET %s", (*params, stop - start, start))
        rows = cursor.fetchall()
        if rows:
            return [row[0] for row in rows], rows[0][-1]
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS capped", params)  # noqa: S608
        return [], cursor.fetchone()[0]


def rows_in_order(tasks: QuerySet[Task], ids: list[int]) -> list[Task]:
    """The rows ``ids`` of ``tasks`` in that order, with its annotations and relations.
    The ids were chosen by ``tasks``' own conditions, so these are not compiled and run a
    second time (the scope's test, subtree subqueries and the status ``CASE`` of a status
    filter: most of the cost of this query); its joins are to-one relations
    (``select_related``), so no chosen row is lost or repeated."""
    if not ids:
        return []
    rows_query = tasks.order_by()
    rows_query.query.where = WhereNode()
    rows = {task.pk: task for task in rows_query.filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]
