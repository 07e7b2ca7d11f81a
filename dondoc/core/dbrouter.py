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
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"


@dataclass
class _RequestReads:
    """Whether this request may read from the replica (and whether it has written)."""

    replica: bool = False
    wrote: bool = False


_reads: ContextVar[_RequestReads | None] = ContextVar("dondoc_replica_reads", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


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
        state.replica = module in prefixes or module.startswith(
            tuple(prefix + "." for prefix in prefixes))
        return None
