"""Shared fixtures: a small organisation and one persona per role.

The tree (codes as in the demo):

    CATP (agency)
    ├── BGD   Ban Giám đốc          ← leader
    ├── PV01  Phòng Tham mưu        ← staff, admin
    ├── PX05  Thanh tra             ← inspector
    ├── PC08  Phòng CSGT            ← manager, officer
    │   └── PC08-D1 Đội CSGT số 1   ← team_officer
    └── PC06  Phòng CSQLHC          ← outsider (a manager of another subtree)
    OTHER (agency, another city)    ← other_staff
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client

from dondoc.organization.models import Role, Unit, UnitKind, User
from dondoc.organization.tests.factories import DEFAULT_PASSWORD, UserFactory, make_unit


@dataclass
class Org:
    catp: Unit
    bgd: Unit
    pv01: Unit
    px05: Unit
    pc08: Unit
    pc08_d1: Unit
    pc06: Unit
    other: Unit


@pytest.fixture
def org(db: None) -> Org:
    catp = make_unit(None, "CATP", "Công an thành phố Đà Nẵng", kind=UnitKind.AGENCY)
    other = make_unit(None, "OTHER", "Công an tỉnh Quảng Nam", kind=UnitKind.AGENCY)
    bgd = make_unit(catp, "BGD", "Ban Giám đốc", kind=UnitKind.LEADERSHIP)
    pv01 = make_unit(catp, "PV01", "Phòng Tham mưu")
    px05 = make_unit(catp, "PX05", "Thanh tra")
    pc08 = make_unit(catp, "PC08", "Phòng Cảnh sát giao thông", short_name="Phòng CSGT")
    pc06 = make_unit(catp, "PC06", "Phòng Cảnh sát quản lý hành chính")
    pc08_d1 = make_unit(pc08, "PC08-D1", "Đội CSGT số 1", kind=UnitKind.TEAM)
    # Sorted insertion renumbers siblings' paths: reload every unit once the tree is built.
    fresh = Unit.objects.in_bulk([u.pk for u in (catp, other, bgd, pv01, px05, pc08, pc06,
                                                 pc08_d1)])
    return Org(catp=fresh[catp.pk], bgd=fresh[bgd.pk], pv01=fresh[pv01.pk],
               px05=fresh[px05.pk], pc08=fresh[pc08.pk], pc08_d1=fresh[pc08_d1.pk],
               pc06=fresh[pc06.pk], other=fresh[other.pk])


@dataclass
class People:
    admin: User
    leader: User
    staff: User
    inspector: User
    manager: User
    officer: User
    team_officer: User
    outsider: User
    viewer: User
    other_staff: User


@pytest.fixture
def people(org: Org) -> People:
    def person(username: str, unit: Unit, role: str, **extra: object) -> User:
        return UserFactory(username=username, unit=unit, role=role, otp_exempt=True, **extra)

    return People(
        admin=person("admin", org.pv01, Role.ADMIN, is_superuser=True),
        leader=person("leader", org.bgd, Role.LEADER),
        staff=person("staff", org.pv01, Role.STAFF),
        inspector=person("inspector", org.px05, Role.INSPECTOR),
        manager=person("manager", org.pc08, Role.UNIT_MANAGER),
        officer=person("officer", org.pc08, Role.OFFICER),
        team_officer=person("team_officer", org.pc08_d1, Role.OFFICER),
        outsider=person("outsider", org.pc06, Role.UNIT_MANAGER),
        viewer=person("viewer", org.pc08, Role.VIEWER),
        other_staff=person("other_staff", org.other, Role.STAFF),
    )


@pytest.fixture
def login(client: Client):
    """``login(user)`` returns a client signed in as ``user`` (through the real login form)."""

    def _login(user: User) -> Client:
        fresh = Client()
        response = fresh.post("/accounts/login/",
                              {"username": user.username, "password": DEFAULT_PASSWORD})
        assert response.status_code == 302, response.content[:500]
        return fresh

    return _login


_checkpoint_files = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_audit_checkpoints(settings, tmp_path_factory) -> Iterator[None]:
    """Each test starts a new audit checkpoint file: its database starts empty too."""
    base = tmp_path_factory.getbasetemp()
    settings.DONDOC_AUDIT_CHECKPOINT_FILE = base / f"audit-checkpoints-{next(_checkpoint_files)}"
    yield


__all__ = ["DEFAULT_PASSWORD"]
