"""The API rate limit is counted in one store for every worker process: Redis when
configured, else a SQLite file of its own (outside the main database)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings

from dondoc.api import ratelimit
from dondoc.api.tests.conftest import ApiClient, token_for

HITS_PER_PROCESS = 200


HAMMER = """
import sys
from pathlib import Path
from dondoc.api.ratelimit import SqliteCounter
counter = SqliteCounter(Path(sys.argv[1]))
for _ in range(int(sys.argv[2])):
    counter.hit("token:7:1", 60)
"""


def test_worker_processes_share_one_count(tmp_path: Path) -> None:
    path = str(tmp_path / "hits.sqlite3")
    workers = [subprocess.Popen([sys.executable, "-c", HAMMER, path, str(HITS_PER_PROCESS)])
               for _ in range(3)]
    assert [worker.wait(60) for worker in workers] == [0, 0, 0]
    counter = ratelimit.SqliteCounter(Path(path))
    assert counter.hit("token:7:1", 60) == 3 * HITS_PER_PROCESS + 1  # no hit lost
    assert counter.hit("token:8:1", 60) == 1


def test_the_limit_holds_across_processes(people: Any, settings: Any) -> None:
    """Requests counted by another process (here: written straight into the store, as
    another gunicorn worker would) count against the same token."""
    settings.DONDOC_API_RATE_LIMIT = "5/h"
    client = ApiClient(token_for(people.officer))
    assert client.get("/me").status_code == 200
    other_process = ratelimit.SqliteCounter(Path(settings.DONDOC_RATELIMIT_DB))
    key = next(iter(_keys(Path(settings.DONDOC_RATELIMIT_DB))))
    for _ in range(4):
        other_process.hit(key, 3601)
    assert client.get("/me").status_code == 429


def _keys(path: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT key FROM hits")]


def test_without_redis_the_counts_are_not_in_the_main_database(people: Any) -> None:
    assert isinstance(ratelimit.counter(), ratelimit.SqliteCounter)
    assert Path(settings.DONDOC_RATELIMIT_DB).name != Path(
        str(settings.DATABASES["default"]["NAME"])).name


def test_with_redis_the_counts_go_to_the_shared_cache(settings: Any) -> None:
    settings.REDIS_URL = "redis://cache.invalid:6379/0"
    try:
        assert isinstance(ratelimit.counter(), ratelimit.CacheCounter)
    finally:
        settings.REDIS_URL = ""
    assert isinstance(ratelimit.counter(), ratelimit.SqliteCounter)
