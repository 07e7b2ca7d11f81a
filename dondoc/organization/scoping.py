"""Who may see and change what: the organisation's access rules, written once.

Every page, export, report and API endpoint reaches unit-owned data through these
functions. The rules:

* ``admin`` sees and manages everything.
* ``leader``, ``staff`` and ``inspector`` work for an agency (the nearest ancestor of
  their unit whose kind is *agency*, e.g. the City Police): they see its whole subtree.
  ``staff`` also manage its units and its work.
* ``unit_manager``, ``officer`` and ``viewer`` see their own unit's subtree; a
  ``unit_manager`` manages the accounts of that subtree.

An object outside the scope is answered exactly like an object that does not exist.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

from dondoc.organization.models import Role, Unit, UnitKind, User

AGENCY_WIDE_ROLES = {Role.LEADER, Role.STAFF, Role.INSPECTOR}
MANAGER_ASSIGNABLE_ROLES = [Role.UNIT_MANAGER, Role.OFFICER, Role.VIEWER]

M = TypeVar("M", bound=models.Model)

_NOTHING = Q(pk__in=[])


def _ancestor_paths(unit: Unit) -> list[str]:
    step = Unit.steplen
    return [unit.path[: step * depth] for depth in range(1, len(unit.path) // step + 1)]


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
        agency = (
            Unit.objects.filter(path__in=_ancestor_paths(unit), kind=UnitKind.AGENCY)
            .order_by("-depth")
            .first()
        )
        root = agency or unit
    user._dondoc_scope_root = root
    return root


def is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and (user.role == Role.ADMIN or user.is_superuser))


def unit_scope_q(user: Any, unit_field: str) -> Q:
    """A filter keeping rows whose ``unit_field`` (a Unit relation) lies in the user's scope.

    ``unit_field`` is a lookup path to a unit, e.g. ``"lead_unit"`` or ``"unit"``.
    """
    if not getattr(user, "is_authenticated", False):
        return _NOTHING
    root = scope_root(user)
    if root is None:
        return Q()
    return Q(**{f"{unit_field}__path__startswith": root.path})


def has_role(user: Any, *roles: str) -> bool:
    return bool(user.is_authenticated and (user.role in roles or is_admin(user)))


# Units -------------------------------------------------------------------------------


def units_visible_to(user: Any) -> models.QuerySet[Unit]:
    root = scope_root(user)
    if root is None:
        return Unit.objects.all()
    return Unit.objects.subtree_of(root)


def units_manageable_by(user: Any) -> models.QuerySet[Unit]:
    """Units the user may create children under, rename, move and dissolve."""
    if is_admin(user):
        return Unit.objects.all()
    if user.role == Role.STAFF:
        return units_visible_to(user)
    return Unit.objects.none()


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


def documents_visible_to(user: Any) -> models.QuerySet[Any]:
    """Documents managed within the scope, or by a unit above the user's (directives flow down)."""
    from dondoc.plans.models import Document

    if not getattr(user, "is_authenticated", False):
        return Document.objects.none()
    root = scope_root(user)
    if root is None:
        return Document.objects.all()
    above = _ancestor_paths(user.unit) if user.unit is not None else []
    return Document.objects.filter(
        Q(owner_unit__path__startswith=root.path) | Q(owner_unit__path__in=above)
    )


def documents_editable_by(user: Any) -> models.QuerySet[Any]:
    from dondoc.plans.models import Document

    if is_admin(user):
        return Document.objects.all()
    if user.is_authenticated and user.role == Role.STAFF:
        return documents_visible_to(user).filter(
            owner_unit__path__startswith=scope_root(user).path  # type: ignore[union-attr]
        )
    return Document.objects.none()


def _task_scope_q(path: str) -> Q:
    from dondoc.plans.models import Task

    coordinated = Task.coordinating_units.through.objects.filter(
        task_id=models.OuterRef("pk"), unit__path__startswith=path
    )
    return (
        Q(lead_unit__path__startswith=path)
        | Q(assigning_unit__path__startswith=path)
        | Q(models.Exists(coordinated))
    )


def tasks_visible_to(user: Any) -> models.QuerySet[Any]:
    from dondoc.plans.models import Task

    if not getattr(user, "is_authenticated", False):
        return Task.objects.none()
    root = scope_root(user)
    if root is None:
        return Task.objects.all()
    return Task.objects.filter(_task_scope_q(root.path))


def tasks_decidable_by(user: Any) -> models.QuerySet[Any]:
    """Tasks whose definition and decisions (approve, extend, suspend, cancel) the user owns:
    staff for what their agency assigned, a unit manager for what its subtree assigned
    (cascaded sub-tasks)."""
    from dondoc.plans.models import Task

    if is_admin(user):
        return Task.objects.all()
    if not user.is_authenticated or user.role not in {Role.STAFF, Role.UNIT_MANAGER}:
        return Task.objects.none()
    root = scope_root(user)
    assert root is not None
    return Task.objects.filter(assigning_unit__path__startswith=root.path)


def tasks_reportable_by(user: Any) -> models.QuerySet[Any]:
    """Tasks the user may report progress on: those of their own unit's subtree, as lead
    or coordinator."""
    from dondoc.plans.models import Task

    if is_admin(user):
        return Task.objects.all()
    path = _own_unit_path(user)
    if path is None or user.role not in {Role.STAFF, Role.UNIT_MANAGER, Role.OFFICER}:
        return Task.objects.none()
    coordinated = Task.coordinating_units.through.objects.filter(
        task_id=models.OuterRef("pk"), unit__path__startswith=path
    )
    return Task.objects.filter(Q(lead_unit__path__startswith=path) | Q(models.Exists(coordinated)))


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

    return Task.objects.filter(
        Q(pk__in=tasks_reportable_by(user).values("pk"))
        | Q(pk__in=tasks_decidable_by(user).values("pk")))


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
