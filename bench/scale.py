"""``make bench-scale``: dondoc at ministry scale on PostgreSQL (issue 15).

1. Checks the free disk space first (about 7 GB at full size, stated before anything is
   written) and stops with a clear message when it is short.
2. Creates its own database (``dondoc_scale`` on 127.0.0.1:5432, user postgres;
   ``SCALE_DATABASE_URL`` overrides it), migrates it and generates the synthetic ministry
   with COPY (``bench/scale_generate.py``): ~20,000 units, 1,000,000 tasks, 10,000,000
   progress updates at ``SCALE=1``; then ``VACUUM ANALYZE``. A database kept by an
   earlier run (``KEEP=1`` or ``--keep``) is reused when its shape is the same.
3. Builds the month-end snapshots the dashboard reads at this size, then measures, in
   process (Django's test client through the whole middleware stack):
   the dashboard (ministry and provinces, past month ends: the snapshots), the task list
   (a province's staff and the ministry's staff), the statistics against hand-written
   SQL, the consolidated report of a province (figures, DOCX, XLSX); and over HTTP a
   mixed load of 200 users with a think time of 1–5 s against gunicorn (2 workers).
4. Prints ``BENCH scale.<name> <value> <unit>`` and merges the ``scale.*`` figures into
   ``var/bench/latest.json`` (the other figures are kept); details in
   ``var/bench/scale.json``.
5. Drops the database unless ``KEEP=1`` / ``--keep``.

``SCALE=0.01`` makes a small ministry for development; ``SCALE_ONLY=dashboard,tasks``
(dashboard, tasks, statistics, report, load) measures only those sections;
``SCALE_ONLY=generate`` only generates (with ``KEEP=1``, to measure later).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import os
import platform
import random
import shutil
import statistics as pystats
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.server import free_port, start_gunicorn, wait_until_up  # noqa: E402 - after the path

BENCH_DIR = ROOT / "var" / "bench"
DATA_DIR = BENCH_DIR / "scale-data"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dondoc_scale"
# Bytes the ministry needs at SCALE=1: the database measured 3.9 GB (tables and indexes),
# plus the WAL written while loading and the sort space of the index builds; and a margin.
BYTES_AT_FULL_SCALE = 7.0e9
MARGIN_BYTES = 0.5e9
# Timed requests per page variant (SCALE_ROUNDS): 30 for a small ministry; at full size on
# a busy two-core machine a request takes seconds, so fewer.
ROUNDS = int(os.environ.get("SCALE_ROUNDS", "0") or 0) or (
    30 if float(os.environ.get("SCALE", "1") or 1) < 0.2 else 6)
LOAD_USERS = 200
LOAD_SECONDS = 75.0
THINK = (1.0, 5.0)

TARGETS: dict[str, tuple[str, float]] = {
    "scale.dashboard.p95_ms": ("<=", 250),
    "scale.tasks.list.p95_ms": ("<=", 100),
    "scale.stats.ratio": ("<=", 3),
    "scale.report.province.total_s": ("<=", 10),
    "scale.load.errors": ("<=", 0),
}


def log(message: str) -> None:
    print(message, flush=True)


def p50(samples: list[float]) -> float:
    return pystats.median(samples)


def p95(samples: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


class Report:
    def __init__(self) -> None:
        self.figures: dict[str, dict[str, Any]] = {}

    def add(self, name: str, value: float, unit: str) -> None:
        value = round(value, 3 if abs(value) < 10 else 1)
        self.figures[f"scale.{name}"] = {"value": value, "unit": unit}
        print(f"BENCH scale.{name} {value} {unit}", flush=True)


def section(title: str) -> None:
    print(f"\n== {title}", flush=True)


# ---------------------------------------------------------------------------------------
# Settings, disk, database
# ---------------------------------------------------------------------------------------


def scale_from_env() -> float:
    raw = os.environ.get("SCALE", "1") or "1"
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(f"SCALE must be a number, not {raw!r}") from None
    if not 0 < value <= 2:
        raise SystemExit(f"SCALE must be in (0, 2], not {raw!r}")
    return value


def database_url() -> str:
    url = os.environ.get("SCALE_DATABASE_URL") or DEFAULT_URL
    if urlsplit(url).scheme not in {"postgres", "postgresql"}:
        raise SystemExit(f"SCALE_DATABASE_URL must be a PostgreSQL URL, not {url!r}")
    return url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"the database name must be letters, digits and _, not {name!r}")
    return name


def needed_bytes(scale: float) -> int:
    return int(BYTES_AT_FULL_SCALE * scale + MARGIN_BYTES)


def free_bytes(path: str) -> int:
    """Free space of the file system holding ``path`` (or its nearest readable parent)."""
    candidate = Path(path)
    while True:
        try:
            return shutil.disk_usage(candidate).free
        except OSError:
            if candidate.parent == candidate:
                raise
            candidate = candidate.parent


def check_disk(url: str, scale: float, reusing: bool) -> None:
    """Stop before writing anything when the database server's disk is short."""
    import psycopg

    with closing(psycopg.connect(with_database(url, "postgres"), autocommit=True)) as conn:
        host = urlsplit(url).hostname or "localhost"
        data_directory = ""
        if host in {"127.0.0.1", "localhost", "::1"}:
            try:
                data_directory = str(conn.execute("SHOW data_directory").fetchone()[0])
            except psycopg.Error:
                data_directory = ""
    need = MARGIN_BYTES if reusing else needed_bytes(scale)
    where = data_directory or str(ROOT)
    free = free_bytes(where)
    log(f"disk: the ministry at SCALE={scale} needs about {need / 1e9:.1f} GB "
        f"({'kept database: margin only' if reusing else 'tables, indexes, WAL, sorts'}); "
        f"{free / 1e9:.1f} GB free on the file system of {where}")
    if free < need:
        raise SystemExit(
            f"bench-scale: not enough disk space: {need / 1e9:.1f} GB needed, "
            f"{free / 1e9:.1f} GB free on {where}. Free some space or run a smaller "
            f"ministry (e.g. SCALE=0.1 needs {needed_bytes(0.1) / 1e9:.1f} GB).")


def stored_shape(url: str) -> str | None:
    """The shape a kept database was generated with (its database comment), if any."""
    import psycopg

    name = database_name(url)
    with closing(psycopg.connect(with_database(url, "postgres"), autocommit=True)) as conn:
        row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                           "WHERE datname = %s", [name]).fetchone()
    if row is None:
        return None
    return str(row[0] or "")


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = database_name(url)
    with closing(psycopg.connect(with_database(url, "postgres"), autocommit=True)) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = database_name(url)
    with closing(psycopg.connect(with_database(url, "postgres"), autocommit=True)) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


def configure(url: str) -> None:
    """Start Django on the scale database (the benchmark's settings, own data folder)."""
    os.environ["DATABASE_URL"] = url
    os.environ["DONDOC_DATA_DIR"] = str(DATA_DIR)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.pop("DONDOC_DEBUG", None)
    os.environ.pop("REDIS_URL", None)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def ensure_ministry(url: str, shape: Any, *, log: Callable[[str], None] = log,
                    ) -> dict[str, Any]:
    """Generate the ministry (or reuse a kept one of the same shape); what happened."""
    import psycopg
    from django.core.management import call_command
    from django.db import connection, connections
    from psycopg import sql

    from bench import scale_generate
    from dondoc.progress.selectors import business_today

    wanted = shape.to_json()
    if stored_shape(url) == wanted:
        log(f"ministry: reusing the kept database {database_name(url)} ({wanted})")
        call_command("migrate", interactive=False, verbosity=0)  # new indexes, if any
        return {"generated": False}
    started = time.perf_counter()
    connections.close_all()
    recreate_database(url)
    log(f"ministry: {shape.units:,} units in {shape.provinces} provinces, {shape.tasks:,} "
        f"tasks, ~{shape.updates:,} progress updates into {database_name(url)} …")
    call_command("migrate", interactive=False, verbosity=0)
    migrated = time.perf_counter() - started
    log(f"  migrated in {migrated:.1f}s")
    connections.close_all()
    facts = scale_generate.generate(shape, lambda: psycopg.connect(url),
                                    today=business_today(), log=log)
    started_analyze = time.perf_counter()
    with closing(psycopg.connect(url, autocommit=True)) as conn:
        conn.execute("VACUUM (ANALYZE)")
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            sql.Identifier(database_name(url)), sql.Literal(wanted)))
    analyzed = time.perf_counter() - started_analyze
    log(f"  VACUUM ANALYZE in {analyzed:.1f}s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    total = time.perf_counter() - started
    log("  " + ", ".join(f"{name} {count:,}" for name, count in facts.counts.items()))
    log(f"ministry: generated in {total:.0f}s (migrate {migrated:.0f}s, COPY "
        f"{facts.seconds['copy']:.0f}s, indexes {facts.seconds['indexes']:.0f}s, "
        f"VACUUM ANALYZE {analyzed:.0f}s); database {size / 1e9:.2f} GB")
    return {"generated": True, "counts": facts.counts, "seconds": {
        "migrate": round(migrated, 1), "copy": round(facts.seconds["copy"], 1),
        "indexes": round(facts.seconds["indexes"], 1), "analyze": round(analyzed, 1),
        "total": round(total, 1)}, "database_bytes": size}


# ---------------------------------------------------------------------------------------
# Who and what the requests are about
# ---------------------------------------------------------------------------------------


def facts() -> dict[str, Any]:
    from dondoc.organization.models import Unit, User
    from dondoc.plans.models import Task

    ministry = User.objects.select_related("unit").get(username="scale.ministry")
    province_staff = list(User.objects.select_related("unit").filter(
        username__startswith="scale.t").order_by("username"))
    provinces = list(Unit.objects.filter(depth=2, kind="agency").order_by("path"))
    first = provinces[0]
    districts = list(Unit.objects.filter(path__startswith=first.path, kind="district")
                     .order_by("path").values_list("pk", flat=True))
    detail_tasks = list(Task.objects.filter(lead_unit__path__startswith=first.path)
                        .order_by("pk").values_list("pk", flat=True)[:40])
    # The most numerous users: an officer of a district and one of a ward (their subtree).
    officers = {kind: User.objects.select_related("unit").filter(
        unit__path__startswith=first.path, unit__kind=kind, role="officer",
    ).order_by("unit__path").first() for kind in ("district", "ward")}
    return {"ministry": ministry, "province_staff": province_staff, "provinces": provinces,
            "districts": districts, "detail_tasks": detail_tasks, "officers": officers}


def timed(client: Any, url: str, expect: str | None = None) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    if expect is not None and expect not in response.content.decode():
        raise RuntimeError(f"GET {url}: the page does not show {expect!r}")
    return elapsed


def query_count(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries)


def measure(report: Report, name: str, variants: dict[str, tuple[Any, Callable[[int], str]]],
            expect: str | None = None) -> list[float]:
    """Each variant ``ROUNDS`` times (interleaved, after one warm-up), its p95 reported;
    all samples returned."""
    for label, (client, url_of) in variants.items():
        log(f"  {label:22} {url_of(0)}  queries={query_count(client, url_of(0))}")
        timed(client, url_of(1), expect)
    samples: dict[str, list[float]] = {label: [] for label in variants}
    for i in range(ROUNDS):
        for label, (client, url_of) in variants.items():
            samples[label].append(timed(client, url_of(i), expect))
    for label, values in samples.items():
        report.add(f"{name}.{label}.p95_ms", p95(values), "ms")
    every = [ms for values in samples.values() for ms in values]
    report.add(f"{name}.p50_ms", p50(every), "ms")
    report.add(f"{name}.p95_ms", p95(every), "ms")
    return every


def client_for(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# ---------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------


def bench_dashboard(report: Report, city: dict[str, Any]) -> dict[str, Any]:
    from dondoc.dashboards import snapshots
    from dondoc.progress.selectors import business_today

    section("Dashboard: the full page as of past month ends (read from the month-end "
            "snapshots), ministry and province scopes")
    today = business_today()
    # The last month end, and the 12 month ends its trend draws. Each month is one pass of
    # the status SQL for a past date over every task (minutes at 1,000,000 tasks).
    ends = snapshots.month_ends(today - dt.timedelta(days=1), 12)
    started = time.perf_counter()
    computed = []
    for day in ends:
        month_started = time.perf_counter()
        snapshots.ensure_months([day])
        computed.append(time.perf_counter() - month_started)
    built = time.perf_counter() - started
    log(f"  month-end snapshots of {len(ends)} months ready in {built:.1f}s "
        f"(slowest month {max(computed):.1f}s)")
    report.add("snapshots.build_s", built, "s")
    report.add("snapshots.month_max_s", max(computed), "s")
    ministry = client_for(city["ministry"])
    staff = city["province_staff"]
    provinces = city["provinces"]
    province_clients = [client_for(user) for user in staff[:4]]
    day = ends[-1].strftime("%d/%m/%Y")
    variants = {
        "ministry": (ministry, lambda i: f"/dashboard/?as_of={day}"),
        "ministry_province": (ministry, lambda i: (
            f"/dashboard/?unit={provinces[i % len(provinces)].pk}&as_of={day}")),
        "province": (province_clients[0], lambda i: f"/dashboard/?as_of={day}"),
    }
    measure(report, "dashboard", variants, expect='id="league-title"')
    # Today's figures are computed live (a write of today changes them): a province.
    today_variants = {"province_today": (province_clients[1], lambda i: "/dashboard/")}
    section("Dashboard as of today (live status SQL, not a snapshot): a province")
    measure(report, "dashboard_today", today_variants, expect='id="league-title"')
    return {"snapshot_months": len(ends), "snapshot_seconds": [round(s, 1) for s in computed]}


def bench_tasks(report: Report, city: dict[str, Any]) -> None:
    section("Task list: a province's staff, the ministry's staff and two officers of the "
            "province (today, urgency order)")
    staff = client_for(city["province_staff"][0])
    district_officer = client_for(city["officers"]["district"])
    ward_officer = client_for(city["officers"]["ward"])
    ministry = client_for(city["ministry"])
    districts = city["districts"]
    provinces = city["provinces"]
    variants = {
        "province": (staff, lambda i: "/tasks/"),
        "province_overdue": (staff, lambda i: "/tasks/?status=in_progress_overdue"),
        "province_district": (staff, lambda i: f"/tasks/?lead={districts[i % len(districts)]}"),
        "province_page3": (staff, lambda i: "/tasks/?page=3"),
        "ministry": (ministry, lambda i: "/tasks/"),
        "ministry_overdue": (ministry, lambda i: "/tasks/?status=in_progress_overdue"),
        "ministry_province": (ministry, lambda i: (
            f"/tasks/?lead={provinces[i % len(provinces)].pk}&status=in_progress_overdue")),
        "district_officer": (district_officer, lambda i: "/tasks/"),
        "ward_officer_overdue": (ward_officer, lambda i: "/tasks/?status=in_progress_overdue"),
    }
    measure(report, "tasks.list", variants)
    section("Task search (diacritic-insensitive words; the pg_trgm index on search_text)")
    words = ["camera+giam+sat", "tru+so", "chuyen+doi+so"]
    measure(report, "tasks.search", {
        "province": (staff, lambda i: f"/tasks/?q={words[i % 3]}"),
        "ministry": (ministry, lambda i: f"/tasks/?q={words[i % 3]}"),
    })
    section("Task page (timeline with its updates)")
    details = city["detail_tasks"]
    measure(report, "tasks.detail", {
        "province": (staff, lambda i: f"/tasks/{details[i % len(details)]}/")})


STATS_SQL = """
SELECT COUNT(*),
  COUNT(*) FILTER (WHERE s = 'completed_on_time'), COUNT(*) FILTER (WHERE s = 'completed_late'),
  COUNT(*) FILTER (WHERE s = 'awaiting_confirmation'),
  COUNT(*) FILTER (WHERE s = 'awaiting_confirmation' AND pending_late),
  COUNT(*) FILTER (WHERE s = 'in_progress_on_time'),
  COUNT(*) FILTER (WHERE s = 'in_progress_overdue'),
  COUNT(*) FILTER (WHERE s = 'in_progress_on_time' AND due_soon),
  COUNT(*) FILTER (WHERE s = 'standing'), COUNT(*) FILTER (WHERE s = 'suspended'),
  COUNT(*) FILTER (WHERE not_started)
FROM (
  SELECT CASE
      WHEN t.state = 'suspended' THEN 'suspended'
      WHEN t.state = 'completed' AND NOT t.completion_late THEN 'completed_on_time'
      WHEN t.state = 'completed' THEN 'completed_late'
      WHEN t.state = 'submitted' THEN 'awaiting_confirmation'
      WHEN {recurring} THEN 'in_progress_overdue'
      WHEN t.deadline_kind IN ('standing', 'monthly', 'quarterly', 'yearly') THEN 'standing'
      WHEN t.deadline < %(today)s THEN 'in_progress_overdue'
      ELSE 'in_progress_on_time'
    END AS s,
    t.pending_late,
    (t.deadline_kind IN ('fixed', 'none') AND t.deadline BETWEEN %(today)s AND %(soon)s
     AND t.state IN ('assigned', 'in_progress', 'returned')) AS due_soon,
    (t.last_progress_on IS NULL AND t.deadline_kind <> 'standing'
     AND t.state IN ('assigned', 'in_progress', 'returned')) AS not_started
  FROM plans_task t
  WHERE t.assigned_on <= %(today)s AND (t.cancelled_on IS NULL OR t.cancelled_on > %(today)s)
    AND {scope}
) AS x
"""
RECURRING_SQL = """(t.deadline_kind = '{kind}' AND t.assigned_on <= %({kind}_end)s
  AND NOT EXISTS (SELECT 1 FROM progress_progressupdate u WHERE u.task_id = t.id
                  AND u.reported_on BETWEEN %({kind}_start)s AND %({kind}_end)s))"""
# The same visibility as scoping.tasks_visible_to for a scope root's staff: led, assigned
# or coordinated by a unit of the subtree.
SCOPE_SQL = """(t.lead_unit_id IN (SELECT id FROM organization_unit WHERE path LIKE %(path)s)
  OR t.assigning_unit_id IN (SELECT id FROM organization_unit WHERE path LIKE %(path)s)
  OR EXISTS (SELECT 1 FROM plans_task_coordinating_units c JOIN organization_unit cu
             ON cu.id = c.unit_id WHERE c.task_id = t.id AND cu.path LIKE %(path)s))"""


def raw_statistics(cursor: Any, today: dt.date, soon_days: int, path: str) -> tuple[int, ...]:
    from dondoc.progress import engine

    params: dict[str, Any] = {"today": today, "soon": today + dt.timedelta(days=soon_days),
                              "path": path + "%"}
    for kind, recurrence in (("monthly", engine.Recurrence.MONTHLY),
                             ("quarterly", engine.Recurrence.QUARTERLY),
                             ("yearly", engine.Recurrence.YEARLY)):
        start, _end = engine.period_containing(today, recurrence)
        last_start, last_end = engine.period_containing(start - dt.timedelta(days=1),
                                                        recurrence)
        params[f"{kind}_start"], params[f"{kind}_end"] = last_start, last_end
    recurring = " OR ".join(RECURRING_SQL.format(kind=kind)
                            for kind in ("monthly", "quarterly", "yearly"))
    cursor.execute(STATS_SQL.format(recurring=recurring, scope=SCOPE_SQL), params)
    return tuple(int(value or 0) for value in cursor.fetchone())


def bench_statistics(report: Report, city: dict[str, Any]) -> None:
    from django.db import connection

    from dondoc.organization import scoping
    from dondoc.progress.selectors import business_today, due_soon_days, statistics

    section("Statistics of a scope today: statistics(tasks_visible_to(user)) against the "
            "hand-written SQL aggregate (same connection, interleaved)")
    today = business_today()
    for label, user in (("ministry", city["ministry"]),
                        ("province", city["province_staff"][0])):
        root = scoping.scope_root(user)
        assert root is not None
        counts = statistics(scoping.tasks_visible_to(user))
        with connection.cursor() as cursor:
            raw = raw_statistics(cursor, today, due_soon_days(), root.path)
        orm = (counts.total, counts.completed_on_time, counts.completed_late,
               counts.awaiting_confirmation, counts.awaiting_late, counts.in_progress_on_time,
               counts.in_progress_overdue, counts.due_soon, counts.standing, counts.suspended,
               counts.not_started)
        if orm != raw:
            log(f"  WARNING ({label}): the SQL aggregate disagrees with statistics(): "
                f"{raw} != {orm}")
        orm_ms: list[float] = []
        sql_ms: list[float] = []
        for _ in range(max(5, ROUNDS // 3)):
            started = time.perf_counter()
            statistics(scoping.tasks_visible_to(user))
            orm_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            with connection.cursor() as cursor:
                raw_statistics(cursor, today, due_soon_days(), root.path)
            sql_ms.append((time.perf_counter() - started) * 1000)
        log(f"  {label}: {counts.total:,} tasks")
        report.add(f"stats.{label}.ms", p50(orm_ms), "ms")
        report.add(f"stats.{label}.sql_ms", p50(sql_ms), "ms")
        report.add(f"stats.{label}.ratio", p50(orm_ms) / p50(sql_ms), "x")
    ratios = [report.figures[f"scale.stats.{label}.ratio"]["value"]
              for label in ("ministry", "province")]
    report.add("stats.ratio", max(ratios), "x")


def bench_report(report: Report, city: dict[str, Any]) -> None:
    from dondoc.organization import scoping
    from dondoc.plans.models import Document
    from dondoc.progress import periods
    from dondoc.progress.selectors import business_today
    from dondoc.reports import builder, render, services
    from dondoc.reports.xlsx import render_xlsx

    section("Consolidated report of a province on Resolution 12 (every document "
            "implementing it), last closed quarter: figures, DOCX, XLSX")
    user = city["province_staff"][0]
    today = business_today()
    quarter = (today.month - 1) // 3
    period = periods.parse_period(f"Q{quarter or 4}/{today.year if quarter else today.year - 1}")
    province = scoping.scope_root(user)
    assert province is not None
    document = Document.objects.get(code_prefix="NQ12")
    timings: dict[str, list[float]] = {"data": [], "docx": [], "xlsx": []}
    data: dict[str, Any] = {}
    for _ in range(2):
        started = time.perf_counter()
        data = builder.build_report_data(user=user, scope_unit=province, document=document,
                                         period=period, cut_off=period.end)
        timings["data"].append(time.perf_counter() - started)
        text = {name: "" for name in services.TEXT_FIELDS}
        text.update(issuing_body=province.name, governing_body="Bộ Công an",
                    place=province.short_name, report_date=today.isoformat(),
                    title=render.default_title(data), number="1/BC-CAT",
                    **render.default_narratives(data, province.name))
        snapshot = {"data": data, "text": text}
        started = time.perf_counter()
        render.render_docx(snapshot)
        timings["docx"].append(time.perf_counter() - started)
        started = time.perf_counter()
        render_xlsx(snapshot)
        timings["xlsx"].append(time.perf_counter() - started)
    log(f"  {province.name}, {period.label}: {data['totals']['total']:,} tasks, "
        f"{len(data['overdue']):,} overdue, {len(data['completed']):,} completed; runs: "
        + "; ".join(f"{name} " + ", ".join(f"{v:.2f}s" for v in values)
                    for name, values in timings.items()))
    best = {name: min(values) for name, values in timings.items()}
    report.add("report.province.data_s", best["data"], "s")
    report.add("report.province.docx_s", best["docx"], "s")
    report.add("report.province.xlsx_s", best["xlsx"], "s")
    report.add("report.province.total_s", sum(best.values()), "s")
    report.add("report.province.tasks", data["totals"]["total"], "tasks")


# ---------------------------------------------------------------------------------------
# Mixed load over HTTP
# ---------------------------------------------------------------------------------------


def start_server(port: int, url: str, log_file: Any) -> subprocess.Popen[bytes]:
    """The ministry's PostgreSQL database behind gunicorn, 2 workers × 8 threads; a
    worker may take up to 120 s on a request (full-size pages on a busy machine)."""
    return start_gunicorn(port, log_file, data_dir=DATA_DIR, database_url=url, threads=8,
                          worker_timeout=120)


def load_users(city: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """Who the virtual users are: every province's staff, then officers of districts and
    wards of the provinces; each with a session cookie and an API token."""
    from django.conf import settings

    from dondoc.api.models import ApiToken
    from dondoc.api.services import token_create
    from dondoc.organization.models import User
    from dondoc.plans.models import Task

    rng = random.Random(7)
    people: list[Any] = list(city["province_staff"])
    officers = list(User.objects.filter(role="officer", unit__kind__in=["district", "ward"],
                                        unit__depth__gte=3).select_related("unit")
                    .order_by("pk"))
    rng.shuffle(officers)
    chosen: list[Any] = []
    for officer in officers:
        if len(people) + len(chosen) >= count:
            break
        if Task.objects.filter(lead_unit_id=officer.unit_id,
                               state__in=["assigned", "in_progress", "returned"]).exists():
            chosen.append(officer)
    people = (people + chosen)[:count]
    ApiToken.objects.filter(name="bench-scale").delete()
    users = []
    for person in people:
        client = client_for(person)
        _token, secret = token_create(actor=person, name="bench-scale")
        open_tasks = list(Task.objects.filter(
            lead_unit_id=person.unit_id, state__in=["assigned", "in_progress", "returned"])
            .order_by("pk").values_list("pk", flat=True)[:20])
        users.append({"username": person.username, "staff": person.role == "staff",
                      "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
                      "token": secret, "unit": person.unit_id, "open_tasks": open_tasks})
    return users


def visits(user: dict[str, Any], city: dict[str, Any], dates: list[str],
           rng: random.Random) -> tuple[str, str, str]:
    """The next request of a virtual user: (label, method, path)."""
    roll = rng.random()
    details = user["open_tasks"] or city["detail_tasks"]
    if user["staff"]:
        if roll < 0.35:
            return "list", "GET", rng.choice(["/tasks/", "/tasks/?status=in_progress_overdue",
                                              "/tasks/?page=2", "/tasks/?status=due_soon"])
        if roll < 0.55:
            return "detail", "GET", f"/tasks/{rng.choice(details)}/"
        if roll < 0.70:
            return "dashboard", "GET", f"/dashboard/?as_of={rng.choice(dates)}"
        if roll < 0.80:
            return "statistics", "GET", "/statistics/"
        return "api", "GET", "/api/v1/tasks?status=in_progress_overdue"
    if roll < 0.35:
        return "list", "GET", f"/tasks/mine/?page={1 + int(rng.random() * 2)}"
    if roll < 0.65:
        return "detail", "GET", f"/tasks/{rng.choice(details)}/"
    if roll < 0.85:
        return "home", "GET", "/"
    if user["open_tasks"]:
        return "write", "POST", f"/api/v1/tasks/{rng.choice(user['open_tasks'])}/progress"
    return "api", "GET", "/api/v1/tasks?status=in_progress_overdue"


async def run_load(port: int, users: list[dict[str, Any]], city: dict[str, Any],
                   dates: list[str], seconds: float) -> dict[str, Any]:
    import aiohttp
    from django.conf import settings

    base = f"http://127.0.0.1:{port}"
    samples: list[tuple[str, float]] = []
    errors: list[str] = []
    started = time.perf_counter()
    end = started + seconds

    async def virtual_user(index: int, user: dict[str, Any]) -> None:
        rng = random.Random(index)
        jar = aiohttp.CookieJar(unsafe=True)
        jar.update_cookies({settings.SESSION_COOKIE_NAME: user["cookie"]})
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(base_url=base, cookie_jar=jar, timeout=timeout,
                                         connector=aiohttp.TCPConnector(limit=1)) as session:
            await asyncio.sleep(rng.uniform(0, THINK[1]))
            while time.perf_counter() < end:
                label, method, path = visits(user, city, dates, rng)
                headers = {"Accept": "application/json",
                           "Authorization": f"Bearer {user['token']}"} \
                    if path.startswith("/api/") else {}
                body = None
                if method == "POST":
                    body = {"percent": rng.randint(10, 90),
                            "results": "Đã triển khai theo kế hoạch (tải thử)."}
                began = time.perf_counter()
                try:
                    async with session.request(method, path, headers=headers, json=body,
                                               allow_redirects=False) as response:
                        await response.read()
                        status = response.status
                except (TimeoutError, aiohttp.ClientError) as error:
                    status = 0
                    errors.append(f"{method} {path}: {type(error).__name__}")
                took = (time.perf_counter() - began) * 1000
                if status and not 200 <= status < 400:
                    errors.append(f"{method} {path}: {status}")
                elif status:
                    samples.append((label, took))
                await asyncio.sleep(rng.uniform(*THINK))

    await asyncio.gather(*(virtual_user(i, user) for i, user in enumerate(users)))
    wall = time.perf_counter() - started
    return {"samples": samples, "errors": errors, "wall": wall}


def bench_load(report: Report, city: dict[str, Any], url: str) -> None:
    from django.db import connections

    from dondoc.dashboards import snapshots
    from dondoc.progress.selectors import business_today

    section(f"Mixed load: {LOAD_USERS} users, think time {THINK[0]:.0f}–{THINK[1]:.0f} s, "
            f"{LOAD_SECONDS:.0f} s, gunicorn 2 workers × 8 threads on loopback")
    ends = snapshots.month_ends(business_today() - dt.timedelta(days=1), 1)
    # The dashboards of the load read this month end's snapshot: built here if the
    # dashboard section did not run, not by the first users' requests (minutes at 1 M).
    snapshots.ensure_months(ends)
    dates = [day.strftime("%d/%m/%Y") for day in ends]
    users = load_users(city, LOAD_USERS)
    log(f"  {len(users)} users ({sum(u['staff'] for u in users)} province staff, the rest "
        "officers of districts and wards); pages, the API, and progress reports written")
    connections.close_all()
    port = free_port()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    with (BENCH_DIR / "gunicorn-scale.log").open("wb") as log_file:
        process = start_server(port, url, log_file)
        try:
            wait_until_up(port, process)
            result = asyncio.run(run_load(port, users, city, dates, LOAD_SECONDS))
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    samples = result["samples"]
    errors = result["errors"]
    by_label: dict[str, list[float]] = {}
    for label, ms in samples:
        by_label.setdefault(label, []).append(ms)
    for label, values in sorted(by_label.items()):
        log(f"  {label:10} {len(values):5} requests, p50 {p50(values):6.0f} ms, "
            f"p95 {p95(values):6.0f} ms")
    if errors:
        log(f"  {len(errors)} errors, e.g. {errors[:5]}")
    every = [ms for _label, ms in samples]
    report.add("load.users", len(users), "users")
    report.add("load.requests", len(samples) + len(errors), "requests")
    report.add("load.rps", (len(samples) + len(errors)) / result["wall"], "req/s")
    report.add("load.p50_ms", p50(every) if every else 0.0, "ms")
    report.add("load.p95_ms", p95(every) if every else 0.0, "ms")
    report.add("load.errors", len(errors), "errors")


# ---------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------


def machine_info(shape: Any) -> dict[str, Any]:
    from django.db import connection

    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SELECT name, setting, unit FROM pg_settings WHERE name IN "
                       "('shared_buffers', 'work_mem', 'effective_cache_size', "
                       "'random_page_cost', 'max_parallel_workers_per_gather')")
        pg_settings = {name: f"{value}{unit or ''}" for name, value, unit in cursor.fetchall()}
    mem_kb = first("/proc/meminfo", "MemTotal").split()[0]
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": first("/proc/cpuinfo", "model name"), "cores": os.cpu_count(),
        "ram_gib": round(int(mem_kb) / 1024 / 1024, 1) if mem_kb.isdigit() else None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(), "postgresql": version,
        "postgresql_settings": pg_settings, "shape": shape.__dict__,
    }


def merge_figures(figures: dict[str, dict[str, Any]]) -> Path:
    """Merge the scale.* figures into var/bench/latest.json, keeping every other figure."""
    path = BENCH_DIR / "latest.json"
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    current: dict[str, Any] = {}
    if path.exists():
        try:
            current = json.loads(path.read_text())
        except ValueError:
            raise SystemExit(f"{path} is not valid JSON: not overwriting it") from None
    current = {name: value for name, value in current.items()
               if not name.startswith("scale.")}  # a new run replaces the old scale figures
    current.update(figures)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(current, indent=2) + "\n")
    temporary.replace(path)
    return path


def check_targets(report: Report) -> list[str]:
    missed = []
    section("Targets")
    for name, (op, target) in TARGETS.items():
        figure = report.figures.get(name)
        if figure is None:
            log(f"  {name:32} {'—':>10}   target {op} {target:<6} not measured")
            continue
        value = figure["value"]
        ok = value <= target if op == "<=" else value >= target
        if not ok:
            missed.append(name)
        log(f"  {name:32} {value:>10} {figure['unit']:<6} target {op} {target:<6} "
            f"{'ok' if ok else 'MISSED'}")
    return missed


def main(argv: list[str]) -> int:
    from bench.scale_generate import Shape

    started = time.perf_counter()
    keep = "--keep" in argv or os.environ.get("KEEP") == "1"
    scale = scale_from_env()
    shape = Shape.for_scale(scale)
    url = database_url()
    reusing = stored_shape(url) == shape.to_json()
    check_disk(url, scale, reusing)
    configure(url)
    sections = ["dashboard", "tasks", "statistics", "report", "load"]
    only = [name.strip() for name in os.environ.get("SCALE_ONLY", "").split(",")
            if name.strip()]
    unknown = [name for name in only if name not in [*sections, "generate"]]
    if unknown:
        raise SystemExit(f"SCALE_ONLY: unknown sections {unknown}; known: {sections}")
    report = Report()
    details: dict[str, Any] = {}
    try:
        details["ministry"] = ensure_ministry(url, shape)
        generated = details["ministry"]
        if generated.get("generated"):
            report.add("generate.s", generated["seconds"]["total"], "s")
            report.add("generate.copy_s", generated["seconds"]["copy"], "s")
            report.add("database.gb", generated["database_bytes"] / 1e9, "GB")
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)  # pages need it
        details["machine"] = machine_info(shape)
        section("Machine")
        for key, value in details["machine"].items():
            log(f"  {key}: {value}")
        city = facts()
        runs: dict[str, Callable[[], Any]] = {
            "dashboard": lambda: bench_dashboard(report, city),
            "tasks": lambda: bench_tasks(report, city),
            "statistics": lambda: bench_statistics(report, city),
            "report": lambda: bench_report(report, city),
            "load": lambda: bench_load(report, city, url),
        }
        for name in sections:
            if not only or name in only:
                details[name] = runs[name]()
    finally:
        from django.db import connections

        connections.close_all()
        if keep:
            log(f"\nbench-scale: database {database_name(url)} kept (KEEP=1); the next run "
                "with the same SCALE reuses it. Drop it with: "
                f"psql {with_database(url, 'postgres')} -c 'DROP DATABASE "
                f"{database_name(url)}'")
        else:
            drop_database(url)
            log(f"\nbench-scale: database {database_name(url)} dropped (KEEP=1 keeps it)")
    missed = check_targets(report)
    path = merge_figures(report.figures)
    details["figures"] = report.figures
    details["wall_seconds"] = round(time.perf_counter() - started, 1)
    (BENCH_DIR / "scale.json").write_text(json.dumps(details, indent=2, default=str) + "\n")
    log(f"bench-scale: {len(report.figures)} figures merged into "
        f"{path.relative_to(ROOT)}; details in var/bench/scale.json; wall time "
        f"{details['wall_seconds']:.0f}s")
    if missed and os.environ.get("BENCH_STRICT") == "1":
        log(f"bench-scale: targets missed: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
