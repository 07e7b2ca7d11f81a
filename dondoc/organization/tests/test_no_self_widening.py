"""No user widens their own scope (security test, issue 7, items 1 and 2).

The world: a ministry (scope root) above the city police and another province, so that a
scope root moving up would show a lot more. For every role, every field of the unit and
account forms is tried through the real pages on every unit that decides the user's
scope; afterwards what the user sees (tasks, units, users, documents) is a subset of what
they saw before. A property test then runs random sequences of a user's own allowed
actions (unit and account edits, requests, decisions) and checks the same, and that no
request was decided by its requester or by the lead side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dondoc.api import services as token_services
from dondoc.organization import scoping
from dondoc.organization import services as org_services
from dondoc.organization.forms import UnitForm, UserUpdateForm
from dondoc.organization.models import Role, Unit, UnitKind, User
from dondoc.organization.tests.factories import make_unit
from dondoc.plans import services
from dondoc.plans.models import (
    AccessLevel,
    CompletionRequest,
    DeadlineExtension,
    DocumentKind,
    RequestStatus,
    Task,
)

PERSONAS = ["leader", "staff", "inspector", "manager", "officer", "viewer", "team_officer",
            "outsider", "other_staff"]
UNIT_FIELDS = list(UnitForm.Meta.fields)
USER_FIELDS = [*UserUpdateForm.Meta.fields, "otp_exempt", "is_superuser"]


@dataclass
class World:
    tasks: dict[str, Task]


@pytest.fixture
def world(org: Any, people: Any, time_machine: Any) -> World:
    """MIN (ministry) ⊃ {CATP ⊃ …, OTHER, MIN-V01}; documents and tasks at every level."""
    time_machine.move_to(dt.datetime(2025, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False)
    ministry = make_unit(None, "MIN", "Bộ Công an", kind=UnitKind.AGENCY)
    for code in ("CATP", "OTHER"):
        org_services.unit_move(actor=None, unit=Unit.objects.get(code=code),
                               new_parent=ministry)
    v01 = make_unit(Unit.objects.get(code="MIN"), "MIN-V01", "Văn phòng Bộ")
    units = {unit.code: unit for unit in Unit.objects.all()}
    tasks: dict[str, Task] = {}

    def document(owner: str, prefix: str, level: str = AccessLevel.INTERNAL) -> Any:
        return services.document_create(
            actor=None, kind=DocumentKind.PLAN, number=f"{prefix}/KH", title=prefix,
            issuer=owner, issue_date=dt.date(2025, 1, 1), owner_unit=units[owner],
            code_prefix=prefix, access_level=level)

    def task(doc: Any, code: str, lead: str, by: str) -> None:
        tasks[code] = services.task_create(
            actor=None, document=doc, code=code, title=code, lead_unit=units[lead],
            assigning_unit=units[by], due_date=dt.date(2026, 6, 30),
            assigned_on=dt.date(2025, 1, 2))

    catp = document("CATP", "KH1")
    task(catp, "PV01-T", "PV01", "CATP")
    task(catp, "PC08-T", "PC08", "CATP")
    task(catp, "PC06-T", "PC06", "CATP")
    tasks["D1-T"] = services.task_create(
        actor=None, document=catp, parent=tasks["PC08-T"], code="D1-T", title="D1",
        lead_unit=units["PC08-D1"], assigning_unit=units["PC08"],
        due_date=dt.date(2026, 3, 31), assigned_on=dt.date(2025, 1, 3))
    task(document("OTHER", "KH2"), "OTHER-T", "OTHER", "OTHER")
    task(document("MIN", "KH3", AccessLevel.RESTRICTED), "MIN-T", "MIN-V01", "MIN")
    del v01
    return World(tasks=tasks)


def fresh(user: User) -> User:
    return User.objects.select_related("unit").get(pk=user.pk)


def visible(user: User) -> dict[str, set[int]]:
    """What the user sees, computed afresh as a new request would."""
    user = fresh(user)
    return {
        "tasks": set(scoping.tasks_visible_to(user).values_list("pk", flat=True)),
        "units": set(scoping.units_visible_to(user).values_list("pk", flat=True)),
        "users": set(scoping.users_visible_to(user).values_list("pk", flat=True)),
        "documents": set(scoping.documents_visible_to(user).values_list("pk", flat=True)),
        "decidable": set(scoping.tasks_requests_decidable_by(user)
                         .values_list("pk", flat=True)),
    }


def assert_not_wider(before: dict[str, set[int]], after: dict[str, set[int]],
                     what: str) -> None:
    for kind, seen in after.items():
        gained = seen - before[kind]
        assert not gained, f"{what}: now sees more {kind}: {sorted(gained)}"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def units_deciding_scope(user: User) -> list[Unit]:
    """The user's unit and every unit above it: what decides their scope."""
    unit = fresh(user).unit
    assert unit is not None
    return list(Unit.objects.filter(path__in=[unit.path[:i] for i in
                                              range(Unit.steplen, len(unit.path) + 1,
                                                    Unit.steplen)]))


def unit_form_data(unit: Unit) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": unit.code, "name": unit.name, "short_name": unit.short_name,
        "kind": unit.kind, "order": unit.order, "email": unit.email,
        "valid_from": unit.valid_from.strftime("%d/%m/%Y") if unit.valid_from else "",
        "version": unit.version,
    }
    if unit.is_scope_root:
        data["is_scope_root"] = "on"
    return data


def user_form_data(user: User) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": user.username, "last_name": user.last_name,
        "first_name": user.first_name, "email": user.email, "unit": user.unit_id,
        "role": user.role, "position": user.position, "phone": user.phone,
        "language": user.language, "version": user.version,
    }
    if user.is_active:
        data["is_active"] = "on"
    return data


def unit_values(field: str) -> list[Any]:
    """The values worth trying for a unit form field (those that could move a scope)."""
    return {
        # Agency and external are the kinds with a meaning for access; one ordinary kind.
        "kind": [UnitKind.AGENCY.value, UnitKind.EXTERNAL.value, UnitKind.DEPARTMENT.value],
        "is_scope_root": [True, False],
        "valid_from": ["01/01/2099", "01/01/1900"],
        "code": ["NEWCODE"], "name": ["Tên mới"], "short_name": ["Mới"],
        "order": [1, 999], "email": ["x@example.test"],
    }[field]


def user_values(field: str) -> list[Any]:
    units = list(Unit.objects.values_list("pk", flat=True))
    return {
        "role": [role.value for role in Role], "unit": units, "is_active": [True, False],
        "otp_exempt": [True], "is_superuser": [True],
        "username": ["renamed"], "last_name": ["Lê"], "first_name": ["An"],
        "email": ["a@example.test"], "position": ["Giám đốc"], "phone": ["0905 000 000"],
        "language": ["en"],
    }[field]


def post_with(data: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    changed = dict(data)
    if value is True:
        changed[field] = "on"
    elif value is False:
        changed.pop(field, None)
    else:
        changed[field] = value
    return changed


@pytest.mark.parametrize("field", UNIT_FIELDS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_editing_a_unit_never_widens_ones_own_scope(world, people, persona, field) -> None:
    user = getattr(people, persona)
    client = client_for(user)
    before = visible(user)
    targets = units_deciding_scope(user) + list(Unit.objects.filter(code__in=["PC06",
                                                                             "PC08-D1"]))
    for target in targets:
        for value in unit_values(field):
            unit = Unit.objects.get(pk=target.pk)
            client.post(f"/units/{unit.pk}/edit/",
                        post_with(unit_form_data(unit), field, value))
            assert_not_wider(before, visible(user),
                             f"{persona} set {field}={value!r} on {unit.code}")


@pytest.mark.parametrize("persona", PERSONAS)
def test_moving_or_dissolving_a_unit_never_widens_ones_own_scope(world, people,
                                                                 persona) -> None:
    user = getattr(people, persona)
    client = client_for(user)
    before = visible(user)
    parents = list(Unit.objects.filter(code__in=["MIN", "OTHER", "CATP", "PC06"]))
    for target in units_deciding_scope(user):
        for parent in parents:
            client.post(f"/units/{target.pk}/move/", {"new_parent": parent.pk})
            assert_not_wider(before, visible(user), f"{persona} moved {target.code}")
        client.post(f"/units/{target.pk}/dissolve/", {"valid_to": "01/01/2020"})
        assert_not_wider(before, visible(user), f"{persona} dissolved {target.code}")
        assert Unit.objects.get(pk=target.pk).is_active


@pytest.mark.parametrize("field", USER_FIELDS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_editing_ones_own_account_never_widens_ones_scope(world, people, persona,
                                                          field) -> None:
    user = getattr(people, persona)
    client = client_for(user)
    before = visible(user)
    for value in user_values(field):
        account = fresh(user)
        client.post(f"/users/{account.pk}/edit/",
                    post_with(user_form_data(account), field, value))
        after = fresh(user)
        assert (after.role, after.unit_id, after.is_active, after.otp_exempt,
                after.is_superuser) == (user.role, user.unit_id, user.is_active,
                                        user.otp_exempt, user.is_superuser), field
        assert_not_wider(before, visible(user), f"{persona} set own {field}={value!r}")


def test_a_staff_member_keeps_managing_units_below_the_scope_root(world, people,
                                                                  login) -> None:
    client = login(people.staff)
    pc06 = Unit.objects.get(code="PC06")
    response = client.post(f"/units/{pc06.pk}/edit/",
                           post_with(unit_form_data(pc06), "kind", UnitKind.DISTRICT))
    assert response.status_code == 302
    assert Unit.objects.get(pk=pc06.pk).kind == UnitKind.DISTRICT
    # … but never makes it a scope root: the field is not even on the form,
    pc06 = Unit.objects.get(pk=pc06.pk)
    client.post(f"/units/{pc06.pk}/edit/", post_with(unit_form_data(pc06), "is_scope_root",
                                                     True))
    assert not Unit.objects.get(pk=pc06.pk).is_scope_root
    # … and the service refuses it whatever the caller.
    with pytest.raises(org_services.UnitError, match="gốc phạm vi"):
        org_services.unit_update(actor=fresh(people.staff), unit=pc06,
                                 expected_version=pc06.version, is_scope_root=True)
    catp = Unit.objects.get(code="CATP")
    page = client.get(f"/units/{catp.pk}/edit/")
    assert page.context["form"].fields["kind"].disabled
    assert client.get(f"/units/{catp.pk}/move/").status_code == 403


def test_only_an_administrator_sets_a_scope_root(world, people, login) -> None:
    pc06 = Unit.objects.get(code="PC06")
    response = login(people.admin).post(
        f"/units/{pc06.pk}/edit/", post_with(unit_form_data(pc06), "is_scope_root", True))
    assert response.status_code == 302
    assert Unit.objects.get(pk=pc06.pk).is_scope_root
    # Its manager (the outsider persona) now sees only PC06: nothing changes for them,
    # but leaders under it would see PC06's subtree as their agency.
    assert scoping.scope_root(fresh(people.outsider)) == Unit.objects.get(pk=pc06.pk)


def test_the_api_has_no_way_to_change_units(world, people) -> None:
    _token, secret = token_services.token_create(actor=people.staff, name="t")
    catp = Unit.objects.get(code="CATP")
    for method in ("post", "put", "patch", "delete"):
        response = getattr(Client(), method)(
            f"/api/v1/units/{catp.pk}", data='{"kind": "department"}',
            content_type="application/json", headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 405, method
    assert Unit.objects.get(pk=catp.pk).kind == UnitKind.AGENCY


def test_the_migration_makes_every_agency_a_scope_root(world) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "dondoc.organization.migrations.0002_unit_is_scope_root")
    Unit.objects.update(is_scope_root=False)
    migration.flag_agencies(apps, None)
    assert set(Unit.objects.filter(is_scope_root=True).values_list("code", flat=True)) == {
        "MIN", "CATP", "OTHER"}


# The property: random sequences of a user's own actions ---------------------------------

TASK_CODES = ["PV01-T", "PC08-T", "PC06-T", "D1-T", "OTHER-T", "MIN-T"]
UNIT_CODES = ["MIN", "CATP", "OTHER", "PV01", "PC08", "PC08-D1", "PC06", "BGD"]

action = st.one_of(
    st.tuples(st.just("unit_edit"), st.sampled_from(UNIT_CODES),
              st.sampled_from(["kind", "is_scope_root", "valid_from"]),
              st.sampled_from([UnitKind.AGENCY.value, UnitKind.DEPARTMENT.value, True,
                               False, "01/01/2099"])),
    st.tuples(st.just("unit_move"), st.sampled_from(UNIT_CODES), st.sampled_from(UNIT_CODES)),
    st.tuples(st.just("unit_dissolve"), st.sampled_from(UNIT_CODES)),
    st.tuples(st.just("user_edit"), st.sampled_from(["role", "unit", "is_active"]),
              st.sampled_from([*[role.value for role in Role], *UNIT_CODES, False])),
    st.tuples(st.just("extend"), st.sampled_from(TASK_CODES)),
    st.tuples(st.just("complete"), st.sampled_from(TASK_CODES)),
    st.tuples(st.just("decide"), st.sampled_from(TASK_CODES), st.booleans()),
)


def run(client: Client, user: User, world: World, step: tuple[Any, ...]) -> None:
    """Try one action through the pages, as the user would (refusals are fine)."""
    kind = step[0]
    units = {unit.code: unit for unit in Unit.objects.all()}
    if kind == "unit_edit":
        unit = units[step[1]]
        value = step[3]
        wrong_kind = step[2] == "kind" and not isinstance(value, str)
        wrong_day = step[2] == "valid_from" and value != "01/01/2099"
        if wrong_kind or wrong_day:
            return
        client.post(f"/units/{unit.pk}/edit/", post_with(unit_form_data(unit), step[2], value))
    elif kind == "unit_move":
        client.post(f"/units/{units[step[1]].pk}/move/", {"new_parent": units[step[2]].pk})
    elif kind == "unit_dissolve":
        client.post(f"/units/{units[step[1]].pk}/dissolve/", {"valid_to": "01/01/2020"})
    elif kind == "user_edit":
        account = fresh(user)
        value: Any = step[2]
        if step[1] == "unit":
            value = units[value].pk if value in units else account.unit_id
        client.post(f"/users/{account.pk}/edit/",
                    post_with(user_form_data(account), step[1], value))
    elif kind == "extend":
        client.post(f"/tasks/{world.tasks[step[1]].pk}/extend/",
                    {"proposed_due": "30/06/2030", "reason": "Lý do"})
    elif kind == "complete":
        client.post(f"/tasks/{world.tasks[step[1]].pk}/complete/", {"note": "Xong"})
    elif kind == "decide":
        task = world.tasks[step[1]]
        decision = "approve" if step[2] else "refuse"
        for pending in DeadlineExtension.objects.filter(task=task,
                                                        status=RequestStatus.PENDING):
            client.post(f"/extensions/{pending.pk}/decide/",
                        {"extension-decision": decision, "extension-note": "Không"})
        for request in CompletionRequest.objects.filter(task=task,
                                                        status=RequestStatus.PENDING):
            client.post(f"/completions/{request.pk}/decide/",
                        {"completion-decision": decision, "completion-note": "Không"})


def assert_duties_kept() -> None:
    """No decided request was decided by its requester or by its lead side."""
    decided: list[tuple[Any, Any, Task]] = [
        (ext.requested_by, ext.decided_by, ext.task) for ext in
        DeadlineExtension.objects.exclude(decided_by=None).select_related(
            "requested_by", "decided_by__unit", "task__lead_unit")]
    decided += [(req.submitted_by, req.decided_by, req.task) for req in
                CompletionRequest.objects.exclude(decided_by=None).select_related(
                    "submitted_by", "decided_by__unit", "task__lead_unit")]
    for requester, decider, task in decided:
        assert decider != requester, f"{decider} decided their own request on {task.code}"
        if not scoping.is_admin(decider):
            assert not decider.unit.path.startswith(task.lead_unit.path), (
                f"{decider} of the lead side decided on {task.code}")


@pytest.mark.parametrize("persona", ["staff", "manager", "leader", "officer", "viewer"])
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(steps=st.lists(action, min_size=1, max_size=6))
def test_no_sequence_of_own_actions_widens_the_scope_or_decides_ones_own_request(
        world, people, persona, steps) -> None:
    user = getattr(people, persona)
    with transaction.atomic():
        before = visible(user)
        client = client_for(user)
        for step in steps:
            run(client, user, world, step)
            assert_not_wider(before, visible(user), f"{persona} after {steps}")
            assert_duties_kept()
        transaction.set_rollback(True)

