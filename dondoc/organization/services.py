"""Writes to the unit tree and to accounts. Each runs in a transaction and is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dondoc.audit.models import Action
from dondoc.audit.services import diff, record, snapshot
from dondoc.core.concurrency import save_versioned
from dondoc.organization import scoping
from dondoc.organization.models import Role, Unit, User
from dondoc.organization.signals import unit_moved

UNIT_FIELDS = [
    "code", "name", "short_name", "kind", "order", "valid_from", "valid_to", "successor",
    "is_active", "is_scope_root", "email",
]
USER_FIELDS = [
    "username", "first_name", "last_name", "email", "unit", "role", "position", "phone",
    "language", "is_active",
]


class UnitError(Exception):
    """A unit operation that the organisation's rules forbid; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _is_person(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _check_scope_change(actor: Any, unit: Unit | None, changed: set[str]) -> None:
    """Refuse a change that would let ``actor`` decide scopes (issue 7, item 1): only
    administrators set scope roots, and nobody else changes the kind, parent, validity or
    activity of a unit outside :func:`scoping.units_restructurable_by` — which never holds
    a unit containing the actor's own. Changes made by the system (no person) pass."""
    if not _is_person(actor) or scoping.is_admin(actor):
        return
    if "is_scope_root" in changed:
        raise UnitError(_("Only an administrator decides where a scope starts."))
    if unit is not None and changed & scoping.UNIT_SCOPE_FIELDS and not (
            scoping.units_restructurable_by(actor).filter(pk=unit.pk).exists()):
        raise UnitError(_("Only an administrator can change the kind, place or validity of "
                          "%(unit)s: it contains your own unit or is the top of your scope.")
                        % {"unit": unit.name})


def _changed(obj: Any, fields: dict[str, Any]) -> set[str]:
    return {name for name, value in fields.items() if getattr(obj, name) != value}


def _refresh_task_agencies(unit: Unit) -> None:
    """The tasks led under ``unit`` may belong to another agency now (``Task.agency``)."""
    from dondoc.plans.services import task_agencies_refresh

    task_agencies_refresh(under=unit)


@transaction.atomic
def unit_create(*, actor: Any, parent: Unit | None, **fields: Any) -> Unit:
    if fields.get("is_scope_root"):
        _check_scope_change(actor, None, {"is_scope_root"})
    if _is_person(actor) and not scoping.is_admin(actor) and (
            parent is None or not scoping.units_manageable_by(actor).filter(
                pk=parent.pk).exists()):
        raise UnitError(_("You may only add sub-units under units you manage."))
    if parent is None:
        unit = Unit.objects.add_root(create_kwargs=fields)
    else:
        unit = Unit.objects.add_child(Unit.objects.get(pk=parent.pk), create_kwargs=fields)
    record(actor=actor, action=Action.CREATE, obj=unit, unit_id=unit.pk,
           changes=diff({}, snapshot(unit, UNIT_FIELDS)))
    return unit


@transaction.atomic
def unit_update(*, actor: Any, unit: Unit, expected_version: int, **fields: Any) -> Unit:
    current = Unit.objects.get(pk=unit.pk)
    _check_scope_change(actor, current, _changed(current, fields))
    before = snapshot(current, UNIT_FIELDS)
    for name, value in fields.items():
        setattr(unit, name, value)
    unit.full_clean(exclude=["path", "depth", "numchild"])
    changed = [name for name in fields if name in UNIT_FIELDS]
    save_versioned(unit, expected_version=expected_version, fields=changed)
    if before["is_scope_root"] != unit.is_scope_root:
        _refresh_task_agencies(unit)
    record(actor=actor, action=Action.UPDATE, obj=unit, unit_id=unit.pk,
           changes=diff(before, snapshot(unit, UNIT_FIELDS)))
    return unit


@transaction.atomic
def unit_move(*, actor: Any, unit: Unit, new_parent: Unit) -> Unit:
    unit = Unit.objects.get(pk=unit.pk)
    new_parent = Unit.objects.get(pk=new_parent.pk)
    _check_scope_change(actor, unit, {"parent"})
    if _is_person(actor) and not scoping.units_manageable_by(actor).filter(
            pk=new_parent.pk).exists():
        raise UnitError(_("Choose a new parent among the units you manage."))
    if new_parent.pk == unit.pk or new_parent.is_in_subtree_of(unit):
        raise UnitError(_("A unit cannot be moved under itself or one of its sub-units."))
    old_parent = Unit.objects.get_parent(unit)
    Unit.objects.move(unit, new_parent, pos="sorted-child")
    unit.refresh_from_db()
    _refresh_task_agencies(unit)
    unit_moved.send(sender=Unit, unit=unit)
    record(actor=actor, action=Action.MOVE, obj=unit, unit_id=unit.pk,
           changes={"parent": [old_parent.pk if old_parent else None, new_parent.pk]})
    return unit


@transaction.atomic
def unit_dissolve(
    *, actor: Any, unit: Unit, valid_to: dt.date, successor: Unit | None
) -> Unit:
    """Mark a unit as dissolved on ``valid_to``; its history stays, its work can move on."""
    _check_scope_change(actor, unit, {"valid_to", "is_active"})
    if successor is not None and (successor.pk == unit.pk or successor.is_in_subtree_of(unit)):
        raise UnitError(_("The successor must be another unit, outside the dissolved one."))
    if unit.valid_from and valid_to < unit.valid_from:
        raise UnitError(_("The unit cannot be dissolved before it was created."))
    before = snapshot(unit, UNIT_FIELDS)
    unit.valid_to = valid_to
    unit.successor = successor
    unit.is_active = False
    save_versioned(unit, expected_version=unit.version,
                   fields=["valid_to", "successor", "is_active"])
    record(actor=actor, action=Action.UPDATE, obj=unit, unit_id=unit.pk,
           changes=diff(before, snapshot(unit, UNIT_FIELDS)), message="dissolved")
    return unit


def unit_attached_work(unit: Unit) -> list[str]:
    """Human-readable reasons why ``unit`` cannot be deleted (empty when it can)."""
    reasons: list[str] = []
    if Unit.objects.get_children_count(unit):
        reasons.append(str(gettext_lazy("it has sub-units")))
    for rel in unit._meta.related_objects:
        if rel.related_model is Unit:
            continue
        accessor = rel.get_accessor_name()
        if accessor is None:
            continue
        manager = getattr(unit, accessor, None)
        if manager is None or not isinstance(manager, models.Manager):
            continue
        count = manager.count()
        if count:
            reasons.append(
                _("%(count)d %(things)s are attached")
                % {"count": count, "things": rel.related_model._meta.verbose_name_plural}
            )
    return reasons


@transaction.atomic
def unit_delete(*, actor: Any, unit: Unit) -> None:
    _check_scope_change(actor, unit, {"parent"})
    reasons = unit_attached_work(unit)
    if reasons:
        raise UnitError(
            _("This unit cannot be deleted because %(reasons)s. Dissolve it instead, "
              "so that its history is kept.") % {"reasons": "; ".join(reasons)}
        )
    record(actor=actor, action=Action.DELETE, obj=unit, unit_id=unit.pk,
           changes=diff(snapshot(unit, UNIT_FIELDS), {}))
    Unit.objects.filter(pk=unit.pk).get().delete()


@transaction.atomic
def user_create(*, actor: Any, password: str | None, **fields: Any) -> User:
    user = User(**fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record(actor=actor, action=Action.CREATE, obj=user, unit_id=user.unit_id,
           changes=diff({}, snapshot(user, USER_FIELDS)))
    return user


class UserError(Exception):
    """An account change that the organisation's rules forbid; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@transaction.atomic
def user_update(*, actor: Any, user: User, expected_version: int, **fields: Any) -> User:
    """Change an account. Nobody changes the rights of their own account (role, unit,
    active, 2FA exemption): someone else must, so that no one widens their own scope."""
    current = User.objects.get(pk=user.pk)
    if _is_person(actor) and actor.pk == user.pk and (
            _changed(current, fields) & scoping.USER_RIGHTS_FIELDS):
        raise UserError(_("You cannot change the role, unit, status or two-factor exemption "
                          "of your own account; ask an administrator."))
    before = snapshot(current, USER_FIELDS)
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    save_versioned(user, expected_version=expected_version, fields=list(fields))
    record(actor=actor, action=Action.UPDATE, obj=user, unit_id=user.unit_id,
           changes=diff(before, snapshot(user, USER_FIELDS)))
    return user


@transaction.atomic
def user_set_password(*, actor: Any, user: User, password: str) -> None:
    """Set a new password (the owner's change or a manager's reset). The account's API
    tokens are revoked with it: a token made by whoever knew the old password must not
    outlive it (the sessions end too, through Django's session hash)."""
    from dondoc.api.services import tokens_revoke_all  # the API builds on accounts

    user.set_password(password)
    user.save(update_fields=["password"])
    record(actor=actor, action=Action.UPDATE, obj=user, unit_id=user.unit_id,
           changes={"password": ["***", "***"]}, message="password changed")
    tokens_revoke_all(actor=actor, user=user, reason="password changed")


@transaction.atomic
def user_set_language(*, user: User, language: str) -> None:
    if user.language == language:
        return
    before = user.language
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    record(actor=user, action=Action.UPDATE, obj=user, unit_id=user.unit_id,
           changes={"language": [before, language]})


def role_label(role: str) -> str:
    return str(Role(role).label)
