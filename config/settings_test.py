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
# The audit key, checkpoints and pre-restore backups go to a temp folder, never the repo.
# (conftest.py gives each test its own checkpoint file.)
_AUDIT_DIR = Path(tempfile.mkdtemp(prefix="dondoc-test-audit-"))
DONDOC_AUDIT_KEY = ""
DONDOC_AUDIT_KEY_FILE = _AUDIT_DIR / "audit.key"
DONDOC_AUDIT_CHECKPOINT_FILE = _AUDIT_DIR / "audit-checkpoints.jsonl"
DONDOC_BACKUP_DIR = _AUDIT_DIR / "backups"
# Jobs run inside the request that enqueues them (the worker and its queue are tested
# separately).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DONDOC_RATELIMIT_DB = Path(tempfile.mkdtemp(prefix="dondoc-test-ratelimit-")) / "hits.sqlite3"
# Portal visit counters flush inline: a flushing thread would write outside each test's
# transaction (the thread itself is exercised by the benchmark's real server).
PORTAL_FLUSH_IN_BACKGROUND = False
# A second alias on the same test database, so that the read-replica router is tested
# without a replica (the router is installed only by the tests that use it).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
