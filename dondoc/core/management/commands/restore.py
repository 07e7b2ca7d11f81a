"""``dondoc restore FILE``: replace the database and uploaded files with a backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dondoc.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Replace the database and uploaded files with the backup in FILE."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        if not options["yes"]:
            answer = input("This replaces ALL current data with the backup. Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("restore cancelled")
        try:
            manifest = restore(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"restored the backup of {manifest['created_at']} ({manifest['vendor']})"
        ))
