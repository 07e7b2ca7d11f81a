"""Settings of the benchmark: the real ones, plus what a benchmark needs.

* ``bench.urls`` adds two minimal pages (the baseline the real pages are compared with)
  to the real URL map; every real URL is unchanged.
* ``testserver``, the host name of Django's test client, is an allowed host.
* The API rate limit is raised so that the load test measures the API, not the 429
  answers of the limiter (the limiter still runs on every request).

The data folder comes from ``DONDOC_DATA_DIR``, which the benchmark always points at
``var/bench/data`` before Django starts: it never opens the user's ``var/data``.
"""

from config.settings import *  # noqa: F403
from config.settings import ALLOWED_HOSTS

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # the in-process test client's host name
DONDOC_API_RATE_LIMIT = "100000000/s"
