"""Visitor statistics without personal data, counted without slowing pages.

A page view is counted in this process's memory (a lock, a counter and a set) and
flushed to the database by a thread of the process (never in a visitor's request) every
``PORTAL_FLUSH_SECONDS`` (10 s) or 500 views, and when the process exits. A flush adds
with ``UPDATE … SET views = views + n`` and inserts visitor keys with
``ON CONFLICT DO NOTHING``, so several processes and threads never lose a view;
a failed flush puts its counts back. At most the last flush interval of a process that
is killed (not stopped) is lost.

A visitor is known only by a key: SHA-256 of that day's random salt, the client address
and the browser's user agent, cut to 32 hex digits. Salts and keys older than yesterday
are deleted at each flush, so no key can be linked across days and no address is stored.
Requests from crawlers and tools (by user agent) are not counted. Days are local
(Asia/Ho_Chi_Minh); weeks start on Monday.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import hashlib
import logging
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from dondoc.core.client import client_address
from dondoc.portal.models import VisitDay, VisitorSeen, VisitSalt

FLUSH_EVENTS = 500
logger = logging.getLogger(__name__)
STATS_TTL_S = 5.0
BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|curl|wget|python-|httpclient|"
    r"libwww|java/|go-http|okhttp|headlesschrome|phantomjs|scan|monitor|uptime",
    re.IGNORECASE,
)

_lock = threading.Lock()
_views: Counter[dt.date] = Counter()
_keys: dict[dt.date, set[str]] = {}
_last_flush = time.monotonic()
_salts: dict[dt.date, str] = {}
_stats_cache: tuple[float, dt.date, dict[str, int]] | None = None


def flush_seconds() -> float:
    return float(getattr(settings, "PORTAL_FLUSH_SECONDS", 10))


def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(BOT_PATTERN.search(user_agent))


def _salt(day: dt.date) -> str:
    salt = _salts.get(day)
    if salt is None:
        VisitSalt.objects.bulk_create([VisitSalt(day=day, salt=secrets.token_hex(32))],
                                      ignore_conflicts=True)
        salt = VisitSalt.objects.get(day=day).salt  # the first writer's, for every process
        _salts.clear()
        _salts[day] = salt
    return salt


def visitor_key(address: str, user_agent: str, day: dt.date) -> str:
    material = f"{_salt(day)}|{address}|{user_agent}".encode()
    return hashlib.sha256(material).hexdigest()[:32]


def record(request: Any) -> None:
    """Count one page view of ``request`` (unless a crawler's)."""
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:500]
    if is_bot(user_agent):
        return
    day = timezone.localdate()
    key = None
    for attempt in range(5):  # the day's salt is read once per process and day
        try:
            key = visitor_key(client_address(request), user_agent, day)
            break
        except DatabaseError:
            time.sleep(0.02 * (attempt + 1))
    with _lock:
        _views[day] += 1  # the view counts even if its visitor could not be keyed
        if key is not None:
            _keys.setdefault(day, set()).add(key)
        due = (time.monotonic() - _last_flush >= flush_seconds()
               or sum(_views.values()) >= FLUSH_EVENTS)
    if in_background():
        _ensure_flusher()
        if due:
            _wake.set()
    elif due:
        try:
            flush()
        except DatabaseError:  # counts were put back; the next view's flush retries
            logger.warning("portal visit counters not flushed yet", exc_info=True)


def in_background() -> bool:
    """Flush from a thread of the process (default), so no visitor's request waits for
    the database; the tests flush inline (``PORTAL_FLUSH_IN_BACKGROUND = False``)."""
    return bool(getattr(settings, "PORTAL_FLUSH_IN_BACKGROUND", True))


_wake = threading.Event()
_flusher: threading.Thread | None = None


def _ensure_flusher() -> None:
    """Start this process's flushing thread (after a fork, each worker starts its own)."""
    global _flusher
    if _flusher is not None and _flusher.is_alive():
        return
    with _lock:
        if _flusher is None or not _flusher.is_alive():
            _flusher = threading.Thread(target=_flush_loop, name="portal-visits", daemon=True)
            _flusher.start()


def _flush_loop() -> None:
    from django.db import connection

    while True:
        _wake.wait(flush_seconds())
        _wake.clear()
        try:
            flush()
        except DatabaseError:
            logger.warning("portal visit counters not flushed yet", exc_info=True)
        finally:
            connection.close()


def flush() -> int:
    """Write this process's pending counts; returns the number of views written."""
    global _last_flush, _stats_cache
    with _lock:
        views, keys = dict(_views), {day: set(found) for day, found in _keys.items()}
        _views.clear()
        _keys.clear()
        _last_flush = time.monotonic()
    if not views:
        return 0
    try:
        with transaction.atomic():
            VisitDay.objects.bulk_create([VisitDay(day=day) for day in views],
                                         ignore_conflicts=True)
            for day, count in views.items():
                VisitDay.objects.filter(day=day).update(views=F("views") + count)
            VisitorSeen.objects.bulk_create(
                [VisitorSeen(day=day, key=key) for day, found in keys.items() for key in found],
                ignore_conflicts=True)
            for day in keys:
                VisitDay.objects.filter(day=day).update(
                    visitors=VisitorSeen.objects.filter(day=day).count())
            keep_from = timezone.localdate() - dt.timedelta(days=1)
            VisitorSeen.objects.filter(day__lt=keep_from).delete()
            VisitSalt.objects.filter(day__lt=keep_from).delete()
    except DatabaseError:
        with _lock:  # put them back: the next flush tries again
            _views.update(views)
            for day, found in keys.items():
                _keys.setdefault(day, set()).update(found)
        raise
    _stats_cache = None
    return sum(views.values())


def _flush_at_exit() -> None:
    with contextlib.suppress(Exception):  # the database may already be gone at exit
        flush()


def install_exit_flush() -> None:
    atexit.register(_flush_at_exit)


@dataclass(frozen=True)
class VisitorStats:
    today: int
    yesterday: int
    this_week: int
    this_month: int
    total: int
    visitors_today: int

    @property
    def total_digits(self) -> list[str]:
        """The total as an odometer row: at least eight digits."""
        return list(f"{self.total:08d}")


def _stored(today: dt.date) -> dict[str, int]:
    global _stats_cache
    now = time.monotonic()
    cached = _stats_cache
    if cached is not None and cached[1] == today and now - cached[0] < STATS_TTL_S:
        return cached[2]
    week_start = today - dt.timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    totals = VisitDay.objects.aggregate(
        today=Sum("views", filter=Q(day=today)),
        yesterday=Sum("views", filter=Q(day=today - dt.timedelta(days=1))),
        week=Sum("views", filter=Q(day__gte=week_start, day__lte=today)),
        month=Sum("views", filter=Q(day__gte=month_start, day__lte=today)),
        total=Sum("views"),
        visitors_today=Sum("visitors", filter=Q(day=today)),
    )
    stored = {name: int(value or 0) for name, value in totals.items()}
    _stats_cache = (now, today, stored)
    return stored


def stats(today: dt.date | None = None) -> VisitorStats:
    """Stored counts plus what this process has not flushed yet."""
    today = today or timezone.localdate()
    stored = _stored(today)
    week_start = today - dt.timedelta(days=today.weekday())
    with _lock:
        pending = dict(_views)
        pending_today_keys = len(_keys.get(today, ()))

    def pending_between(start: dt.date) -> int:
        return sum(n for day, n in pending.items() if start <= day <= today)

    return VisitorStats(
        today=stored["today"] + pending.get(today, 0),
        yesterday=stored["yesterday"] + pending.get(today - dt.timedelta(days=1), 0),
        this_week=stored["week"] + pending_between(week_start),
        this_month=stored["month"] + pending_between(today.replace(day=1)),
        total=stored["total"] + sum(pending.values()),
        visitors_today=stored["visitors_today"] + pending_today_keys,
    )


def reset_for_tests() -> None:
    global _stats_cache
    with _lock:
        _views.clear()
        _keys.clear()
        _salts.clear()
        _stats_cache = None
