"""The ``dondoc`` console command: Django's management commands under friendlier names.

``dondoc serve``, ``dondoc demo``, ``dondoc backup FILE``, ``dondoc audit verify``,
``dondoc import-tasks FILE.xlsx`` … — hyphens become underscores.
"""

from __future__ import annotations

import os
import sys

MAIN_COMMANDS = [
    ("serve", "serve the application (gunicorn + static files + a job worker)"),
    ("worker", "run background jobs (imports, reminders, e-mail); several may run at once"),
    ("queue-check [--jobs N]", "enqueue probe jobs; check the workers ran each exactly once"),
    ("migrate", "create or update the database tables"),
    ("demo", "load the demo data (idempotent)"),
    ("createadmin", "create an administrator account"),
    ("backup FILE", "write a backup of the database and uploaded files"),
    ("restore FILE", "replace the database and files with a backup"),
    ("audit verify", "check the audit chain for tampering"),
    ("check", "check the configuration"),
    ("remind [--as-of D]", "run the daily reminder pass by hand (dd/mm/yyyy)"),
    ("reindex-search", "recompute the search columns (after an upgrade changes folding)"),
    ("sweep-files [--dry-run]", "delete uploaded files left without a record by a crash"),
]


def reindex_search() -> None:
    import django

    django.setup()
    from dondoc.core.search import rebuild_search_text

    for label, count in rebuild_search_text().items():
        print(f"{label}: {count} rows updated")


def sweep_files(*, dry_run: bool) -> None:
    import django

    django.setup()
    from dondoc.core.files import sweep_orphan_files

    orphans = sweep_orphan_files(dry_run=dry_run)
    for path in orphans:
        print(("would delete " if dry_run else "deleted ") + str(path))
    print(f"{len(orphans)} file(s) without a record" + (" (dry run)" if dry_run else ""))


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(args) < 2 or args[1] in {"-h", "--help", "help"}:
        print("dondoc — theo dõi, đôn đốc thực hiện nhiệm vụ\n\nusage: dondoc COMMAND [options]\n")
        for name, text in MAIN_COMMANDS:
            print(f"  {name:<16} {text}")
        print("\nEvery Django management command works too (dondoc help --all).")
        if len(args) >= 3 and args[2] == "--all":
            args = [args[0], "help"]
        else:
            return
    else:
        args[1] = args[1].replace("-", "_")
        if args[1] == "reindex_search":
            reindex_search()
            return
        if args[1] == "sweep_files":
            sweep_files(dry_run="--dry-run" in args[2:])
            return
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
