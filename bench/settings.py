"""Settings of the benchmark: the real ones, plus what a benchmark needs.

* ``bench.urls`` adds two minimal pages (the baseline the real pages are compared with)
  to the real URL map; every real URL is unchanged.
* ``testserver``, the host name of Django's test client, is an allowed host.
* ``bench.middleware`` (outermost) sends each request's server CPU time in a
  ``Server-Timing`` header, which the API load test reads (``api.*.cpu_p50_ms``).
* The API rate limit is raised so that the load test measures the API, not the 429
  answers of the limiter (the limiter still runs on every request).

The data folder comes from ``DONDOC_DATA_DIR``, which the benchmark always points at
``var/bench/data`` before Django starts: it never opens the user's ``var/data``.
"""

from config.settings import *  # noqa: F403
from config.settings import ALLOWED_HOSTS, MIDDLEWARE

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # the in-process test client's host name
DONDOC_API_RATE_LIMIT = "100000000/s"
MIDDLEWARE = ["bench.middleware.server_cpu_timing", *MIDDLEWARE]
