"""The agency stored on each task (``Task.agency``) and the task scope that reads it.

``scoping.tasks_visible_to`` finds an agency's tasks through the stored agency instead of
testing unit paths on every task (issue 15). It must give exactly the rows the path test
gives, for every unit and role, and the services must keep the agency right when a task's
lead changes or the unit tree does.

The tree (two provinces under a ministry, a sub-agency inside a province, and a branch
without any scope root):

    BCA (agency)
    ├── BCA-V01
    ├── T01 (agency)
    │   ├── T01-PV
    │   ├── T01-Q1 ── T01-Q1-P1
    │   └── T01-SUB (agency) ── T01-SUB-D
    └── T02 (agency)
        ├── T02-PV
        └── T02-Q1
    LOOSE ── LOOSE-A               (no scope root above them)
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import re
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from dondoc.organization import scoping
from dondoc.organization import services as organization
from dondoc.organization.models import Role, Unit, UnitKind
from dondoc.organization.tests.factories import UserFactory, make_unit
from dondoc.plans import services
from dondoc.plans.models import AgencyCoordination, Task
from dondoc.plans.tests.factories import make_document, make_task

pytestmark = pytest.mark.django_db

CODES = ["BCA", "BCA-V01", "T01", "T01-PV", "T01-Q1", "T01-Q1-P1", "T01-SUB", "T01-SUB-D",
         "T02", "T02-PV", "T02-Q1", "LOOSE", "LOOSE-A"]


def by_paths(path: str) -> Q:
    """The scope as it was written before the stored agency: a test of unit paths."""
    coordinated = Task.coordinating_units.through.objects.filter(
        task_id=OuterRef("pk"), unit__path__startswith=path)
    return (Q(lead_unit__path__startswith=path) | Q(assigning_unit__path__startswith=path)
            | Q(Exists(coordinated)))


@pytest.fixture
def units() -> dict[str, Unit]:
    agency = UnitKind.AGENCY
    bca = make_unit(None, "BCA", kind=agency)
    make_unit(bca, "BCA-V01")
    t01 = make_unit(bca, "T01", kind=agency)
    make_unit(t01, "T01-PV")
    q1 = make_unit(t01, "T01-Q1", kind=UnitKind.DISTRICT)
    make_unit(q1, "T01-Q1-P1", kind=UnitKind.WARD)
    sub = make_unit(t01, "T01-SUB", kind=agency)
    make_unit(sub, "T01-SUB-D")
    t02 = make_unit(bca, "T02", kind=agency)
    make_unit(t02, "T02-PV")
    make_unit(t02, "T02-Q1", kind=UnitKind.DISTRICT)
    loose = make_unit(None, "LOOSE")
    make_unit(loose, "LOOSE-A")
    return fresh_units()


def fresh_units() -> dict[str, Unit]:
    return {unit.code: unit for unit in Unit.objects.all()}


@pytest.fixture
def tasks(units: dict[str, Unit]) -> list[Task]:
    """Tasks led, assigned and coordinated across the agencies: for each lead unit, one
    assigned by each of three other units, with zero, one or two coordinators."""
    document = make_document(units["BCA"])
    made = []
    codes = itertools.cycle(CODES)
    for index, lead in enumerate(CODES):
        for shift in (1, 5, 8):
            assigning = CODES[(index + shift) % len(CODES)]
            coordinators = [units[next(codes)] for _ in range(shift % 3)]
            made.append(make_task(document, units[lead], units[assigning],
                                  coordinating_units=[u for u in coordinators
                                                      if u.code != lead]))
    return made


def assert_agencies_right() -> None:
    """The stored agency of every task, and the stored coordinations by other agencies,
    are what the unit tree and the coordinating units give now."""
    for task in Task.objects.select_related("lead_unit"):
        expected = scoping.agency_of(task.lead_unit)
        assert task.agency_id == (expected.pk if expected else None), task.lead_unit.code
    expected_rows = set()
    for row in Task.coordinating_units.through.objects.select_related("task", "unit"):
        agency = scoping.agency_of(row.unit)
        if agency is not None and agency.pk != row.task.agency_id:
            expected_rows.add((agency.pk, row.task_id))
    assert set(AgencyCoordination.objects.values_list("agency_id", "task_id")) == expected_rows


def assert_same_rows_as_the_path_test() -> None:
    """For every unit and an agency-wide and a unit-bound role: the same tasks."""
    counted = 0
    for unit in Unit.objects.all():
        for role in (Role.STAFF, Role.OFFICER):
            user = UserFactory(unit=unit, role=role)
            root = scoping.scope_root(user)
            assert root is not None
            expected = set(Task.objects.filter(by_paths(root.path)).values_list("pk", flat=True))
            visible = set(scoping.tasks_visible_to(user).values_list("pk", flat=True))
            assert visible == expected, (unit.code, role)
            counted += len(visible)
    assert counted  # the comparison saw tasks


def test_a_task_stores_the_agency_of_its_lead_unit(units, tasks) -> None:
    agency = {task.lead_unit.code: task.agency for task in tasks}
    assert agency["T01-Q1-P1"] == units["T01"]
    assert agency["T01-SUB-D"] == units["T01-SUB"]  # the nearest scope root
    assert agency["T02"] == units["T02"]
    assert agency["BCA-V01"] == units["BCA"]
    assert agency["LOOSE-A"] is None
    assert_agencies_right()


def test_the_scope_gives_the_same_tasks_as_the_unit_path_test(units, tasks) -> None:
    assert_agencies_right()
    assert_same_rows_as_the_path_test()


def test_coordinations_for_other_agencies_are_stored_per_agency(units) -> None:
    document = make_document(units["BCA"])
    task = make_task(document, units["T02-PV"], units["BCA"], coordinating_units=[
        units["T01-Q1-P1"], units["T01-PV"], units["T01-SUB-D"], units["T02-Q1"],
        units["LOOSE-A"]])
    # T01 once for its two units, T01-SUB for its own; none for T02 (the task's own
    # agency) nor for a unit outside every scope root.
    assert set(AgencyCoordination.objects.filter(task=task).values_list(
        "agency__code", flat=True)) == {"T01", "T01-SUB"}
    services.task_update(actor=None, task=task, expected_version=task.version,
                         coordinating_units=[units["T01-SUB-D"], units["BCA-V01"]])
    assert set(AgencyCoordination.objects.filter(task=task).values_list(
        "agency__code", flat=True)) == {"T01-SUB", "BCA"}
    task.refresh_from_db()
    services.task_update(actor=None, task=task, expected_version=task.version,
                         lead_unit=units["T01-SUB"])
    assert set(AgencyCoordination.objects.filter(task=task).values_list(
        "agency__code", flat=True)) == {"BCA"}
    sub_staff = UserFactory(unit=units["T01-SUB-D"], role=Role.STAFF)
    t02_staff = UserFactory(unit=units["T02-Q1"], role=Role.STAFF)
    assert task in scoping.tasks_visible_to(sub_staff)
    assert task not in scoping.tasks_visible_to(t02_staff)  # no longer leads nor coordinates
    assert_agencies_right()
    assert_same_rows_as_the_path_test()


def test_a_province_sees_what_it_leads_assigns_and_coordinates_for_others(units) -> None:
    document = make_document(units["BCA"])
    own = make_task(document, units["T01-Q1"], units["BCA"])
    assigned = make_task(document, units["T02-Q1"], units["T01-PV"])
    coordinated = make_task(document, units["T02-PV"], units["BCA"],
                            coordinating_units=[units["T01-Q1-P1"]])
    nested = make_task(document, units["T01-SUB-D"], units["T01-SUB"])
    elsewhere = make_task(document, units["T02-Q1"], units["T02"])
    staff = UserFactory(unit=units["T01-PV"], role=Role.STAFF)
    visible = set(scoping.tasks_visible_to(staff))
    assert visible == {own, assigned, coordinated, nested}
    assert elsewhere not in visible
    sub_staff = UserFactory(unit=units["T01-SUB-D"], role=Role.STAFF)
    assert set(scoping.tasks_visible_to(sub_staff)) == {nested}
    ministry = UserFactory(unit=units["BCA-V01"], role=Role.STAFF)
    assert set(scoping.tasks_visible_to(ministry)) == {own, assigned, coordinated, nested,
                                                       elsewhere}


def test_bulk_created_tasks_store_their_agency(units) -> None:
    document = make_document(units["T01"])
    items = [services.NewTask(code=f"B-{n}", title=f"Nhiệm vụ {n}", lead_unit=units[code],
                              due_date=dt.date(2027, 1, 1))
             for n, code in enumerate(["T01-Q1-P1", "T01-SUB-D", "LOOSE-A", "T02-PV"])]
    created = services.tasks_bulk_create(actor=None, document=document,
                                         assigning_unit=units["T01"], items=items)
    assert [task.agency_id for task in Task.objects.filter(pk__in=[t.pk for t in created])
            .order_by("code")] == [units["T01"].pk, units["T01-SUB"].pk, None, units["T02"].pk]
    assert_agencies_right()


def test_a_transfer_moves_the_task_to_the_successor_agency(units, tasks) -> None:
    led = [task.pk for task in tasks if task.lead_unit.code == "T01-Q1"]
    organization.unit_dissolve(actor=None, unit=units["T01-Q1"], valid_to=dt.date(2025, 1, 1),
                               successor=units["T02-Q1"])
    services.tasks_transfer(actor=None, from_unit=units["T01-Q1"], to_unit=units["T02-Q1"])
    assert set(Task.objects.filter(pk__in=led).values_list("agency", flat=True)) == {
        units["T02"].pk}
    assert_agencies_right()
    assert_same_rows_as_the_path_test()


def test_changing_the_lead_unit_of_a_task_changes_its_agency(units) -> None:
    task = make_task(make_document(units["BCA"]), units["T01-PV"], units["BCA"])
    services.task_update(actor=None, task=task, expected_version=task.version,
                         lead_unit=units["LOOSE-A"])
    task.refresh_from_db()
    assert task.agency is None
    services.task_update(actor=None, task=task, expected_version=task.version,
                         lead_unit=units["T02-Q1"])
    task.refresh_from_db()
    assert task.agency == units["T02"]


def test_moving_a_unit_moves_its_tasks_to_the_new_agency(units, tasks) -> None:
    organization.unit_move(actor=None, unit=units["T01-Q1"], new_parent=units["T02"])
    units = fresh_units()
    assert set(Task.objects.filter(lead_unit__code__in=["T01-Q1", "T01-Q1-P1"])
               .values_list("agency", flat=True)) == {units["T02"].pk}
    organization.unit_move(actor=None, unit=units["T01-SUB"], new_parent=units["LOOSE"])
    assert_agencies_right()
    assert_same_rows_as_the_path_test()


def test_setting_or_clearing_a_scope_root_changes_the_agency_below_it(units, tasks) -> None:
    def flag(code: str, value: bool) -> None:
        unit = Unit.objects.get(code=code)
        organization.unit_update(actor=None, unit=unit, expected_version=unit.version,
                                 is_scope_root=value)

    flag("T01-Q1", True)
    assert set(Task.objects.filter(lead_unit__code="T01-Q1-P1").values_list(
        "agency__code", flat=True)) == {"T01-Q1"}
    flag("T01-SUB", False)
    flag("LOOSE", True)
    assert_agencies_right()
    assert_same_rows_as_the_path_test()
    flag("T01-Q1", False)
    assert set(Task.objects.filter(lead_unit__code="T01-Q1-P1").values_list(
        "agency__code", flat=True)) == {"T01"}
    assert_agencies_right()


def test_the_migration_fills_the_agency_of_existing_tasks(units, tasks) -> None:
    migration: Any = importlib.import_module("dondoc.plans.migrations.0010_task_agency")
    Task.objects.update(agency=None)
    migration.backfill(apps, None)
    assert AgencyCoordination.objects.exists()
    assert_agencies_right()


def test_the_migration_fills_the_coordinations_by_other_agencies(units, tasks) -> None:
    migration: Any = importlib.import_module("dondoc.plans.migrations.0011_agency_coordination")
    stored = set(AgencyCoordination.objects.values_list("agency_id", "task_id"))
    assert stored
    AgencyCoordination.objects.all().delete()
    migration.backfill(apps, None)
    assert set(AgencyCoordination.objects.values_list("agency_id", "task_id")) == stored
    assert_agencies_right()


def test_the_only_top_of_the_tree_sees_every_task_without_a_filter(units) -> None:
    Unit.objects.filter(code__in=["LOOSE", "LOOSE-A"]).delete()
    document = make_document(units["T01"])
    for code in ("T01-Q1-P1", "T01-SUB-D", "T02-PV", "BCA-V01"):
        make_task(document, units[code], units["T01"])
    ministry = UserFactory(unit=units["BCA-V01"], role=Role.STAFF)
    visible = scoping.tasks_visible_to(ministry)
    assert "WHERE" not in str(visible.query)
    assert visible.count() == Task.objects.count() == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_postgresql_reads_the_agency_and_trigram_indexes(units, tasks) -> None:
    staff = UserFactory(unit=units["T01-PV"], role=Role.STAFF)
    # The scope alone: with the list's other conditions (assigned by today…) PostgreSQL
    # may as well start from another index on tables this small.
    listed = scoping.tasks_visible_to(staff)
    searched = Task.objects.filter(search_text__contains="soat")  # as the list's ?q= does
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: force the choice
        plans = []
        for tasks_query in (listed.order_by().values("pk"), searched.order_by().values("pk")):
            sql, params = tasks_query.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    # An index on the stored agency serves the scope (which one, and whether the three
    # parts are a BitmapOr, depends on PostgreSQL's statistics of these few rows).
    assert "Seq Scan on plans_task " not in plans[0]
    assert re.search(r"Index (Only )?Scan on plans_task_\w*agency", plans[0]), plans[0]
    assert "plans_task_search_trgm" in plans[1]


def test_documents_of_another_agency_inside_the_users_stay_out_of_its_reach(units,
                                                                          monkeypatch) -> None:
    """``documents_visible_to`` names the agencies inside the user's as a list of paths
    (a ministry: its provinces) and, past ``MAX_LISTED_ROOTS`` of them, tests each document
    with a subquery: both give the same documents, for every unit, role and access level."""
    from dondoc.plans.models import AccessLevel

    made = {}
    for code in CODES:
        for level in (AccessLevel.PUBLIC, AccessLevel.INTERNAL):
            made[code, level] = make_document(units[code], access_level=level).pk

    def readable(user: Any) -> set[int]:
        fresh = type(user).objects.select_related("unit").get(pk=user.pk)
        return set(scoping.documents_visible_to(fresh).values_list("pk", flat=True))

    for unit in Unit.objects.all():
        for role in (Role.STAFF, Role.OFFICER):
            user = UserFactory(unit=unit, role=role)
            listed = readable(user)
            monkeypatch.setattr(scoping, "MAX_LISTED_ROOTS", 0)
            assert readable(user) == listed, (unit.code, role)
            monkeypatch.undo()
    # Officers (their own scope is their unit): the provinces are other agencies, so a
    # ministry department does not read their documents; the ministry's staff, whose scope
    # contains the provinces, would.
    officer = {code: UserFactory(unit=units[code], role=Role.OFFICER) for code in CODES}
    ministry_unit = readable(officer["BCA-V01"])
    assert made["BCA", AccessLevel.INTERNAL] in ministry_unit
    assert made["T01-PV", AccessLevel.INTERNAL] not in ministry_unit
    assert made["T02-Q1", AccessLevel.PUBLIC] not in ministry_unit
    district = readable(officer["T01-Q1"])
    assert made["T01-PV", AccessLevel.INTERNAL] in district  # same agency
    assert made["BCA", AccessLevel.PUBLIC] in district  # from above
    assert made["T01-SUB-D", AccessLevel.INTERNAL] not in district  # a sub-agency
    assert made["T02-PV", AccessLevel.PUBLIC] not in district
