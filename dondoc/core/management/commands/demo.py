"""``dondoc demo``: load the Resolution 12 / Da Nang demo data (safe to run again)."""

from __future__ import annotations

import os
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from dondoc.audit.models import Action
from dondoc.audit.services import record
from dondoc.organization import demo as organization_demo

DEFAULT_DEMO_PASSWORD = "dondoc-demo-2026"  # noqa: S105 - documented demo default
# Apps that add demo data after the organisation, in order; each has a demo.load(stdout).
DEMO_MODULES: list[str] = ["dondoc.plans.demo", "dondoc.inspections.demo",
                           "dondoc.unitreports.demo", "dondoc.obstacles.demo",
                           "dondoc.portal.demo", "dondoc.reports.demo",
                           "dondoc.targets.demo", "dondoc.surveys.demo"]


class Command(BaseCommand):
    help = "Load the demo data idempotently and print the demo accounts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--insecure-demo", action="store_true",
            help="exempt demo admin and leader accounts from two-factor authentication",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("DONDOC_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        otp_exempt = bool(options["insecure_demo"] or settings.DEBUG)
        with transaction.atomic():
            organization_demo.load_units()
            accounts = organization_demo.load_accounts(password=password, otp_exempt=otp_exempt)
            for module_name in DEMO_MODULES:
                import_module(module_name).load(self.stdout)
            record(actor=None, action=Action.OTHER, message="demo data loaded")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Accounts:"))
        for account, created in accounts:
            note = "" if created else " (existing account: password unchanged)"
            self.stdout.write(f"  {account.username:<10} {account.role:<13} {account.unit_code:<14}"
                              f" {password}{note}")
        if otp_exempt:
            self.stdout.write(self.style.WARNING(
                "Demo admin/leader accounts are exempt from two-factor authentication "
                "(--insecure-demo or DEBUG). Never use this on a real deployment."))
        else:
            self.stdout.write("admin and leader accounts enrol a TOTP authenticator at first login.")
