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
Requests from crawlers and tools that say so in their user agent are not counted; a
headless browser (``HeadlessChrome``) is a browser and counts: the agency's own checks
and demonstrations use one, and a counter that ignores them reads 0 to the very people
who look at it. Days are local (Asia/Ho_Chi_Minh); weeks start on Monday.

What a page shows is the stored counts (read at most every ``STATS_TTL_S``) plus this
process's views not written yet, including those of a flush under way, so a visitor sees
their own view at once and other processes' views after their next flush (≤ 10 s + 5 s).
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
    r"libwww|java/|go-http|okhttp|phantomjs|scan|monitor|uptime",
    re.IGNORECASE,
)

_lock = threading.Lock()
_views: Counter[dt.date] = Counter()
_keys: dict[dt.date, set[str]] = {}
_last_flush = time.monotonic()
_salts: dict[dt.date, str] = {}
# Views and keys taken by a flush that has not committed yet: still shown as pending.
_flushing_views: Counter[dt.date] = Counter()
_flushing_keys: dict[dt.date, set[str]] = {}
# Keys this process has written (by day): a returning visitor is neither shown twice
# nor written again.
_written_keys: dict[dt.date, set[str]] = {}
# Odd while a flush of this process writes: stored counts read then may or may not
# include its views, so they are not added to the pending ones (see ``_snapshot``).
_epoch = 0


@dataclass(frozen=True)
class _Stored:
    read_at: float
    day: dt.date
    epoch: int
    counts: dict[str, int]


_stats_cache: _Stored | None = None

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
        if key is not None and key not in _written_keys.get(day, ()):
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
        if not in_background():  # switched off (the tests): this thread ends
            return
        try:
            flush()
        except DatabaseError:
            logger.warning("portal visit counters not flushed yet", exc_info=True)
        finally:
            connection.close()


def flush() -> int:
    """Write this process's pending counts; returns the number of views written."""
    global _last_flush, _epoch
    with _lock:
        if _epoch % 2 or not _views:  # nothing to write, or another thread is writing
            return 0
        views, keys = dict(_views), {day: set(found) for day, found in _keys.items()}
        _flushing_views.update(views)
        _flushing_keys.update(keys)
        _views.clear()
        _keys.clear()
        _last_flush = time.monotonic()
        _epoch += 1
    keep_from = timezone.localdate() - dt.timedelta(days=1)
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
            VisitorSeen.objects.filter(day__lt=keep_from).delete()
            VisitSalt.objects.filter(day__lt=keep_from).delete()
    except DatabaseError:
        with _lock:  # put them back: the next flush tries again
            _views.update(views)
            for day, found in keys.items():
                _keys.setdefault(day, set()).update(found)
            _end_flush()
        raise
    with _lock:
        for day, found in keys.items():
            _written_keys.setdefault(day, set()).update(found)
            _keys.get(day, set()).difference_update(found)  # seen again while writing
        for day in [day for day in _written_keys if day < keep_from]:
            del _written_keys[day]
        _end_flush()
    return sum(views.values())


def _end_flush() -> None:
    global _epoch
    _flushing_views.clear()
    _flushing_keys.clear()
    _epoch += 1


def _flush_at_exit() -> None:
    for _attempt in range(20):  # let the thread's flush under way finish (1 s at most)
        if not _epoch % 2:
            break
        time.sleep(0.05)
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


def _read_stored(today: dt.date) -> dict[str, int]:
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
    return {name: int(value or 0) for name, value in totals.items()}


def _snapshot(today: dt.date) -> tuple[dict[str, int], Counter[dt.date], int]:
    """Stored counts, this process's unwritten views and today's unwritten visitors —
    consistent with each other: a view is in the stored counts or the pending ones,
    never both, never neither (so the counter does not step back while a flush runs)."""
    global _stats_cache
    for attempt in range(3):
        now = time.monotonic()
        with _lock:
            cached, epoch = _stats_cache, _epoch
            if cached is not None and cached.day == today and (
                    (cached.epoch == epoch and now - cached.read_at < STATS_TTL_S)
                    or cached.epoch + 1 == epoch):  # read before the flush under way
                return cached.counts, *_pending(today)
        if epoch % 2 and attempt < 2:  # a flush is writing, no count read before it
            time.sleep(0.01)
            continue
        counts = _read_stored(today)
        with _lock:
            if _epoch == epoch and not epoch % 2:  # no flush meanwhile: they agree
                _stats_cache = _Stored(now, today, epoch, counts)
                return counts, *_pending(today)
    with _lock:  # a long flush: its views are left out for a moment rather than doubled
        return counts, Counter(_views), len(_keys.get(today, ()))


def _pending(today: dt.date) -> tuple[Counter[dt.date], int]:
    keys = _keys.get(today, set()) | _flushing_keys.get(today, set())
    return _views + _flushing_views, len(keys)


def stats(today: dt.date | None = None) -> VisitorStats:
    """Stored counts plus what this process has not written yet."""
    today = today or timezone.localdate()
    stored, pending, pending_today_keys = _snapshot(today)
    week_start = today - dt.timedelta(days=today.weekday())

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
    global _stats_cache, _epoch
    with _lock:
        _epoch = 0
        _views.clear()
        _keys.clear()
        _salts.clear()
        _flushing_views.clear()
        _flushing_keys.clear()
        _written_keys.clear()
        _stats_cache = None
    _wake.set()  # a flushing thread a test started sees the setting off and ends
