"""Uploaded files: type and size checks, content hashing, safe storage names."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import PurePath

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


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def storage_name(folder: str, original: str) -> str:
    """A random stored name that keeps the extension; the original name is kept in the DB."""
    return f"{folder}/{uuid.uuid4().hex}{PurePath(original).suffix.lower()}"
