"""The dondoc console command and the demo loader."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from dondoc.core.cli import main
from dondoc.organization.models import Role, Unit, User


def test_demo_is_idempotent_and_creates_one_account_per_role(db, capsys) -> None:
    call_command("demo")
    first = (Unit.objects.count(), User.objects.count())
    call_command("demo")
    assert (Unit.objects.count(), User.objects.count()) == first
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {role.value for role in Role}
    out = capsys.readouterr().out
    assert "thammuu" in out
    assert Unit.objects.get_parent(Unit.objects.get(code="PV01")).code == "CATP"


def test_demo_accounts_need_two_factor_unless_insecure_demo(db, settings) -> None:
    settings.DEBUG = False
    call_command("demo")
    assert User.objects.get(username="lanhdao").requires_2fa
    call_command("demo", "--insecure-demo")
    assert not User.objects.get(username="lanhdao").requires_2fa


def test_demo_tree_keeps_dissolved_district_police(db) -> None:
    import datetime as dt

    call_command("demo")
    district = Unit.objects.get(code="CAQ-CL")
    assert district.valid_to == dt.date(2025, 2, 28)
    assert district.successor is not None
    assert Unit.objects.get(code="P-KHUE-TRUNG").name == "Công an phường Khuê Trung"


def test_cli_translates_hyphens_and_runs_django_commands(db, capsys) -> None:
    main(["dondoc", "audit", "verify"])
    assert "intact" in capsys.readouterr().out


def test_cli_without_arguments_lists_the_main_commands(capsys) -> None:
    main(["dondoc"])
    out = capsys.readouterr().out
    for command in ("serve", "demo", "backup FILE", "restore FILE", "audit verify"):
        assert command in out


def test_createadmin_refuses_weak_passwords(db) -> None:
    from django.core.management.base import CommandError

    call_command("demo")
    with pytest.raises(CommandError):
        call_command("createadmin", "--username", "root2", "--password", "123", "--unit", "PV01")
    call_command("createadmin", "--username", "root2", "--password", "a-strong-Passw0rd!",
                 "--unit", "PV01")
    assert User.objects.get(username="root2").role == Role.ADMIN
