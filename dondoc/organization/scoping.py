"""Who may see and change what: the organisation's access rules, written once.

Every page, export, report and API endpoint reaches unit-owned data through these
functions. The rules:

* ``admin`` sees and manages everything.
* ``leader``, ``staff`` and ``inspector`` work for an agency: the nearest ancestor of
  their unit (or the unit itself) flagged ``is_scope_root``, e.g. the City Police. They
  see its whole subtree; ``staff`` also manage its units and its work. Only
  administrators set the flag, and nobody may change a unit that decides their own
  scope (it contains their unit): kind, parent, validity, scope-root flag.
* Nobody changes the rights of their own account (role, unit, active, 2FA exemption).
* A completion or extension request is never decided by its requester, nor by a user
  of the task's lead unit (its subtree); ``leader`` decide requests in their scope.
* ``unit_manager``, ``officer`` and ``viewer`` see their own unit's subtree; a
  ``unit_manager`` manages the accounts of that subtree.

An object outside the scope is answered exactly like an object that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, models
from django.db.models import F, OuterRef, Q
from django.db.models.functions import Length, Substr
from django.db.models.lookups import In
from django.http import Http404

from dondoc.organization.models import Role, Unit, UnitKind, User

AGENCY_WIDE_ROLES = {Role.LEADER, Role.STAFF, Role.INSPECTOR}
MANAGER_ASSIGNABLE_ROLES = [Role.UNIT_MANAGER, Role.OFFICER, Role.VIEWER]

M = TypeVar("M", bound=models.Model)

_NOTHING = Q(pk__in=[])


def _ancestor_paths(unit: Unit) -> list[str]:
    return _paths_down_to(unit.path)


def _paths_down_to(path: str) -> list[str]:
    """The paths from the top of the tree down to ``path`` (itself included)."""
    step = Unit.steplen
    return [path[: step * depth] for depth in range(1, len(path) // step + 1)]


def scope_root(user: Any) -> Unit | None:
    """The unit whose subtree ``user`` sees; ``None`` for admins (everything)."""
    if getattr(user, "is_authenticated", False) is False:
        raise PermissionError("anonymous users have no scope")
    if user.role == Role.ADMIN or user.is_superuser:
        return None
    if hasattr(user, "_dondoc_scope_root"):
        cached: Unit | None = user._dondoc_scope_root
        return cached
    unit: Unit | None = user.unit
    root = unit
    if unit is not None and user.role in AGENCY_WIDE_ROLES:
        around = [other for other in _tops_and_scope_roots(user)
                  if other.is_scope_root and unit.path.startswith(other.path)]
        if around:  # the nearest: they come in path order
            root = around[-1]
    user._dondoc_scope_root = root
    return root


def _tops_and_scope_roots(user: Any) -> list[Unit]:
    """The units at the top of the tree and the scope roots, in path order: a few dozen
    rows for a ministry, read once and remembered on the user object for the request."""
    cached: list[Unit] | None = getattr(user, "_dondoc_tops_and_roots", None)
    if cached is None:
        cached = list(Unit.objects.filter(Q(is_scope_root=True) | Q(depth=1)).order_by("path"))
        user._dondoc_tops_and_roots = cached
    return cached


def _holds_every_unit(user: Any, root: Unit) -> bool:
    """Whether ``root`` is the only top of the tree: its subtree is every unit (a
    ministry's staff), so a scope test on it holds for every row and is left out of the
    SQL (a ministry's document test listed its 63 provinces: 30 ms to build per page)."""
    return root.depth == 1 and [unit.pk for unit in _tops_and_scope_roots(user)
                                if unit.depth == 1] == [root.pk]


def agency_of(unit: Unit) -> Unit | None:
    """The agency ``unit`` works for: the nearest unit at or above it flagged
    ``is_scope_root``; ``None`` when there is none."""
    return agencies_of([unit])[unit.pk]


def agencies_of(units: Iterable[Unit]) -> dict[int, Unit | None]:
    """:func:`agency_of` for many units, by unit id, in one query."""
    units = list(units)
    paths = {path for unit in units for path in _ancestor_paths(unit)}
    roots = {root.path: root for root in Unit.objects.filter(path__in=paths, is_scope_root=True)}
    found: dict[int, Unit | None] = {}
    for unit in units:
        around = [roots[path] for path in _ancestor_paths(unit) if path in roots]
        found[unit.pk] = around[-1] if around else None
    return found


def agency_ids_of(unit_ids: Iterable[int]) -> dict[int, int | None]:
    """:func:`agency_of` by id for many units: their paths and every scope root's are read
    (a ministry has a few hundred scope roots), the rest is matching path prefixes."""
    roots = dict(Unit.objects.filter(is_scope_root=True).values_list("path", "pk"))
    found: dict[int, int | None] = {}
    ids = list(unit_ids)
    for start in range(0, len(ids), 2000):
        for pk, path in Unit.objects.filter(pk__in=ids[start:start + 2000]).values_list(
                "pk", "path"):
            found[pk] = next((roots[above] for above in reversed(_paths_down_to(path))
                              if above in roots), None)
    return found


def agencies_in_subtree(unit: Unit) -> dict[int, int | None]:
    """For every unit of ``unit``'s subtree (itself included), the id of its agency, as
    :func:`agency_of` gives it: two queries for the whole subtree."""
    above = (Unit.objects.filter(path__in=_ancestor_paths(unit)[:-1], is_scope_root=True)
             .order_by("-depth").first())
    return agencies_along(Unit.objects.filter(path__startswith=unit.path).order_by("path")
                          .values_list("pk", "path", "is_scope_root"),
                          outer=above.pk if above else None)


def agencies_along(units: Iterable[tuple[int, str, bool]], *, outer: int | None = None,
                   ) -> dict[int, int | None]:
    """The agency id of each unit ``(pk, path, is_scope_root)`` of a subtree given in path
    order; ``outer``: the agency around the subtree. Also used by the data generators."""
    found: dict[int, int | None] = {}
    roots: list[tuple[str, int]] = []  # the scope roots around the current unit, outermost first
    for pk, path, is_root in units:
        while roots and not path.startswith(roots[-1][0]):
            roots.pop()
        if is_root:
            roots.append((path, pk))
        found[pk] = roots[-1][1] if roots else outer
    return found


def is_portal_only(user: Any) -> bool:
    """Portal editors work on the public portal only: no unit, task or document data."""
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.EDITOR
                and not user.is_superuser)


def can_edit_portal(user: Any) -> bool:
    """Writes news, web links and chooses the public documents: editors and staff."""
    return has_role(user, Role.EDITOR, Role.STAFF)


def documents_publishable_by(user: Any) -> models.QuerySet[Any]:
    """Documents whose portal visibility the user may switch: every document for portal
    editors (they see its number and title only), those managed in scope for staff."""
    from dondoc.plans.models import Document

    if not can_edit_portal(user):
        return Document.objects.none()
    if is_portal_only(user):
        return Document.objects.all()
    return Document.objects.filter(unit_scope_q(user, "owner_unit"))


def is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and (user.role == Role.ADMIN or user.is_superuser))


def unit_scope_q(user: Any, unit_field: str) -> Q:
    """A filter keeping rows whose ``unit_field`` (a Unit relation) lies in the user's scope.

    ``unit_field`` is a lookup path to a unit, e.g. ``"lead_unit"`` or ``"unit"``.
    """
    if not getattr(user, "is_authenticated", False) or is_portal_only(user):
        return _NOTHING
    root = scope_root(user)
    if root is None:
        return Q()
    return Q(**{f"{unit_field}__path__startswith": root.path})


def has_role(user: Any, *roles: str) -> bool:
    return bool(user.is_authenticated and (user.role in roles or is_admin(user)))


# Units -------------------------------------------------------------------------------


def units_visible_to(user: Any) -> models.QuerySet[Unit]:
    if is_portal_only(user):
        return Unit.objects.none()
    root = scope_root(user)
    if root is None:
        return Unit.objects.all()
    return Unit.objects.subtree_of(root)


def units_manageable_by(user: Any) -> models.QuerySet[Unit]:
    """Units the user may create children under and rename (code, name, order, e-mail).

    What decides scopes (kind, parent, validity, scope-root flag) is narrower: see
    :func:`units_restructurable_by`."""
    if is_admin(user):
        return Unit.objects.all()
    if user.role == Role.STAFF:
        return units_visible_to(user)
    return Unit.objects.none()


def units_restructurable_by(user: Any) -> models.QuerySet[Unit]:
    """Units whose kind and validity the user may change, and which they may move, dissolve
    or delete: for staff, the units strictly below their scope root that do not contain
    their own unit. A unit that decides the user's own scope is never among them."""
    if is_admin(user):
        return Unit.objects.all()
    root = scope_root(user) if user.is_authenticated else None
    if user.role != Role.STAFF or root is None or user.unit is None:
        return Unit.objects.none()
    return (Unit.objects.filter(path__startswith=root.path).exclude(pk=root.pk)
            .exclude(path__in=_ancestor_paths(user.unit)))


def can_set_scope_roots(user: Any) -> bool:
    """Only administrators say where scopes start (``Unit.is_scope_root``)."""
    return is_admin(user)


# The fields of a unit that decide who sees what: only through units_restructurable_by.
UNIT_SCOPE_FIELDS = frozenset({"kind", "parent", "valid_from", "valid_to", "is_active",
                               "successor", "is_scope_root"})
# The fields of an account that decide its rights: never changed by the account itself.
USER_RIGHTS_FIELDS = frozenset({"role", "unit", "is_active", "otp_exempt", "is_superuser",
                                "is_staff"})


def can_manage_units(user: Any) -> bool:
    return has_role(user, Role.STAFF)


# Users -------------------------------------------------------------------------------


def users_visible_to(user: Any) -> models.QuerySet[User]:
    root = scope_root(user)
    if root is None:
        return User.objects.all()
    return User.objects.filter(unit__path__startswith=root.path)


def users_manageable_by(user: Any) -> models.QuerySet[User]:
    """Accounts the user may create, edit and deactivate."""
    if is_admin(user):
        return User.objects.all()
    if user.role == Role.UNIT_MANAGER and user.unit is not None:
        return User.objects.filter(
            unit__path__startswith=user.unit.path, role__in=MANAGER_ASSIGNABLE_ROLES,
            is_superuser=False,
        )
    return User.objects.none()


def can_manage_users(user: Any) -> bool:
    return has_role(user, Role.UNIT_MANAGER)


def roles_assignable_by(user: Any) -> list[tuple[str, str]]:
    if is_admin(user):
        return [(role.value, str(role.label)) for role in Role]
    if user.role == Role.UNIT_MANAGER:
        return [(role.value, str(role.label)) for role in MANAGER_ASSIGNABLE_ROLES]
    return []


def units_for_accounts_of(user: Any) -> models.QuerySet[Unit]:
    """Units a new or edited account may be placed in by ``user``."""
    if is_admin(user):
        return Unit.objects.all()
    if user.role == Role.UNIT_MANAGER and user.unit is not None:
        return Unit.objects.subtree_of(user.unit)
    return Unit.objects.none()


# Audit -------------------------------------------------------------------------------


def can_read_audit(user: Any) -> bool:
    return has_role(user, Role.LEADER, Role.STAFF, Role.INSPECTOR, Role.UNIT_MANAGER)


# Generic helpers ---------------------------------------------------------------------


def get_visible_or_404(queryset: models.QuerySet[M], **lookup: Any) -> M:
    """The object from an already-scoped queryset, or 404 — never a hint it exists."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


# Documents and tasks -----------------------------------------------------------------
#
# A task is visible to the units it concerns: its lead unit, its coordinating units and
# the unit that assigned it — each together with the units above them in scope. Units
# report on tasks of their own subtree; the assigning side decides on them.


def _own_unit_path(user: Any) -> str | None:
    unit = getattr(user, "unit", None)
    return unit.path if unit is not None else None


# Above this many agencies inside the user's, "under none of them" is one correlated
# subquery instead of a list of prefixes in the SQL.
MAX_LISTED_ROOTS = 200


def _units_around(user: Any) -> tuple[list[str], list[str], list[str] | None]:
    """Paths of the scope roots and of the external agencies containing the user's unit
    (outermost first), and of the other scope roots inside the outermost of those agencies
    (a ministry user: the provinces; most users: none; ``None`` when there are more than
    :data:`MAX_LISTED_ROOTS`). One query, remembered on the user object for the request.
    A unit under one of those other roots is in another agency: a scope root above the
    user's agencies would contain the user's unit, so it would be one of them."""
    cached: tuple[list[str], list[str], list[str] | None] | None = getattr(
        user, "_dondoc_around", None)
    if cached is not None:
        return cached
    ancestors = _ancestor_paths(user.unit)
    rows = list(Unit.objects.filter(
        Q(path__in=ancestors) & (Q(is_scope_root=True) | Q(kind=UnitKind.EXTERNAL))
        | Q(is_scope_root=True, path__startswith=ancestors[0])).values_list(
            "path", "is_scope_root", "kind"))
    around = [(path, is_root, kind) for path, is_root, kind in rows if path in ancestors]
    agencies = sorted(path for path, is_root, _kind in around if is_root)
    externals = sorted(path for path, _root, kind in around if kind == UnitKind.EXTERNAL)
    below: list[str] | None = []
    if agencies:
        below = sorted(path for path, is_root, _kind in rows
                       if is_root and path.startswith(agencies[0]) and path not in agencies)
        if len(below) > MAX_LISTED_ROOTS:
            below = None
    result = (agencies, externals, below)
    user._dondoc_around = result
    return result


def _agencies_and_externals_around(user: Any) -> tuple[list[str], list[str]]:
    """Paths of the scope roots and of the external agencies containing the user's unit
    (outermost first): see :func:`_units_around`."""
    agencies, externals, _below = _units_around(user)
    return agencies, externals


def _under_any(roots: list[str] | None, agencies: list[str]) -> Q:
    """Documents managed under one of the scope roots ``roots`` (``None``: under any scope
    root other than the user's ``agencies``, tested per document)."""
    if roots is not None:
        # One prefix test per path length (a ministry's provinces: one), not one LIKE per
        # root: the 62 other provinces of a province's staff cost 124 LIKE terms to build,
        # compile and plan on every page with the document filter (measured below).
        by_length: dict[int, list[str]] = {}
        for path in roots:
            by_length.setdefault(len(path), []).append(path)
        inside = Q(pk__in=[])
        for length, paths in sorted(by_length.items()):
            inside |= Q(In(Substr("owner_unit__path", 1, length), paths))
        return inside
    others = Unit.objects.filter(is_scope_root=True).exclude(
        path__in=agencies).annotate(
            prefix=Substr(OuterRef("owner_unit__path"), 1, Length("path"))).filter(
                path=F("prefix"))
    return Q(models.Exists(others))


def documents_visible_to(user: Any) -> models.QuerySet[Any]:
    """Documents whose content (summary, files, sub-documents) the user may read.

    Always those managed within the user's scope. Beyond it, by the document's access level:

    * ``public``: also every account of a unit under the managing unit (directives flow
      down) or in the same agency (same scope root);
    * ``internal``: the same, except accounts of external agencies (kind *external*, and
      their sub-units) unless the external agency itself manages the document;
    * ``restricted``: only accounts of the units in ``shared_with_units`` (and their
      sub-units).

    A task of a document stays visible to the units it concerns (``tasks_visible_to``);
    those see the document's number and title only (``documents_titled_for``).
    """
    from dondoc.plans.models import AccessLevel, Document

    if not getattr(user, "is_authenticated", False) or is_portal_only(user):
        return Document.objects.none()
    root = scope_root(user)
    if root is None or _holds_every_unit(user, root):
        return Document.objects.all()
    own_scope = Q(owner_unit__path__startswith=root.path)
    if user.unit is None:
        return Document.objects.filter(own_scope)
    above = _ancestor_paths(user.unit)
    agencies, externals, roots_below = _units_around(user)
    # Managed by a unit containing the user's, or in one of the agencies containing it and
    # not inside another agency (whose scope root would not contain the user's unit).
    same_agency = Q(owner_unit__path__in=above)
    if agencies:
        under_agency = Q()
        for path in agencies:
            under_agency |= Q(owner_unit__path__startswith=path)
        same_agency |= under_agency & ~_under_any(roots_below, agencies)
    internal = same_agency
    if externals:  # the deepest external agency around the user must manage it
        internal = same_agency & Q(owner_unit__path__startswith=externals[-1])
    shared = Q(pk__in=Document.shared_with_units.through.objects.filter(
        unit__path__in=above).values("document_id"))
    return Document.objects.filter(
        own_scope
        | (Q(access_level=AccessLevel.PUBLIC) & same_agency)
        | (Q(access_level=AccessLevel.INTERNAL) & internal)
        | (Q(access_level=AccessLevel.RESTRICTED) & shared)
    )


def documents_titled_for(user: Any) -> models.QuerySet[Any]:
    """Documents the user may at least know by number and title: those they may read, and
    those of the tasks they see (a unit leading or coordinating a task of a restricted
    document knows which document the task implements)."""
    from dondoc.plans.models import Document, Task

    if not getattr(user, "is_authenticated", False):
        return Document.objects.none()
    return Document.objects.filter(
        Q(pk__in=documents_visible_to(user).values("pk"))
        | Q(pk__in=Task.objects.filter(pk__in=tasks_visible_to(user).values("pk"))
            .values("document_id")))


def documents_public() -> models.QuerySet[Any]:
    """Documents anonymous visitors of the public portal may read."""
    from dondoc.plans.models import AccessLevel, Document

    return Document.objects.filter(access_level=AccessLevel.PUBLIC)


def documents_editable_by(user: Any) -> models.QuerySet[Any]:
    from dondoc.plans.models import Document

    if is_admin(user):
        return Document.objects.all()
    if user.is_authenticated and user.role == Role.STAFF:
        return documents_visible_to(user).filter(
            owner_unit__path__startswith=scope_root(user).path  # type: ignore[union-attr]
        )
    return Document.objects.none()


class _AmongIds(models.Expression):
    """``column IN (subquery)``, written for PostgreSQL as ``column = ANY(ARRAY(subquery))``.

    The subquery does not depend on the row, so PostgreSQL runs it once (an InitPlan) and
    the condition is an index condition: ORed with other indexed conditions it becomes a
    ``BitmapOr`` of index scans, where ``IN (subquery)`` would make it test every row of
    the table against a hashed subplan."""

    conditional = True

    def __init__(self, column: str, queryset: models.QuerySet[Any]) -> None:
        super().__init__(output_field=models.BooleanField())
        self.column: Any = F(column)
        self.subquery: Any = models.Subquery(queryset)

    def get_source_expressions(self) -> list[Any]:
        return [self.column, self.subquery]

    def set_source_expressions(self, exprs: Any) -> None:
        self.column, self.subquery = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        column, column_params = compiler.compile(self.column)
        subquery, subquery_params = compiler.compile(self.subquery)
        return f"{column} IN {subquery}", (*column_params, *subquery_params)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        column, column_params = compiler.compile(self.column)
        subquery, subquery_params = compiler.compile(self.subquery)
        return f"{column} = ANY(ARRAY{subquery})", (*column_params, *subquery_params)


def among_ids(column: str, queryset: models.QuerySet[Any]) -> Q:
    """``column IN (queryset)`` as a condition PostgreSQL can combine with other indexed
    conditions (see :class:`_AmongIds`); the same rows as ``column__in=queryset``."""
    return Q(_AmongIds(column, queryset))


def _task_scope_q(root: Unit, agencies: list[int]) -> Q:
    """Tasks led, assigned or coordinated by a unit of ``root``'s subtree.

    For an agency (a scope root) the tasks it leads are those whose stored ``agency`` is
    one of the scope roots of its subtree (the lead unit's nearest scope root lies between
    the root and the lead unit): one index read. The few tasks its units assigned to another
    agency come from a small index read; those they coordinate for another agency from the
    stored :class:`~dondoc.plans.models.AgencyCoordination` rows of its scope roots (kept
    by the services; reading the coordinations themselves meant reading every one of the
    province's units, nearly all on tasks it leads itself). Other subtrees: below.
    ``agencies``: the ids of the scope roots in the subtree (written into the query, so
    that PostgreSQL estimates the agency's rows).

    On SQLite (one city on one machine) an agency's scope is the same three tests made on
    each row, in that order: the stored agency settles nearly every row of a city without
    testing its units' paths; the assigning unit's path (a joined row) and the stored
    coordinations (an indexed look-up) are asked only of a row that fails it. (As three
    ``IN (subquery)`` terms SQLite read them as three index lookups over nearly the whole
    city and merged the row ids: twice the cost of one pass; and each query, even for one
    task, first built the list of the city's units.) Other subtrees (an officer's unit, or
    a unit manager's) are few units with few tasks: there the three tests are each
    ``IN`` the subtree's unit ids (``_AmongIds``), read as index look-ups merged: SQLite's
    multi-index OR, PostgreSQL's ``BitmapOr``. The unit-path form read every task (a
    ward officer's list: 72 → 20 ms in the bench city; 665 → 38 ms at 1,000,000 tasks on
    PostgreSQL, whose overdue list took 1 s). All forms give the same rows
    (``plans/tests/test_agency.py``)."""
    from dondoc.plans.models import AgencyCoordination, Task

    through = Task.coordinating_units.through
    if not root.is_scope_root:
        subtree = Unit.objects.subtree_of(root).order_by().values("pk")
        by_subtree = through.objects.filter(_AmongIds("unit_id", subtree)).values("task_id")
        return (Q(_AmongIds("lead_unit_id", subtree)) | Q(_AmongIds("assigning_unit_id", subtree))
                | Q(_AmongIds("pk", by_subtree)))
    if connection.vendor != "postgresql":
        coordinated = AgencyCoordination.objects.filter(task_id=models.OuterRef("pk"),
                                                        agency_id__in=agencies)
        return (Q(agency_id__in=agencies) | Q(assigning_unit__path__startswith=root.path)
                | Q(models.Exists(coordinated)))
    units = Unit.objects.subtree_of(root).order_by().values("pk")
    led = Q(agency_id__in=agencies)
    assigned_elsewhere = (Task.objects.filter(_AmongIds("assigning_unit_id", units))
                          .exclude(led).order_by().values("pk"))
    coordinated_elsewhere = (AgencyCoordination.objects.filter(agency_id__in=agencies)
                             .order_by().values("task_id"))
    return (led | Q(_AmongIds("pk", assigned_elsewhere))
            | Q(_AmongIds("pk", coordinated_elsewhere)))


def tasks_visible_to(user: Any) -> models.QuerySet[Any]:
    from dondoc.plans.models import Task

    if not getattr(user, "is_authenticated", False) or is_portal_only(user):
        return Task.objects.none()
    root = scope_root(user)
    if root is None:
        return Task.objects.all()
    if not root.is_scope_root and root.depth > 1:
        return Task.objects.filter(_task_scope_q(root, []))
    if _holds_every_unit(user, root):
        return Task.objects.all()
    agencies = [unit.pk for unit in _tops_and_scope_roots(user)
                if unit.is_scope_root and unit.path.startswith(root.path)]
    return Task.objects.filter(_task_scope_q(root, agencies))


def _not_led_by_own_side(user: Any) -> Q:
    """Tasks whose lead unit does not contain the user's unit: segregation of duties, the
    lead side never decides on its own task."""
    if user.unit is None:
        return Q()
    return ~Q(lead_unit__path__in=_ancestor_paths(user.unit))


def tasks_decidable_by(user: Any) -> models.QuerySet[Any]:
    """Tasks whose definition and decisions (approve, extend, suspend, cancel, edit) the
    user owns: staff for what their agency assigned, a unit manager for what its subtree
    assigned (cascaded sub-tasks) — never a task led by the user's own unit or a unit
    containing it. Administrators own every task."""
    from dondoc.plans.models import Task

    if is_admin(user):
        return Task.objects.all()
    if not user.is_authenticated or user.role not in {Role.STAFF, Role.UNIT_MANAGER}:
        return Task.objects.none()
    root = scope_root(user)
    assert root is not None
    return Task.objects.filter(Q(assigning_unit__path__startswith=root.path),
                               _not_led_by_own_side(user))


def tasks_requests_decidable_by(user: Any) -> models.QuerySet[Any]:
    """Tasks whose completion and extension requests the user may approve or refuse: those
    of :func:`tasks_decidable_by`, and for a ``leader`` every task assigned within their
    scope and not led by their own side. The requester never decides their own request
    (checked per request by :func:`decision_refusal`)."""
    from dondoc.plans.models import Task

    if not getattr(user, "is_authenticated", False):
        return Task.objects.none()
    if user.role == Role.LEADER and not is_admin(user):
        root = scope_root(user)
        assert root is not None
        return Task.objects.filter(Q(assigning_unit__path__startswith=root.path),
                                   _not_led_by_own_side(user))
    return tasks_decidable_by(user)


def decision_refusal(user: Any, task: Any, requested_by_id: int | None, *,
                     in_scope: bool | None = None) -> str | None:
    """Why ``user`` may not decide a request on ``task`` made by ``requested_by_id``, as a
    translated sentence; ``None`` when they may. ``in_scope``: whether ``task`` is among
    :func:`tasks_requests_decidable_by` for ``user``, when the caller has already asked
    (the task page asks it with the user's other rights in one query)."""
    from django.utils.translation import gettext as _

    if requested_by_id is not None and requested_by_id == user.pk:
        return _("You made this request: someone on the assigning side must decide it.")
    unit = getattr(user, "unit", None)
    if (not is_admin(user) and unit is not None
            and unit.path.startswith(task.lead_unit.path)):
        return _("Your unit leads this task: the request is decided by a leader whose scope "
                 "contains the assigning unit.")
    if in_scope is None:
        in_scope = tasks_requests_decidable_by(user).filter(pk=task.pk).exists()
    if not in_scope:
        return _("You may not decide on this task's requests.")
    return None


def tasks_reportable_by(user: Any) -> models.QuerySet[Any]:
    """Tasks the user may report progress on: those of their own unit's subtree, as lead
    or coordinator — except, as a coordinator, the tasks the user decides on (the
    assigning side does not report on the work it judges; a staff department coordinating
    a task its agency assigned speaks through comments)."""
    from dondoc.plans.models import Task

    if is_admin(user):
        return Task.objects.all()
    path = _own_unit_path(user)
    if path is None or user.role not in {Role.STAFF, Role.UNIT_MANAGER, Role.OFFICER}:
        return Task.objects.none()
    coordinated = Task.coordinating_units.through.objects.filter(
        task_id=models.OuterRef("pk"), unit__path__startswith=path
    )
    leads = Q(lead_unit__path__startswith=path)
    coordinates = Q(models.Exists(coordinated))
    if user.role == Role.OFFICER:
        return Task.objects.filter(leads | coordinates)
    # "Not decided by the user" as a correlated NOT EXISTS, not NOT IN: PostgreSQL built
    # a NOT IN's whole set (every task the user decides: a province's 37,000, read from
    # the whole table) to test a single task, 250 ms on the task page at 1,000,000 tasks;
    # a NOT EXISTS is probed per task through the primary key (an anti-join for a list).
    decided = tasks_decidable_by(user).filter(pk=models.OuterRef("pk"))
    return Task.objects.filter(leads | (coordinates & ~Q(models.Exists(decided))))


def tasks_led_by_own_subtree(user: Any) -> models.QuerySet[Any]:
    """Tasks whose lead unit is in the user's own subtree: the lead may request completion
    and extensions and (managers) cascade sub-tasks."""
    from dondoc.plans.models import Task

    if is_admin(user):
        return Task.objects.all()
    path = _own_unit_path(user)
    if path is None or user.role not in {Role.STAFF, Role.UNIT_MANAGER, Role.OFFICER}:
        return Task.objects.none()
    return Task.objects.filter(lead_unit__path__startswith=path)


def tasks_commentable_by(user: Any) -> models.QuerySet[Any]:
    """Tasks whose comment thread the user may write in: both sides of the task — its
    lead and coordinating units (as for reports) and the assigning side (as for decisions)."""
    from dondoc.plans.models import Task

    # Each side a correlated EXISTS: an OR of two ``pk IN (…)`` made PostgreSQL build
    # both whole sets to test one task (a province's staff, 1 s per comment at 1,000,000
    # tasks); an EXISTS is probed for the task at hand.
    return Task.objects.filter(
        Q(models.Exists(tasks_reportable_by(user).filter(pk=models.OuterRef("pk"))))
        | Q(models.Exists(tasks_decidable_by(user).filter(pk=models.OuterRef("pk")))))


def unit_staffed_by_manager(user: Any, task: Any) -> Unit | None:
    """The unit whose officers ``user`` may name on ``task`` (cán bộ được giao): a unit
    manager's own unit when it leads or coordinates the task; ``None`` otherwise."""
    unit = getattr(user, "unit", None)
    if unit is None or not user.is_authenticated or user.role != Role.UNIT_MANAGER:
        return None
    if task.lead_unit_id == unit.pk or task.coordinating_units.filter(pk=unit.pk).exists():
        return unit
    return None


def officers_assignable_in(unit: Unit) -> models.QuerySet[User]:
    """Accounts of ``unit`` that can be given work: its active officers and managers."""
    return User.objects.filter(unit=unit, is_active=True,
                               role__in=[Role.OFFICER, Role.UNIT_MANAGER]).order_by(
        "last_name", "first_name", "username")


def can_give_directions(user: Any) -> bool:
    return has_role(user, Role.LEADER)


def can_cascade(user: Any) -> bool:
    return has_role(user, Role.UNIT_MANAGER, Role.STAFF)


def units_assignable_by(user: Any) -> models.QuerySet[Unit]:
    """Units a user may name as lead or coordinator when assigning: the whole agency scope
    for staff (partners included), the own subtree for a unit manager."""
    if is_admin(user):
        return Unit.objects.filter(is_active=True)
    if user.role == Role.STAFF:
        return units_visible_to(user).filter(is_active=True)
    if user.role == Role.UNIT_MANAGER and user.unit is not None:
        return Unit.objects.subtree_of(user.unit).filter(is_active=True)
    return Unit.objects.none()


def get_editable_or_403(visible: models.QuerySet[M], editable: models.QuerySet[M],
                        **lookup: Any) -> M:
    """404 when the object is outside the scope; 403 when visible but not changeable."""
    from django.core.exceptions import PermissionDenied

    obj = get_visible_or_404(visible, **lookup)
    if not editable.filter(pk=obj.pk).exists():
        raise PermissionDenied
    return obj


# Notifications -----------------------------------------------------------------------


def can_manage_reminder_rules(user: Any) -> bool:
    """The staff department (and administrators) set when reminders go out."""
    return has_role(user, Role.STAFF)


# Background jobs ---------------------------------------------------------------------


def jobs_visible_to(user: Any) -> models.QuerySet[Any]:
    """A user sees the jobs they started; an admin sees every job."""
    from dondoc.jobs.models import Job

    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    if is_admin(user):
        return Job.objects.all()
    return Job.objects.filter(owner=user)


def jobs_retryable_by(user: Any) -> models.QuerySet[Any]:
    """The jobs a user may run again: their own (an admin: any)."""
    return jobs_visible_to(user)


# Consolidated reports ----------------------------------------------------------------
#
# Unit managers generate drafts for their own subtree; staff generate and issue for their
# scope; leaders and inspectors read the issued reports of their scope (issue 12).

REPORT_READER_ROLES = {Role.LEADER, Role.INSPECTOR}


def report_units_for(user: Any) -> models.QuerySet[Unit]:
    """Units whose subtree ``user`` may generate a consolidated report for."""
    if is_admin(user):
        return Unit.objects.all()
    if not getattr(user, "is_authenticated", False) or user.unit is None:
        return Unit.objects.none()
    if user.role == Role.STAFF:
        return units_visible_to(user)
    if user.role == Role.UNIT_MANAGER:
        return Unit.objects.subtree_of(user.unit)
    return Unit.objects.none()


def reports_visible_to(user: Any) -> models.QuerySet[Any]:
    """Reports the user may open: drafts and issued reports of the units they generate
    for; for leaders and inspectors, the issued reports of their scope."""
    from dondoc.reports.models import ConsolidatedReport, ReportStatus

    if not getattr(user, "is_authenticated", False):
        return ConsolidatedReport.objects.none()
    if is_admin(user):
        return ConsolidatedReport.objects.all()
    if user.role in REPORT_READER_ROLES:
        root = scope_root(user)
        if root is None:
            return ConsolidatedReport.objects.none()
        return ConsolidatedReport.objects.filter(scope_unit__path__startswith=root.path,
                                                 status=ReportStatus.ISSUED)
    return ConsolidatedReport.objects.filter(scope_unit__in=report_units_for(user))


def reports_editable_by(user: Any) -> models.QuerySet[Any]:
    """Drafts the user may edit and regenerate."""
    from dondoc.reports.models import ConsolidatedReport, ReportStatus

    return ConsolidatedReport.objects.filter(
        scope_unit__in=report_units_for(user), status=ReportStatus.DRAFT)


def reports_issuable_by(user: Any) -> models.QuerySet[Any]:
    """Drafts the user may issue: staff for their scope (administrators: any)."""
    from dondoc.reports.models import ConsolidatedReport

    if not is_admin(user) and getattr(user, "role", None) != Role.STAFF:
        return ConsolidatedReport.objects.none()
    return reports_editable_by(user)


def can_manage_report_templates(user: Any) -> bool:
    return has_role(user, Role.STAFF)


def report_templates_for(user: Any) -> models.QuerySet[Any]:
    """Word templates the user may choose: those of their agency and the agencies above."""
    from dondoc.reports.models import ReportTemplate

    if is_admin(user):
        return ReportTemplate.objects.all()
    if not getattr(user, "is_authenticated", False) or user.unit is None:
        return ReportTemplate.objects.none()
    root = scope_root(user) or user.unit
    return ReportTemplate.objects.filter(
        Q(owner_unit__path__in=_ancestor_paths(user.unit))
        | Q(owner_unit__path__startswith=root.path))
# Inspections and steering-committee meetings -----------------------------------------
#
# An inspection is seen by every scope containing one of its subject units (or its
# inspecting unit); a subject unit sees its own findings and recommendations only. The
# inspectors of the agency plan them and record findings; the follow-up tasks are
# assigned and confirmed by staff as usual (tasks_decidable_by).


def inspections_visible_to(user: Any) -> models.QuerySet[Any]:
    from dondoc.inspections.models import Inspection

    if not getattr(user, "is_authenticated", False):
        return Inspection.objects.none()
    root = scope_root(user)
    if root is None:
        return Inspection.objects.all()
    subject = Inspection.subject_units.through.objects.filter(
        inspection_id=OuterRef("pk"), unit__path__startswith=root.path)
    return Inspection.objects.filter(Q(owner_unit__path__startswith=root.path)
                                     | Q(models.Exists(subject)))


def inspection_parts_q(user: Any) -> Q:
    """Findings and recommendations (``unit``, ``inspection``) the user may read: those of
    units in their scope, all of them where their scope contains the inspecting unit."""
    return unit_scope_q(user, "unit") | unit_scope_q(user, "inspection__owner_unit")


def can_create_inspections(user: Any) -> bool:
    return has_role(user, Role.INSPECTOR)


def inspections_editable_by(user: Any) -> models.QuerySet[Any]:
    """Inspections whose plan, findings and recommendations the user records: an
    inspector's of their agency (the inspecting unit in their scope)."""
    from dondoc.inspections.models import Inspection

    if is_admin(user):
        return Inspection.objects.all()
    if not can_create_inspections(user):
        return Inspection.objects.none()
    return Inspection.objects.filter(unit_scope_q(user, "owner_unit"))


def meetings_visible_to(user: Any) -> models.QuerySet[Any]:
    """Steering-committee meetings of the user's scope (the tasks made from their
    conclusions reach the units through ``tasks_visible_to``)."""
    from dondoc.inspections.models import Meeting

    return Meeting.objects.filter(unit_scope_q(user, "owner_unit"))


def can_create_meetings(user: Any) -> bool:
    return has_role(user, Role.STAFF)


def meetings_editable_by(user: Any) -> models.QuerySet[Any]:
    """Meetings whose record (conclusions, notice) the user keeps: staff of the scope."""
    from dondoc.inspections.models import Meeting

    if not can_create_meetings(user):
        return Meeting.objects.none()
    return meetings_visible_to(user)
# Periodic unit reports ---------------------------------------------------------------
#
# A unit's period report is seen where its unit is seen (the unit's own subtree upwards,
# the agency's staff, leaders and inspectors); it is written by its own unit's subtree
# (managers and officers), and accepted or returned by the staff of the agency that
# manages the obligation, never by the reporting unit's own side.


def obligations_visible_to(user: Any) -> models.QuerySet[Any]:
    """Reporting obligations managed in the user's scope, or that oblige a unit of it."""
    from dondoc.unitreports.models import ReportingObligation

    if not getattr(user, "is_authenticated", False):
        return ReportingObligation.objects.none()
    root = scope_root(user)
    if root is None:
        return ReportingObligation.objects.all()
    named = ReportingObligation.units.through.objects.filter(
        Q(unit__path__startswith=root.path)
        | Q(unit__path__in=_ancestor_paths(root), reportingobligation__with_subunits=True))
    return ReportingObligation.objects.filter(
        Q(owner_unit__path__startswith=root.path)
        | Q(pk__in=named.values("reportingobligation_id")))


def obligations_manageable_by(user: Any) -> models.QuerySet[Any]:
    """Obligations the user may define and change: staff of the managing agency."""
    from dondoc.unitreports.models import ReportingObligation

    if is_admin(user):
        return ReportingObligation.objects.all()
    if not getattr(user, "is_authenticated", False) or user.role != Role.STAFF:
        return ReportingObligation.objects.none()
    return ReportingObligation.objects.filter(unit_scope_q(user, "owner_unit"))


def can_define_obligations(user: Any) -> bool:
    return has_role(user, Role.STAFF)


def unit_reports_visible_to(user: Any) -> models.QuerySet[Any]:
    from dondoc.unitreports.models import UnitReport

    if not getattr(user, "is_authenticated", False):
        return UnitReport.objects.none()
    return UnitReport.objects.filter(unit_scope_q(user, "unit"))


def unit_reports_writable_by(user: Any) -> models.QuerySet[Any]:
    """Reports the user may fill in and submit: those of their own unit's subtree."""
    from dondoc.unitreports.models import UnitReport

    if is_admin(user):
        return UnitReport.objects.all()
    path = _own_unit_path(user)
    if path is None or user.role not in {Role.STAFF, Role.UNIT_MANAGER, Role.OFFICER}:
        return UnitReport.objects.none()
    return UnitReport.objects.filter(unit__path__startswith=path)


def units_reporting_for(user: Any) -> models.QuerySet[Unit]:
    """Units whose reports the user may start: their own unit's subtree."""
    if is_admin(user):
        return Unit.objects.all()
    path = _own_unit_path(user)
    if path is None or user.role not in {Role.STAFF, Role.UNIT_MANAGER, Role.OFFICER}:
        return Unit.objects.none()
    return Unit.objects.filter(path__startswith=path)


def unit_reports_decidable_by(user: Any) -> models.QuerySet[Any]:
    """Reports the user may accept or return: staff of the agency managing the
    obligation, for units of their scope other than their own side."""
    from dondoc.unitreports.models import UnitReport

    if is_admin(user):
        return UnitReport.objects.all()
    if not getattr(user, "is_authenticated", False) or user.role != Role.STAFF:
        return UnitReport.objects.none()
    reports = UnitReport.objects.filter(unit_scope_q(user, "unit"),
                                        unit_scope_q(user, "obligation__owner_unit"))
    if user.unit is not None:
        reports = reports.exclude(unit__path__startswith=user.unit.path)
    return reports
# Urging letters ----------------------------------------------------------------------


def can_urge(user: Any) -> bool:
    """Staff (and administrators) generate urging letters and choose their template."""
    return has_role(user, Role.STAFF)


def urging_letters_visible_to(user: Any) -> models.QuerySet[Any]:
    """Letters issued within the user's scope, and letters addressed to a unit of it: a
    unit sees the letters sent to it (or to its sub-units), staff those of their agency."""
    from dondoc.urging.models import UrgingLetter

    if not getattr(user, "is_authenticated", False):
        return UrgingLetter.objects.none()
    root = scope_root(user)
    if root is None:
        return UrgingLetter.objects.all()
    addressed = UrgingLetter.units.through.objects.filter(
        urgingletter_id=OuterRef("pk"), unit__path__startswith=root.path)
    return UrgingLetter.objects.filter(Q(scope_unit__path__startswith=root.path)
                                       | Q(models.Exists(addressed)))


def urging_records_visible_to(user: Any) -> models.QuerySet[Any]:
    """The tasks urged (one row per letter, unit and task) for units of the user's scope."""
    from dondoc.urging.models import UrgingRecord

    if not getattr(user, "is_authenticated", False):
        return UrgingRecord.objects.none()
    return UrgingRecord.objects.filter(unit_scope_q(user, "unit"))
# Obstacles (khó khăn, vướng mắc) -------------------------------------------------------
#
# An obstacle is seen by those who see its task; on a document, by those who read the
# document and whose scope holds the raising unit or the document's managing unit. The
# unit named to resolve it sees it too (it must act on it).

OBSTACLE_RAISING_ROLES = {Role.STAFF, Role.UNIT_MANAGER, Role.OFFICER}
OBSTACLE_RESOLVING_ROLES = {Role.STAFF, Role.UNIT_MANAGER, Role.OFFICER, Role.LEADER}


def obstacles_visible_to(user: Any) -> models.QuerySet[Any]:
    from dondoc.obstacles.models import Obstacle

    if not getattr(user, "is_authenticated", False):
        return Obstacle.objects.none()
    root = scope_root(user)
    if root is None:
        return Obstacle.objects.all()
    on_task = Q(task_id__in=tasks_visible_to(user).values("pk"))
    on_document = (Q(document_id__in=documents_visible_to(user).values("pk"))
                   & (Q(unit__path__startswith=root.path)
                      | Q(document__owner_unit__path__startswith=root.path)))
    to_resolve = Q(resolver_unit__path__startswith=root.path)
    return Obstacle.objects.filter(on_task | on_document | to_resolve)


def tasks_obstacle_raisable_by(user: Any) -> models.QuerySet[Any]:
    """Tasks a user may raise an obstacle on: those their unit reports on (lead or
    coordinator in their own subtree), while the task is not closed."""
    from dondoc.plans.models import TaskState

    return tasks_reportable_by(user).exclude(
        state__in=[TaskState.COMPLETED, TaskState.CANCELLED])


def documents_obstacle_raisable_by(user: Any) -> models.QuerySet[Any]:
    """Documents a user may raise an obstacle on: readable, and managed by their own
    subtree (staff: their agency) or having a task their own subtree leads or coordinates."""
    from dondoc.plans.models import Document, Task

    if is_admin(user):
        return Document.objects.all()
    path = _own_unit_path(user)
    if path is None or user.role not in OBSTACLE_RAISING_ROLES:
        return Document.objects.none()
    # Each a correlated EXISTS on the document's own tasks: as ``pk IN (the documents of
    # every task the subtree leads or coordinates)`` PostgreSQL read every task to test
    # one document (0.7 s at 1,000,000 tasks, on each obstacle raised on a document).
    led = Task.objects.filter(document_id=models.OuterRef("pk"),
                              lead_unit__path__startswith=path)
    coordinated = Task.coordinating_units.through.objects.filter(
        task__document_id=models.OuterRef("pk"), unit__path__startswith=path)
    mine = (Q(owner_unit__path__startswith=path) | Q(models.Exists(led))
            | Q(models.Exists(coordinated)))
    if user.role == Role.STAFF:
        mine |= Q(pk__in=documents_editable_by(user).values("pk"))
    return documents_visible_to(user).filter(mine)


def obstacles_editable_by(user: Any) -> models.QuerySet[Any]:
    """Obstacles whose content a user may correct while open: the raising unit's own
    subtree, and staff whose scope holds the raising unit."""
    if is_admin(user):
        return obstacles_visible_to(user)
    path = _own_unit_path(user)
    if path is None or user.role not in OBSTACLE_RAISING_ROLES:
        return obstacles_visible_to(user).none()
    own = Q(unit__path__startswith=path)
    if user.role == Role.STAFF:
        own |= Q(unit__path__startswith=scope_root(user).path)  # type: ignore[union-attr]
    return obstacles_visible_to(user).filter(own)


def obstacles_triageable_by(user: Any) -> models.QuerySet[Any]:
    """Obstacles a user may escalate to leadership or reject: staff whose scope holds the
    raising unit."""
    if is_admin(user):
        return obstacles_visible_to(user)
    if not getattr(user, "is_authenticated", False) or user.role != Role.STAFF:
        return obstacles_visible_to(user).none()
    root = scope_root(user)
    assert root is not None
    return obstacles_visible_to(user).filter(unit__path__startswith=root.path)


def obstacles_directable_by(user: Any) -> models.QuerySet[Any]:
    """Obstacles a leader may give a direction on: those raised within their scope."""
    if is_admin(user):
        return obstacles_visible_to(user)
    if not getattr(user, "is_authenticated", False) or user.role != Role.LEADER:
        return obstacles_visible_to(user).none()
    root = scope_root(user)
    assert root is not None
    return obstacles_visible_to(user).filter(unit__path__startswith=root.path)


def obstacles_resolvable_by(user: Any) -> models.QuerySet[Any]:
    """Obstacles a user may record the resolution of: those their own unit's subtree must
    resolve; for staff also those of outside agencies (named, or units of kind external)
    raised within their scope."""
    if is_admin(user):
        return obstacles_visible_to(user)
    path = _own_unit_path(user)
    if path is None or user.role not in OBSTACLE_RESOLVING_ROLES:
        return obstacles_visible_to(user).none()
    allowed = Q(resolver_unit__path__startswith=path)
    if user.role == Role.STAFF:
        root = scope_root(user)
        assert root is not None
        outside = Q(resolver_unit__isnull=True) | Q(resolver_unit__kind=UnitKind.EXTERNAL)
        allowed |= outside & Q(unit__path__startswith=root.path)
    return obstacles_visible_to(user).filter(allowed)


def units_nameable_as_resolver(user: Any) -> models.QuerySet[Unit]:
    """Units an obstacle may name to resolve it: every active unit of the agency around
    the user's unit (partners included), whatever the user's own scope."""
    if is_admin(user):
        return Unit.objects.filter(is_active=True)
    unit = getattr(user, "unit", None)
    if unit is None:
        return Unit.objects.none()
    agencies, _externals = _agencies_and_externals_around(user)
    path = agencies[-1] if agencies else unit.path
    return Unit.objects.filter(path__startswith=path, is_active=True)


# Targets (chỉ tiêu) -------------------------------------------------------------------------
#
# Whoever reads a document sees its targets. Staff whose scope manages the document define
# them and enter the whole target's measurements; a unit's managers and officers enter the
# measurements of their own unit (and the units below it) where it has its own target.

TARGET_MEASURING_ROLES = {Role.UNIT_MANAGER, Role.OFFICER}


def targets_visible_to(user: Any) -> models.QuerySet[Any]:
    from dondoc.targets.models import Target

    if not getattr(user, "is_authenticated", False) or is_portal_only(user):
        return Target.objects.none()
    if is_admin(user):
        return Target.objects.all()
    return Target.objects.filter(document_id__in=documents_visible_to(user).values("pk"))


def documents_targetable_by(user: Any) -> models.QuerySet[Any]:
    """Documents a user may define targets on: those they may edit (staff in scope)."""
    return documents_editable_by(user)


def targets_editable_by(user: Any) -> models.QuerySet[Any]:
    """Targets whose whole-target measurements a user may enter: staff whose scope holds
    the managing unit (and administrators)."""
    if is_admin(user):
        return targets_visible_to(user)
    if not getattr(user, "is_authenticated", False) or user.role != Role.STAFF:
        return targets_visible_to(user).none()
    return targets_visible_to(user).filter(unit_scope_q(user, "owner_unit"))


def target_units_measurable_by(user: Any, target: Any) -> models.QuerySet[Any]:
    """The unit rows of ``target`` a user may enter measurements for: all of them for
    those who may edit the target; their own subtree's for unit managers and officers."""
    rows = target.units.select_related("unit")
    if targets_editable_by(user).filter(pk=target.pk).exists():
        return rows.all()
    path = _own_unit_path(user)
    if path is None or user.role not in TARGET_MEASURING_ROLES:
        return rows.none()
    return rows.filter(unit__path__startswith=path)


def targets_measurable_by(user: Any) -> models.QuerySet[Any]:
    """Targets a user may enter at least one measurement of."""
    from dondoc.targets.models import TargetUnit

    editable = Q(pk__in=targets_editable_by(user).values("pk"))
    path = _own_unit_path(user)
    if path is not None and getattr(user, "role", None) in TARGET_MEASURING_ROLES:
        editable |= Q(pk__in=TargetUnit.objects.filter(
            unit__path__startswith=path).values("target_id"))
    return targets_visible_to(user).filter(editable)


# Surveys (khảo sát) -------------------------------------------------------------------------
#
# Staff of an agency run survey campaigns for units of their scope. A campaign is seen by
# those whose scope holds its managing unit, and, once opened, by those whose scope holds
# one of its responding units (they see their own and their subtree's submissions only).
# Officers and managers of a unit draft its submission; its managers submit it; staff of
# the managing agency accept or return it, never for their own unit's side.

SURVEY_DRAFTING_ROLES = {Role.STAFF, Role.UNIT_MANAGER, Role.OFFICER}


def can_create_campaigns(user: Any) -> bool:
    """Staff (and administrators) create campaigns and import forms."""
    return has_role(user, Role.STAFF)


def campaigns_visible_to(user: Any) -> models.QuerySet[Any]:
    from dondoc.surveys.models import Campaign, CampaignStatus, CampaignUnit

    if not getattr(user, "is_authenticated", False) or is_portal_only(user):
        return Campaign.objects.none()
    root = scope_root(user)
    if root is None:
        return Campaign.objects.all()
    answering = CampaignUnit.objects.filter(campaign_id=OuterRef("pk"),
                                            unit__path__startswith=root.path)
    return Campaign.objects.filter(
        Q(owner_unit__path__startswith=root.path)
        | (~Q(status=CampaignStatus.DRAFT) & Q(models.Exists(answering))))


def campaigns_manageable_by(user: Any) -> models.QuerySet[Any]:
    """Campaigns a user may edit, open and close: staff whose scope holds the managing unit."""
    from dondoc.surveys.models import Campaign

    if is_admin(user):
        return Campaign.objects.all()
    if not getattr(user, "is_authenticated", False) or user.role != Role.STAFF:
        return Campaign.objects.none()
    return Campaign.objects.filter(unit_scope_q(user, "owner_unit"))


def submissions_visible_to(user: Any) -> models.QuerySet[Any]:
    """Submissions of units in the user's scope, and all those of the campaigns the user's
    scope manages; never those of campaigns still in draft."""
    from dondoc.surveys.models import CampaignStatus, Submission

    if not getattr(user, "is_authenticated", False) or is_portal_only(user):
        return Submission.objects.none()
    root = scope_root(user)
    if root is None:
        return Submission.objects.all()
    return Submission.objects.filter(
        Q(unit__path__startswith=root.path)
        | Q(campaign__owner_unit__path__startswith=root.path)).exclude(
            campaign__status=CampaignStatus.DRAFT)


def submissions_editable_by(user: Any) -> models.QuerySet[Any]:
    """Submissions whose answers a user may draft: officers, managers (and staff) of the
    unit's own subtree. Whether the step is possible now (status, campaign open) is the
    services' check."""
    if is_admin(user):
        return submissions_visible_to(user)
    path = _own_unit_path(user)
    if path is None or getattr(user, "role", None) not in SURVEY_DRAFTING_ROLES:
        return submissions_visible_to(user).none()
    return submissions_visible_to(user).filter(unit__path__startswith=path)


def submissions_submittable_by(user: Any) -> models.QuerySet[Any]:
    """Submissions a user may submit: the unit managers of the unit's own subtree."""
    if is_admin(user):
        return submissions_visible_to(user)
    path = _own_unit_path(user)
    if path is None or getattr(user, "role", None) != Role.UNIT_MANAGER:
        return submissions_visible_to(user).none()
    return submissions_visible_to(user).filter(unit__path__startswith=path)


def submissions_reviewable_by(user: Any) -> models.QuerySet[Any]:
    """Submissions a user may accept or return: staff whose scope holds the campaign's
    managing unit and the answering unit, except their own unit's side."""
    if is_admin(user):
        return submissions_visible_to(user)
    if not getattr(user, "is_authenticated", False) or user.role != Role.STAFF:
        return submissions_visible_to(user).none()
    found = submissions_visible_to(user).filter(unit_scope_q(user, "unit"),
                                                unit_scope_q(user, "campaign__owner_unit"))
    if user.unit is not None:
        found = found.exclude(unit__path__startswith=user.unit.path)
    return found


def survey_forms_visible_to(user: Any) -> models.QuerySet[Any]:
    """Forms are shared reference material: every signed-in user but portal editors."""
    from dondoc.surveys.models import SurveyForm

    if not getattr(user, "is_authenticated", False) or is_portal_only(user):
        return SurveyForm.objects.none()
    return SurveyForm.objects.all()
# Hot paths (issue 15) ------------------------------------------------------------------
# Cheaper forms of the answers above for the cases they name: the same rows, without
# building and running the general scope filter where it cannot change the result.


def tasks_visible_for_subtree(user: Any, path: str) -> models.QuerySet[Any]:
    """The tasks visible to ``user``, for a caller that keeps only tasks led or coordinated
    by units of the subtree at ``path``. When that subtree lies inside the user's scope,
    every such task is visible (:func:`tasks_visible_to` admits any task led or coordinated
    by a unit under the scope root), so the scope's per-row ``OR`` of unit paths is left
    out; otherwise this is :func:`tasks_visible_to`."""
    from dondoc.plans.models import Task

    if not getattr(user, "is_authenticated", False) or is_portal_only(user):
        return tasks_visible_to(user)
    root = scope_root(user)
    if root is not None and not path.startswith(root.path):
        return tasks_visible_to(user)
    return Task.objects.all()


def obstacles_of_visible_task(user: Any, task: Any) -> models.QuerySet[Any]:
    """The obstacles of ``task`` that ``user`` sees, for a task the caller obtained through
    :func:`tasks_visible_to`: every obstacle raised on a visible task is visible (the first
    clause of :func:`obstacles_visible_to`), so the whole register's scope filter is not
    built for the task page."""
    from dondoc.obstacles.models import Obstacle

    if not getattr(user, "is_authenticated", False) or is_portal_only(user):
        return Obstacle.objects.none()
    return Obstacle.objects.filter(task=task)


# Survey results (consolidation, comparison, campaign export) ---------------------------------
#
# Whoever sees a campaign sees its results for the units whose submissions they see: the
# whole campaign for staff whose scope manages it, their own subtree for a unit's people.


def campaign_units_visible_to(user: Any) -> models.QuerySet[Any]:
    """Responding units (``CampaignUnit``) whose submission the user sees, as
    :func:`submissions_visible_to` (never those of campaigns still in draft)."""
    from dondoc.surveys.models import CampaignStatus, CampaignUnit

    if not getattr(user, "is_authenticated", False) or is_portal_only(user):
        return CampaignUnit.objects.none()
    root = scope_root(user)
    if root is None:
        return CampaignUnit.objects.all()
    return CampaignUnit.objects.filter(
        Q(unit__path__startswith=root.path)
        | Q(campaign__owner_unit__path__startswith=root.path)).exclude(
            campaign__status=CampaignStatus.DRAFT)
