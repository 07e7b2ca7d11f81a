"""Run the web server and one job worker together (``dondoc serve``, the embedded setup).

Both are child processes. A worker that exits is started again (after a short pause if it
keeps dying); when the web server exits, or this process gets SIGTERM/SIGINT, both are
stopped and ``serve`` exits with the web server's status.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

RESTART_PAUSE_SECONDS = 5
STOP_GRACE_SECONDS = 25


def worker_command() -> list[str]:
    return [sys.executable, "-m", "dondoc.core.cli", "worker"]


def _stop(process: subprocess.Popen[Any] | None, sig: int = signal.SIGTERM) -> None:
    if process is not None and process.poll() is None:
        process.send_signal(sig)


def _wait(process: subprocess.Popen[Any] | None) -> None:
    if process is None:
        return
    try:
        process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def supervise(web: Sequence[str], worker: Sequence[str] | None, *,
              log: Any = sys.stderr) -> int:
    """Run ``web`` and keep ``worker`` running beside it; the web server's exit code."""
    stopping = False

    def on_signal(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    env = dict(os.environ)
    web_process = subprocess.Popen(list(web), env=env)  # noqa: S603 - our own commands
    worker_process = subprocess.Popen(list(worker), env=env) if worker else None  # noqa: S603
    started = time.monotonic()
    try:
        while not stopping:
            code = web_process.poll()
            if code is not None:
                return code
            if worker and worker_process is not None and worker_process.poll() is not None:
                quick = time.monotonic() - started < RESTART_PAUSE_SECONDS
                print(f"dondoc: job worker exited ({worker_process.returncode}); "
                      "starting a new one", file=log, flush=True)
                if quick:
                    time.sleep(RESTART_PAUSE_SECONDS)
                worker_process = subprocess.Popen(list(worker), env=env)  # noqa: S603
                started = time.monotonic()
            time.sleep(0.5)
        return 0
    finally:
        _stop(worker_process)
        _stop(web_process)
        _wait(worker_process)
        _wait(web_process)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
