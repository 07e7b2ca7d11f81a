"""``make drill``: several nodes under load, one node and one worker killed, then count.

On this machine only (loopback): two app nodes (gunicorn, ``dondoc serve --no-worker``)
behind nginx (run as an unprivileged user), sessions, cache and API rate limits in Redis,
a PostgreSQL primary (its own, made by initdb in a temporary folder; DRILL_PRIMARY=server:
the local server) with a streaming replica made by pg_basebackup into another temporary
folder and started on another port, and two job workers.

1. The replica: a write on the primary appears on it; dashboard and report pages read from
   it (its statement log grows) and the task list does not.
2. A bounded load (DRILL_SECONDS, DRILL_CLIENTS clients reading pages and the API and
   posting progress updates through the API) while the queue check runs DRILL_JOBS probe
   jobs; mid-load one node is killed (SIGKILL, the whole node) and one worker is killed
   while it runs a job.
3. Counted: failed requests (each must have been in flight at the kill), acknowledged
   writes found in the database, probe jobs finished exactly once, and where requests went.

Prints PASS or FAIL with the figures; exits 1 on FAIL. Everything it starts is stopped and
everything it creates is removed at the end (DRILL_KEEP=1 keeps the temporary folder).
"""

from __future__ import annotations

import contextlib
import http.client
import http.cookiejar
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = sys.executable


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name) or default)
    except ValueError:
        sys.exit(f"{name} must be a whole number")


SECONDS = _env_int("DRILL_SECONDS", 40)
CLIENTS = _env_int("DRILL_CLIENTS", 24)
JOBS = _env_int("DRILL_JOBS", 16)
# The primary: "own" (default), a PostgreSQL server the drill creates in a temporary folder
# (initdb) and configures as docs/deployment.md says; "server", the local server at
# DRILL_PG_HOST:DRILL_PG_PORT (pg_basebackup then copies all of its databases, and its
# pg_hba.conf gets a replication line for the drill's duration).
PRIMARY = os.environ.get("DRILL_PRIMARY", "own")
PG_HOST = os.environ.get("DRILL_PG_HOST", "127.0.0.1")
PG_PORT = _env_int("DRILL_PG_PORT", 5432)
OWN_PRIMARY_PORT = _env_int("DRILL_OWN_PRIMARY_PORT", 55432)
PG_USER = os.environ.get("DRILL_PG_USER", "postgres")
DB = os.environ.get("DRILL_DB", "dondoc_drill")
REDIS_URL = os.environ.get("DRILL_REDIS_URL", "redis://127.0.0.1:6379/11")
NGINX_PORT = _env_int("DRILL_NGINX_PORT", 18080)
NODE_PORTS = (_env_int("DRILL_NODE1_PORT", 18101), _env_int("DRILL_NODE2_PORT", 18102))
REPLICA_PORT = _env_int("DRILL_REPLICA_PORT", 55433)
KEEP = os.environ.get("DRILL_KEEP", "") not in {"", "0", "false"}
REPL_ROLE = "dondoc_drill_repl"
HBA_MARK = "# dondoc make drill (removed at its end)"
BASE = f"http://127.0.0.1:{NGINX_PORT}"
STARTED = time.monotonic()


def say(message: str) -> None:
    print(f"[drill {time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


def pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not candidates:
        raise SystemExit(f"drill: {name} not found (PostgreSQL client/server binaries)")
    return str(candidates[-1])


def run(argv: list[str], *, env: dict[str, str] | None = None, user: str | None = None,
        check: bool = True, timeout: float = 600) -> str:
    if user is not None and os.geteuid() == 0 and user != "root":
        argv = ["runuser", "-u", user, "--", *argv]
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True,  # noqa: S603
                            timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])} … failed ({result.returncode}):\n"
                           f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return result.stdout


def psql(sql: str, *, db: str = DB, port: int | None = None, user: str = PG_USER,
         timeout: int = 120) -> str:
    port = port or PG_PORT
    # The server-side limit lets a statement that waits on others' sessions (DROP DATABASE
    # waits for every backend of the server) fail with a message instead of hanging.
    return run([pg_bin("psql"), "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", PG_HOST,
                "-p", str(port), "-U", user, "-d", db,
                "-c", f"SET statement_timeout = '{timeout}s'", "-c", sql],
               timeout=timeout + 30).strip().removeprefix("SET").strip()


@dataclass
class Result:
    op: str
    start: float
    end: float
    status: int  # 0: no answer (connection error)
    error: str = ""
    marker: str = ""


@dataclass
class Drill:
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="dondoc-drill-")))
    cleanups: list[tuple[str, Callable[[], None]]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    replica_dir: Path | None = None
    token: str = ""
    task_ids: list[int] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    node_kill_at: float | None = None
    worker_kill_at: float | None = None

    # -- bookkeeping ------------------------------------------------------------------
    def on_exit(self, label: str, action: Callable[[], None]) -> None:
        self.cleanups.append((label, action))

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append((name, ok, detail))
        say(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")

    def teardown(self) -> None:
        for label, action in reversed(self.cleanups):
            try:
                action()
            except (Exception, subprocess.TimeoutExpired) as error:  # tear down the rest
                print(f"drill: teardown of {label} failed: {error}", file=sys.stderr)
        if KEEP:
            say(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- set-up -----------------------------------------------------------------------
    def preflight(self) -> None:
        for tool in ("nginx", "redis-cli"):
            if shutil.which(tool) is None:
                raise SystemExit(f"drill: {tool} is missing (apt-get install -y nginx-light "
                                 "redis-server)")
        if run(["redis-cli", "-u", REDIS_URL, "ping"], check=False).strip() != "PONG":
            raise SystemExit(f"drill: Redis does not answer at {REDIS_URL}")
        if PRIMARY != "own":
            run([pg_bin("pg_isready"), "-h", PG_HOST, "-p", str(PG_PORT)])
        say(f"nginx and Redis ({REDIS_URL}) are there; temporary folder {self.tmp}")

    def own_primary(self) -> None:
        """A primary of the drill's own: initdb in a temporary folder, set up for streaming."""
        global PG_PORT, PG_HOST
        folder = Path(tempfile.mkdtemp(prefix="dondoc-drill-primary-"))
        self.on_exit("primary folder", lambda: shutil.rmtree(folder, ignore_errors=True))
        owner = "postgres" if os.geteuid() == 0 else None
        if owner:
            shutil.chown(folder, owner, owner)
        data = folder / "data"
        run([pg_bin("initdb"), "-D", str(data), "-U", PG_USER, "--auth=trust", "-E", "UTF8"],
            user=owner)
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(f"listen_addresses = '127.0.0.1'\nport = {OWN_PRIMARY_PORT}\n"
                       f"unix_socket_directories = '{folder}'\n"
                       "wal_level = replica\nmax_wal_senders = 10\nwal_keep_size = 256MB\n")
        log = folder / "primary.log"
        try:
            run([pg_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "120", "start"],
                user=owner)
        except RuntimeError:
            raise RuntimeError("the primary did not start:\n"
                               + "\n".join(log.read_text().splitlines()[-8:])) from None
        self.on_exit("primary", lambda: run(
            [pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            user=owner, check=False))
        PG_HOST, PG_PORT = "127.0.0.1", OWN_PRIMARY_PORT
        say(f"primary of its own: initdb in {folder}, port {PG_PORT}")

    def database(self) -> None:
        psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)', db="postgres")
        psql(f'CREATE DATABASE "{DB}"', db="postgres")
        self.on_exit("database", lambda: psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)',
                                              db="postgres"))
        run(["redis-cli", "-u", REDIS_URL, "flushdb"])
        self.on_exit("redis", lambda: run(["redis-cli", "-u", REDIS_URL, "flushdb"]))
        data = self.tmp / "data"
        data.mkdir()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_"))},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB}",
            "REDIS_URL": REDIS_URL,
            "DONDOC_DATA_DIR": str(data),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DONDOC_TRUSTED_PROXIES": "127.0.0.1",
            "DONDOC_API_RATE_LIMIT": "100000/m",
            "DONDOC_JOB_LEASE_SECONDS": "6",
            "DONDOC_JOB_HEARTBEAT_SECONDS": "2",
            "DONDOC_EMBEDDED_WORKER": "false",
            "DONDOC_LOG_LEVEL": "WARNING",
            **{k: v for k, v in self.env.items() if k == "DATABASE_REPLICA_URL"},
        }
        say("migrating and loading the demo data …")
        started = time.monotonic()
        self.manage("migrate", "--noinput", "-v0")
        self.manage("demo", "--insecure-demo")
        self.manage("collectstatic", "--noinput", "-v0")
        self.figures["setup_s"] = round(time.monotonic() - started, 1)
        say(f"database ready in {self.figures['setup_s']} s")
        self.token = self.manage("shell", "-c", (
            "from dondoc.api.services import token_create\n"
            "from dondoc.organization.models import User\n"
            "print(token_create(actor=User.objects.get(username='admin'), name='drill')[1])"
        )).strip().splitlines()[-1]

    def manage(self, *args: str) -> str:
        return run([PY, "manage.py", *args], env=self.env)

    def replica(self) -> None:
        """A streaming replica of the local server in a temporary folder, on its own port."""
        hba = Path(psql("SHOW hba_file", db="postgres"))
        password = secrets.token_urlsafe(24)
        psql(f"DROP ROLE IF EXISTS {REPL_ROLE}", db="postgres")
        psql(f"CREATE ROLE {REPL_ROLE} WITH REPLICATION LOGIN PASSWORD '{password}'",
             db="postgres")
        self.on_exit("replication role",
                     lambda: psql(f"DROP ROLE IF EXISTS {REPL_ROLE}", db="postgres"))
        line = f"host replication {REPL_ROLE} 127.0.0.1/32 scram-sha-256 {HBA_MARK}\n"
        try:
            original = hba.read_text()
            hba.write_text(original.rstrip("\n") + "\n" + line)
        except OSError as error:
            raise SystemExit(
                f"drill: cannot let the replica connect: {hba} is not writable ({error}). "
                f"Add this line to it and reload PostgreSQL, then run again:\n  {line}"
            ) from None

        def restore_hba() -> None:
            hba.write_text("".join(x for x in hba.read_text().splitlines(keepends=True)
                                   if HBA_MARK not in x))
            psql("SELECT pg_reload_conf()", db="postgres")

        self.on_exit("pg_hba.conf", restore_hba)
        psql("SELECT pg_reload_conf()", db="postgres")

        size = int(psql("SELECT sum(pg_database_size(datname)) FROM pg_database",
                        db="postgres"))
        folder = Path(tempfile.mkdtemp(prefix="dondoc-drill-replica-"))
        self.replica_dir = folder
        self.on_exit("replica folder", lambda: shutil.rmtree(folder, ignore_errors=True))
        free = shutil.disk_usage(folder).free
        need = int(size * 1.2) + 300 * 2**20
        if free < need:
            raise SystemExit(f"drill: the replica needs about {need // 2**20} MB in {folder} "
                             f"(the whole cluster is copied); only {free // 2**20} MB free")
        owner = "postgres" if os.geteuid() == 0 else None
        if owner:
            shutil.chown(folder, owner, owner)
        data = folder / "data"
        say(f"pg_basebackup of {size // 2**20} MB from {PG_HOST}:{PG_PORT} …")
        started = time.monotonic()
        run([pg_bin("pg_basebackup"), "-d",
             f"host={PG_HOST} port={PG_PORT} user={REPL_ROLE} password={password}",
             "-D", str(data), "-X", "stream", "-R", "-c", "fast"], user=owner)
        self.figures["basebackup_s"] = round(time.monotonic() - started, 1)
        # Debian keeps the configuration outside the data folder: the copy has none.
        # A hot standby needs at least the primary's values of these.
        same = "".join(f"{name} = {psql(f'SHOW {name}', db='postgres')}\n" for name in (
            "max_connections", "max_worker_processes", "max_wal_senders",
            "max_prepared_transactions", "max_locks_per_transaction"))
        conf = (f"listen_addresses = '127.0.0.1'\nport = {REPLICA_PORT}\n"
                f"unix_socket_directories = '{folder}'\nhot_standby = on\n{same}"
                "shared_buffers = 32MB\n"
                "log_statement = 'all'  # the drill reads which queries reached the replica\n"
                "log_line_prefix = '%m [%p] '\n")
        (data / "postgresql.conf").write_text(conf)
        (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        (data / "pg_ident.conf").write_text("")
        if owner:
            for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
                shutil.chown(data / name, owner, owner)
        log = folder / "replica.log"
        try:
            run([pg_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "120", "start"],
                user=owner)
        except RuntimeError:
            raise RuntimeError("the replica did not start:\n"
                               + "\n".join(log.read_text().splitlines()[-8:])) from None
        self.on_exit("replica", lambda: run(
            [pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            user=owner, check=False))
        self.replica_log = log
        in_recovery = psql("SELECT pg_is_in_recovery()", port=REPLICA_PORT, db="postgres")
        self.check("replica is a standby", in_recovery == "t",
                   f"pg_is_in_recovery() = {in_recovery} on port {REPLICA_PORT} "
                   f"(pg_basebackup {self.figures['basebackup_s']} s)")
        self.env["DATABASE_REPLICA_URL"] = (  # kept by database()
            f"postgres://{PG_USER}@127.0.0.1:{REPLICA_PORT}/{DB}")

    def start(self, name: str, argv: list[str], *, user: str | None = None) -> None:
        if user is not None and os.geteuid() == 0:
            argv = ["runuser", "-u", user, "--", *argv]
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 - closed at teardown
        process = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log,  # noqa: S603
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes[name] = process

        def stop() -> None:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            log.close()

        self.on_exit(name, stop)

    def kill(self, name: str) -> None:
        """SIGKILL the whole process group: the node (or worker) dies as a machine would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait()

    def services(self) -> None:
        for index, port in enumerate(NODE_PORTS, start=1):
            # Static files were collected once (database()): nodes collecting at the same
            # time into one folder would trip over each other's files.
            self.start(f"node{index}", [PY, "-m", "dondoc.core.cli", "serve", "--no-worker",
                                        "--no-collectstatic",
                                        "--host", "127.0.0.1", "--port", str(port),
                                        "--workers", "2", "--threads", "4"])
        for index in (1, 2):
            self.start(f"worker{index}", [PY, "-m", "dondoc.core.cli", "worker",
                                          "--worker-id", f"drill-worker-{index}",
                                          "--interval", "0.2", "--schedule-every", "0"])
        from dondoc.core.nginxconf import render

        prefix = self.tmp / "nginx"
        prefix.mkdir()
        static = Path(self.env["DONDOC_DATA_DIR"]) / "static"
        (prefix / "nginx.conf").write_text(render(
            prefix=str(prefix), listen=f"127.0.0.1:{NGINX_PORT}",
            nodes=[f"127.0.0.1:{port}" for port in NODE_PORTS], static_root=str(static)))
        nginx_user = None
        if os.geteuid() == 0:  # an unprivileged nginx: it owns its folder, reads the static
            nginx_user = "nobody"
            shutil.chown(prefix, "nobody", "nogroup")
            for folder in (self.tmp, static.parent, static):
                folder.chmod(0o755)
        self.start("nginx", ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                             "-e", str(prefix / "error.log"), "-g", "daemon off;"],
                   user=nginx_user)
        self.access_log = prefix / "access.log"
        for url in [f"http://127.0.0.1:{port}/healthz" for port in NODE_PORTS] + [
                f"{BASE}/healthz"]:
            deadline = time.monotonic() + 180
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310
                        if response.status == 200:
                            break
                except (OSError, http.client.HTTPException):  # not up yet (or slow to boot)
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} did not answer in 180 s; see {self.tmp}/*.log")
                time.sleep(0.5)
        say(f"2 nodes ({', '.join(map(str, NODE_PORTS))}), 2 workers and nginx "
            f"(:{NGINX_PORT}, as {nginx_user or 'this user'}) are up")

    # -- HTTP -------------------------------------------------------------------------
    def api(self, method: str, path: str, body: dict[str, Any] | None = None,
            ) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(BASE + path, data=data, method=method, headers={  # noqa: S310
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
            "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, None

    def browser(self) -> urllib.request.OpenerDirector:
        """A signed-in browser (the session lives in Redis: any node knows it)."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(f"{BASE}/accounts/login/", timeout=90).read()
        csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        form = urllib.parse.urlencode({"username": "admin", "password": "dondoc-demo-2026",
                                       "csrfmiddlewaretoken": csrf}).encode()
        request = urllib.request.Request(f"{BASE}/accounts/login/", data=form, headers={  # noqa: S310
            "Referer": f"{BASE}/accounts/login/"})
        with opener.open(request, timeout=90) as response:
            if "/accounts/login/" in response.url:
                raise RuntimeError("drill: the demo admin could not sign in")
        return opener

    # -- checks -------------------------------------------------------------------------
    def pick_tasks(self) -> None:
        status, page = self.api("GET", "/api/v1/tasks?page_size=100")
        if status != 200:
            raise RuntimeError(f"drill: the task list answered {status}")
        for item in page["results"]:
            marker = f"drill warm-up {item['id']}"
            code, _ = self.api("POST", f"/api/v1/tasks/{item['id']}/progress",
                               {"percent": 10, "results": marker})
            if code == 201:
                self.task_ids.append(item["id"])
            if len(self.task_ids) >= 30:
                break
        if not self.task_ids:
            raise RuntimeError("drill: no task accepts a progress update")

    def replica_log_lines(self, word: str) -> int:
        text = self.replica_log.read_text(errors="replace")
        return sum(1 for line in text.splitlines() if "statement:" in line and word in line)

    def replica_checks(self, browser: urllib.request.OpenerDirector) -> None:
        marker = f"drill replication {secrets.token_hex(6)}"
        started = time.monotonic()
        code, _ = self.api("POST", f"/api/v1/tasks/{self.task_ids[0]}/progress",
                           {"percent": 20, "results": marker})
        seen = False
        while time.monotonic() - started < 10:
            if psql(f"SELECT count(*) FROM progress_progressupdate WHERE results = '{marker}'",  # noqa: S608 - our own hex marker
                    port=REPLICA_PORT) == "1":
                seen = True
                break
            time.sleep(0.01)
        lag_ms = round((time.monotonic() - started) * 1000)
        self.figures["replica_visible_ms"] = lag_ms
        self.check("a write on the primary reaches the replica", code == 201 and seen,
                   f"progress update posted ({code}), on the replica after ≤ {lag_ms} ms "
                   "(including the POST itself)")
        browser.open(f"{BASE}/dashboard/", timeout=60).read()  # month-end snapshots (a write)
        before = self.replica_log_lines("plans_task")
        browser.open(f"{BASE}/tasks/", timeout=60).read()
        after_tasks = self.replica_log_lines("plans_task")
        browser.open(f"{BASE}/dashboard/", timeout=60).read()
        after_dashboard = self.replica_log_lines("plans_task")
        reports_before = self.replica_log_lines("reports_")
        browser.open(f"{BASE}/reports/", timeout=60).read()
        reports_after = self.replica_log_lines("reports_")
        self.figures["replica_queries_dashboard"] = after_dashboard - after_tasks
        self.check("dashboards and reports read from the replica, the task list does not",
                   after_tasks == before and after_dashboard > after_tasks
                   and reports_after > reports_before,
                   f"replica statements on tasks: task list +{after_tasks - before}, "
                   f"dashboard +{after_dashboard - after_tasks}; on reports: report list "
                   f"+{reports_after - reports_before}")

    # -- the load -----------------------------------------------------------------------
    def client(self, number: int, deadline: float) -> None:
        rng = random.Random(number)  # noqa: S311 - a load, not security
        start = time.monotonic()
        try:  # a sign-in (Argon2) can be slow on busy cores: a second try before counting it
            browser = self.browser()
        except Exception:
            try:
                browser = self.browser()
            except Exception as error:
                self.record(Result("login", start, time.monotonic(), 0, repr(error)))
                return
        sequence = 0
        while time.monotonic() < deadline:
            roll = rng.random()
            task = rng.choice(self.task_ids)
            start = time.monotonic()
            marker = ""
            try:
                if roll < 0.25:
                    op = "api list"
                    status, _ = self.api("GET", f"/api/v1/tasks?page={rng.randint(1, 3)}")
                elif roll < 0.40:
                    op = "api task"
                    status, _ = self.api("GET", f"/api/v1/tasks/{task}")
                elif roll < 0.65:
                    op = "api progress POST"
                    sequence += 1
                    marker = f"drill load {number}-{sequence}"
                    status, _ = self.api("POST", f"/api/v1/tasks/{task}/progress",
                                         {"percent": rng.randint(0, 100), "results": marker})
                else:
                    op, path = rng.choice([("page tasks", "/tasks/"),
                                           ("page dashboard", "/dashboard/"),
                                           ("page task", f"/tasks/{task}/"),
                                           ("static", "/static/vendor/htmx/htmx.min.js")])
                    with browser.open(BASE + path, timeout=30) as response:
                        response.read()
                        status = response.status
                self.record(Result(op, start, time.monotonic(), status, marker=marker))
            except urllib.error.HTTPError as error:
                self.record(Result(op, start, time.monotonic(), error.code, str(error),
                                   marker))
            except Exception as error:  # connection reset, timeout …
                self.record(Result(op, start, time.monotonic(), 0, repr(error), marker))
            time.sleep(rng.uniform(0.0, 0.05))

    def record(self, result: Result) -> None:
        with self.lock:
            self.results.append(result)

    def kill_worker_mid_job(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            with contextlib.suppress(RuntimeError):  # a slow moment of the database
                running = "0"
                running = psql("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE "
                               "status = 'RUNNING' AND worker_ids::text LIKE "
                               "'%drill-worker-1\"%'")
            if running != "0":
                self.kill("worker1")
                self.worker_kill_at = time.monotonic()
                say("killed worker 1 (SIGKILL) while it ran a probe job")
                return
            time.sleep(0.1)
        say("worker 1 never ran a job before the deadline: not killed")

    def load(self) -> dict[str, Any]:
        deadline = time.monotonic() + SECONDS
        say(f"load: {CLIENTS} clients for {SECONDS} s; queue check of {JOBS} probe jobs")
        queue = subprocess.Popen(  # noqa: S603
            [PY, "manage.py", "queue_check", "--jobs", str(JOBS), "--seconds", "3",
             "--timeout", str(SECONDS + 120), "--json"], cwd=ROOT, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        threads = [threading.Thread(target=self.client, args=(n, deadline), daemon=True)
                   for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        killer = threading.Thread(target=self.kill_worker_mid_job, args=(deadline,),
                                  daemon=True)
        killer.start()
        time.sleep(SECONDS * 0.45)
        self.kill("node1")
        self.node_kill_at = time.monotonic()
        say(f"killed node 1 (SIGKILL, port {NODE_PORTS[0]}) mid-load")
        for thread in threads:
            thread.join(timeout=SECONDS + 60)
        killer.join(timeout=5)
        say("load over; waiting for the queue check …")
        out, err = queue.communicate(timeout=SECONDS + 180)
        try:
            return dict(json.loads(out.strip().splitlines()[-1]))
        except (ValueError, IndexError):
            return {"ok": False, "problems": [err.strip()[-500:]]}

    # -- verdict ----------------------------------------------------------------------
    def verdict(self, queue: dict[str, Any]) -> None:
        results = self.results
        failed = [r for r in results if not 200 <= r.status < 400]
        kill = self.node_kill_at or 0.0
        in_flight = [r for r in results if r.start <= kill <= r.end]
        beyond = [r for r in failed if not r.start <= kill <= r.end]
        elapsed = max(r.end for r in results) - min(r.start for r in results)
        self.figures.update(requests=len(results), req_per_s=round(len(results) / elapsed, 1),
                            failed=len(failed), in_flight_at_kill=len(in_flight))
        ops = Counter(r.op for r in results)
        say("requests: " + ", ".join(f"{op} {count}" for op, count in sorted(ops.items())))
        durations = sorted((r.end - r.start) * 1000 for r in results if r.status)
        if durations:
            self.figures["p50_ms"] = round(durations[len(durations) // 2])
            self.figures["p95_ms"] = round(durations[int(len(durations) * 0.95)])
        self.check("no errors beyond the killed node's in-flight requests", not beyond,
                   f"{len(results)} requests ({self.figures['req_per_s']}/s, p50 "
                   f"{self.figures.get('p50_ms')} ms, p95 {self.figures.get('p95_ms')} ms); "
                   f"{len(failed)} failed, all of them in flight at the kill "
                   f"({len(in_flight)} were)" if not beyond else
                   f"{len(beyond)} failed outside the kill: "
                   + "; ".join(f"{r.op} {r.status} {r.error[:80]}" for r in beyond[:5]))

        acked = {r.marker for r in results if r.marker and r.status == 201}
        unacked = {r.marker for r in results if r.marker and r.status != 201}
        stored = set(psql("SELECT results FROM progress_progressupdate "
                          "WHERE results LIKE 'drill load %'").splitlines())
        missing = acked - stored
        self.figures.update(writes_acked=len(acked), writes_unacked=len(unacked),
                            writes_unacked_but_stored=len(unacked & stored))
        self.check("every acknowledged write is in the database", not missing and bool(acked),
                   f"{len(acked)} progress updates acknowledged (201), {len(acked & stored)} "
                   f"found; {len(unacked)} unacknowledged, of which "
                   f"{len(unacked & stored)} committed anyway (answer lost with the node)")

        self.figures["queue"] = {k: queue.get(k) for k in ("jobs", "succeeded",
                                                           "exactly_once", "retried")}
        killed_mid_job = self.worker_kill_at is not None
        self.check("every queued job finished exactly once", bool(queue.get("ok")) and (
            not killed_mid_job or (queue.get("retried") or 0) >= 1),
            f"{queue.get('succeeded')}/{queue.get('jobs')} probe jobs succeeded, "
            f"{queue.get('exactly_once')} with exactly one committed trace, "
            f"{queue.get('retried')} run again after the killed worker "
            f"(in {queue.get('seconds')} s) {queue.get('problems') or ''}")

        log = self.access_log.read_text(errors="replace").splitlines()
        node1, node2 = (f"127.0.0.1:{port}" for port in NODE_PORTS)
        upstreams = [re.search(r"upstream=(\S+(?:, \S+)*) ustatus", line) for line in log]
        served = Counter()
        for match in upstreams:
            if match:
                addresses = match.group(1)
                if "," in addresses:
                    served["retried on the other node"] += 1
                served[addresses.split(", ")[-1]] += 1
        self.figures["nginx"] = dict(served)
        self.check("both nodes served, then the survivor took over",
                   served[node1] > 0 and served[node2] > 0,
                   f"node 1 {served[node1]}, node 2 {served[node2]}, retried by nginx on the "
                   f"other node {served['retried on the other node']}")

        keys = run(["redis-cli", "-u", REDIS_URL, "--scan"]).splitlines()
        sessions = sum(1 for key in keys if "session" in key)
        rates = sum(1 for key in keys if "api-rate" in key)
        self.figures["redis_keys"] = {"sessions": sessions, "api_rate": rates}
        self.check("sessions and API rate limits are in Redis", sessions > 0 and rates > 0,
                   f"{sessions} session keys, {rates} rate-limit keys in {REDIS_URL}")


def main() -> int:
    drill = Drill()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        drill.preflight()
        if PRIMARY == "own":
            drill.own_primary()
        drill.replica()
        drill.database()
        drill.services()
        drill.pick_tasks()
        drill.replica_checks(drill.browser())
        queue = drill.load()
        drill.verdict(queue)
    except (Exception, KeyboardInterrupt) as error:
        traceback.print_exc()
        for name in ("node1", "node2", "worker1", "nginx/error"):
            log = drill.tmp / f"{name}.log"
            if log.exists():
                lines = log.read_text(errors="replace").splitlines()
                errors = [line for line in lines if "Error" in line or "error" in line]
                print(f"--- {name}.log (last error lines)\n" + "\n".join(errors[-15:]))
        drill.check("drill ran to its end", False, f"{type(error).__name__}: {error}")
    finally:
        drill.teardown()
    passed = all(ok for _, ok, _ in drill.checks)
    print("\n" + "=" * 72)
    for name, ok, detail in drill.checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}\n      {detail}")
    print("figures: " + json.dumps(drill.figures))
    print(f"DRILL {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
