"""``make bench``: dondoc's performance benchmark on a synthetic city (issues 3 and 4).

1. Generate the city (``bench/generate.py``) into ``var/bench/data``, or reuse it when
   its shape matches. The user's ``var/data`` is never opened.
2. Measure, warm, in-process through the full middleware stack with Django's test
   ``Client`` logged in as a staff user of the city police: the task list with filters,
   the task detail with its timeline, and next to them, in the same loop, two minimal
   pages over the same data (``bench/urls.py``) as the baseline. The process is tuned
   like a gunicorn worker first (``dondoc.core.runtime.tune_gc``, as in config/wsgi.py).
3. The whole-city statistics through the ORM and the same counts in hand-written SQL.
4. The Excel export of the whole task list and the import of a 5,000-row appendix
   (committed in a transaction that is then rolled back).
5. The JSON API under a real server on loopback (gunicorn, 2 workers × 4 threads) at 1,
   8 and 32 concurrent keep-alive clients, against ``/healthz`` as the framework's floor.

Each figure is printed as ``BENCH <name> <value> <unit>`` and written to
``var/bench/latest.json``; the machine is described in ``var/bench/machine.json``.
``BENCH_ONLY=dashboard`` (comma-separated: pages, statistics, dashboard, export, import,
api, ratelimit, portal, report, survey) runs only those sections and writes
``var/bench/latest-only.json`` instead.
``BENCH_SCALE`` scales the city (e.g. 0.05 for a quick run); ``BENCH_STRICT=1`` makes a
missed target an error.
"""

from __future__ import annotations

import datetime as dt
import gc
import http.client
import io
import json
import math
import os
import platform
import statistics as pystats
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import generate  # noqa: E402 - after the path is set
from bench.server import free_port, start_gunicorn, wait_until_up  # noqa: E402

BENCH_DIR = generate.BENCH_DIR
LIST_ROUNDS = 50  # requests per list variant (four variants)
DETAIL_REQUESTS = 100
STATS_ROUNDS = 30
EXPORT_ROUNDS = 5
IMPORT_ROUNDS = 3
IMPORT_ROWS = 5000
API_SECONDS = 5.0
API_WARMUP = 1.0
API_LEVELS = (1, 8, 32)

# name → (comparison, target): the targets of issues 3 and 4.
TARGETS: dict[str, tuple[str, float]] = {
    "tasks.list.p95_ms": ("<=", 25),
    "tasks.detail.p95_ms": ("<=", 15),
    "stats.city.ratio": ("<=", 2),
    "tasks.export_20k.s": ("<=", 2.5),
    "tasks.import_5k.s": ("<=", 5),
    "import.5000_rows_s": ("<=", 5),
    # Issue 15: the API on one machine (two cores), measured over HTTP.
    "api.tasks.p95_ms_c1": ("<=", 20),
    "api.tasks.p95_ms_c8": ("<=", 60),
    "api.tasks.rps_c8": (">=", 84),
    "api.tasks.cpu_p50_ms": ("<=", 8),
    "api.task_updates.p95_ms_c1": ("<=", 6),
    "dashboard.city.p95_ms": ("<=", 100),
    "dashboard.city_past.p95_ms": ("<=", 100),
    "dashboard.city_anyday.p95_ms": ("<=", 500),
    "report.city.total_s": ("<=", 5),
    "portal.home.rps": (">=", 500),
    "portal.home.p99_ms": ("<=", 50),
    "survey.consolidation.p95_ms": ("<=", 200),
    "survey.export.s": ("<=", 5),
}
DASHBOARD_ROUNDS = 30  # requests per dashboard variant (scopes and dates vary)


class Report:
    """The figures of the run, printed as they come."""

    def __init__(self) -> None:
        self.figures: dict[str, dict[str, Any]] = {}
        self.skipped: list[tuple[str, str]] = []

    def add(self, name: str, value: float, unit: str) -> None:
        value = round(value, 3 if abs(value) < 10 else 1)
        self.figures[name] = {"value": value, "unit": unit}
        print(f"BENCH {name} {value} {unit}", flush=True)

    def skip(self, names: str, reason: str) -> None:
        self.skipped.append((names, reason))
        print(f"SKIP {names}: {reason}", flush=True)


def p50(samples: list[float]) -> float:
    return pystats.median(samples)


def p95(samples: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def section(title: str) -> None:
    print(f"\n== {title}", flush=True)


# ---------------------------------------------------------------------------------------
# The machine
# ---------------------------------------------------------------------------------------


def machine_info(shape: generate.Shape) -> dict[str, Any]:
    import sqlite3

    import django

    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    mem_kb = first("/proc/meminfo", "MemTotal").split()[0]
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,  # noqa: S607
                                capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        commit = ""
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "ram_gib": round(int(mem_kb) / 1024 / 1024, 1) if mem_kb.isdigit() else None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "git_commit": commit,
        "scale": shape.scale,
        "city": {"units": shape.units, "tasks": shape.tasks, "progress_updates": shape.updates},
    }


# ---------------------------------------------------------------------------------------
# In-process pages
# ---------------------------------------------------------------------------------------


CPU_MS: list[float] = []  # process CPU time of each timed request, in step with the wall time


def timed_get(client: Any, url: str, expect: str | None = None) -> float:
    """Wall time of one request (ms); its CPU time goes to ``CPU_MS``."""
    cpu = time.process_time()
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    CPU_MS.append((time.process_time() - cpu) * 1000)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    if expect is not None and expect not in response.content.decode():
        raise RuntimeError(f"GET {url}: the page does not show {expect!r}")
    return elapsed


class GcPauses:
    """Full (generation 2) garbage collections and their pauses while it is active: the
    spikes that make a p95 far from its p50 in a long-lived Django process."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((time.perf_counter() - self._started) * 1000)


def query_count(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries)


def rows_shown(client: Any, url: str) -> int:
    return client.get(url).content.decode().count('class="task-title"')


def bench_pages(report: Report, staff: Any, city: dict[str, Any]) -> None:
    from django.test import Client

    section("Pages (in-process: django.test.Client through the full middleware stack, "
            f"warm, logged in as staff user {staff.username!r} of {staff.unit.code})")
    client = Client()
    client.force_login(staff)
    leads = city["lead_units"]
    searches = generate.SEARCHES
    variants: dict[str, Callable[[int], str]] = {
        "overdue_lead": lambda i: (f"/tasks/?status=in_progress_overdue"
                                   f"&lead={leads[i % len(leads)]}"),
        "search": lambda i: f"/tasks/?q={searches[i % len(searches)].replace(' ', '+')}",
        "page2": lambda i: "/tasks/?page=2",
        "combined": lambda i: (f"/tasks/?status=in_progress_overdue&lead={leads[i % len(leads)]}"
                               f"&q={searches[i % len(searches)].split()[0]}&page=2"),
    }
    baseline_list = [f"/bench/minimal/tasks/?lead={lead}" for lead in leads]
    details = city["detail_tasks"]

    for name, url_of in variants.items():
        print(f"  {name:13} {url_of(0)}  rows={rows_shown(client, url_of(0))} "
              f"queries={query_count(client, url_of(0))}")
    print(f"  detail        /tasks/{details[0]}/  queries="
          f"{query_count(client, f'/tasks/{details[0]}/')}")

    for _ in range(3):  # warm-up
        for url_of in variants.values():
            timed_get(client, url_of(0))
        timed_get(client, baseline_list[0])
        timed_get(client, f"/tasks/{details[0]}/")
        timed_get(client, f"/bench/minimal/tasks/{details[0]}/")
        timed_get(client, "/healthz")

    # The process is tuned like a gunicorn worker (config/wsgi.py calls the same function).
    from dondoc.core.runtime import tune_gc

    tune_gc()
    timings = measure_pages(client, variants, baseline_list, details)
    lists = [ms for values in timings["list"].values() for ms in values]
    for name, values in timings["list"].items():
        report.add(f"tasks.list.{name}.p95_ms", p95(values), "ms")
    report.add("tasks.list.p50_ms", p50(lists), "ms")
    report.add("tasks.list.p95_ms", p95(lists), "ms")
    report.add("tasks.list.baseline_p95_ms", p95(timings["list_baseline"]), "ms")
    report.add("tasks.list.baseline_ratio", p95(lists) / p95(timings["list_baseline"]), "x")
    # CPU time is less disturbed than wall time by other processes on a shared machine.
    report.add("tasks.list.cpu_p50_ms", p50(timings["list_cpu"]), "ms")
    report.add("tasks.detail.p50_ms", p50(timings["detail"]), "ms")
    report.add("tasks.detail.p95_ms", p95(timings["detail"]), "ms")
    report.add("tasks.detail.baseline_p95_ms", p95(timings["detail_baseline"]), "ms")
    report.add("tasks.detail.baseline_ratio",
               p95(timings["detail"]) / p95(timings["detail_baseline"]), "x")
    report.add("tasks.detail.cpu_p50_ms", p50(timings["detail_cpu"]), "ms")
    report.add("inprocess.floor.p95_ms", p95(timings["floor"]), "ms")
    pauses = timings["gc_pauses"]
    print(f"  full garbage collections during these requests: {len(pauses)}, "
          f"{sum(pauses):.0f} ms in all, the longest {max(pauses, default=0):.0f} ms")
    report.add("inprocess.gc_full_max_ms", max(pauses, default=0.0), "ms")



def measure_pages(client: Any, variants: dict[str, Callable[[int], str]],
                  baseline_list: list[str], details: list[int]) -> dict[str, Any]:
    """The timed requests: real and baseline pages interleaved, so that noise hits both
    alike; wall times (ms), CPU times of the real pages and the full-collection pauses."""
    timings: dict[str, Any] = {
        "list": {name: [] for name in variants}, "list_cpu": [], "list_baseline": [],
        "detail": [], "detail_cpu": [], "detail_baseline": [], "floor": [],
    }
    with GcPauses() as gc_pauses:
        for i in range(LIST_ROUNDS):
            for name, url_of in variants.items():
                timings["list"][name].append(timed_get(client, url_of(i)))
                timings["list_cpu"].append(CPU_MS[-1])
            timings["list_baseline"].append(
                timed_get(client, baseline_list[i % len(baseline_list)]))
            timings["floor"].append(timed_get(client, "/healthz"))
        for i in range(DETAIL_REQUESTS):
            pk = details[i % len(details)]
            timings["detail"].append(timed_get(client, f"/tasks/{pk}/"))
            timings["detail_cpu"].append(CPU_MS[-1])
            timings["detail_baseline"].append(
                timed_get(client, f"/bench/minimal/tasks/{pk}/"))
            timings["floor"].append(timed_get(client, "/healthz"))
    timings["gc_pauses"] = gc_pauses.pauses
    return timings


# ---------------------------------------------------------------------------------------
# Statistics: ORM against hand-written SQL
# ---------------------------------------------------------------------------------------


def _last_closed(today: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The last period of ``months`` months (1, 3, 12) that ended before ``today``."""
    start_month = (today.month - 1) // months * months + 1
    current = dt.date(today.year, start_month, 1)
    end = current - dt.timedelta(days=1)
    begin_month = (end.month - 1) // months * months + 1
    return dt.date(end.year, begin_month, 1), end


STATS_SQL = """
SELECT COUNT(*) AS total,
       SUM(s = 'completed_on_time'), SUM(s = 'completed_late'),
       SUM(s = 'awaiting_confirmation'), SUM(s = 'awaiting_confirmation' AND pending_late),
       SUM(s = 'in_progress_on_time'), SUM(s = 'in_progress_overdue'),
       SUM(s = 'in_progress_on_time' AND due_soon), SUM(s = 'standing'), SUM(s = 'suspended'),
       SUM(not_started)
FROM (
  SELECT CASE
      WHEN t.state = 'suspended' THEN 'suspended'
      WHEN t.state = 'completed' AND NOT t.completion_late THEN 'completed_on_time'
      WHEN t.state = 'completed' THEN 'completed_late'
      WHEN t.state = 'submitted' THEN 'awaiting_confirmation'
      WHEN {recurring} THEN 'in_progress_overdue'
      WHEN t.deadline_kind <> 'fixed' THEN 'standing'
      WHEN t.deadline < %(today)s THEN 'in_progress_overdue'
      ELSE 'in_progress_on_time'
    END AS s,
    t.pending_late,
    (t.deadline_kind = 'fixed' AND t.deadline BETWEEN %(today)s AND %(soon)s
     AND t.state IN ('assigned', 'in_progress', 'returned')) AS due_soon,
    (t.last_progress_on IS NULL AND t.deadline_kind <> 'standing'
     AND t.state IN ('assigned', 'in_progress', 'returned')) AS not_started
  FROM plans_task t
  WHERE t.assigned_on <= %(today)s AND (t.cancelled_on IS NULL OR t.cancelled_on > %(today)s)
) AS x
"""
RECURRING_SQL = """(t.deadline_kind = '{kind}' AND t.assigned_on <= %({kind}_end)s
  AND NOT EXISTS (SELECT 1 FROM progress_progressupdate u WHERE u.task_id = t.id
                  AND u.reported_on BETWEEN %({kind}_start)s AND %({kind}_end)s))"""


def raw_statistics(cursor: Any, today: dt.date, soon_days: int) -> tuple[int, ...]:
    params: dict[str, Any] = {"today": today.isoformat(),
                              "soon": (today + dt.timedelta(days=soon_days)).isoformat()}
    for kind, months in (("monthly", 1), ("quarterly", 3), ("yearly", 12)):
        start, end = _last_closed(today, months)
        params[f"{kind}_start"], params[f"{kind}_end"] = start.isoformat(), end.isoformat()
    recurring = " OR ".join(RECURRING_SQL.format(kind=kind)
                            for kind in ("monthly", "quarterly", "yearly"))
    cursor.execute(STATS_SQL.format(recurring=recurring), params)
    return tuple(int(value or 0) for value in cursor.fetchone())


def bench_statistics(report: Report) -> None:
    from django.db import connection

    from dondoc.plans.models import Task
    from dondoc.progress.selectors import business_today, due_soon_days, statistics

    section("Statistics of the whole city: statistics(Task.objects.all()) against the "
            "hand-written SQL aggregate, same connection, interleaved")
    today = business_today()
    counts = statistics(Task.objects.all())
    with connection.cursor() as cursor:
        raw = raw_statistics(cursor, today, due_soon_days())
    orm = (counts.total, counts.completed_on_time, counts.completed_late,
           counts.awaiting_confirmation, counts.awaiting_late, counts.in_progress_on_time,
           counts.in_progress_overdue, counts.due_soon, counts.standing, counts.suspended,
           counts.not_started)
    print(f"  counts: {counts}")
    if orm != raw:  # the engine's rules changed: STATS_SQL must follow them
        print(f"  WARNING: the SQL aggregate disagrees with statistics(): {raw} != {orm}")
    orm_ms: list[float] = []
    sql_ms: list[float] = []
    for _ in range(STATS_ROUNDS):
        started = time.perf_counter()
        statistics(Task.objects.all())
        orm_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            raw_statistics(cursor, today, due_soon_days())
        sql_ms.append((time.perf_counter() - started) * 1000)
    report.add("stats.city.ms", p50(orm_ms), "ms")
    report.add("stats.city.sql_ms", p50(sql_ms), "ms")
    report.add("stats.city.ratio", p50(orm_ms) / p50(sql_ms), "x")


# ---------------------------------------------------------------------------------------
# The dashboard (issue 10)
# ---------------------------------------------------------------------------------------


def bench_dashboard(report: Report, staff: Any, city: dict[str, Any]) -> None:
    """The full dashboard page (counts, comparison, league table, ages, 12-month trend)
    for scopes that vary (the whole city and its departments and districts) as of today,
    as of past month ends (read from the snapshots) and as of other past days (live)."""
    import random

    from django.test import Client

    from dondoc.dashboards import snapshots
    from dondoc.progress.selectors import business_today

    section("Dashboard (in-process, the full page; scopes and dates vary)")
    today = business_today()
    # The past month ends measured (the last 12) and the 12-month trends they draw.
    months = snapshots.month_ends(today - dt.timedelta(days=1), 24)
    started = time.perf_counter()
    snapshots.ensure_months(months)
    print(f"  month-end snapshots of {len(months)} months ready in "
          f"{time.perf_counter() - started:.1f}s (computed once, then kept until a write "
          "dated in the past drops them)")
    client = Client()
    client.force_login(staff)
    rng = random.Random(10)
    scopes = [""] + [f"unit={pk}" for pk in city["lead_units"]]
    past_ends = months[-12:]  # their trends reach back to months[0]
    anydays = [today - dt.timedelta(days=rng.randint(1, 360)) for _ in range(40)]
    anydays = [day for day in anydays if not snapshots.is_month_end(day)]
    variants: dict[str, Callable[[int], str]] = {
        "city": lambda i: f"/dashboard/?{scopes[i % len(scopes)]}",
        "city_past": lambda i: (f"/dashboard/?{scopes[i % len(scopes)]}"
                                f"&as_of={past_ends[i % len(past_ends)]:%d/%m/%Y}"),
        "city_anyday": lambda i: (f"/dashboard/?{scopes[i % len(scopes)]}"
                                  f"&as_of={anydays[i % len(anydays)]:%d/%m/%Y}"),
    }
    for name, url_of in variants.items():
        print(f"  {name:12} {url_of(0)}  queries={query_count(client, url_of(0))}")
        timed_get(client, url_of(1), expect='id="league-title"')  # warm
    # The same-run baseline, interleaved request by request: the minimal list page of
    # bench/urls.py (the overdue tasks of a subtree) over the same data.
    # And the floor no dashboard of the whole city can beat: the engine's whole-city
    # statistics today (one aggregate query, no page).
    from dondoc.plans.models import Task
    from dondoc.progress.selectors import statistics

    leads = city["lead_units"]
    baseline: list[float] = []
    floor: list[float] = []
    for name, url_of in variants.items():
        samples, minimal, cpu = [], [], []
        for i in range(DASHBOARD_ROUNDS):
            samples.append(timed_get(client, url_of(i)))
            cpu.append(CPU_MS[-1])
            lead = leads[i % len(leads)]
            minimal.append(timed_get(client, f"/bench/minimal/tasks/?lead={lead}"))
            started = time.perf_counter()
            statistics(Task.objects.all())
            floor.append((time.perf_counter() - started) * 1000)
        report.add(f"dashboard.{name}.p50_ms", p50(samples), "ms")
        report.add(f"dashboard.{name}.p95_ms", p95(samples), "ms")
        report.add(f"dashboard.{name}.ratio", p95(samples) / p95(minimal), "x")
        # CPU time (SQLite runs in the process): steadier than wall time on a busy machine.
        report.add(f"dashboard.{name}.cpu_p50_ms", p50(cpu), "ms")
        baseline += minimal
    report.add("dashboard.baseline.p95_ms", p95(baseline), "ms")
    report.add("dashboard.stats_floor.p95_ms", p95(floor), "ms")
    bench_roadmap(report, client, today)
    bench_overview(report, client, city, today)


def bench_roadmap(report: Report, client: Any, today: dt.date) -> None:
    """The roadmap of the city's documents (first part, by task group and by lead unit,
    today and a past date) and the deadline calendar of the whole city, month by month."""
    from dondoc.plans.models import Document

    documents = list(Document.objects.order_by("pk").values_list("pk", flat=True))
    past = (today - dt.timedelta(days=75)).strftime("%d/%m/%Y")
    roadmaps = [f"/documents/{pk}/roadmap/?group={group}{as_of}" for pk in documents
                for group in ("group", "lead") for as_of in ("", f"&as_of={past}")]
    months = [f"/calendar/?year={(today.year * 12 + today.month - 1 - back) // 12}"
              f"&month={(today.year * 12 + today.month - 1 - back) % 12 + 1}"
              for back in range(-2, 10)]
    measure_city_pages(report, client, [("roadmap", roadmaps, "gantt"),
                                        ("calendar", months, "cal-grid")])


def measure_city_pages(report: Report, client: Any,
                       pages: list[tuple[str, list[str], str]]) -> None:
    """For each (name, urls, marker): ``DASHBOARD_ROUNDS`` requests over ``urls`` (the
    first checked to show ``marker``) → ``<name>.city.p50_ms``, ``p95_ms`` and
    ``cpu_p50_ms``."""
    for name, urls, marker in pages:
        print(f"  {name:12} {urls[0]}  queries={query_count(client, urls[0])}")
        timed_get(client, urls[0], expect=marker)
        samples, cpu = [], []
        for i in range(DASHBOARD_ROUNDS):
            samples.append(timed_get(client, urls[i % len(urls)]))
            cpu.append(CPU_MS[-1])
        report.add(f"{name}.city.p50_ms", p50(samples), "ms")
        report.add(f"{name}.city.p95_ms", p95(samples), "ms")
        report.add(f"{name}.city.cpu_p50_ms", p50(cpu), "ms")


def bench_overview(report: Report, client: Any, city: dict[str, Any], today: dt.date) -> None:
    """The two pages the staff open most to see where things stand: the home page (the
    attention cards and today's dashboard of the city) and the statistics page (in all,
    per sub-unit and per document) of the city and of its departments and districts, as
    of today and of a past day."""
    past = (today - dt.timedelta(days=75)).strftime("%d/%m/%Y")
    statistics = [f"/statistics/?{scope}{as_of}"
                  for scope in ["", *(f"unit={pk}" for pk in city["lead_units"][:8])]
                  for as_of in ("", f"&as_of={past}")]
    measure_city_pages(report, client, [("home", ["/"], 'id="board-title"'),
                                        ("statistics", statistics, 'id="s-unit"')])


# ---------------------------------------------------------------------------------------
# Consolidated report
# ---------------------------------------------------------------------------------------

REPORT_ROUNDS = 3


def bench_report(report: Report, staff: Any) -> None:
    """The consolidated report of the whole city on the root resolution (every document
    implementing it) for the last closed quarter, as of its end: the figures from the
    status engine (history path), then the DOCX and the XLSX rendered from them."""
    section("Consolidated report of the city (figures, DOCX, XLSX; in-process, no PDF)")
    try:
        from dondoc.reports import builder, render, services
        from dondoc.reports.xlsx import render_xlsx
    except ImportError as error:
        report.skip("report.city.*", f"dondoc.reports is not available ({error})")
        return
    from dondoc.organization import scoping
    from dondoc.plans.models import Document
    from dondoc.progress import periods
    from dondoc.progress.selectors import business_today

    today = business_today()
    quarter = (today.month - 1) // 3
    period = periods.parse_period(f"Q{quarter or 4}/{today.year if quarter else today.year - 1}")
    city = scoping.scope_root(staff)
    document = Document.objects.get(code_prefix="NQ12")
    timings: dict[str, list[float]] = {"data": [], "docx": [], "xlsx": []}
    sizes: dict[str, int] = {}
    data: dict[str, Any] = {}
    cpu: list[float] = []  # CPU seconds of the process (SQLite runs in it): load-independent
    for _ in range(REPORT_ROUNDS):
        cpu_started = time.process_time()
        started = time.perf_counter()
        data = builder.build_report_data(user=staff, scope_unit=city, document=document,
                                         period=period, cut_off=period.end)
        timings["data"].append(time.perf_counter() - started)
        text = {name: "" for name in services.TEXT_FIELDS}
        text.update(issuing_body=city.name, governing_body="Bộ Công an", place="Đà Nẵng",
                    report_date=today.isoformat(), title=render.default_title(data),
                    number="1/BC-CATP", **render.default_narratives(data, city.name))
        snapshot = {"data": data, "text": text}
        started = time.perf_counter()
        docx = render.render_docx(snapshot)
        timings["docx"].append(time.perf_counter() - started)
        started = time.perf_counter()
        xlsx = render_xlsx(snapshot)
        timings["xlsx"].append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        sizes = {"docx": len(docx), "xlsx": len(xlsx)}
    (BENCH_DIR / "report.docx").write_bytes(docx)
    (BENCH_DIR / "report.xlsx").write_bytes(xlsx)
    print(f"  {period.label}, {data['totals']['total']:,} tasks, "
          f"{len(data['overdue']):,} overdue, {len(data['completed']):,} completed, "
          f"{len(data['due_next']):,} due next; DOCX {sizes['docx'] / 1e3:.0f} kB, "
          f"XLSX {sizes['xlsx'] / 1e3:.0f} kB; runs: " + "; ".join(
              f"{name} " + ", ".join(f"{value:.2f}s" for value in values)
              for name, values in timings.items()))
    medians = {name: p50(values) for name, values in timings.items()}
    report.add("report.city.data_s", medians["data"], "s")
    report.add("report.city.docx_s", medians["docx"], "s")
    report.add("report.city.xlsx_s", medians["xlsx"], "s")
    report.add("report.city.total_s", sum(medians.values()), "s")
    report.add("report.city.cpu_s", p50(cpu), "s")
    report.add("report.city.tasks", data["totals"]["total"], "tasks")


# ---------------------------------------------------------------------------------------
# Excel export and import
# ---------------------------------------------------------------------------------------


def bench_export(report: Report, staff: Any) -> None:
    section("Excel export of the whole task list (task_list → export_tasks_xlsx, to a file)")
    try:
        from dondoc.plans.exports import export_tasks_xlsx
    except ImportError as error:
        report.skip("tasks.export_20k.s", f"dondoc.plans.exports is not available ({error})")
        return
    from dondoc.plans import selectors
    from dondoc.progress.selectors import business_today

    target = BENCH_DIR / "export.xlsx"
    seconds: list[float] = []
    written = 0
    for _ in range(EXPORT_ROUNDS):
        started = time.perf_counter()
        tasks = selectors.task_list(user=staff, filters=selectors.TaskFilters())
        with target.open("wb") as stream:
            written = export_tasks_xlsx(tasks, stream, title="Danh sách nhiệm vụ",
                                        as_of=business_today())
        seconds.append(time.perf_counter() - started)
    print(f"  {written:,} tasks, {target.stat().st_size / 1e6:.1f} MB; runs: "
          + ", ".join(f"{s:.2f}s" for s in seconds))
    report.add("tasks.export_20k.s", p50(seconds), "s")
    report.add("tasks.export_20k.rows", written, "tasks")


def import_workbook(rows: int, units: list[tuple[str, str, str, str]], year: int) -> bytes:
    """A task appendix as agencies write it: title rows, the header, group rows I, II, …
    and numbered task rows with units by code or name, several coordinators per cell,
    deadlines as dates, as text and as periods."""
    import random

    from openpyxl import Workbook

    rng = random.Random(5)
    workbook = Workbook()
    ws = workbook.active
    ws.title = "Phụ lục nhiệm vụ"
    ws.append(["PHỤ LỤC PHÂN CÔNG NHIỆM VỤ"])
    ws.merge_cells("A1:G1")
    ws.append(["(Kèm theo Kế hoạch số 99/KH-CATP)"])
    ws.merge_cells("A2:G2")
    ws.append([])
    ws.append(["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn",
               "Sản phẩm", "Ghi chú"])
    deadlines: list[Any] = [
        dt.date(year, 6, 30), f"30/9/{year}", f"Quý IV/{year}", f"Tháng 6/{year}",
        f"6 tháng đầu năm {year}", f"Năm {year}", "Thường xuyên", "Hằng quý",
    ]
    groups = generate.GROUPS
    per_group = math.ceil(rows / len(groups))
    written = 0
    for number, title in groups:
        ws.append([number, title])
        for index in range(1, per_group + 1):
            if written == rows:
                break
            code, name, short, kind = rng.choice(units)
            # Teams of different departments share names: agencies write their code.
            lead = code if kind == "team" else rng.choice((code, name, f"{name} ({code})", short))
            others = rng.sample(units, k=rng.choice((0, 1, 2, 3)))
            coordinating = ", ".join(o[0] for o in others if o[0] != code)
            if rng.random() < 0.05:
                coordinating = "Công an các quận, huyện"
            ws.append([str(index), generate._title(rng), lead, coordinating,
                       rng.choice(deadlines), rng.choice(generate.PRODUCTS), ""])
            written += 1
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def bench_import(report: Report, staff: Any) -> None:
    section(f"Excel import of {IMPORT_ROWS:,} rows (import_preview + import_commit, "
            "committed inside a transaction that is then rolled back)")
    try:
        from dondoc.imports.imports import import_commit, import_preview
    except ImportError as error:
        report.skip("tasks.import_5k.s", f"dondoc.imports.imports is not available ({error})")
        return
    from django.db import transaction

    from dondoc.organization.models import Unit
    from dondoc.plans.models import Document, Task
    from dondoc.progress.selectors import business_today

    document = Document.objects.get(code_prefix=generate.IMPORT_DOCUMENT_PREFIX)
    units = list(Unit.objects.filter(kind__in=["department", "district", "team"], is_active=True)
                 .values_list("code", "name", "short_name", "kind"))
    data = import_workbook(IMPORT_ROWS, units, business_today().year + 1)
    print(f"  workbook: {len(data) / 1e6:.2f} MB")
    before = Task.objects.count()
    totals: list[float] = []
    previews: list[float] = []
    commits: list[float] = []
    for _ in range(IMPORT_ROUNDS):
        started = time.perf_counter()
        preview = import_preview(user=staff, document=document, data=data)
        parsed = time.perf_counter()
        if preview.has_errors:
            problems = {issue.code for row in preview.rows for issue in row.issues
                        if issue.level == "error"} | {i.code for i in preview.file_issues}
            report.skip("tasks.import_5k.s", f"the preview found errors: {sorted(problems)}")
            return
        with transaction.atomic():
            result = import_commit(actor=staff, document=document, preview=preview)
            done = time.perf_counter()
            transaction.set_rollback(True)
        previews.append(parsed - started)
        commits.append(done - parsed)
        totals.append(done - started)
    assert Task.objects.count() == before, "the import was not rolled back"
    print(f"  {result.tasks_created:,} tasks, {result.groups_created} groups; preview "
          + ", ".join(f"{s:.2f}s" for s in previews) + "; commit "
          + ", ".join(f"{s:.2f}s" for s in commits))
    report.add("tasks.import_5k.preview_s", p50(previews), "s")
    report.add("tasks.import_5k.commit_s", p50(commits), "s")
    report.add("tasks.import_5k.s", p50(totals), "s")
    # The issue's name for the same figure (issue 8: "importing 5,000 rows ≤ 5 s").
    report.add(f"import.{IMPORT_ROWS}_rows_s", p50(totals), "s")


# ---------------------------------------------------------------------------------------
# The API under a real server
# ---------------------------------------------------------------------------------------


def start_server(port: int, log: Any) -> subprocess.Popen[bytes]:
    """The generator's SQLite data behind gunicorn, 2 workers × 4 threads."""
    return start_gunicorn(port, log, data_dir=generate.DATA_DIR, database_url=None, threads=4)


def get(connection: http.client.HTTPConnection, path: str, headers: dict[str, str],
        ) -> tuple[int, bytes]:
    status, body, _cpu = get_timed(connection, path, headers)
    return status, body


def get_timed(connection: http.client.HTTPConnection, path: str, headers: dict[str, str],
              ) -> tuple[int, bytes, float | None]:
    """Status, body and the server's CPU time (ms) from ``Server-Timing`` (bench.middleware)."""
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    timing = response.getheader("Server-Timing") or ""
    cpu = float(timing.partition("dur=")[2]) if "dur=" in timing else None
    return response.status, body, cpu


class Load:
    """What a load run measured: latencies (ms), requests/s and failures over the
    measured window, and the server's CPU time (ms) of each measured request."""

    def __init__(self, samples: list[float], rps: float, failed: int, cpu: list[float]):
        self.samples, self.rps, self.failed, self.cpu = samples, rps, failed, cpu


def load(port: int, paths: list[str], headers: dict[str, str], clients: int,
         ) -> tuple[list[float], float, int]:
    """``clients`` threads, each with its own keep-alive connection, requesting ``paths``
    in turn for API_WARMUP + API_SECONDS; latencies (ms) and requests/s of the measured
    window, and the number of failed requests."""
    run = load_run(port, paths, headers, clients)
    return run.samples, run.rps, run.failed


def load_run(port: int, paths: list[str], headers: dict[str, str], clients: int) -> Load:
    """:func:`load`, with the server's CPU time of each measured request."""
    barrier = threading.Barrier(clients + 1)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    cpu_times: list[list[float]] = [[] for _ in range(clients)]
    failures = [0] * clients
    window: dict[str, float] = {}

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, my_cpu = latencies[index], cpu_times[index]
        barrier.wait()
        i = index
        while True:
            started = time.perf_counter()
            if started >= window["end"]:
                break
            cpu = None
            try:
                status, _body, cpu = get_timed(connection, paths[i % len(paths)], headers)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            finished = time.perf_counter()
            i += 1
            if status != 200:
                failures[index] += 1
            elif started >= window["start"] and finished <= window["end"]:
                mine.append((finished - started) * 1000)
                if cpu is not None:
                    my_cpu.append(cpu)
        connection.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    now = time.perf_counter()
    window["start"] = now + API_WARMUP
    window["end"] = now + API_WARMUP + API_SECONDS
    barrier.wait()
    for thread in threads:
        thread.join()
    samples = [ms for values in latencies for ms in values]
    return Load(samples, len(samples) / API_SECONDS, sum(failures),
                [ms for values in cpu_times for ms in values])


def api_token(staff: Any) -> str:
    from dondoc.api.models import ApiToken
    from dondoc.api.services import token_create

    ApiToken.objects.filter(user=staff, name="benchmark").delete()
    _token, secret = token_create(actor=staff, name="benchmark")
    return secret


def bench_api(report: Report, staff: Any, city: dict[str, Any]) -> None:
    from django.db import connections

    names = "api.tasks.* and api.floor.*"
    section("JSON API over HTTP: gunicorn config.wsgi, 2 workers × 4 threads, loopback, "
            "keep-alive clients (Python threads with http.client)")
    try:
        secret = api_token(staff)
    except ImportError as error:
        report.skip(names, f"API tokens are not available ({error})")
        return
    connections.close_all()  # the server opens the same file; nothing held open here
    port = free_port()
    log = (BENCH_DIR / "gunicorn.log").open("wb")
    process = start_server(port, log)
    try:
        try:
            wait_until_up(port, process)
        except RuntimeError as error:
            report.skip(names, f"the server did not start: {error}")
            return
        headers = {"Authorization": f"Bearer {secret}", "Accept": "application/json"}
        paths = [f"/api/v1/tasks?status=in_progress_overdue&unit={unit}"
                 for unit in city["lead_units"]]
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        status, body = get(probe, paths[0], headers)
        probe.close()
        if status != 200:
            report.skip(names, f"GET {paths[0]} answered {status}: the tasks endpoint of "
                        f"the API is missing or failing ({body[:120]!r})")
            return
        shown: dict[str, Any] = json.loads(body)
        print(f"  {paths[0]} → {len(body):,} bytes, {len(shown['results'])} of "
              f"{shown['count']} tasks on the first page")
        for clients in API_LEVELS:
            run = load_run(port, paths, headers, clients)
            floor = load_run(port, ["/healthz"], {}, clients)
            if run.failed or floor.failed:
                print(f"  c{clients}: {run.failed} failed API requests, {floor.failed} "
                      "failed floor")
            report.add(f"api.tasks.p50_ms_c{clients}", p50(run.samples), "ms")
            report.add(f"api.tasks.p95_ms_c{clients}", p95(run.samples), "ms")
            report.add(f"api.tasks.rps_c{clients}", run.rps, "req/s")
            # Server CPU per list request (Server-Timing, bench.middleware): what the
            # throughput on two cores follows from, steadier than wall times.
            if run.cpu:
                report.add(("api.tasks.cpu_p50_ms" if clients == 1
                            else f"api.tasks.cpu_p50_ms_c{clients}"), p50(run.cpu), "ms")
            report.add(f"api.floor.p95_ms_c{clients}", p95(floor.samples), "ms")
            report.add(f"api.floor.rps_c{clients}", floor.rps, "req/s")
            if clients == 8:
                # The API's own floor: token authentication and django-ninja, no data.
                me = load_run(port, ["/api/v1/me"], headers, clients)
                report.add("api.me.p95_ms_c8", p95(me.samples), "ms")
                report.add("api.me.rps_c8", me.rps, "req/s")
                if me.cpu:
                    report.add("api.me.cpu_p50_ms", p50(me.cpu), "ms")
            if clients == 1:
                bench_api_task(report, port, headers, city)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def bench_api_task(report: Report, port: int, headers: dict[str, str],
                   city: dict[str, Any]) -> None:
    """One task with its progress updates, as a client reads it (the issue's "task with
    its updates", Redmine's ``/issues/N.json?include=journals``): ``/api/v1/tasks/<id>``
    (status as of today, ETag) and ``/api/v1/tasks/<id>/progress`` (its ten updates), one
    client, over the same tasks as the detail page."""
    details = city["detail_tasks"]
    for name, template in (("api.task", "/api/v1/tasks/{}"),
                           ("api.task_updates", "/api/v1/tasks/{}/progress")):
        run = load_run(port, [template.format(pk) for pk in details], headers, 1)
        if run.failed:
            print(f"  {name}: {run.failed} failed requests")
        report.add(f"{name}.p50_ms_c1", p50(run.samples), "ms")
        report.add(f"{name}.p95_ms_c1", p95(run.samples), "ms")
        if run.cpu:
            report.add(f"{name}.cpu_p50_ms", p50(run.cpu), "ms")


PORTAL_UA = "Mozilla/5.0 (X11; Linux x86_64) dondoc-bench"


def wrk(port: int, path: str) -> tuple[float, float] | None:
    """``wrk -c16 -t2 -d10s --latency`` against ``path``: (requests/s, p99 ms), or None
    when Debian's wrk is not installed."""
    import re
    import shutil

    program = shutil.which("wrk")
    if program is None:
        return None
    result = subprocess.run(  # noqa: S603 — fixed program and arguments
        [program, "-c16", "-t2", "-d10s", "--latency", "-H", f"User-Agent: {PORTAL_UA}",
         f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True,
        timeout=60)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", result.stdout).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if errors:
        print(f"  {path}: {errors.group(1)} answers were not 2xx/3xx")
    return rps, p99


def bench_portal(report: Report) -> None:
    """The public portal's home page under a real server (gunicorn, 2 workers × 4 threads)
    and wrk (16 connections, 10 s, on the same two cores), next to /healthz as the floor."""
    from django.db import connections

    from dondoc.portal import demo as portal_demo

    section("Public portal: gunicorn config.wsgi, 2 workers × 4 threads; wrk -c16 -t2 -d10s "
            "on the same machine")
    portal_demo.load()
    connections.close_all()
    port = free_port()
    log = (BENCH_DIR / "gunicorn-portal.log").open("wb")
    process = start_server(port, log)
    try:
        try:
            wait_until_up(port, process)
        except RuntimeError as error:
            report.skip("portal.home.*", f"the server did not start: {error}")
            return
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        status, _body = get(probe, "/portal/", {"User-Agent": PORTAL_UA})
        probe.close()
        if status != 200:
            report.skip("portal.home.*", f"GET /portal/ answered {status}")
            return
        home = wrk(port, "/portal/")
        if home is None:
            print("  wrk is not installed (apt-get install wrk): Python keep-alive clients "
                  "instead, which use much of the CPU themselves")
            samples, rps, _failed = load(port, ["/portal/"], {"User-Agent": PORTAL_UA}, 16)
            home = (rps, sorted(samples)[int(len(samples) * 0.99) - 1] if samples else 0.0)
            _floor_samples, floor_rps, _f = load(port, ["/healthz"], {}, 16)
            floor = (floor_rps, 0.0)
        else:
            floor = wrk(port, "/healthz") or (0.0, 0.0)
        report.add("portal.home.rps", home[0], "req/s")
        report.add("portal.home.p99_ms", home[1], "ms")
        report.add("portal.floor.rps", floor[0], "req/s")
        if floor[0]:
            report.add("portal.home.floor_ratio", home[0] / floor[0], "x")
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def bench_ratelimit(report: Report) -> None:
    """The cost the API rate limit adds to each request: one count in the shared store
    (Redis with REDIS_URL, else the SQLite file of dondoc.api.ratelimit)."""
    from types import SimpleNamespace

    from django.conf import settings

    from dondoc.api.auth import TokenRateLimit

    store = "Redis" if settings.REDIS_URL else f"SQLite {settings.DONDOC_RATELIMIT_DB.name}"
    section(f"API rate limit: one check = one count in the shared store ({store})")
    limiter = TokenRateLimit()
    requests = [SimpleNamespace(api_token=SimpleNamespace(pk=index), user=None)
                for index in range(50)]
    for request in requests:  # open the store, create the rows
        limiter.allow_request(request)  # type: ignore[arg-type]
    rounds = 40
    started = time.perf_counter()
    for _ in range(rounds):
        for request in requests:
            limiter.allow_request(request)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    report.add("api.ratelimit.check_us", elapsed / (rounds * len(requests)) * 1e6, "us")


# ---------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------


def city_facts() -> dict[str, Any]:
    """Units and tasks the requests are about, chosen the same way in every run."""
    from django.db.models import Count

    from dondoc.organization.models import Unit
    from dondoc.plans.models import Task

    leads = list(Unit.objects.filter(kind__in=["district", "department"], numchild__gt=0)
                 .order_by("path").values_list("pk", flat=True))
    details = list(Task.objects.annotate(n=Count("updates")).filter(n=10).order_by("pk")
                   .values_list("pk", flat=True)[:50])
    if not details:
        raise RuntimeError("no task with ten progress updates in the city")
    return {"lead_units": leads, "detail_tasks": details}


def check_targets(report: Report) -> list[str]:
    missed = []
    section("Targets")
    for name, (op, target) in TARGETS.items():
        figure = report.figures.get(name)
        if figure is None:
            print(f"  {name:28} {'—':>10}   target {op} {target:<6} not measured")
            continue
        value = figure["value"]
        ok = value <= target if op == "<=" else value >= target
        if not ok:
            missed.append(name)
        print(f"  {name:28} {value:>10} {figure['unit']:<5} target {op} {target:<6} "
              f"{'ok' if ok else 'MISSED'}")
    return missed


def main() -> int:
    started = time.perf_counter()
    shape = generate.Shape.for_scale(generate.scale_from_env())
    generate.configure()
    from django.core.management import call_command

    from dondoc.organization.models import User

    generated = generate.ensure_city(shape)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages need the manifest
    machine = machine_info(shape)
    section("Machine")
    for key, value in machine.items():
        print(f"  {key}: {value}")

    report = Report()
    staff = User.objects.select_related("unit").get(username=generate.STAFF_USERNAME)
    city = city_facts()
    sections: dict[str, Callable[[], None]] = {
        "pages": lambda: bench_pages(report, staff, city),
        "statistics": lambda: bench_statistics(report),
        "dashboard": lambda: bench_dashboard(report, staff, city),
        "export": lambda: bench_export(report, staff),
        "import": lambda: bench_import(report, staff),
        "api": lambda: bench_api(report, staff, city),
        "ratelimit": lambda: bench_ratelimit(report),
        "report": lambda: bench_report(report, staff),
        "portal": lambda: bench_portal(report),
        "survey": lambda: bench_survey(report, staff),
    }
    # BENCH_ONLY=dashboard (comma-separated section names) runs only those sections.
    only = [name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()]
    unknown = [name for name in only if name not in sections]
    if unknown:
        raise SystemExit(f"BENCH_ONLY: unknown sections {unknown}; known: {list(sections)}")
    for name, run in sections.items():
        if not only or name in only:
            run()

    missed = check_targets(report)
    wall = time.perf_counter() - started
    machine.update({"wall_seconds": round(wall, 1), "city_generated": generated,
                    "skipped": [f"{names}: {reason}" for names, reason in report.skipped]})
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    output = "latest-only.json" if only else "latest.json"
    (BENCH_DIR / output).write_text(json.dumps(report.figures, indent=2) + "\n")
    (BENCH_DIR / "machine.json").write_text(json.dumps(machine, indent=2) + "\n")
    print(f"\nbench: {len(report.figures)} figures in var/bench/{output}, machine in "
          f"var/bench/machine.json; wall time {wall:.0f}s")
    for names, reason in report.skipped:
        print(f"  skipped {names}: {reason}")
    if missed and os.environ.get("BENCH_STRICT") == "1":
        print(f"bench: targets missed: {', '.join(missed)}")
        return 1
    return 0


# ---------------------------------------------------------------------------------------
# Surveys (issue 13): consolidation page and the whole campaign in Excel
# ---------------------------------------------------------------------------------------

SURVEY_ROUNDS = 40  # consolidation requests, over several kinds of item
SURVEY_EXPORT_ROUNDS = 3
SURVEY_ITEMS = ("n001", "n050", "t1.quantity", "t2.car.good", "sites.area", "c1", "b1",
                "sites.condition")


def bench_survey(report: Report, staff: Any) -> None:
    """A campaign of the city's units with a 200-field form, every answer accepted (made
    once by ``bench/survey_data.py``): the consolidation page through the full stack for
    numbers, table columns, a fixed row's cell and choices; then the whole campaign's
    Excel export (export_campaign_xlsx, to a file)."""
    section("Survey campaign: consolidation page and the whole campaign in Excel")
    try:
        from dondoc.surveys.exports import export_campaign_xlsx
    except ImportError as error:
        report.skip("survey.*", f"dondoc.surveys is not available ({error})")
        return
    from django.test import Client

    from bench import survey_data
    from dondoc.progress.selectors import business_today

    campaign = survey_data.ensure_survey(staff)
    units = campaign.campaign_units.count()
    client = Client()
    client.force_login(staff)

    def url(index: int) -> str:
        item = SURVEY_ITEMS[index % len(SURVEY_ITEMS)]
        return f"/surveys/campaigns/{campaign.pk}/consolidation/?field={item}"

    print(f"  {units} units × {survey_data.FIELDS} fields; {url(0)}  "
          f"queries={query_count(client, url(0))}")
    for index in range(len(SURVEY_ITEMS)):  # warm-up, every item once
        timed_get(client, url(index))
    timings, cpu = [], []
    for index in range(SURVEY_ROUNDS):
        timings.append(timed_get(client, url(index)))
        cpu.append(CPU_MS[-1])
    report.add("survey.consolidation.p50_ms", p50(timings), "ms")
    report.add("survey.consolidation.p95_ms", p95(timings), "ms")
    # CPU time is less disturbed than wall time by other processes on a shared machine.
    report.add("survey.consolidation.cpu_p95_ms", p95(cpu), "ms")
    target = BENCH_DIR / "survey.xlsx"
    seconds: list[float] = []
    cpu_seconds: list[float] = []
    for _ in range(SURVEY_EXPORT_ROUNDS):
        started, cpu_started = time.perf_counter(), time.process_time()
        with target.open("wb") as stream:
            export_campaign_xlsx(user=staff, campaign=campaign, out=stream,
                                 today=business_today())
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - cpu_started)
    print(f"  export: {target.stat().st_size / 1e6:.1f} MB; runs: "
          + ", ".join(f"{s:.2f}s" for s in seconds))
    report.add("survey.export.s", p50(seconds), "s")
    report.add("survey.export.cpu_s", p50(cpu_seconds), "s")
    report.add("survey.units", units, "units")


if __name__ == "__main__":
    sys.exit(main())
