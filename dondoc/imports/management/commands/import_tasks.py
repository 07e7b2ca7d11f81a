"""``dondoc import-tasks FILE.xlsx --document NUMBER``: check (and with --commit, import) a
task appendix from the console, with the same rules as the import page.

``--new-document NUMBER --title … --issuer … --issued DD/MM/YYYY --owner UNIT_CODE``
creates the document in the same step (only with ``--commit``); ``--json`` prints the
preview as JSON (shape in docs/import.md). Without ``--commit`` nothing is saved. The exit
status is 0 when the file was saved or can be; 1 on a blocking error (or when ``--commit``
could not save because rows have errors).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from dondoc.imports import imports
from dondoc.imports.importing import KIND_GROUP, ImportPreview, ParsedRow
from dondoc.imports.report import default_code_prefix, default_kind, preview_json, unit_ids
from dondoc.organization import scoping
from dondoc.organization.models import Unit, User
from dondoc.plans import services
from dondoc.plans.models import Document, DocumentKind


class Command(BaseCommand):
    help = (
        "Check a task appendix (.xlsx) against a document and print every row with its "
        "problems; with --commit, save all groups and tasks (all or nothing)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the Excel workbook (.xlsx)")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--document",
                            help="number/symbol of the document (e.g. 118-KH/CATP) or its "
                                 "task code prefix")
        target.add_argument("--new-document", metavar="NUMBER",
                            help="create this document (with --title, --issuer, --issued, "
                                 "--owner) and import into it")
        parser.add_argument("--title", help="title of the new document")
        parser.add_argument("--issuer", help="issuing body of the new document")
        parser.add_argument("--issued", metavar="DD/MM/YYYY",
                            help="issue date of the new document (also the tasks' assigned "
                                 "date)")
        parser.add_argument("--owner", metavar="UNIT_CODE",
                            help="managing unit of the new document")
        parser.add_argument("--kind", choices=[kind.value for kind in DocumentKind],
                            help="kind of the new document (default: from the number: NQ → "
                                 "resolution, QĐ → decision, KH → plan …)")
        parser.add_argument("--code-prefix",
                            help="task code prefix of the new document (default: from the "
                                 "number, e.g. 29/NQ-CP → NQ29)")
        parser.add_argument("--json", action="store_true",
                            help="print the preview as JSON (documented in docs/import.md)")
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
        if options["new_document"]:
            document = self._new_document(options, user)
        else:
            document = self._document(options["document"], user)
        with path.open("rb") as handle:
            head = handle.read(8)
        try:
            imports.check_file(name=path.name, size=path.stat().st_size, head=head)
            preview = imports.import_preview(user=user, document=document,
                                             data=path.read_bytes())
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

        as_json = options["json"]
        saved = False
        message = ""
        if not preview.has_errors and options["commit"]:
            try:
                with transaction.atomic():
                    if document.pk is None:
                        document = services.document_create(
                            actor=user, **{name: getattr(document, name) for name in (
                                "kind", "number", "title", "issuer", "issue_date",
                                "owner_unit", "code_prefix")})
                    result = imports.import_commit(actor=user, document=document,
                                                   preview=preview)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            saved = True
            message = (
                f"Imported {result.tasks_created} task(s) and {result.outputs_created} "
                f"output(s) into {document.number}: {result.groups_created} new group(s), "
                f"{result.groups_reused} existing group(s), {preview.flag_count} flag(s) "
                "to review.")
        if as_json:
            codes = dict(Unit.objects.filter(pk__in=set(unit_ids(preview))).values_list(
                "pk", "code"))
            self.stdout.write(json.dumps(preview_json(preview, codes, saved=saved),
                                         ensure_ascii=False, indent=1))
        else:
            self._print(preview)
        if preview.has_errors and (options["commit"] or any(
                issue.level == "error" for issue in preview.file_issues)):
            raise CommandError(
                f"{preview.error_count or len(preview.file_issues)} error(s): nothing saved. "
                "Correct the file and run the command again."
            )
        if as_json:
            return
        if saved:
            self.stdout.write(self.style.SUCCESS(message))
        elif preview.has_errors:
            self.stdout.write(f"{preview.error_count} row(s) with errors would not be saved: "
                              "nothing saved.")
        else:
            self.stdout.write("No errors. Nothing saved yet: add --commit to import.")

    # -- arguments ---------------------------------------------------------------------

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).select_related(
            "unit").first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        return user

    def _new_document(self, options: dict[str, Any], user: User | None) -> Document:
        """The document to create, unsaved: a preview creates nothing."""
        number = options["new_document"].strip()
        missing = [f"--{name}" for name in ("title", "issuer", "issued", "owner")
                   if not options[name]]
        if missing:
            raise CommandError(f"--new-document needs {', '.join(missing)}.")
        if Document.objects.filter(number__iexact=number).exists():
            raise CommandError(f"A document numbered {number!r} already exists: import into "
                               f"it with --document {number!r}.")
        try:
            issued = dt.datetime.strptime(options["issued"].strip(), "%d/%m/%Y").date()  # noqa: DTZ007 - a date
        except ValueError as error:
            raise CommandError(f"--issued {options['issued']!r}: use DD/MM/YYYY.") from error
        owners = Unit.objects.filter(code__iexact=options["owner"].strip(), is_active=True)
        if user is not None:
            owners = owners & scoping.units_manageable_by(user)
        owner = owners.first()
        if owner is None:
            raise CommandError(f"--owner {options['owner']!r}: no active unit with this code"
                               + (" that you manage." if user is not None else "."))
        taken = Document.objects.values_list("code_prefix", flat=True)
        prefix = (options["code_prefix"] or "").strip().upper() or default_code_prefix(
            number, taken)
        if prefix in {value.upper() for value in taken}:
            raise CommandError(f"--code-prefix {prefix!r} is already used by another document.")
        document = Document(kind=options["kind"] or default_kind(number), number=number,
                            title=options["title"].strip(), issuer=options["issuer"].strip(),
                            issue_date=issued, owner_unit=owner, code_prefix=prefix)
        try:
            document.full_clean(validate_unique=False)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        return document

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
            f"{len(preview.tasks)} task(s), {len(preview.outputs)} output(s), "
            f"{len(preview.skipped)} skipped; {preview.ok_count} ok, "
            f"{preview.warning_count} with flags, {preview.error_count} with errors."
        )

    def _line(self, row: ParsedRow) -> str:
        status = {"ok": "OK", "warning": "FLAG", "error": "ERROR"}[row.status]
        if row.kind == "skipped":
            status = "SKIPPED"
        title = " ".join(row.title.split())
        if len(title) > 70:
            title = title[:69] + "…"
        if row.kind == KIND_GROUP:
            return f"row {row.row_number:>5}  {status:<7}  group {row.number or '-'}  {title}"
        deadline = ""
        if row.deadline is not None:
            deadline = (row.deadline.due.strftime("%d/%m/%Y") if row.deadline.due
                        else row.deadline.kind)
        if row.kind == "output":
            return (f"row {row.row_number:>5}  {status:<7}  output of row {row.parent_row}  "
                    f"{title}  | {deadline or '-'}")
        return (f"row {row.row_number:>5}  {status:<7}  {row.number or '-':>5}  {title}"
                f"  | {row.lead_text or '-'} | {deadline or '-'}")
