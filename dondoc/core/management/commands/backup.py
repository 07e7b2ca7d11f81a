"""``dondoc backup FILE``: the database and uploaded files in one zip file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dondoc.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a backup of the database and uploaded files to FILE (a zip)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup(options["file"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"backup written to {options['file']} ({manifest['vendor']}, {manifest['created_at']})"
        ))
        audit = manifest["audit"]
        self.stdout.write(
            f"backup id {manifest['backup_id']}: {len(manifest['files'])} files, audit chain "
            f"head #{audit['seq']}" + (f", signed with audit key {audit['key_id']} (the key "
                                       f"is not in the backup: keep a copy of it apart)"
                                       if audit["keyed"] else ""))
