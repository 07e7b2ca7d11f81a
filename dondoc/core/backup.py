"""Backup and restore of the database and uploaded files, for SQLite and PostgreSQL.

A backup is one zip file: ``manifest.json``, the database (``database.sqlite3`` made with
SQLite's online backup API, or ``database.pgdump`` made with ``pg_dump -Fc``) and the
uploaded files under ``files/``.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT_VERSION = 1


class BackupError(Exception):
    pass


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--host", str(db.get("HOST") or "localhost"), "--port", str(db.get("PORT") or 5432),
            "--username", str(db.get("USER") or "postgres"), "--dbname", str(db["NAME"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed. Install the PostgreSQL client tools "
            f"(Debian: apt-get install postgresql-client) and run the command again."
        )
    return path


def backup(target: Path) -> dict[str, Any]:
    """Write a backup to ``target`` and return its manifest."""
    db = connection.settings_dict
    vendor = connection.vendor
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if vendor == "sqlite":
            dump = work / "database.sqlite3"
            connection.ensure_connection()
            destination = sqlite3.connect(dump)
            with destination:
                connection.connection.backup(destination)
            destination.close()
        elif vendor == "postgresql":
            dump = work / "database.pgdump"
            args, env = _pg_env(db)
            result = subprocess.run(  # noqa: S603 - fixed program, no shell
                [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump), *args],
                env=env, capture_output=True, text=True, check=False,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        else:
            raise BackupError(f"backups are not supported for {vendor}")
        manifest = {
            "format": FORMAT_VERSION, "vendor": vendor, "created_at": timezone.now().isoformat(),
            "database": dump.name,
        }
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".partial")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
            archive.write(dump, dump.name)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                for path in sorted(media.rglob("*")):
                    if path.is_file():
                        archive.write(path, f"files/{path.relative_to(media)}")
        partial.replace(target)
    return manifest


def restore(source: Path) -> dict[str, Any]:
    """Replace the database and uploaded files with the contents of a backup."""
    if not zipfile.is_zipfile(source):
        raise BackupError(f"{source} is not a dondoc backup (not a zip file)")
    vendor = connection.vendor
    with zipfile.ZipFile(source) as archive, tempfile.TemporaryDirectory() as tmp:
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except (KeyError, ValueError) as exc:
            raise BackupError(f"{source} has no valid manifest") from exc
        if manifest.get("vendor") != vendor:
            raise BackupError(
                f"this backup is of a {manifest.get('vendor')} database; "
                f"the configured database is {vendor}"
            )
        names = archive.namelist()
        for name in names:
            if name.startswith("/") or ".." in Path(name).parts:
                raise BackupError(f"unsafe path in backup: {name}")
        work = Path(tmp)
        archive.extract(manifest["database"], work)
        dump = work / manifest["database"]
        if vendor == "sqlite":
            connection.ensure_connection()
            source_db = sqlite3.connect(dump)
            with source_db:
                source_db.backup(connection.connection)
            source_db.close()
        else:
            db = connection.settings_dict
            connection.close()
            args, env = _pg_env(db)
            result = subprocess.run(  # noqa: S603 - fixed program, no shell
                [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                 "--single-transaction", *args, str(dump)],
                env=env, capture_output=True, text=True, check=False,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            shutil.rmtree(media)
        media.mkdir(parents=True, exist_ok=True)
        for name in names:
            if name.startswith("files/") and not name.endswith("/"):
                destination = media / name.removeprefix("files/")
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(archive.read(name))
    return dict(manifest)
