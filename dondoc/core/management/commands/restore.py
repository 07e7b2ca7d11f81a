"""``dondoc restore FILE``: replace the database and uploaded files with a backup."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dondoc.core.backup import BackupError, RestoreRolledBack, inspect_backup, restore


class Command(BaseCommand):
    help = ("Replace the database and uploaded files with the backup in FILE. The backup is "
            "checked first (manifest, SHA-256 of every file, database, migrations, audit "
            "key); what it replaces is kept in the data folder's backups/ folder.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        try:
            if not options["yes"]:
                with tempfile.TemporaryDirectory() as tmp:  # refuse before asking
                    inspect_backup(path, Path(tmp))
                answer = input("This replaces ALL current data with the backup. Type 'yes': ")
                if answer.strip().lower() != "yes":
                    raise CommandError("restore cancelled")
            result = restore(path)
        except RestoreRolledBack as exc:
            raise CommandError(str(exc)) from exc
        except BackupError as exc:
            raise CommandError(f"restore refused: {exc}. Nothing was changed.") from exc
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        manifest = result.manifest
        self.stdout.write(self.style.SUCCESS(
            f"restored the backup of {manifest['created_at']} ({manifest['vendor']})"
        ))
        self.stdout.write(f"the data it replaced is kept in {result.pre_restore_backup}")
        if result.migrations_applied:
            self.stdout.write(f"applied {result.migrations_applied} migrations to bring the "
                              f"restored database up to this version")
        self.stdout.write(
            f"audit: new epoch from event #{result.restored_head[0]} (backup "
            f"{result.backup_id}); the restore is event #{result.restored_head[0] + 1}. "
            f"Run 'dondoc audit verify' to check the chain.")
