"""Backup and restore of the database and uploaded files, for SQLite and PostgreSQL.

A backup is one zip file: ``manifest.json``, the database (``database.sqlite3`` made with
SQLite's online backup API, or ``database.pgdump`` made with ``pg_dump -Fc``) and the
uploaded files under ``files/``. The manifest (format 2) lists every file with its SHA-256,
the database file's SHA-256 and the audit chain head inside the backup.

A restore checks everything before it touches anything (:func:`inspect_backup`), keeps a
backup of what it replaces in ``DONDOC_BACKUP_DIR``, brings the restored database up to this
version's migrations, and records itself as the first audit event of a new epoch. If a step
after the replacement fails, the previous database and files are put back.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT_VERSION = 2
APP_NAME = "dondoc"
REQUIRED_KEYS = {
    1: ("format", "vendor", "created_at", "database"),
    2: ("format", "app", "backup_id", "vendor", "created_at", "database", "database_sha256",
        "files", "audit"),
}
DATABASE_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# Tables every dondoc database has; a database without them is not a dondoc backup.
REQUIRED_TABLES = ("django_migrations", "audit_auditevent", "audit_auditchainhead",
                   "organization_unit", "organization_user")
SQLITE_HEADER = b"SQLite format 3\x00"


class BackupError(Exception):
    pass


class RestoreRolledBack(BackupError):
    """The restore failed after replacing data; the previous data was put back."""


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


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sha256_stream(handle: IO[bytes], copy_to: IO[bytes] | None = None) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
        if copy_to is not None:
            copy_to.write(block)
    return digest.hexdigest()


# --- reading a database file without restoring it -------------------------------------------

@dataclass
class DatabaseFacts:
    """What a restore needs to know about the database inside a backup."""

    tables: set[str]
    migrations: set[tuple[str, str]]
    head: tuple[int, str] | None  # the audit chain head (seq, hash)


def _sqlite_facts(dump: Path) -> DatabaseFacts:
    with dump.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError("the database in the backup is not an SQLite database")
    try:
        db = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        try:
            check = db.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise BackupError(f"the SQLite database in the backup is damaged: {check}")
            tables = {row[0] for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            migrations: set[tuple[str, str]] = set()
            head = None
            if "django_migrations" in tables:
                migrations = {(app, name) for app, name in db.execute(
                    "SELECT app, name FROM django_migrations")}
            if "audit_auditchainhead" in tables:
                row = db.execute("SELECT seq, hash FROM audit_auditchainhead "
                                 "WHERE id = 1").fetchone()
                head = (int(row[0]), str(row[1])) if row else None
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the database in the backup is not a readable SQLite "
                          f"database: {exc}") from exc
    return DatabaseFacts(tables, migrations, head)


def _copy_unescape(value: str) -> str | None:
    if value == r"\N":
        return None
    if "\\" not in value:
        return value
    escapes = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}
    out, chars = [], iter(value)
    for char in chars:
        out.append(escapes.get(next(chars, ""), "") if char == "\\" else char)
    return "".join(out)


def _pg_rows(dump: Path, table: str) -> list[list[str | None]]:
    """The rows of ``table`` in a ``pg_dump -Fc`` file, read with ``pg_restore -f -``."""
    result = subprocess.run(  # noqa: S603 - fixed program, no shell
        [_tool("pg_restore"), "--data-only", "--table", table, "--file", "-", str(dump)],
        capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_restore cannot read the backup's database: "
                          f"{result.stderr.strip()}")
    rows: list[list[str | None]] = []
    copying = False
    for line in result.stdout.splitlines():
        if copying:
            if line == "\\.":
                copying = False
            else:
                rows.append([_copy_unescape(value) for value in line.split("\t")])
        elif line.startswith("COPY ") and line.endswith("FROM stdin;"):
            copying = True
    return rows


def _pg_facts(dump: Path) -> DatabaseFacts:
    listing = subprocess.run(  # noqa: S603 - fixed program, no shell
        [_tool("pg_restore"), "--list", str(dump)], capture_output=True, text=True,
        check=False)
    if listing.returncode != 0:
        raise BackupError(f"the database in the backup is not a PostgreSQL dump: "
                          f"{listing.stderr.strip()}")
    tables = set()
    for line in listing.stdout.splitlines():
        parts = line.split()
        if " TABLE " in line and "TABLE" in parts and "DATA" not in parts:
            position = parts.index("TABLE")
            if len(parts) > position + 2:
                tables.add(parts[position + 2])
    migrations: set[tuple[str, str]] = set()
    head = None
    if "django_migrations" in tables:
        migrations = {(str(row[1]), str(row[2])) for row in _pg_rows(dump, "django_migrations")}
    if "audit_auditchainhead" in tables:
        for row in _pg_rows(dump, "audit_auditchainhead"):
            if row[0] == "1":
                head = (int(str(row[1])), str(row[2]))
    return DatabaseFacts(tables, migrations, head)


def _database_facts(dump: Path, vendor: str) -> DatabaseFacts:
    return _sqlite_facts(dump) if vendor == "sqlite" else _pg_facts(dump)


# --- backup ---------------------------------------------------------------------------------

def _dump_database(work: Path) -> Path:
    vendor = connection.vendor
    if vendor == "sqlite":
        dump = work / DATABASE_NAMES["sqlite"]
        connection.ensure_connection()
        destination = sqlite3.connect(dump)
        with destination:
            connection.connection.backup(destination)
        destination.close()
    elif vendor == "postgresql":
        dump = work / DATABASE_NAMES["postgresql"]
        args, env = _pg_env(connection.settings_dict)
        result = subprocess.run(  # noqa: S603 - fixed program, no shell
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump), *args],
            env=env, capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    else:
        raise BackupError(f"backups are not supported for {vendor}")
    return dump


def _audit_summary(head: tuple[int, str] | None) -> dict[str, Any]:
    from dondoc.audit import keyring
    from dondoc.audit.models import SCHEME_HMAC, AuditEvent

    seq, hash_ = head or (0, "")
    keyed = bool(seq) and AuditEvent.objects.filter(seq=seq, scheme=SCHEME_HMAC).exists()
    key = keyring.load_key()
    # The key itself never goes into a backup: only its public fingerprint.
    return {"seq": seq, "hash": hash_, "keyed": keyed,
            "key_id": keyring.key_id(key) if key is not None else None}


def _media_files() -> list[tuple[Path, str]]:
    media = Path(settings.MEDIA_ROOT)
    if not media.exists():
        return []
    secret = {Path(settings.DONDOC_AUDIT_KEY_FILE).resolve()}
    return [(path, path.relative_to(media).as_posix()) for path in sorted(media.rglob("*"))
            if path.is_file() and path.resolve() not in secret]


def backup(target: Path) -> dict[str, Any]:
    """Write a backup to ``target`` and return its manifest."""
    vendor = connection.vendor
    with tempfile.TemporaryDirectory() as tmp:
        dump = _dump_database(Path(tmp))
        facts = _database_facts(dump, vendor)
        manifest: dict[str, Any] = {
            "format": FORMAT_VERSION, "app": APP_NAME, "backup_id": uuid.uuid4().hex,
            "vendor": vendor, "created_at": timezone.now().isoformat(),
            "database": dump.name, "database_sha256": _sha256_file(dump),
            "migrations": len(facts.migrations),
            "audit": _audit_summary(facts.head),
        }
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".partial")
        files: list[dict[str, Any]] = []
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(dump, dump.name)
            for path, name in _media_files():
                # Hashed while copied, so the manifest describes exactly what is stored.
                big = path.stat().st_size > 1 << 30
                with path.open("rb") as source, \
                        archive.open(f"files/{name}", "w", force_zip64=big) as out:
                    digest = _sha256_stream(source, out)
                files.append({"path": name, "sha256": digest, "size": path.stat().st_size})
            manifest["files"] = files
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        partial.replace(target)
    return manifest


# --- checking a backup before restoring it ----------------------------------------------------

@dataclass
class InspectedBackup:
    """A backup that passed every check, with its database extracted to ``dump``."""

    source: Path
    manifest: dict[str, Any]
    dump: Path
    facts: DatabaseFacts
    backup_id: str
    files: list[str]
    warnings: list[str] = field(default_factory=list)


def _open_zip(source: Path) -> zipfile.ZipFile:
    if not zipfile.is_zipfile(source):
        raise BackupError(f"{source} is not a dondoc backup (not a zip file, or a damaged "
                          f"or truncated one)")
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"{source} is not a dondoc backup (damaged zip: {exc})") from exc
    return archive


def _read_manifest(source: Path, archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except KeyError as exc:
        raise BackupError(f"{source} is not a dondoc backup (no manifest.json)") from exc
    except (ValueError, zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"{source} is not a dondoc backup (unreadable manifest: {exc})"
                          ) from exc
    if not isinstance(manifest, dict):
        raise BackupError(f"{source} is not a dondoc backup (the manifest is not an object)")
    version = manifest.get("format")
    if version not in REQUIRED_KEYS:
        raise BackupError(f"{source}: backup format {version!r} is not one this version of "
                          f"dondoc can restore (it reads formats 1 and {FORMAT_VERSION})")
    missing = [key for key in REQUIRED_KEYS[version] if key not in manifest]
    if missing:
        raise BackupError(f"{source} is not a dondoc backup (manifest lacks "
                          f"{', '.join(missing)})")
    if version >= 2 and manifest["app"] != APP_NAME:
        raise BackupError(f"{source} is not a dondoc backup (made by {manifest['app']!r})")
    return manifest


def _check_members(source: Path, archive: zipfile.ZipFile) -> None:
    for name in archive.namelist():
        if name.startswith("/") or ".." in Path(name).parts or "\\" in name:
            raise BackupError(f"unsafe path in backup: {name}")
    try:
        damaged = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BackupError(f"{source} is damaged: {exc}") from exc
    if damaged is not None:
        raise BackupError(f"{source} is damaged: {damaged} fails its checksum")


def _extract_checked(archive: zipfile.ZipFile, name: str, expected: str | None,
                     destination: Path | None) -> None:
    """Read member ``name`` (copying it to ``destination``) and compare its SHA-256."""
    try:
        with archive.open(name) as member:
            if destination is None:
                actual = _sha256_stream(member)
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                with destination.open("wb") as out:
                    actual = _sha256_stream(member, out)
    except KeyError as exc:
        raise BackupError(f"the backup lacks {name}, which its manifest lists") from exc
    if expected is not None and actual != expected:
        raise BackupError(f"{name} in the backup does not match the SHA-256 of its manifest: "
                          f"the backup is damaged or was altered")


def _check_migrations(facts: DatabaseFacts) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(facts.migrations - known)
    if unknown:
        listed = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(
            f"the backup was made by a newer or different version of dondoc: its database has "
            f"migrations this version does not know ({listed}{' …' if len(unknown) > 5 else ''})"
            f". Install that version (or newer) and restore again.")


def _check_audit_key(manifest: dict[str, Any]) -> None:
    from dondoc.audit import keyring

    audit = manifest.get("audit") or {}
    if not audit.get("keyed"):
        return
    key = keyring.load_key()
    if key is None:
        raise BackupError(
            "the audit chain in this backup is signed with an audit key, and no audit key is "
            "configured on this machine. Keys are never stored in backups: "
            f"{keyring.where_to_put_it()}, then run the restore again.")
    if audit.get("key_id") and keyring.key_id(key) != audit["key_id"]:
        raise BackupError(
            f"the audit key on this machine (id {keyring.key_id(key)}) is not the key that "
            f"signed this backup's audit chain (id {audit['key_id']}). Provide the right key: "
            f"{keyring.where_to_put_it()}.")


def inspect_backup(source: Path, work: Path) -> InspectedBackup:
    """Check that ``source`` is a complete, unaltered dondoc backup this code can restore.

    Extracts the database to ``work``; changes nothing else. Raises :class:`BackupError`
    with the reason otherwise.
    """
    vendor = connection.vendor
    warnings: list[str] = []
    with _open_zip(source) as archive:
        manifest = _read_manifest(source, archive)
        if manifest["vendor"] != vendor:
            raise BackupError(f"this backup is of a {manifest['vendor']} database; the "
                              f"configured database is {vendor}")
        if manifest["database"] != DATABASE_NAMES.get(vendor):
            raise BackupError(f"{source} is not a dondoc backup (unexpected database file "
                              f"{manifest['database']!r})")
        _check_members(source, archive)
        dump = work / manifest["database"]
        _extract_checked(archive, manifest["database"], manifest.get("database_sha256"), dump)
        stored = sorted(name.removeprefix("files/") for name in archive.namelist()
                        if name.startswith("files/") and not name.endswith("/"))
        if manifest["format"] >= 2:
            listed = manifest["files"]
            if not isinstance(listed, list) or not all(
                    isinstance(entry, dict) and {"path", "sha256"} <= set(entry)
                    for entry in listed):
                raise BackupError(f"{source} is not a dondoc backup (bad file list)")
            for entry in listed:
                _extract_checked(archive, f"files/{entry['path']}", entry["sha256"], None)
            extra = sorted(set(stored) - {str(entry["path"]) for entry in listed})
            if extra:
                raise BackupError(f"the backup holds files its manifest does not list "
                                  f"({', '.join(extra[:5])}): it was altered")
            files = [str(entry["path"]) for entry in listed]
        else:
            warnings.append("this is a format 1 backup (no SHA-256 per file): the zip "
                            "checksums were checked, the file hashes could not be")
            files = stored
    facts = _database_facts(dump, vendor)
    missing_tables = [table for table in REQUIRED_TABLES if table not in facts.tables]
    if missing_tables:
        raise BackupError(f"the database in the backup is not a dondoc database (no "
                          f"{', '.join(missing_tables)} table)")
    _check_migrations(facts)
    audit = manifest.get("audit")
    if isinstance(audit, dict) and audit.get("seq") and facts.head != (audit["seq"],
                                                                      audit["hash"]):
        raise BackupError("the audit chain head in the backup's database differs from the one "
                          "in its manifest: the backup was altered")
    _check_audit_key(manifest)
    backup_id = str(manifest.get("backup_id") or f"sha256:{_sha256_file(source)[:32]}")
    return InspectedBackup(source, manifest, dump, facts, backup_id, files, warnings)


# --- restore ----------------------------------------------------------------------------------

@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    backup_id: str
    pre_restore_backup: Path
    restored_head: tuple[int, str]
    migrations_applied: int
    warnings: list[str]


def _replace_database(dump: Path) -> None:
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.ensure_connection()
        source_db = sqlite3.connect(dump)
        try:
            with source_db:
                source_db.backup(connection.connection)
        finally:
            source_db.close()
        return
    # PostgreSQL: drop this database's tables and load the dump in ONE psql transaction,
    # so a failure leaves the database as it was. Tables the dump does not know (newer
    # migrations) are dropped too; migrate recreates them.
    tables = connection.introspection.table_names()
    db = connection.settings_dict
    connection.close()
    args, env = _pg_env(db)
    sql = subprocess.run(  # noqa: S603 - fixed program, no shell
        [_tool("pg_restore"), "--no-owner", "--no-privileges", "--file", "-", str(dump)],
        capture_output=True, check=False)
    if sql.returncode != 0:
        raise BackupError(f"pg_restore failed: {sql.stderr.decode(errors='replace').strip()}")
    drop = "".join(f'DROP TABLE IF EXISTS "{name}" CASCADE;\n' for name in tables)
    result = subprocess.run(  # noqa: S603 - fixed program, no shell
        [_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction",
         "--set", "ON_ERROR_STOP=1", *args, "--file", "-"],
        input=drop.encode() + sql.stdout, env=env, capture_output=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"loading the PostgreSQL dump failed (nothing was changed): "
                          f"{result.stderr.decode(errors='replace').strip()[:2000]}")


def _pending_migrations() -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _stage_files(backup: InspectedBackup, staging: Path) -> None:
    staging.mkdir(parents=True)
    expected = {str(entry["path"]): str(entry["sha256"])
                for entry in backup.manifest.get("files", [])
                if isinstance(entry, dict)} if backup.manifest["format"] >= 2 else {}
    with zipfile.ZipFile(backup.source) as archive:
        for name in backup.files:
            _extract_checked(archive, f"files/{name}", expected.get(name), staging / name)


def restore(source: Path) -> RestoreResult:
    """Replace the database and uploaded files with the contents of a backup."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    media = Path(settings.MEDIA_ROOT)
    staging = media.parent / f".{media.name}.restore-{stamp}"
    previous = media.parent / f".{media.name}.pre-restore-{stamp}"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        inspected = inspect_backup(source, work / "incoming")
        # Everything checked: keep what is about to be replaced, then stage the files.
        safety = Path(settings.DONDOC_BACKUP_DIR) / f"pre-restore-{stamp}.zip"
        backup(safety)
        safety.chmod(0o600)  # the whole database, password hashes included
        try:
            _stage_files(inspected, staging)
            database_replaced = False
            try:
                _replace_database(inspected.dump)
                database_replaced = True
                if media.exists():
                    media.rename(previous)
                staging.rename(media)
                applied = _pending_migrations()
                if applied:
                    call_command("migrate", interactive=False, verbosity=0)
                head = _record_restore(inspected, source, safety, applied)
            except Exception as exc:
                _put_back(safety, work / "previous", database_replaced, media, previous)
                raise RestoreRolledBack(f"the restore failed and the previous data was put back "
                                  f"(also kept in {safety}): {exc}") from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(previous, ignore_errors=True)
    return RestoreResult(inspected.manifest, inspected.backup_id, safety, head, applied,
                         inspected.warnings)


def _record_restore(inspected: InspectedBackup, source: Path, safety: Path,
                    applied: int) -> tuple[int, str]:
    """Start a new epoch at the restored head; the restore is its first audit event."""
    from dondoc.audit import checkpoints
    from dondoc.audit.models import GENESIS_HASH, Action, AuditChainHead
    from dondoc.audit.services import record

    with transaction.atomic():
        row = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        head = (row.seq, row.hash) if row else (0, GENESIS_HASH)
        record(actor=None, action=Action.RESTORE, object_type="backup",
               object_id=inspected.backup_id[:64], object_repr=source.name[:255],
               message=f"restored the backup of {inspected.manifest['created_at']}"[:255],
               changes={"backup": inspected.backup_id,
                        "backup_created_at": inspected.manifest["created_at"],
                        "restored_head": {"seq": head[0], "hash": head[1]},
                        "migrations_applied": applied,
                        "pre_restore_backup": safety.name})
        # Written before the commit, so it precedes the checkpoint of the restore event;
        # if it fails, the event is rolled back with everything else.
        checkpoints.append_epoch(backup_id=inspected.backup_id, seq=head[0], hash_=head[1],
                                 source=source.name)
    return head


def _put_back(safety: Path, work: Path, database_replaced: bool, media: Path,
              previous: Path) -> None:
    if database_replaced:
        with zipfile.ZipFile(safety) as archive:
            name = json.loads(archive.read("manifest.json"))["database"]
            archive.extract(name, work)
        _replace_database(work / name)
    if previous.exists():
        shutil.rmtree(media, ignore_errors=True)
        previous.rename(media)
