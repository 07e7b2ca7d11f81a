"""No uploaded file outlives a failed save: refused uploads write nothing, and files left
by a rollback or a crash (no row refers to them) are swept once they are old enough."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from dondoc.core.cli import main
from dondoc.core.files import orphan_files, sweep_orphan_files
from dondoc.plans import services
from dondoc.plans.models import TaskFile

PDF = b"%PDF-1.4\n% evidence\n"


def _stored() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {path for folder in ("tasks", "documents") if (root / folder).is_dir()
            for path in (root / folder).rglob("*") if path.is_file()}


def _age(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_a_refused_file_among_good_ones_writes_no_file(people: Any, work: Any) -> None:
    before = _stored()
    with pytest.raises(ValidationError):
        services.progress_post(actor=people.manager, task=work.traffic, unit=work.traffic.lead_unit,
                               percent=20, results="Đã làm", files=[
                                   SimpleUploadedFile("tot.pdf", PDF),
                                   SimpleUploadedFile("virus.exe", b"MZ\x90\x00")])
    assert _stored() == before
    assert not TaskFile.objects.exists()


def test_files_of_a_rolled_back_save_are_swept_when_old_enough(people: Any, work: Any) -> None:
    before = _stored()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.progress_post(actor=people.manager, task=work.traffic,
                               unit=work.traffic.lead_unit, percent=20, results="Đã làm",
                               files=[SimpleUploadedFile("bb.pdf", PDF)])
        raise RuntimeError("the request failed after the file was written")
    kept = services.progress_post(actor=people.manager, task=work.traffic,
                                  unit=work.traffic.lead_unit, percent=30, results="Tiếp",
                                  files=[SimpleUploadedFile("tiep.pdf", PDF)])
    kept_path = Path(kept.files.get().file.path)
    leftovers = _stored() - before - {kept_path}
    assert len(leftovers) == 1 and not TaskFile.objects.filter(
        file=leftovers.pop().relative_to(settings.MEDIA_ROOT).as_posix()).exists()

    new = _stored() - before
    assert [p for p in orphan_files() if p in new] == []  # too fresh: may be in flight
    for path in new:
        _age(path, 2)
    orphans = [p for p in orphan_files() if p in new]
    assert len(orphans) == 1 and kept_path not in orphans
    swept = sweep_orphan_files()
    assert orphans[0] in swept and not orphans[0].exists()
    assert kept_path.exists()


def test_dondoc_sweep_files_lists_then_deletes(db: None, capsys: Any) -> None:
    stray = Path(settings.MEDIA_ROOT) / "tasks" / "crash-leftover.pdf"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(PDF)
    _age(stray, 3)
    main(["dondoc", "sweep-files", "--dry-run"])
    assert f"would delete {stray}" in capsys.readouterr().out and stray.exists()
    main(["dondoc", "sweep-files"])
    assert f"deleted {stray}" in capsys.readouterr().out and not stray.exists()
