"""A synthetic ministry on PostgreSQL for ``make bench-scale``: COPY, not the ORM.

The shape of issue 15: about 20,000 units (the ministry, its departments and 63
provincial police, each with its leadership, departments, district police and their
ward police), 1,000,000 tasks on 192 documents, 10,000,000 progress updates, and the
extensions, completion requests, suspensions, cancellations and timeline events that
make every status occur. ``SCALE`` (default 1) scales the counts.

Every task's history is decided in Python by the benchmark city's own rules
(``bench.generate.plan_history``), so that the fields the services maintain (state,
deadline in force, completion date and lateness, pending request, progress, last
report) agree with the workflow records, exactly as in the SQLite city. Rows stream to
PostgreSQL with ``COPY … FROM STDIN`` on one connection per table, in one transaction
each; while they load, the foreign-key triggers are off (``session_replication_role =
replica``: the generator writes consistent keys) and the secondary indexes are dropped,
then rebuilt once at the end, which is several times faster than maintaining them row
by row. Sequences are moved past the generated ids so that the services can write.

Used by ``bench/scale.py``; a tiny run is tested in ``dondoc/core/tests/test_scale_generate.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from bench.generate import (
    DIFFICULTIES,
    DIRECTIONS,
    FAMILY,
    GIVEN,
    GROUPS,
    MIDDLE,
    PRODUCTS,
    PROPOSALS,
    RESULTS,
    TAGS,
    TaskPlan,
    UnitSpec,
    _base36,
    _title,
    _ward_names,
    plan_history,
)

SEED = 15
noon_time = "12:00:00+07"  # the time of day of generated events
FLUSH_BYTES = 1 << 20  # one COPY message per MiB of rows

PROVINCES = [
    "Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "An Giang",
    "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre",
    "Bình Định", "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Đắk Lắk",
    "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam",
    "Hà Tĩnh", "Hải Dương", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang",
    "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định",
    "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam",
    "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình",
    "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "Trà Vinh", "Tuyên Quang",
    "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
]
assert len(PROVINCES) == 63
CITIES = {"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ"}
MINISTRY_DEPARTMENTS = [
    ("V01", "Văn phòng Bộ Công an", "Văn phòng Bộ"),
    ("V03", "Cục Pháp chế và cải cách hành chính, tư pháp", "Cục V03"),
    ("X01", "Cục Tổ chức cán bộ", "Cục TCCB"),
    ("X02", "Cục Công tác đảng và công tác chính trị", "Cục CTĐ&CTCT"),
    ("X03", "Cục Đào tạo", "Cục Đào tạo"),
    ("H01", "Cục Kế hoạch và tài chính", "Cục KH&TC"),
    ("H02", "Cục Quản lý xây dựng và doanh trại", "Cục QLXD&DT"),
    ("H03", "Cục Trang bị và kho vận", "Cục TB&KV"),
    ("A05", "Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao", "Cục A05"),
    ("C06", "Cục Cảnh sát quản lý hành chính về trật tự xã hội", "Cục C06"),
    ("C07", "Cục Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ", "Cục C07"),
    ("C08", "Cục Cảnh sát giao thông", "Cục CSGT"),
    ("K02", "Bộ Tư lệnh Cảnh sát cơ động", "BTL CSCĐ"),
    ("TTR", "Thanh tra Bộ Công an", "Thanh tra Bộ"),
]
# (kind, number, prefix, issuer, issued, parent index, weight of tasks, title)
MINISTRY_DOCUMENTS = [
    ("resolution", "12-NQ/TW", "NQ12", "Bộ Chính trị", dt.date(2022, 3, 16), None, 0,
     "Đẩy mạnh xây dựng lực lượng Công an nhân dân thật sự trong sạch, vững mạnh, chính quy, "
     "tinh nhuệ, hiện đại, đáp ứng yêu cầu nhiệm vụ trong tình hình mới"),
    ("plan", "118-KH/ĐUCA", "KH118", "Đảng ủy Công an Trung ương", dt.date(2022, 5, 25), 0, 5,
     "Kế hoạch thực hiện Nghị quyết số 12-NQ/TW của Bộ Chính trị"),
    ("project", "30/ĐA-BCA", "DA30", "Bộ Công an", dt.date(2023, 11, 7), 0, 3,
     "Đề án xây dựng Công an xã, phường trong sạch, vững mạnh, chính quy, tinh nhuệ, hiện đại"),
]
# Each province's own documents: (kind, number pattern, prefix suffix, parent, weight, title)
PROVINCE_DOCUMENTS = [
    ("programme", "{n}-CTr/ĐU", "CT", "KH118", 3,
     "Chương trình hành động của Đảng ủy Công an tỉnh thực hiện Nghị quyết 12-NQ/TW"),
    ("plan", "{n}/KH-CAT", "KH", "CT", 5,
     "Kế hoạch triển khai Nghị quyết 12-NQ/TW trong Công an tỉnh"),
    ("project", "{n}/ĐA-CAT", "DA", "DA30", 4,
     "Đề án xây dựng Công an xã, phường điển hình, kiểu mẫu trên địa bàn tỉnh"),
]
MINISTRY_TASK_SHARE = 0.08
PASSWORD_UNUSABLE = "!scale-generated-unusable"  # noqa: S105 - unusable ("!"): no sign-in


@dataclass(frozen=True)
class Shape:
    """What the ministry looks like; a kept database is reused only when it is equal."""

    scale: float
    units: int
    provinces: int
    tasks: int
    updates: int
    version: int = 1  # bump when the generator's output changes

    @classmethod
    def for_scale(cls, scale: float) -> Shape:
        tasks = max(500, round(1_000_000 * scale))
        return cls(scale=scale, units=max(120, round(20_000 * scale)),
                   provinces=max(2, min(63, round(63 * scale * 2))), tasks=tasks,
                   updates=10 * tasks)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)


# ---------------------------------------------------------------------------------------
# The unit tree
# ---------------------------------------------------------------------------------------


@dataclass
class Province:
    spec: UnitSpec
    departments: list[UnitSpec]
    districts: list[UnitSpec]
    staff_unit: UnitSpec  # its Phòng Tham mưu: the province staff user's unit
    documents: list[int]  # indexes into the document list (CT, KH, DA)
    lead_pool: list[UnitSpec]
    coordinator_pool: list[UnitSpec]


def ministry_tree(shape: Shape, rng: random.Random) -> tuple[UnitSpec, list[Province],
                                                              list[UnitSpec]]:
    """BCA → leadership, departments, 63 provincial police (agencies, scope roots) → their
    leadership, party committee, departments, district police → ward police."""
    from dondoc.organization.demo import DEPARTMENTS

    root = UnitSpec("BCA", "Bộ Công an", "Bộ Công an", "agency")
    root.children.append(UnitSpec("BCA-LD", "Lãnh đạo Bộ Công an", "Lãnh đạo Bộ", "leadership"))
    ministry_departments = [UnitSpec(f"BCA-{code}", name, short, "department")
                            for code, name, short in MINISTRY_DEPARTMENTS]
    root.children += ministry_departments
    core = 1 + len(root.children)
    budget = max(8, (shape.units - core) // shape.provinces)
    n_departments = min(len(DEPARTMENTS), max(3, budget // 8))
    n_districts = min(11, max(2, budget // 25))
    n_wards = max(n_districts, budget - 2 - n_departments - n_districts)
    provinces: list[Province] = []
    for number, name in enumerate(PROVINCES[:shape.provinces], start=1):
        code = f"T{number:02d}"
        kind_word = "thành phố" if name in CITIES else "tỉnh"
        spec = UnitSpec(code, f"Công an {kind_word} {name}", f"CA {name}", "agency")
        root.children.append(spec)
        spec.children += [
            UnitSpec(f"{code}-BGD", f"Ban Giám đốc Công an {kind_word} {name}", "Ban Giám đốc",
                     "leadership"),
            UnitSpec(f"{code}-DU", f"Đảng ủy Công an {kind_word} {name}", "Đảng ủy", "party"),
        ]
        departments = [UnitSpec(f"{code}-{dept}", dept_name, short, "department")
                       for dept, dept_name, short in DEPARTMENTS[:n_departments]]
        districts = [UnitSpec(f"{code}-Q{index:02d}", f"Công an huyện số {index} ({name})",
                              f"CA huyện {index}", "district")
                     for index in range(1, n_districts + 1)]
        spec.children += departments + districts
        for index, ward in enumerate(_ward_names(n_wards, rng)):
            district = districts[index % len(districts)]
            district.children.append(UnitSpec(
                f"{district.code}-P{len(district.children) + 1:03d}", f"Công an xã {ward}",
                f"CA {ward}", "ward"))
        wards = [ward for district in districts for ward in district.children]
        provinces.append(Province(
            spec=spec, departments=departments, districts=districts,
            staff_unit=departments[0], documents=[],
            lead_pool=departments * 12 + districts * 20 + wards,
            coordinator_pool=departments + districts))
    return root, provinces, ministry_departments


def walk(node: UnitSpec, path: str, depth: int, out: list[tuple[UnitSpec, int]]) -> None:
    node.path = path
    out.append((node, depth))
    for index, child in enumerate(node.children, start=1):
        walk(child, path + _base36(index), depth + 1, out)


# ---------------------------------------------------------------------------------------
# COPY
# ---------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                .replace("\r", "\\r"))
    if isinstance(value, (dict, list)):
        return _text(json.dumps(value, ensure_ascii=False))
    return str(value)


class Table:
    """COPY into one model's table on its own connection: the given columns from each
    row, every other column at its model default (so that a column added later by a
    migration with a default does not break the generator)."""

    def __init__(self, model: Any, columns: list[str], connect: Callable[[], Any],
                 stack: ExitStack) -> None:
        self.model = model
        self.table = model._meta.db_table
        given = set(columns)
        extra: list[str] = []
        suffix: list[str] = []
        for item in model._meta.concrete_fields:
            if item.column in given or (item.primary_key and item.get_internal_type() in
                                        {"AutoField", "BigAutoField", "SmallAutoField"}):
                continue  # given, or numbered by its sequence
            default = item.get_default()
            if default is None and not item.null:
                raise RuntimeError(f"{self.table}.{item.column}: no value and no default; "
                                   "bench/scale_generate.py must write it")
            extra.append(item.column)
            suffix.append(_text(default))
        self.columns = columns + extra
        self.suffix = "".join("\t" + value for value in suffix) + "\n"
        self.connection = stack.enter_context(connect())
        cursor = stack.enter_context(self.connection.cursor())
        cursor.execute("SET session_replication_role = replica")
        names = ", ".join(f'"{name}"' for name in self.columns)
        self.copy = stack.enter_context(cursor.copy(f'COPY "{self.table}" ({names}) FROM STDIN'))
        self.buffer: list[str] = []
        self.size = 0
        self.rows = 0

    def add(self, *values: Any) -> None:
        line = "\t".join(map(_text, values)) + self.suffix
        self.buffer.append(line)
        self.size += len(line)
        self.rows += 1
        if self.size >= FLUSH_BYTES:
            self.flush()

    def add_raw(self, line: str) -> None:
        """A line already in COPY text (the hot path of the ten million updates)."""
        self.buffer.append(line + self.suffix)
        self.size += len(line)
        self.rows += 1
        if self.size >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.copy.write("".join(self.buffer))
            self.buffer = []
            self.size = 0


def secondary_indexes(cursor: Any, tables: list[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of ``tables`` that no constraint owns."""
    cursor.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                             WHERE c.conindid = (quote_ident(i.indexname))::regclass)""",
        [tables])
    return list(cursor.fetchall())


# ---------------------------------------------------------------------------------------
# The ministry
# ---------------------------------------------------------------------------------------


@dataclass
class Facts:
    """What the benchmark needs to know about the generated ministry."""

    counts: dict[str, int]
    seconds: dict[str, float]


def generate(shape: Shape, connect: Callable[[], Any], *, today: dt.date,
             log: Callable[[str], None] = print) -> Facts:
    """Fill the empty, migrated database behind ``connect`` (a psycopg connection factory,
    autocommit off) with the ministry of ``shape``."""
    from dondoc.core.text import fold
    from dondoc.organization.models import Unit, User
    from dondoc.organization.scoping import agencies_along
    from dondoc.plans.models import (
        AgencyCoordination,
        CompletionRequest,
        DeadlineExtension,
        Direction,
        Document,
        Suspension,
        Task,
        TaskEvent,
        TaskGroup,
    )
    from dondoc.progress.models import ProgressUpdate

    rng = random.Random(SEED)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    tables = [model._meta.db_table for model in (
        Unit, User, Document, TaskGroup, Task, Task.coordinating_units.through,
        AgencyCoordination, ProgressUpdate, DeadlineExtension, CompletionRequest, Suspension,
        TaskEvent, Direction)]
    with connect() as admin, admin.cursor() as cursor:
        dropped = secondary_indexes(cursor, tables)
        for name, _definition in dropped:
            cursor.execute(f'DROP INDEX "{name}"')
        admin.commit()
    log(f"  dropped {len(dropped)} secondary indexes for the load")

    root, provinces, ministry_departments = ministry_tree(shape, rng)
    walked: list[tuple[UnitSpec, int]] = []
    walk(root, _base36(1), 1, walked)
    for pk, (spec, _depth) in enumerate(walked, start=1):
        spec.pk = pk
    by_code = {spec.code: spec for spec, _depth in walked}
    stamp = f"{today.isoformat()} 08:00:00+07"

    counts: dict[str, int] = {}
    with ExitStack() as stack:
        def table(model: Any, columns: list[str]) -> Table:
            return Table(model, columns, connect, stack)

        units = table(Unit, ["id", "path", "depth", "numchild", "code", "name", "short_name",
                             "kind", "order", "is_active", "is_scope_root", "search_text",
                             "created_at", "updated_at", "version", "email"])
        for order, (spec, depth) in enumerate(walked, start=1):
            units.add(spec.pk, spec.path, depth, len(spec.children), spec.code, spec.name,
                      spec.short, spec.kind, order, True, spec.kind == "agency",
                      fold(f"{spec.code} {spec.name} {spec.short}")[:400], stamp, stamp, 1, "")

        # Users: one officer per unit (user id = unit id: the author of its reports), and
        # the accounts the benchmark signs in as.
        users = table(User, ["id", "password", "is_superuser", "username", "first_name",
                             "last_name", "email", "is_staff", "is_active", "date_joined",
                             "unit_id", "role", "position", "phone", "language", "otp_exempt",
                             "version", "search_text"])

        def person(pk: int, username: str, unit: UnitSpec, role: str, position: str,
                   otp_exempt: bool = False) -> None:
            last = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)}"
            first = rng.choice(GIVEN)
            users.add(pk, PASSWORD_UNUSABLE, False, username, first, last, "", False, True,
                      stamp, unit.pk, role, position, "", "vi", otp_exempt, 1,
                      fold(f"{username} {last} {first}")[:400])

        for spec, _depth in walked:
            person(spec.pk, f"cb.{spec.code.lower()}", spec, "officer", "Cán bộ")
        next_user = len(walked) + 1
        person(next_user, "scale.ministry", by_code["BCA-V01"], "staff", "Cán bộ Văn phòng Bộ")
        person(next_user + 1, "scale.leader", by_code["BCA-LD"], "leader", "Thứ trưởng",
               otp_exempt=True)
        ministry_staff = next_user
        for index, province in enumerate(provinces):
            person(next_user + 2 + index, f"scale.{province.spec.code.lower()}",
                   province.staff_unit, "staff", "Cán bộ Phòng Tham mưu")
        counts["users"] = users.rows
        counts["units"] = units.rows

        # Documents: the ministry's three, then three of each province.
        documents = table(Document, ["id", "kind", "number", "title", "issuer", "issue_date",
                                     "summary", "parent_id", "owner_unit_id", "code_prefix",
                                     "access_level", "search_text", "created_at",
                                     "updated_at", "version"])
        doc_rows: list[tuple[str, str, dt.date, int | None, int, int, str]] = []
        # (prefix, number, issued, parent id, owner unit pk, weight, kind)
        for kind, number, prefix, issuer, issued, parent, weight, title in MINISTRY_DOCUMENTS:
            pk = len(doc_rows) + 1
            doc_rows.append((prefix, number, issued, parent + 1 if parent is not None else None,
                             root.pk, weight, kind))
            documents.add(pk, kind, number, title, issuer, issued, "",
                          parent + 1 if parent is not None else None, root.pk, prefix,
                          "internal", fold(f"{number} {title} {issuer}")[:800], stamp, stamp, 1)
        prefix_id = {row[0]: index + 1 for index, row in enumerate(doc_rows)}
        for number, province in enumerate(provinces, start=1):
            code = province.spec.code
            issued = dt.date(2022, 7, 1) + dt.timedelta(days=rng.randint(0, 150))
            for kind, pattern, suffix, parent_prefix, weight, title in PROVINCE_DOCUMENTS:
                pk = len(doc_rows) + 1
                parent_id = prefix_id.get(parent_prefix) or prefix_id[f"{code}{parent_prefix}"]
                doc_number = pattern.format(n=number * 10 + len(province.documents) + 1)
                prefix = f"{code}{suffix}"
                prefix_id[prefix] = pk
                doc_rows.append((prefix, doc_number, issued, parent_id, province.spec.pk,
                                 weight, kind))
                province.documents.append(pk - 1)
                full_title = f"{title} ({province.spec.short})"
                documents.add(pk, kind, doc_number, full_title, province.spec.name, issued, "",
                              parent_id, province.spec.pk, prefix, "internal",
                              fold(f"{doc_number} {full_title} {province.spec.name}")[:800],
                              stamp, stamp, 1)
                issued += dt.timedelta(days=rng.randint(20, 120))
        counts["documents"] = documents.rows
        groups = table(TaskGroup, ["id", "document_id", "number", "title", "order"])
        for doc in range(len(doc_rows)):
            for index, (number, title) in enumerate(GROUPS):
                groups.add(doc * len(GROUPS) + index + 1, doc + 1, number, title, index + 1)
        counts["groups"] = groups.rows
        for small in (units, users, documents, groups):
            small.flush()

        tasks = table(Task, ["id", "document_id", "group_id", "parent_id", "code", "title",
                             "description", "lead_unit_id", "assigning_unit_id",
                             "deadline_kind", "due_date", "deadline", "expected_product",
                             "deadline_text", "extra_columns", "priority", "tags", "state",
                             "progress", "assigned_on", "completed_on", "accepted_on",
                             "completion_late", "pending_since", "pending_late",
                             "cancelled_on", "last_progress_on", "is_public", "created_by_id",
                             "search_text", "created_at", "updated_at", "version",
                             "agency_id"])
        through = Task.coordinating_units.through
        coordinations = table(through, ["task_id", "unit_id"])
        elsewhere = table(AgencyCoordination, ["agency_id", "task_id"])
        updates = table(ProgressUpdate, ["task_id", "unit_id", "author_id", "reported_on",
                                         "created_at", "percent", "results", "difficulties",
                                         "proposals"])
        extensions = table(DeadlineExtension, [
            "task_id", "requested_by_id", "requested_on", "current_due", "proposed_due",
            "reason", "status", "decided_on", "decided_by_id", "decision_note", "created_at"])
        requests = table(CompletionRequest, [
            "task_id", "submitted_by_id", "submitted_on", "deadline_at_submission", "late",
            "note", "status", "decided_on", "decided_by_id", "decision_note", "created_at"])
        suspensions = table(Suspension, ["task_id", "start", "end", "reason", "by_id"])
        events = table(TaskEvent, ["task_id", "kind", "actor_id", "at", "summary"])
        directions = table(Direction, ["task_id", "author_id", "text", "created_at"])

        agency_of = agencies_along((spec.pk, spec.path, spec.kind == "agency")
                                   for spec, _depth in walked)
        write_tasks(shape, rng, today, provinces, ministry_departments, root, doc_rows,
                    agency_of=agency_of,
                    staff_of={p.spec.pk: next_user + 2 + i for i, p in enumerate(provinces)},
                    ministry_staff=ministry_staff, leader=next_user + 1,
                    out=_Out(tasks, coordinations, elsewhere, updates, extensions,
                             requests, suspensions, events, directions), log=log)
        for name, item in (("tasks", tasks), ("coordinations", coordinations),
                           ("agency_coordinations", elsewhere),
                           ("progress_updates", updates), ("extensions", extensions),
                           ("completion_requests", requests), ("suspensions", suspensions),
                           ("task_events", events), ("directions", directions)):
            item.flush()
            counts[name] = item.rows
        # Leaving the stack ends each COPY, then commits and closes its connection.
        stack.close()
        seconds["copy"] = time.perf_counter() - started
        log(f"  rows written with COPY and committed in {seconds['copy']:.1f}s")

    started = time.perf_counter()
    with connect() as admin, admin.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SET max_parallel_maintenance_workers = 1")
        for _name, definition in dropped:
            cursor.execute(definition)
        for name in tables:  # sequences past the generated ids
            cursor.execute(f"""SELECT setval(pg_get_serial_sequence('"{name}"', 'id'),
                                  GREATEST(1, (SELECT COALESCE(MAX(id), 0) FROM "{name}")))""")
        admin.commit()
    seconds["indexes"] = time.perf_counter() - started
    log(f"  {len(dropped)} indexes rebuilt in {seconds['indexes']:.1f}s")
    return Facts(counts=counts, seconds=seconds)


@dataclass
class _Out:
    tasks: Table
    coordinations: Table
    agency_coordinations: Table  # what services.agency_coordinations_refresh keeps
    updates: Table
    extensions: Table
    requests: Table
    suspensions: Table
    events: Table
    directions: Table


def write_tasks(shape: Shape, rng: random.Random, today: dt.date, provinces: list[Province],
                ministry_departments: list[UnitSpec], root: UnitSpec,
                doc_rows: list[tuple[str, str, dt.date, int | None, int, int, str]], *,
                agency_of: dict[int, int | None], staff_of: dict[int, int],
                ministry_staff: int, leader: int, out: _Out,
                log: Callable[[str], None]) -> None:
    """Plan each task (the SQLite city's rules), then write it with its whole history."""
    from dondoc.core.text import fold

    province_weights = [3 if p.spec.name.endswith(tuple(CITIES)) else 1 for p in provinces]
    ministry_docs = [index for index, row in enumerate(doc_rows[:len(MINISTRY_DOCUMENTS)])
                     if row[5]]
    ministry_leads = ministry_departments * 4 + [p.spec for p in provinces]
    ministry_coordinators = ministry_departments + [p.spec for p in provinces]
    # Compact facts of the tasks that may be cascaded: (pk, code, lead, assigned, due,
    # document, group, province index or -1); sub-tasks are not cascaded again.
    parents: list[tuple[int, str, UnitSpec, dt.date, dt.date | None, int, int, int]] = []
    children_count: dict[int, int] = {}
    numbers: dict[str, int] = {}
    first_day = dt.date(2022, 6, 1)
    mean_updates = shape.updates / max(1, shape.tasks) / 0.97
    results = [RESULTS[i % len(RESULTS)].format(n=2 + i % 37, p=5 * (i % 20))
               for i in range(97)]
    results = [_text(text) for text in results]
    difficulties = [_text(text) for text in DIFFICULTIES]
    proposals = [_text(text) for text in PROPOSALS]
    day_text: dict[int, str] = {}

    def iso(day: dt.date) -> str:
        ordinal = day.toordinal()
        found = day_text.get(ordinal)
        if found is None:
            found = day_text[ordinal] = day.isoformat()
        return found

    started = time.perf_counter()
    for pk in range(1, shape.tasks + 1):
        parent = None
        if parents and rng.random() < 0.12:
            candidate = parents[rng.randrange(len(parents))]
            if candidate[2].children:
                parent = candidate
        if parent is not None:
            _ppk, pcode, plead, passigned, pdue, document, group, province_index = parent
            lead = rng.choice(plead.children)
            children_count[_ppk] = children_count.get(_ppk, 0) + 1
            code = f"{pcode}.{children_count[_ppk]}"
            assigned = _between(rng, passigned, today - dt.timedelta(days=15))
        else:
            pdue = None
            if rng.random() < MINISTRY_TASK_SHARE:
                province_index = -1
                document = rng.choices(ministry_docs, [doc_rows[i][5] for i in ministry_docs])[0]
                lead = rng.choice(ministry_leads)
            else:
                province_index = rng.choices(range(len(provinces)), province_weights)[0]
                province = provinces[province_index]
                document = rng.choices(province.documents,
                                       [doc_rows[i][5] for i in province.documents])[0]
                lead = rng.choice(province.lead_pool)
            group = document * len(GROUPS) + rng.randrange(len(GROUPS))
            base = f"{doc_rows[document][0]}-{GROUPS[group % len(GROUPS)][0]}"
            numbers[base] = numbers.get(base, 0) + 1
            code = f"{base}.{numbers[base]}"
            assigned = _between(rng, max(first_day, doc_rows[document][2]),
                                today - dt.timedelta(days=20))
        roll = rng.random()
        kind = ("fixed" if roll < 0.86 else "monthly" if roll < 0.91 else "quarterly"
                if roll < 0.94 else "yearly" if roll < 0.96 else "standing")
        due = assigned + dt.timedelta(days=rng.randint(30, 900)) if kind == "fixed" else None
        if parent is not None and due is not None and pdue is not None:
            due = min(due, max(pdue, assigned + dt.timedelta(days=15)))
        pool = (provinces[province_index].coordinator_pool if province_index >= 0
                else ministry_coordinators)
        coordinators = [unit for unit in rng.sample(pool, k=min(len(pool), rng.choice(
            (0, 1, 1, 2, 2, 3)))) if unit.pk != lead.pk]
        title = _title(rng)
        task = TaskPlan(pk=pk, document=document, group=group,
                        parent=parent[0] if parent else None, code=code, title=title,
                        lead=lead, coordinators=coordinators, deadline_kind=kind, due=due,
                        assigned_on=assigned, priority=rng.choices((1, 2, 3, 4), (1, 6, 2, 1))[0],
                        product=rng.choice(PRODUCTS), tags=rng.choice(TAGS))
        plan_history(task, rng, today)
        if parent is None and lead.children:
            parents.append((pk, code, lead, assigned, due, document, group, province_index))
        assigner = root.pk if province_index < 0 else provinces[province_index].spec.pk
        staff = ministry_staff if province_index < 0 else staff_of[assigner]
        # Progress updates: none for a tenth of the open tasks (not started).
        if task.state == "open" and rng.random() < 0.1:
            n_updates = 0
        else:
            n_updates = max(1, round(rng.triangular(1, 2 * mean_updates - 1, mean_updates)))
        if n_updates:
            until = task.report_until or today
            first = assigned.toordinal()
            span = max(0, until.toordinal() - first)
            days = sorted(first + int(rng.random() * (span + 1)) for _ in range(n_updates))
            final = 100 if task.state == "completed" else rng.randint(5, 95)
            reporters = [lead, lead, lead, lead, lead, lead, *coordinators]
            percent = 0
            for index, ordinal in enumerate(days, start=1):
                percent = max(percent, final * index // n_updates)
                unit = reporters[(pk + index) % len(reporters)] if index < n_updates else lead
                day = iso(dt.date.fromordinal(ordinal))
                pick = pk * 7 + index
                out.updates.add_raw(
                    f"{pk}\t{unit.pk}\t{unit.pk}\t{day}\t{day} 16:00:00+07\t{percent}\t"
                    f"{results[pick % 97]}\t"
                    f"{difficulties[pick % 4] if pick % 5 == 0 else ''}\t"
                    f"{proposals[pick % 3] if pick % 10 == 0 else ''}")
            task.last_progress_on = dt.date.fromordinal(days[-1])
            if task.state != "completed":
                task.progress = percent
        state = (("in_progress" if task.last_progress_on else "assigned")
                 if task.state == "open" else task.state)
        out.tasks.add(
            pk, document + 1, group + 1, task.parent, code, title, "", lead.pk, assigner,
            kind, due, task.deadline, task.product, "", {}, task.priority, task.tags, state,
            task.progress, assigned, task.completed_on, task.accepted_on,
            task.completion_late, task.pending_since, task.pending_late, task.cancelled_on,
            task.last_progress_on, False, staff,
            fold(f"{code} {title} {task.product} {task.tags}")[:1200],
            f"{iso(assigned)} {noon_time}", f"{iso(assigned)} {noon_time}", 1,
            agency_of[lead.pk])
        for unit in coordinators:
            out.coordinations.add(pk, unit.pk)
        for agency in sorted({agency_of[unit.pk] for unit in coordinators}
                             - {agency_of[lead.pk], None}):
            out.agency_coordinations.add(agency, pk)
        if task.extension is not None:
            requested, current, proposed, status, decided = task.extension
            out.extensions.add(pk, lead.pk, requested, current, proposed,
                               "Khối lượng công việc lớn, cần thêm thời gian.", status, decided,
                               staff if decided else None,
                               "Không có căn cứ." if status == "refused" else "",
                               f"{iso(requested)} {noon_time}")
        for submitted, late, status, decided in task.requests:
            out.requests.add(pk, lead.pk, submitted, task.deadline, late,
                             "Đã hoàn thành, gửi kèm báo cáo kết quả.", status, decided,
                             staff if decided else None,
                             "Chưa đạt yêu cầu, đề nghị bổ sung." if status == "refused" else "",
                             f"{iso(submitted)} {noon_time}")
        out.events.add(pk, "assigned", staff, f"{iso(assigned)} {noon_time}",
                       f"Giao cho {lead.name}"[:500])
        if task.suspension is not None:
            out.suspensions.add(pk, task.suspension[0], task.suspension[1],
                                "Chờ chủ trương của cấp trên.", staff)
            out.events.add(pk, "state", staff, f"{iso(task.suspension[0])} {noon_time}",
                           "Tạm hoãn: Chờ chủ trương của cấp trên.")
        if task.cancelled_on is not None:
            out.events.add(pk, "state", staff, f"{iso(task.cancelled_on)} {noon_time}",
                           "Hủy: Không còn phù hợp.")
        if rng.random() < 0.01:
            out.directions.add(pk, leader, DIRECTIONS[pk % len(DIRECTIONS)],
                               f"{iso(max(assigned, today - dt.timedelta(days=60)))} "
                               f"{noon_time}")
        if pk % 100_000 == 0:
            rate = pk / (time.perf_counter() - started)
            log(f"  … {pk:,} tasks ({out.updates.rows:,} updates), {rate:,.0f} tasks/s")


def _between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    if last <= first:
        return first
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))
