"""The gunicorn server the benchmarks measure over HTTP: start it, wait until it answers.

``bench/run.py`` (the API and portal loads, on the generator's SQLite data) and
``bench/scale.py`` (the ministry load, on PostgreSQL) start the same server,
``config.wsgi`` under gunicorn with the bench settings and 2 workers; they differ in the
data, the threads per worker and the worker timeout, which they pass here.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_gunicorn(port: int, log: IO[Any], *, data_dir: Path, database_url: str | None,
                   threads: int, worker_timeout: int | None = None) -> subprocess.Popen[bytes]:
    """gunicorn on 127.0.0.1:port, its output to ``log``. ``database_url`` None: the
    SQLite database of ``data_dir`` (any DATABASE_URL of the environment is dropped)."""
    env = {**os.environ, "DONDOC_DATA_DIR": str(data_dir),
           "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application",
               "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", str(threads),
               "--keep-alive", "30", "--log-level", "warning"]
    if worker_timeout is not None:
        command += ["--timeout", str(worker_timeout)]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,  # noqa: S603
                            stderr=subprocess.STDOUT)


def wait_until_up(port: int, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    """Return once GET /healthz answers 200; RuntimeError if gunicorn exits or does not
    answer within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}); see its log in "
                               "var/bench/")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass  # not listening yet, or a worker restarting
        finally:
            connection.close()
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")
