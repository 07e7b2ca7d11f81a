"""Uploaded files: type and size checks, content hashing, safe storage names."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
import zipfile
from pathlib import Path, PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

# Extension → the magic bytes its content must start with.
ALLOWED_TYPES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG",),
}
DOCUMENT_TYPES = (".pdf", ".docx", ".doc")


def validate_upload(upload: UploadedFile, *, allowed: tuple[str, ...] | None = None) -> None:
    """Refuse files of the wrong type (by extension *and* content) or too large."""
    name = upload.name or ""
    extension = PurePath(name).suffix.lower()
    accepted = allowed or tuple(ALLOWED_TYPES)
    if extension not in accepted:
        raise ValidationError(
            _("Files of type %(ext)s are not accepted. Accepted: %(accepted)s."),
            params={"ext": extension or "?", "accepted": ", ".join(accepted)}, code="type",
        )
    limit = settings.DONDOC_MAX_UPLOAD_MB * 1024 * 1024
    if (upload.size or 0) > limit:
        raise ValidationError(
            _("The file is larger than %(limit)d MB."),
            params={"limit": settings.DONDOC_MAX_UPLOAD_MB}, code="size",
        )
    if not upload.size:
        raise ValidationError(_("The file is empty."), code="empty")
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in ALLOWED_TYPES[extension]):
        raise ValidationError(
            _("The content of %(name)s does not match its type %(ext)s."),
            params={"name": name, "ext": extension}, code="content",
        )
    try:
        if extension in OFFICE_MAIN_TYPES:
            _check_office_package(upload, name, extension)
        elif extension in {".doc", ".xls"}:
            _check_legacy_office(upload, name)
    finally:
        upload.seek(0)


# Office Open XML (.docx, .xlsx) ---------------------------------------------------------
#
# A .docx or .xlsx is a ZIP of parts listed in [Content_Types].xml. The magic bytes only
# say "a ZIP": the parts must also be a document of the claimed kind, with no macros
# (vbaProject.bin, macro-enabled content types), no ActiveX controls and no executable
# parts, and must not unpack to something huge.

OFFICE_MAIN_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
# Content types (lower case) that mean active content.
FORBIDDEN_CONTENT_TYPES = ("macroenabled", "vbaproject", "vbadata", "activex",
                           "application/x-msdownload", "application/javascript",
                           "application/x-javascript", "text/javascript")
FORBIDDEN_PART_NAMES = ("vbaproject.bin", "vbadata.xml", "activex")
EXECUTABLE_EXTENSIONS = (".exe", ".dll", ".js", ".jse", ".vbs", ".vbe", ".wsf", ".hta",
                         ".bat", ".cmd", ".com", ".scr", ".ps1", ".msi", ".jar", ".lnk",
                         ".cpl", ".pif", ".ocx", ".sys")
MAX_PARTS = 5000
MAX_UNPACKED_BYTES = 500 * 1024 * 1024
MAX_CONTENT_TYPES_BYTES = 1024 * 1024


def _refuse_office(name: str, reason: object) -> ValidationError:
    return ValidationError(
        _("%(name)s cannot be accepted: %(reason)s"), params={"name": name, "reason": reason},
        code="content")


def _check_office_package(upload: UploadedFile, name: str, extension: str) -> None:
    try:
        with zipfile.ZipFile(upload) as package:
            parts = package.infolist()
            if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
                raise _refuse_office(name, _("it unpacks to too much data."))
            for part in parts:
                lowered = part.filename.lower()
                if part.flag_bits & 0x1:
                    raise _refuse_office(name, _("it is encrypted."))
                if any(marker in lowered for marker in FORBIDDEN_PART_NAMES):
                    raise _refuse_office(name, _("it contains macros or ActiveX controls. "
                                                 "Save it as a plain document first."))
                if lowered.endswith(EXECUTABLE_EXTENSIONS):
                    raise _refuse_office(name, _("it contains a program or script."))
            try:
                info = package.getinfo("[Content_Types].xml")
            except KeyError:
                raise _refuse_office(name, _("it is not an Office document.")) from None
            if info.file_size > MAX_CONTENT_TYPES_BYTES:
                raise _refuse_office(name, _("it is not an Office document."))
            content_types = package.read(info).decode("utf-8", "replace").lower()
    except zipfile.BadZipFile:
        raise _refuse_office(name, _("it is damaged or not an Office document.")) from None
    if any(kind in content_types for kind in FORBIDDEN_CONTENT_TYPES):
        raise _refuse_office(name, _("it contains macros or ActiveX controls. "
                                     "Save it as a plain document first."))
    if OFFICE_MAIN_TYPES[extension] not in content_types:
        raise ValidationError(
            _("The content of %(name)s does not match its type %(ext)s."),
            params={"name": name, "ext": extension}, code="content")


# The name of the VBA project stream of a .doc / .xls with macros, as the compound file's
# directory stores it (UTF-16LE).
_LEGACY_VBA_MARKER = "_VBA_PROJECT".encode("utf-16-le")


def _check_legacy_office(upload: UploadedFile, name: str) -> None:
    """Refuse a legacy .doc / .xls that carries a VBA macro project."""
    tail = b""
    for chunk in upload.chunks():
        window = tail + chunk
        if _LEGACY_VBA_MARKER in window:
            raise _refuse_office(name, _("it contains macros or ActiveX controls. "
                                         "Save it as a plain document first."))
        tail = window[-len(_LEGACY_VBA_MARKER):]


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


# Crash leftovers ------------------------------------------------------------------------
#
# A file is written inside the transaction that creates its row, so that a committed row
# always has its file. If the transaction then rolls back (an error later in the same
# request) or the process dies before the commit, the file stays behind with no row:
# ``dondoc sweep-files`` (daily, with the backup) deletes such files once they are older
# than any transaction can run.

STORED_FOLDERS = ("documents", "tasks", "unitreports", "urging",
                  "reports", "targets")  # the folders of ``storage_name``
SWEEP_GRACE = dt.timedelta(hours=1)


def _referenced_names() -> set[str]:
    from django.apps import apps
    from django.db import models

    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names.update(model._base_manager.exclude(**{field.attname: ""})
                             .values_list(field.attname, flat=True))
    return names


def orphan_files(*, grace: dt.timedelta = SWEEP_GRACE) -> list[Path]:
    """Stored files no row refers to, last written more than ``grace`` ago."""
    root = Path(settings.MEDIA_ROOT)
    cutoff = time.time() - grace.total_seconds()
    candidates = [path for folder in STORED_FOLDERS if (root / folder).is_dir()
                  for path in (root / folder).rglob("*")
                  if path.is_file() and path.stat().st_mtime < cutoff]
    if not candidates:
        return []
    referenced = _referenced_names()
    return sorted(path for path in candidates
                  if path.relative_to(root).as_posix() not in referenced)


def sweep_orphan_files(*, grace: dt.timedelta = SWEEP_GRACE, dry_run: bool = False,
                       ) -> list[Path]:
    """Delete (or with ``dry_run`` only list) the files :func:`orphan_files` finds."""
    orphans = orphan_files(grace=grace)
    if not dry_run:
        for path in orphans:
            path.unlink(missing_ok=True)
    return orphans


def storage_name(folder: str, original: str) -> str:
    """A random stored name that keeps the extension; the original name is kept in the DB."""
    return f"{folder}/{uuid.uuid4().hex}{PurePath(original).suffix.lower()}"
