"""Request counters shared by every worker process of every app server.

With ``REDIS_URL`` they live in Redis (through Django's cache, where ``incr`` is atomic),
shared by every server. Without it they live in a small SQLite file of their own
(``DONDOC_DATA_DIR/ratelimit.sqlite3``), shared by the worker processes of one server:
one atomic upsert per request, outside the main database, so it never waits for (or
holds) the main database's write lock. Losing the file loses only the current minute's
counts.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol

from django.conf import settings

# How often (1 in N hits) the SQLite store forgets windows that have ended.
PURGE_ONE_IN = 500


class Counter(Protocol):
    def hit(self, key: str, ttl: int) -> int:
        """Count one request under ``key`` (kept ``ttl`` seconds); return the count."""

    def reset(self) -> None: ...


class CacheCounter:
    """Counters in Django's default cache (Redis when ``REDIS_URL`` is set)."""

    def hit(self, key: str, ttl: int) -> int:
        from django.core.cache import cache

        cache.add(key, 0, timeout=ttl)
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=ttl)
            return 1

    def reset(self) -> None:
        from django.core.cache import cache

        cache.clear()


class SqliteCounter:
    """Counters in a SQLite file of their own, one connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            self._prepare(connection)
            self._local.connection = connection
        return connection

    @staticmethod
    def _prepare(connection: sqlite3.Connection) -> None:
        """Switch the file to WAL and create the table. Several worker processes
        starting at once race for this; switching the journal mode can report
        "database is locked" without waiting on the busy timeout, so retry."""
        deadline = time.monotonic() + 10
        while True:
            try:
                mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
                if str(mode).lower() != "wal":
                    connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=OFF")  # counts need no durability
                connection.execute("CREATE TABLE IF NOT EXISTS hits (key TEXT PRIMARY KEY, "
                                   "count INTEGER NOT NULL, expires REAL NOT NULL)")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02 + random.random() * 0.05)  # noqa: S311 - not security

    def hit(self, key: str, ttl: int) -> int:
        connection = self._connection()
        now = time.time()
        row = connection.execute(
            "INSERT INTO hits (key, count, expires) VALUES (?, 1, ?) "
            "ON CONFLICT (key) DO UPDATE SET count = count + 1 RETURNING count",
            (key, now + ttl)).fetchone()
        if random.randrange(PURGE_ONE_IN) == 0:  # noqa: S311 - not security
            connection.execute("DELETE FROM hits WHERE expires < ?", (now,))
        return int(row[0])

    def reset(self) -> None:
        self._connection().execute("DELETE FROM hits")


_lock = threading.Lock()
_counter: Counter | None = None
_counter_for: object = None


def counter() -> Counter:
    """The store the settings choose (built once per process and setting)."""
    global _counter, _counter_for
    choice = (settings.REDIS_URL, str(settings.DONDOC_RATELIMIT_DB))
    with _lock:
        if _counter is None or _counter_for != choice:
            _counter = (CacheCounter() if settings.REDIS_URL
                        else SqliteCounter(Path(settings.DONDOC_RATELIMIT_DB)))
            _counter_for = choice
        return _counter
