"""Reads of dashboards and reports from a PostgreSQL read replica; everything else on the primary.

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database alias and install
:class:`PrimaryReplicaRouter`. Only the requests that :class:`ReplicaReadsMiddleware`
marks — GET/HEAD requests answered by a view of ``DONDOC_REPLICA_VIEW_MODULES`` (the
dashboards and the consolidated reports) — read from the replica, and only until they
write: once a request has written (or opened a transaction on the primary), its later
reads stay on the primary, so it always sees its own writes. Every other request, every
write, every migration uses the primary. The replica lags the primary by the replication
delay (milliseconds on a healthy local network): a dashboard may miss a write made that
instant, which is acceptable for a picture of the whole organisation.

The replica is used only while it is healthy (:class:`ReplicaHealth`, checked once per
marked request, before its first read): a replica that cannot be reached is skipped for
``BACKOFF_SECONDS`` and one that lags more than ``DONDOC_REPLICA_MAX_LAG_SECONDS`` behind
the primary is skipped until a later check finds it caught up; meanwhile the marked
requests read from the primary, and a warning is logged once per back-off.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
BACKOFF_SECONDS: Final = 30.0  # an unreachable replica is not tried again before this
LAG_CHECK_SECONDS: Final = 5.0  # the replay lag is measured at most this often (per process)

logger = logging.getLogger(__name__)

# How far the replica's replay is behind the primary, in seconds (None: unknown). A
# replica that has replayed all the WAL it received is in step even when its last replayed
# transaction is old (an idle primary): the timestamp alone would call it late. A server
# that is not in recovery (a promoted replica, or the test mirror) has no lag.
REPLAY_LAG_SQL: Final = """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN 0
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
        ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
    END
"""


def replay_lag(connection: BaseDatabaseWrapper) -> float | None:
    """The replica's replay lag in seconds (0 on a database without replication)."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(REPLAY_LAG_SQL)
        row = cursor.fetchone()
    return None if row is None or row[0] is None else float(row[0])


# The seams of the health check: how the lag is measured and what time it is (monotonic).
# Tests replace them to play a lagging replica or the passing of a back-off.
lag_probe: Callable[[BaseDatabaseWrapper], float | None] = replay_lag
clock: Callable[[], float] = time.monotonic


class ReplicaHealth:
    """Whether the marked requests of this process may read from the replica now.

    Unreachable (a connection error): the primary for ``BACKOFF_SECONDS``, then the next
    marked request tries again. Lagging beyond ``DONDOC_REPLICA_MAX_LAG_SECONDS`` (or
    lag unknown): the primary until a check ``LAG_CHECK_SECONDS`` later finds it caught
    up. A warning is logged when a back-off begins, at most once per ``BACKOFF_SECONDS``
    while the replica lags.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.down_until = -math.inf  # unreachable: skipped until then
        self.lag_checked_at = -math.inf
        self.lagging = False
        self.lag_warned_at = -math.inf

    def usable(self) -> bool:
        now = clock()
        if now < self.down_until:
            return False
        connection = connections[REPLICA]
        try:
            # A kept connection to a replica that went away is noticed (and dropped) here,
            # not by the view's first query. These are the checks Django makes at the start
            # of a request and at its first query (so they cost nothing more), made here
            # even where nothing ran them at the start (the test client does not).
            connection.close_if_unusable_or_obsolete()
            connection.close_if_health_check_failed()
            connection.ensure_connection()
            if now - self.lag_checked_at >= LAG_CHECK_SECONDS:
                self._check_lag(connection, now)
        except Error as error:
            self._down(connection, now, error)
            return False
        return not self.lagging

    def _check_lag(self, connection: BaseDatabaseWrapper, now: float) -> None:
        lag = lag_probe(connection)
        limit = float(settings.DONDOC_REPLICA_MAX_LAG_SECONDS)
        with self._lock:
            self.lag_checked_at = now
            was_lagging, self.lagging = self.lagging, lag is None or lag > limit
            if not self.lagging:
                if was_lagging:
                    self.lag_warned_at = -math.inf  # a new episode is told again
                    logger.info("The read replica has caught up: dashboards and reports "
                                "read from it again.")
                return
            if now - self.lag_warned_at < BACKOFF_SECONDS:
                return
            self.lag_warned_at = now
        logger.warning(
            "The read replica is %s behind the primary (limit %s s): dashboards and "
            "reports read from the primary until it catches up.",
            "an unknown time" if lag is None else f"{lag:.1f} s", limit)

    def _down(self, connection: BaseDatabaseWrapper, now: float, error: Error) -> None:
        with contextlib.suppress(Error):
            connection.close()
        with self._lock:
            if now < self.down_until:
                return  # another thread has just begun the back-off (and logged it)
            self.down_until = now + BACKOFF_SECONDS
        logger.warning(
            "The read replica cannot be reached (%s): dashboards and reports read from "
            "the primary for the next %d s.", str(error).strip() or type(error).__name__,
            BACKOFF_SECONDS)


replica_health = ReplicaHealth()


@dataclass
class _RequestReads:
    """Whether this request may read from the replica (and whether it has written)."""

    replica: bool = False
    wrote: bool = False


_reads: ContextVar[_RequestReads | None] = ContextVar("dondoc_replica_reads", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def router_installed() -> bool:
    return any(router == f"{__name__}.PrimaryReplicaRouter"
               or isinstance(router, PrimaryReplicaRouter)
               for router in settings.DATABASE_ROUTERS)


class PrimaryReplicaRouter:
    """Send the marked requests' reads to ``replica``; all else to the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        state = _reads.get()
        if state is None or not state.replica or state.wrote:
            return None  # the primary (Django's default)
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None  # inside a transaction on the primary: read what it sees
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        state = _reads.get()
        if state is not None:
            state.wrote = True  # read your own writes from now on
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None,
                      **hints: Any) -> bool:
        return db != REPLICA  # a streaming replica is read-only: it follows the primary


class ReplicaReadsMiddleware:
    """Mark the GET/HEAD requests of dashboard and report views as replica readers.

    Without a ``replica`` database (no ``DATABASE_REPLICA_URL``) it marks nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _reads.set(_RequestReads())
        try:
            return self.get_response(request)
        finally:
            _reads.reset(token)

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any],
                     view_args: Any, view_kwargs: Any) -> None:
        state = _reads.get()
        if state is None or request.method not in {"GET", "HEAD"}:
            return None
        if not replica_configured():
            return None
        module = getattr(view_func, "__module__", "") or ""
        prefixes = tuple(settings.DONDOC_REPLICA_VIEW_MODULES)
        marked = module in prefixes or module.startswith(
            tuple(prefix + "." for prefix in prefixes))
        if marked and router_installed():
            # Down or lagging: this request reads from the primary, as an unmarked one
            # does. (Without the router the mark changes nothing: no need to ask.)
            marked = replica_health.usable()
        state.replica = marked
        return None
