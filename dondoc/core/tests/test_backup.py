"""Backup and restore, on SQLite and PostgreSQL: round trip, refusals that change nothing,
the audit epoch a restore starts, and migrations after restoring an older backup."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dondoc.audit import checkpoints, keyring
from dondoc.audit.models import GENESIS_HASH, SCHEME_SHA256, AuditChainHead, AuditEvent
from dondoc.audit.services import record, sha256_hash, verify
from dondoc.core import backup as backup_module
from dondoc.organization import services
from dondoc.organization.models import Unit, User

pytestmark = pytest.mark.django_db(transaction=True)


def fingerprint() -> dict[str, object]:
    return {
        "units": list(Unit.objects.order_by("path").values_list("code", "name", "path")),
        "users": list(User.objects.order_by("username").values_list("username", "unit_id",
                                                                     "role", "password")),
        "audit": list(AuditEvent.objects.order_by("seq").values_list("seq", "hash")),
    }


def media_state() -> dict[str, bytes]:
    media = Path(settings.MEDIA_ROOT)
    return {path.relative_to(media).as_posix(): path.read_bytes()
            for path in sorted(media.rglob("*")) if path.is_file()} if media.exists() else {}


def put_file(name: str, content: bytes) -> None:
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


@pytest.fixture
def clean_media() -> None:
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def backups_dir(settings, tmp_path: Path) -> Path:
    settings.DONDOC_BACKUP_DIR = tmp_path / "var-backups"
    return settings.DONDOC_BACKUP_DIR


def rewrite_zip(source: Path, target: Path, *, manifest: dict | None = None,
                replace: dict[str, bytes] | None = None, drop: tuple[str, ...] = ()) -> Path:
    """Copy a backup, changing members: what a damaged or altered backup looks like."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            if name in drop:
                continue
            if name == "manifest.json" and manifest is not None:
                new.writestr(name, json.dumps(manifest))
            else:
                new.writestr(name, (replace or {}).get(name, old.read(name)))
        for name, content in (replace or {}).items():
            if name not in old.namelist():
                new.writestr(name, content)
    return target


def read_manifest(archive: Path) -> dict:
    with zipfile.ZipFile(archive) as opened:
        return json.loads(opened.read("manifest.json"))


def test_backup_wipe_restore_gives_back_identical_data(org, people, tmp_path: Path,
                                                       backups_dir: Path, clean_media) -> None:
    services.unit_create(actor=people.staff, parent=org.pc06, code="BK1", name="Đội sao lưu",
                         kind="team")
    put_file("docs/evidence.pdf", b"%PDF-1.4 evidence")
    before = fingerprint()
    archive = tmp_path / "dondoc.zip"

    call_command("backup", str(archive))

    # Wipe: data and files gone.
    User.objects.all().delete()
    Unit.objects.all().delete()
    shutil.rmtree(settings.MEDIA_ROOT)
    assert fingerprint() != before

    call_command("restore", str(archive), "--yes")

    after = fingerprint()
    restore_event = AuditEvent.objects.get(seq=len(before["audit"]) + 1)
    assert after == {**before, "audit": [*before["audit"], (restore_event.seq,
                                                            restore_event.hash)]}
    assert restore_event.action == "restore"
    assert restore_event.changes["backup"] == read_manifest(archive)["backup_id"]
    assert media_state() == {"docs/evidence.pdf": b"%PDF-1.4 evidence"}
    result = verify()
    assert result.ok, result
    assert result.epochs == 2


def test_the_manifest_lists_files_with_sha256_and_the_audit_head_but_never_the_key(
        people, tmp_path: Path, clean_media) -> None:
    record(actor=people.staff, action="other", message="before the backup")
    put_file("a/b.txt", b"hello")
    archive = tmp_path / "b.zip"
    call_command("backup", str(archive))
    manifest = read_manifest(archive)
    head = AuditChainHead.objects.get(pk=1)
    assert manifest["files"] == [{
        "path": "a/b.txt", "size": 5,
        "sha256": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}]
    assert manifest["audit"]["seq"] == head.seq and manifest["audit"]["hash"] == head.hash
    assert manifest["audit"]["keyed"] is True
    key = keyring.load_key()
    assert key is not None and manifest["audit"]["key_id"] == keyring.key_id(key)
    with zipfile.ZipFile(archive) as opened:
        assert all(key not in opened.read(name) for name in opened.namelist())


def test_restoring_an_older_backup_starts_an_epoch_and_verifies(people, tmp_path: Path,
                                                                backups_dir: Path,
                                                                clean_media) -> None:
    for n in range(3):
        record(actor=people.staff, action="other", message=f"kept {n}")
    archive = tmp_path / "older.zip"
    call_command("backup", str(archive))
    for n in range(4):  # the chain moves on past the backup, with checkpoints
        record(actor=people.staff, action="other", message=f"lost {n}")
    assert verify().ok

    call_command("restore", str(archive), "--yes")
    record(actor=people.staff, action="other", message="after the restore")

    result = verify()
    assert result.ok, result
    assert (result.epochs, result.checked) == (2, 5)
    call_command("audit", "verify")
    # Deleting the restore event is caught: it must open the new epoch.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq >= 4")
    AuditChainHead.objects.filter(pk=1).update(
        seq=3, hash=AuditEvent.objects.get(seq=3).hash)
    with pytest.raises(CommandError, match="BROKEN at event #4"):
        call_command("audit", "verify")


def test_the_replaced_data_is_kept_as_a_restorable_backup(org, people, tmp_path: Path,
                                                          backups_dir: Path,
                                                          clean_media) -> None:
    archive = tmp_path / "empty-ish.zip"
    call_command("backup", str(archive))
    services.unit_create(actor=people.staff, parent=org.pc06, code="NEW", name="Đội mới",
                         kind="team")
    put_file("new.txt", b"new")
    current = fingerprint()

    call_command("restore", str(archive), "--yes")
    [kept] = sorted(backups_dir.glob("pre-restore-*.zip"))
    assert not Unit.objects.filter(code="NEW").exists()

    call_command("restore", str(kept), "--yes")
    assert Unit.objects.filter(code="NEW").exists()
    assert media_state() == {"new.txt": b"new"}
    assert fingerprint()["audit"][:len(current["audit"])] == current["audit"]
    assert verify().ok


# --- refusals: each leaves the database, the files and the checkpoints as they were ----------

@pytest.fixture
def good_backup(org, people, tmp_path: Path, clean_media) -> Path:
    services.unit_create(actor=people.staff, parent=org.pc06, code="BK1", name="Đội sao lưu",
                         kind="team")
    put_file("docs/evidence.pdf", b"%PDF-1.4 evidence")
    archive = tmp_path / "good.zip"
    call_command("backup", str(archive))
    return archive


def assert_refused(archive: Path, backups_dir: Path, *words: str) -> None:
    before = (fingerprint(), media_state())
    marks = checkpoints.checkpoint_file()
    marks_before = marks.read_bytes() if marks.exists() else b""
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(archive), "--yes")
    message = str(caught.value)
    assert message.startswith("restore refused:") and "Nothing was changed" in message
    for word in words:
        assert word in message, message
    assert (fingerprint(), media_state()) == before
    assert (marks.read_bytes() if marks.exists() else b"") == marks_before
    assert not backups_dir.exists() or not any(backups_dir.iterdir())


def foreign_database(tmp_path: Path) -> tuple[str, bytes]:
    """A valid database of the configured vendor that is not a dondoc database."""
    if connection.vendor == "sqlite":
        path = tmp_path / "foreign.sqlite3"
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("INSERT INTO customers (name) VALUES ('Nguyễn Văn A')")
        db.commit()
        db.close()
        return "database.sqlite3", path.read_bytes()
    path = tmp_path / "foreign.pgdump"
    args, env = backup_module._pg_env(connection.settings_dict)
    subprocess.run(["pg_dump", "--format=custom", "--table", "django_content_type",  # noqa: S607
                    "--file", str(path), *args], env=env, check=True)
    return "database.pgdump", path.read_bytes()


def test_refuses_a_foreign_sqlite_file_given_directly(good_backup: Path, tmp_path: Path,
                                                      backups_dir: Path) -> None:
    path = tmp_path / "foreign.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    assert_refused(path, backups_dir, "not a dondoc backup")


def test_refuses_a_backup_whose_database_is_not_a_dondoc_database(
        good_backup: Path, tmp_path: Path, backups_dir: Path) -> None:
    import hashlib

    name, content = foreign_database(tmp_path)
    manifest = read_manifest(good_backup)
    manifest["database_sha256"] = hashlib.sha256(content).hexdigest()  # a consistent forgery
    forged = rewrite_zip(good_backup, tmp_path / "forged.zip", manifest=manifest,
                         replace={name: content})
    assert_refused(forged, backups_dir, "not a dondoc database", "audit_auditevent")


def test_refuses_a_zip_without_manifest(good_backup: Path, tmp_path: Path,
                                        backups_dir: Path) -> None:
    bare = rewrite_zip(good_backup, tmp_path / "bare.zip", drop=("manifest.json",))
    assert_refused(bare, backups_dir, "no manifest.json")


def test_refuses_a_manifest_without_its_required_keys(good_backup: Path, tmp_path: Path,
                                                      backups_dir: Path) -> None:
    manifest = read_manifest(good_backup)
    del manifest["files"]
    broken = rewrite_zip(good_backup, tmp_path / "nofiles.zip", manifest=manifest)
    assert_refused(broken, backups_dir, "manifest lacks files")


def test_refuses_a_truncated_zip(good_backup: Path, tmp_path: Path, backups_dir: Path) -> None:
    truncated = tmp_path / "truncated.zip"
    data = good_backup.read_bytes()
    truncated.write_bytes(data[: len(data) * 2 // 3])
    assert_refused(truncated, backups_dir, "not a dondoc backup", "truncated")


def test_refuses_a_file_whose_hash_does_not_match(good_backup: Path, tmp_path: Path,
                                                  backups_dir: Path) -> None:
    altered = rewrite_zip(good_backup, tmp_path / "altered.zip",
                          replace={"files/docs/evidence.pdf": b"%PDF-1.4 altered"})
    assert_refused(altered, backups_dir, "files/docs/evidence.pdf", "SHA-256")


def test_refuses_a_database_whose_hash_does_not_match(good_backup: Path, tmp_path: Path,
                                                      backups_dir: Path) -> None:
    name, content = foreign_database(tmp_path)
    altered = rewrite_zip(good_backup, tmp_path / "altered-db.zip", replace={name: content})
    assert_refused(altered, backups_dir, name, "SHA-256")


def test_refuses_a_file_the_manifest_does_not_list(good_backup: Path, tmp_path: Path,
                                                   backups_dir: Path) -> None:
    added = rewrite_zip(good_backup, tmp_path / "added.zip",
                        replace={"files/implant.html": b"<script>"})
    assert_refused(added, backups_dir, "does not list", "implant.html")


def test_refuses_a_backup_from_a_different_vendor(good_backup: Path, tmp_path: Path,
                                                  backups_dir: Path) -> None:
    manifest = read_manifest(good_backup)
    manifest["vendor"] = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    other = rewrite_zip(good_backup, tmp_path / "other.zip", manifest=manifest)
    assert_refused(other, backups_dir, f"{manifest['vendor']} database",
                   f"configured database is {connection.vendor}")


def test_refuses_a_backup_from_a_newer_version_with_unknown_migrations(
        people, tmp_path: Path, backups_dir: Path, clean_media) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO django_migrations (app, name, applied) "
                       "VALUES ('plans', '9999_from_the_future', CURRENT_TIMESTAMP)")
    archive = tmp_path / "newer.zip"
    call_command("backup", str(archive))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE name = '9999_from_the_future'")
    assert_refused(archive, backups_dir, "newer", "plans.9999_from_the_future")


def test_refuses_a_keyed_backup_when_the_audit_key_is_missing_or_another(
        good_backup: Path, settings, backups_dir: Path) -> None:
    saved = keyring.key_file().read_bytes()
    keyring.key_file().unlink()
    try:
        assert_refused(good_backup, backups_dir, "no audit key is configured",
                       "DONDOC_AUDIT_KEY", str(keyring.key_file()))
        settings.DONDOC_AUDIT_KEY = "another key, from another machine, long enough"
        assert_refused(good_backup, backups_dir, "is not the key that signed")
    finally:
        keyring.key_file().write_bytes(saved)


def test_the_key_comes_from_the_environment_on_a_new_machine(good_backup: Path, settings,
                                                             backups_dir: Path) -> None:
    settings.DONDOC_AUDIT_KEY = keyring.key_file().read_text().strip()
    keyring.key_file().unlink()
    try:
        call_command("restore", str(good_backup), "--yes")
        assert verify().ok
        assert not keyring.key_file().exists()
    finally:
        keyring.key_file().write_text(settings.DONDOC_AUDIT_KEY)


def test_a_failure_after_replacing_puts_the_previous_data_back(
        good_backup: Path, org, backups_dir: Path, monkeypatch) -> None:
    services.unit_create(actor=None, parent=Unit.objects.get(code="PC06"), code="LATER",
                         name="Đội sau", kind="team")
    put_file("later.txt", b"later")
    before = (fingerprint(), media_state())

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(backup_module, "_record_restore", fail)
    with pytest.raises(CommandError, match=r"put back.*disk on fire"):
        call_command("restore", str(good_backup), "--yes")
    assert (fingerprint(), media_state()) == before
    assert verify().ok


def test_an_older_backup_is_migrated_after_the_restore(tmp_path: Path, backups_dir: Path,
                                                       clean_media, monkeypatch) -> None:
    """A backup of the previous version: unkeyed events, no ``scheme`` column, format 1."""
    previous = GENESIS_HASH
    for seq in (1, 2):
        old = AuditEvent(seq=seq, created_at=AuditEvent._meta.get_field("created_at")
                         .to_python(f"2025-01-0{seq}T08:00:00+00:00"), actor_name="system",
                         action="other", message=f"old {seq}", prev_hash=previous,
                         scheme=SCHEME_SHA256)
        old.hash = sha256_hash(old)
        old.save()
        previous = old.hash
    AuditChainHead.objects.create(pk=1, seq=2, hash=previous)
    scheme = AuditEvent._meta.get_field("scheme")
    with connection.schema_editor() as editor:
        editor.remove_field(AuditEvent, scheme)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'audit' "
                       "AND name = '0002_auditevent_scheme_keyed_chain'")
    monkeypatch.setattr(backup_module, "_audit_summary", lambda head: {})
    made = tmp_path / "made.zip"
    backup_module.backup(made)
    monkeypatch.undo()
    manifest = read_manifest(made)
    old_style = rewrite_zip(made, tmp_path / "v1.zip", manifest={
        key: manifest[key] for key in ("vendor", "created_at", "database")} | {"format": 1})
    call_command("migrate", verbosity=0)  # back to this version, then restore the old backup
    record(actor=None, action="other", message="written by this version")

    call_command("restore", str(old_style), "--yes")

    assert list(AuditEvent.objects.order_by("seq").values_list("seq", "scheme", "action")) == [
        (1, 1, "other"), (2, 1, "other"), (3, 2, "restore")]
    assert AuditEvent.objects.get(seq=3).changes["migrations_applied"] == 1
    result = verify()
    assert result.ok, result
    assert result.keyed_from == 3


def test_restore_of_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.zip"), "--yes")
