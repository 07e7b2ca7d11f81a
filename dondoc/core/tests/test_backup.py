"""Backup → wipe → restore gives back identical data, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from dondoc.audit.models import AuditEvent
from dondoc.audit.services import verify
from dondoc.organization import services
from dondoc.organization.models import Unit, User


def fingerprint() -> dict[str, object]:
    return {
        "units": list(Unit.objects.order_by("path").values_list("code", "name", "path")),
        "users": list(User.objects.order_by("username").values_list("username", "unit_id",
                                                                     "role", "password")),
        "audit": list(AuditEvent.objects.order_by("seq").values_list("seq", "hash")),
    }


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_gives_back_identical_data(org, people, tmp_path: Path) -> None:
    services.unit_create(actor=people.staff, parent=org.pc06, code="BK1", name="Đội sao lưu",
                         kind="team")
    media = Path(settings.MEDIA_ROOT)
    (media / "docs").mkdir(parents=True, exist_ok=True)
    (media / "docs" / "evidence.pdf").write_bytes(b"%PDF-1.4 evidence")
    before = fingerprint()
    archive = tmp_path / "dondoc.zip"

    call_command("backup", str(archive))

    # Wipe: data and files gone.
    User.objects.all().delete()
    Unit.objects.all().delete()
    shutil.rmtree(media)
    assert fingerprint() != before

    call_command("restore", str(archive), "--yes")

    assert fingerprint() == before
    assert (media / "docs" / "evidence.pdf").read_bytes() == b"%PDF-1.4 evidence"
    assert verify().ok


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path, db) -> None:
    bogus = tmp_path / "bogus.zip"
    bogus.write_text("not a zip")
    with pytest.raises(CommandError, match="not a dondoc backup"):
        call_command("restore", str(bogus), "--yes")


def test_restore_of_a_missing_file_says_so(tmp_path: Path, db) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.zip"), "--yes")
