"""Settings for dondoc, read only from environment variables.

Every value has a safe default for the embedded single-machine setup (SQLite in the data
folder); a wrong value stops the start-up with a message saying what to fix.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DATA_DIR = Path(env_str("DONDOC_DATA_DIR", str(BASE_DIR / "var" / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "files"  # uploaded files: outside the web root, served by views

# The audit chain is keyed (HMAC) with a key kept outside the database: DONDOC_AUDIT_KEY, or
# a key file created with mode 0600 on first use. Chain heads are appended to a checkpoint
# file after every audited transaction; `dondoc restore` keeps what it replaces in
# DONDOC_BACKUP_DIR. See docs/security.md, "Threat model of the audit chain" and "Backups".
DONDOC_AUDIT_KEY = env_str("DONDOC_AUDIT_KEY")
DONDOC_AUDIT_KEY_FILE = Path(env_str("DONDOC_AUDIT_KEY_FILE", str(DATA_DIR / "audit.key")))
DONDOC_AUDIT_CHECKPOINT_FILE = DATA_DIR / "audit-checkpoints.jsonl"
DONDOC_BACKUP_DIR = DATA_DIR / "backups"


def _secret_key() -> str:
    given = env_str("SECRET_KEY")
    if given:
        return given
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DONDOC_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "template_partials",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "dondoc.core",
    "dondoc.audit",
    "dondoc.organization",
    "dondoc.plans",
    "dondoc.imports",
    "dondoc.progress",
    "dondoc.dashboards",
    "dondoc.api",
    "dondoc.jobs",
    "dondoc.reports",
    "dondoc.inspections",
    "dondoc.urging",
    "dondoc.notifications",
    "dondoc.portal",
    "dondoc.unitreports",
    "dondoc.obstacles",
    "dondoc.targets",
    "dondoc.surveys",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dondoc.core.middleware.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dondoc.organization.middleware.UserLanguageMiddleware",
    "dondoc.organization.middleware.TwoFactorRequiredMiddleware",
    "dondoc.portal.middleware.PortalEditorMiddleware",
    "dondoc.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "dondoc.core.busy.DatabaseBusyMiddleware",
    "dondoc.core.dbrouter.ReplicaReadsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dondoc.core.context_processors.dondoc",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]


def _databases() -> dict[str, Any]:
    url = env_str("DATABASE_URL")
    if not url:
        return {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": DATA_DIR / "dondoc.sqlite3",
                # Each server thread keeps its connection (and SQLite's page cache)
                # instead of opening the file and running the PRAGMAs below on every
                # request: measured −29 % CPU on a task's updates, −10 % on the API's
                # task list (issue 15, docs/performance.md).
                "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
                "OPTIONS": {
                    "init_command": (
                        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                        "PRAGMA foreign_keys=ON;"
                    ),
                    # A writer waits (SQLite retries) up to this long for another's write
                    # to end; BEGIN IMMEDIATE takes the write lock at the start, so a
                    # transaction never fails half-way on a lock it cannot upgrade.
                    "timeout": env_int("DONDOC_SQLITE_BUSY_TIMEOUT_SECONDS", 15),
                    "transaction_mode": "IMMEDIATE",
                },
            }
        }
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if config["ENGINE"] not in {
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    }:
        raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL or SQLite.")
    config["CONN_HEALTH_CHECKS"] = True
    if config["ENGINE"] == "django.db.backends.postgresql":
        # No JIT compilation: the status SQL's many subplans push its cost estimate over
        # jit_above_cost, and compiling took 4.5 s of a 4.7 s statistics query that runs
        # in 0.1 s without it (docs/performance.md, "Ministry scale").
        options = config.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    return {"default": config}


DATABASES = _databases()

# A task list counts its rows up to this many and then says "more than N" (0: always the
# exact total). On PostgreSQL, for ministry-size lists: the exact count of 237,000 overdue
# tasks out of 1,000,000 took 4 s, the first 10,001 a few milliseconds; the statistics and
# dashboards still give exact figures. SQLite (one city) counts exactly by default.
# Unit pickers list their units in the page up to this many; beyond (a ministry's 20,000),
# they ask /units/options/ as the user types.
DONDOC_UNIT_PICKER_INLINE_LIMIT = env_int("DONDOC_UNIT_PICKER_INLINE_LIMIT", 1000)
DONDOC_TASK_LIST_COUNT_LIMIT = env_int(
    "DONDOC_TASK_LIST_COUNT_LIMIT",
    10_000 if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" else 0)


def _replica(default: dict[str, Any]) -> dict[str, Any] | None:
    """The read replica of DATABASE_REPLICA_URL (PostgreSQL), or None."""
    url = env_str("DATABASE_REPLICA_URL")
    if not url:
        return None
    if default["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs DATABASE_URL to point to the PostgreSQL primary.")
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URL is not a valid database URL: {exc}") from None
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must point to PostgreSQL.")
    config["CONN_HEALTH_CHECKS"] = True
    options = config.setdefault("OPTIONS", {})
    # The dashboards' statistics SQL runs here too: no JIT, as on the primary. A replica
    # host that does not answer must not hold a request for the system's TCP timeout
    # (the router then reads from the primary): 3 s unless the URL says otherwise.
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    options.setdefault("connect_timeout", 3)
    config["TEST"] = {"MIRROR": "default"}
    return dict(config)


# Reports and dashboards read from a streaming replica when one is given; all writes and
# every other read go to the primary (dondoc/core/dbrouter.py, docs/deployment.md).
_REPLICA = _replica(DATABASES["default"])
DATABASE_ROUTERS: list[str] = []
if _REPLICA is not None:
    DATABASES["replica"] = _REPLICA
    DATABASE_ROUTERS = ["dondoc.core.dbrouter.PrimaryReplicaRouter"]
# The views (modules) whose GET requests read from the replica.
DONDOC_REPLICA_VIEW_MODULES = ("dondoc.dashboards.views", "dondoc.reports.views")
# A replica whose replay is further behind the primary than this is skipped (those
# requests read from the primary) until it catches up; checked every few seconds.
DONDOC_REPLICA_MAX_LAG_SECONDS = env_int("DATABASE_REPLICA_MAX_LAG", 30)
if DONDOC_REPLICA_MAX_LAG_SECONDS < 1:
    raise ImproperlyConfigured("DATABASE_REPLICA_MAX_LAG must be at least 1 (seconds).")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organization.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("DONDOC_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the user's unit with the user (one query less a page).
    "dondoc.organization.backends.UnitModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Behind a reverse proxy: the proxies' addresses (or networks) whose client-address header
# is believed; empty: the connection's address is the client's (see dondoc/core/client.py).
DONDOC_TRUSTED_PROXIES = env_list("DONDOC_TRUSTED_PROXIES", "")
DONDOC_PROXY_CLIENT_HEADER = env_str("DONDOC_PROXY_CLIENT_HEADER", "X-Forwarded-For")


def _proxy_settings() -> tuple[list[Any], str]:
    from dondoc.core.client import header_meta_key, parse_networks

    if not DONDOC_PROXY_CLIENT_HEADER.strip():
        raise ImproperlyConfigured("DONDOC_PROXY_CLIENT_HEADER must name a header.")
    return (parse_networks("DONDOC_TRUSTED_PROXIES", DONDOC_TRUSTED_PROXIES),
            header_meta_key(DONDOC_PROXY_CLIENT_HEADER))


DONDOC_TRUSTED_PROXY_NETWORKS, DONDOC_PROXY_CLIENT_META_KEY = _proxy_settings()

# Login lockout (django-axes): N failures for one username from one address lock it, so
# a stranger guessing from elsewhere cannot lock the owner out.
AXES_CLIENT_IP_CALLABLE = "dondoc.core.client.client_address"
AXES_FAILURE_LIMIT = env_int("DONDOC_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("DONDOC_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

OTP_TOTP_ISSUER = env_str("DONDOC_OTP_ISSUER", "dondoc")
# Roles that must enrol a second factor before using the application.
DONDOC_2FA_REQUIRED_ROLES = ("admin", "leader", "editor")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("DONDOC_SESSION_HOURS", 10) * 3600
SESSION_COOKIE_SECURE = env_bool("DONDOC_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The load balancer's health check speaks plain HTTP to the app server: never redirect it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("DONDOC_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DONDOC_HSTS_INCLUDE_SUBDOMAINS", True)
# The HSTS preload list is for public domains: an isolated network's host names cannot be
# on it, so Django's advice to ask for preloading does not apply.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"]
FORMAT_MODULE_PATH = ["dondoc.core.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880
DONDOC_MAX_UPLOAD_MB = env_int("DONDOC_MAX_UPLOAD_MB", 20)

EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "dondoc@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

# Sent e-mails are deleted from the outbox this many days after they were sent, by the
# daily reminder pass; 0 keeps them. Messages not sent (waiting or given up) are kept.
DONDOC_OUTBOX_RETENTION_DAYS = env_int("DONDOC_OUTBOX_RETENTION_DAYS", 90)
if DONDOC_OUTBOX_RETENTION_DAYS < 0:
    raise ImproperlyConfigured("DONDOC_OUTBOX_RETENTION_DAYS must be 0 (keep) or more.")
# Links in e-mails are absolute: the address users open dondoc at.
DONDOC_BASE_URL = env_str("DONDOC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
if not DONDOC_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("DONDOC_BASE_URL must start with http:// or https://")
# The daily reminder pass runs from this hour (Asia/Ho_Chi_Minh) in `dondoc worker`.
DONDOC_REMINDER_HOUR = env_int("DONDOC_REMINDER_HOUR", 6)
if not 0 <= DONDOC_REMINDER_HOUR <= 23:
    raise ImproperlyConfigured("DONDOC_REMINDER_HOUR must be an hour from 0 to 23.")

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"

DONDOC_DUE_SOON_DAYS = env_int("DONDOC_DUE_SOON_DAYS", 3)
DONDOC_ORG_NAME = env_str("DONDOC_ORG_NAME", "Công an thành phố Đà Nẵng")
# Digital signature of issued consolidated reports (PAdES): a PKCS#12 file and its
# password. Unset: reports are issued unsigned, or signed with the demo certificate that
# `dondoc demo` creates in the data folder (marked "DEMO — không có giá trị pháp lý").
DONDOC_SIGN_P12 = env_str("DONDOC_SIGN_P12")
DONDOC_SIGN_PASSWORD = env_str("DONDOC_SIGN_PASSWORD")
DONDOC_REPORT_PLACE = env_str("DONDOC_REPORT_PLACE", "Đà Nẵng")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DONDOC_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# JSON API: requests per token ("600/m": per s, m, h or d) and the largest request body.
# The counters are shared by every worker: in Redis with REDIS_URL, else in a SQLite file
# of their own beside the data (never in the main database: no wait for its write lock).
DONDOC_API_RATE_LIMIT = env_str("DONDOC_API_RATE_LIMIT", "600/m")
DONDOC_API_MAX_BODY_BYTES = env_int("DONDOC_API_MAX_BODY_BYTES", 1_048_576)

# Background jobs (django-tasks, database backend; `dondoc worker` runs them). A running
# job's worker renews its lease every HEARTBEAT seconds; a job without a sign of life for
# LEASE seconds is marked failed (its page then offers a retry).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
DONDOC_JOB_LEASE_SECONDS = env_int("DONDOC_JOB_LEASE_SECONDS", 30)
DONDOC_JOB_HEARTBEAT_SECONDS = env_int("DONDOC_JOB_HEARTBEAT_SECONDS", 10)
if not 0 < DONDOC_JOB_HEARTBEAT_SECONDS * 2 <= DONDOC_JOB_LEASE_SECONDS:
    raise ImproperlyConfigured(
        "DONDOC_JOB_HEARTBEAT_SECONDS must be positive and at most half of "
        "DONDOC_JOB_LEASE_SECONDS.")
# `dondoc serve` starts a worker beside the web server unless this is false (production
# runs `dondoc worker` as its own service).
DONDOC_EMBEDDED_WORKER = env_bool("DONDOC_EMBEDDED_WORKER", True)
# gunicorn recycles each web worker after about this many requests (memory held by a
# large request is given back); 0 turns recycling off.
DONDOC_MAX_REQUESTS = env_int("DONDOC_MAX_REQUESTS", 1000)
DONDOC_RATELIMIT_DB = DATA_DIR / "ratelimit.sqlite3"
# gunicorn keeps an idle client connection this long: longer than a reverse proxy keeps
# its idle connections to the app (deploy/nginx.conf.template: 60 s).
DONDOC_KEEPALIVE_SECONDS = env_int("DONDOC_KEEPALIVE_SECONDS", 75)
