"""Process tuning for application servers (gunicorn workers, the in-process benchmark)."""

from __future__ import annotations

import gc


def tune_gc() -> None:
    """Freeze the objects created at start-up and collect the young generation less often.

    A loaded Django process holds hundreds of thousands of long-lived objects (modules,
    URL patterns, templates, translations). Without this, every full collection walks
    them all: 60–120 ms pauses every few dozen requests, most of a list page's p95
    (docs/performance.md). Frozen objects are never collected, which is what we want for
    code and configuration loaded once.
    """
    gc.collect()
    gc.freeze()
    _gen0, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(50_000, gen1, gen2)
