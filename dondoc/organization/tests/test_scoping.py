"""The permission matrix for units, accounts and the audit log, role by role."""

from __future__ import annotations

import pytest

from dondoc.organization import scoping


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


CATP_SUBTREE = {"CATP", "BGD", "PV01", "PX05", "PC08", "PC08-D1", "PC06"}


@pytest.mark.parametrize(
    ("persona", "visible_units"),
    [
        ("admin", CATP_SUBTREE | {"OTHER"}),
        ("leader", CATP_SUBTREE),
        ("staff", CATP_SUBTREE),
        ("inspector", CATP_SUBTREE),
        ("manager", {"PC08", "PC08-D1"}),
        ("officer", {"PC08", "PC08-D1"}),
        ("team_officer", {"PC08-D1"}),
        ("viewer", {"PC08", "PC08-D1"}),
        ("outsider", {"PC06"}),
        ("other_staff", {"OTHER"}),
    ],
)
def test_each_role_sees_its_scope_of_units(people, persona, visible_units) -> None:
    assert codes(scoping.units_visible_to(getattr(people, persona))) == visible_units


@pytest.mark.parametrize(
    ("persona", "manageable"),
    [
        ("admin", CATP_SUBTREE | {"OTHER"}),
        ("staff", CATP_SUBTREE),
        ("leader", set()),
        ("manager", set()),
        ("officer", set()),
        ("inspector", set()),
        ("viewer", set()),
    ],
)
def test_only_admin_and_staff_manage_units(people, persona, manageable) -> None:
    assert codes(scoping.units_manageable_by(getattr(people, persona))) == manageable


def usernames(queryset) -> set[str]:
    return set(queryset.values_list("username", flat=True))


def test_manager_sees_and_manages_only_own_subtree_accounts(people) -> None:
    visible = usernames(scoping.users_visible_to(people.manager))
    assert visible == {"manager", "officer", "team_officer", "viewer"}
    manageable = usernames(scoping.users_manageable_by(people.manager))
    # A manager manages the officers and viewers of the subtree, and itself as a manager
    # role holder, but never an administrator or another subtree.
    assert manageable == {"manager", "officer", "team_officer", "viewer"}
    assert "outsider" not in manageable


def test_staff_sees_agency_accounts_but_manages_none(people) -> None:
    assert "other_staff" not in usernames(scoping.users_visible_to(people.staff))
    assert "outsider" in usernames(scoping.users_visible_to(people.staff))
    assert not scoping.users_manageable_by(people.staff).exists()


def test_manager_may_only_grant_unit_level_roles(people) -> None:
    roles = {value for value, _label in scoping.roles_assignable_by(people.manager)}
    assert roles == {"unit_manager", "officer", "viewer"}
    assert scoping.roles_assignable_by(people.officer) == []


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("admin", True), ("leader", True), ("staff", True), ("inspector", True),
     ("manager", True), ("officer", False), ("viewer", False)],
)
def test_audit_readers(people, persona, allowed) -> None:
    assert scoping.can_read_audit(getattr(people, persona)) is allowed
