"""``dondoc createadmin``: create an administrator account (asks for what is missing)."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dondoc.organization.models import Role, Unit, UnitKind, User
from dondoc.organization.services import user_create


class Command(BaseCommand):
    help = "Create an administrator account."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="")
        parser.add_argument("--password", default="", help="omit to be asked (safer)")
        parser.add_argument("--unit", default="", help="unit code; default: the first root unit")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"] or input("Username: ").strip()
        if not username:
            raise CommandError("a username is required")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"the username {username!r} is already taken")
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"no unit has the code {options['unit']!r}")
        else:
            unit = Unit.objects.get_root_nodes().first()
            if unit is None:
                unit = Unit.objects.add_root(
                    create_kwargs={"code": "ROOT", "name": "Cơ quan", "kind": UnitKind.AGENCY,
                                   "is_scope_root": True})
        password = options["password"] or getpass.getpass("Password: ")
        candidate = User(username=username, email=options["email"])
        try:
            password_validation.validate_password(password, candidate)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        user_create(actor=None, password=password, username=username, email=options["email"],
                    unit=unit, role=Role.ADMIN, is_superuser=True, is_staff=True,
                    first_name="Admin", last_name=username)
        self.stdout.write(self.style.SUCCESS(
            f"administrator {username} created in {unit.name}; "
            "a TOTP authenticator is enrolled at first login"))
