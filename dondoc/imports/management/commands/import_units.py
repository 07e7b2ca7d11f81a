"""``dondoc import-units FILE``: load a unit list (CSV or XLSX) into the unit tree.

Prints what would change; saves only with ``--commit``. Exit status 0 on success, 1 when
the file has errors (then nothing is saved).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dondoc.imports.units import apply_units, plan_units, read_table
from dondoc.organization.models import User


class Command(BaseCommand):
    help = (
        "Load units from a CSV or XLSX file with the columns code, name, short_name, "
        "parent_code, kind, groups, scope_root (any order; Vietnamese names accepted). "
        "Idempotent on the code. Only checks unless --commit."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the unit list (.csv or .xlsx)")
        parser.add_argument("--commit", action="store_true", help="save the units")
        parser.add_argument("--update-structure", action="store_true",
                            help="also change the parent and kind of existing units "
                                 "(audited moves)")
        parser.add_argument("--as", dest="username", metavar="USERNAME",
                            help="the user the audit log names (default: the system)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        actor = None
        if options["username"]:
            actor = User.objects.filter(username=options["username"], is_active=True).first()
            if actor is None or not (actor.is_superuser or actor.role == "admin"):
                raise CommandError(f"No active administrator named {options['username']!r}.")
        try:
            table = read_table(path.name, path.read_bytes())
        except (UnicodeDecodeError, OSError, ValueError, KeyError) as error:
            raise CommandError(f"Cannot read {path.name}: not a UTF-8 CSV or an XLSX "
                               f"({error.__class__.__name__}).") from error
        plan = plan_units(table, update_structure=options["update_structure"])
        for message in plan.errors:
            self.stdout.write(self.style.ERROR(f"file: {message}"))
        width = max((len(row.code) for row in plan.rows), default=4)
        for row in plan.rows:
            line = (f"line {row.line:>5}  {row.action or 'error':<9}  {row.code:<{width}}  "
                    f"{row.name[:60]}  | parent {row.parent_code or '-'} | {row.kind or '-'}")
            if row.groups:
                line += " | groups: " + "; ".join(row.groups)
            self.stdout.write(self.style.ERROR(line) if row.errors else line)
            for note in row.notes:
                self.stdout.write(f"            note: {note}")
            for problem in row.errors:
                self.stdout.write(self.style.ERROR(f"            error: {problem}"))
        errors = len(plan.errors) + sum(1 for row in plan.rows if row.errors)
        if plan.errors:
            raise CommandError(" ".join(plan.errors) + " Nothing saved.")
        if errors:
            raise CommandError(f"{errors} error(s): nothing saved.")
        actions = [row.action for row in plan.rows]
        summary = ", ".join(f"{actions.count(a)} {a}" for a in ("create", "update", "unchanged"))
        if not options["commit"]:
            self.stdout.write(f"{len(plan.rows)} unit(s): {summary}. Nothing saved yet: add "
                              "--commit to save.")
            return
        try:
            counts = apply_units(actor=actor, plan=plan)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(
            f"Saved: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['moved']} moved, {counts['unchanged']} unchanged."))
