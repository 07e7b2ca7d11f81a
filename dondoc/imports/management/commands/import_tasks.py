"""``dondoc import-tasks FILE.xlsx --document NUMBER``: check (and with --commit, import) a
task appendix from the console, with the same rules as the import page.

Without ``--commit`` nothing is saved. The exit status is 1 when the file has errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from dondoc.imports import imports
from dondoc.imports.importing import KIND_GROUP, ImportPreview, ParsedRow
from dondoc.organization import scoping
from dondoc.organization.models import User
from dondoc.plans.models import Document


class Command(BaseCommand):
    help = (
        "Check a task appendix (.xlsx) against a document and print every row with its "
        "problems; with --commit, save all groups and tasks (all or nothing)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the Excel workbook (.xlsx)")
        parser.add_argument("--document", required=True,
                            help="number/symbol of the document (e.g. 118-KH/CATP) or its "
                                 "task code prefix")
        parser.add_argument("--commit", action="store_true",
                            help="save the groups and tasks (default: only check)")
        parser.add_argument("--as", dest="username", metavar="USERNAME",
                            help="act as this user: their units and rights apply, and the "
                                 "audit log names them (default: the system, every unit)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        user = self._user(options["username"])
        document = self._document(options["document"], user)
        with path.open("rb") as handle:
            head = handle.read(8)
        try:
            imports.check_file(name=path.name, size=path.stat().st_size, head=head)
            preview = imports.import_preview(user=user, document=document,
                                             data=path.read_bytes())
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

        self._print(preview)
        if preview.has_errors:
            raise CommandError(
                f"{preview.error_count or len(preview.file_issues)} error(s): nothing saved. "
                "Correct the file and run the command again."
            )
        if not options["commit"]:
            self.stdout.write("No errors. Nothing saved yet: add --commit to import.")
            return
        try:
            result = imports.import_commit(actor=user, document=document, preview=preview)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(
            f"Imported {result.tasks_created} task(s) into {document.number}: "
            f"{result.groups_created} new group(s), {result.groups_reused} existing group(s)."
        ))

    # -- arguments ---------------------------------------------------------------------

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).select_related(
            "unit").first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        return user

    def _document(self, number: str, user: User | None) -> Document:
        matches = list(Document.objects.filter(
            Q(number__iexact=number.strip()) | Q(code_prefix__iexact=number.strip())
        ).order_by("pk"))
        if not matches:
            raise CommandError(f"No document with the number or code prefix {number!r}.")
        if len(matches) > 1:
            prefixes = ", ".join(document.code_prefix for document in matches)
            raise CommandError(
                f"Several documents have the number {number!r}: give the task code prefix "
                f"instead ({prefixes})."
            )
        document = matches[0]
        if user is not None and not scoping.documents_editable_by(user).filter(
                pk=document.pk).exists():
            raise CommandError(f"{user.username} may not import tasks into {document.number}.")
        return document

    # -- output ------------------------------------------------------------------------

    def _print(self, preview: ImportPreview) -> None:
        for issue in preview.file_issues:
            style = self.style.ERROR if issue.level == "error" else self.style.WARNING
            self.stdout.write(style(f"file: {issue.level}: {issue.message} [{issue.code}]"))
        for row in preview.rows:
            self.stdout.write(self._line(row))
            for issue in row.issues:
                style = self.style.ERROR if issue.level == "error" else self.style.WARNING
                self.stdout.write(style(f"          {issue.level}: {issue.message} "
                                        f"[{issue.code}]"))
        self.stdout.write(
            f"{len(preview.rows)} row(s): {len(preview.groups)} group(s), "
            f"{len(preview.tasks)} task(s); {preview.ok_count} ok, "
            f"{preview.warning_count} with warnings, {preview.error_count} with errors."
        )

    def _line(self, row: ParsedRow) -> str:
        status = {"ok": "OK", "warning": "WARNING", "error": "ERROR"}[row.status]
        title = " ".join(row.title.split())
        if len(title) > 70:
            title = title[:69] + "…"
        if row.kind == KIND_GROUP:
            return f"row {row.row_number:>5}  {status:<7}  group {row.number or '-'}  {title}"
        deadline = ""
        if row.deadline is not None:
            deadline = (row.deadline.due.strftime("%d/%m/%Y") if row.deadline.due
                        else row.deadline.kind)
        return (f"row {row.row_number:>5}  {status:<7}  {row.number or '-':>5}  {title}"
                f"  | {row.lead_text or '-'} | {deadline or '-'}")
