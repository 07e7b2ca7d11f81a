"""Settings for the test suite: the same as production, with fast hashing and temp storage."""

import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403
from config.settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only: speed
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="dondoc-test-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["OPTIONS"] = {}
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
AXES_FAILURE_LIMIT = 5
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="dondoc-test-static-"))
DONDOC_RATELIMIT_DB = Path(tempfile.mkdtemp(prefix="dondoc-test-ratelimit-")) / "hits.sqlite3"
