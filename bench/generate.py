"""A synthetic city for the benchmark: units, users, documents, tasks and their history.

The shape of issue 3's benchmark: 500 units (a city police with its departments and
teams, district police and their ward police, partner agencies), 20,000 tasks in ten
documents of eight task groups each, 200,000 progress updates, and the extensions,
completion requests, suspensions and cancellations that make every status occur.
``BENCH_SCALE`` (default 1.0) scales the counts for quick runs.

The data goes into its own SQLite file, ``var/bench/data/dondoc.sqlite3``: ``configure``
points ``DONDOC_DATA_DIR`` there before Django starts, so the user's ``var/data`` is never
opened. Rows are written with ``bulk_create`` in one transaction, not through the
services (which would take hours for 200,000 rows), so the generator itself keeps every
task's maintained fields (state, deadline in force, completion date and lateness,
pending request, last report, search text) consistent with the workflow records, the
way the services would have left them.

Run alone: ``.venv/bin/python bench/generate.py [--force]``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
DATA_DIR = BENCH_DIR / "data"
DB_FILE = DATA_DIR / "dondoc.sqlite3"
SHAPE_FILE = DATA_DIR / "shape.json"
BATCH = 5000
SEED = 12

STAFF_USERNAME = "bench.staff"
IMPORT_DOCUMENT_PREFIX = "BENCH-IMPORT"


def configure() -> None:
    """Point Django at the benchmark's own data folder and start it (idempotent)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DONDOC_DATA_DIR"] = str(DATA_DIR)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.pop("DATABASE_URL", None)  # the benchmark is defined on SQLite
    os.environ.pop("DONDOC_DEBUG", None)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def scale_from_env() -> float:
    raw = os.environ.get("BENCH_SCALE", "1") or "1"
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(f"BENCH_SCALE must be a number, not {raw!r}") from None
    if not 0 < value <= 10:
        raise SystemExit(f"BENCH_SCALE must be in (0, 10], not {raw!r}")
    return value


@dataclass(frozen=True)
class Shape:
    """What the city looks like; a stored city is reused only when its shape is equal."""

    scale: float
    units: int
    tasks: int
    updates: int
    documents: int = 10
    generator: str = ""  # digest of this file: a changed generator makes a new city

    @classmethod
    def for_scale(cls, scale: float) -> Shape:
        tasks = max(200, round(20_000 * scale))
        digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
        return cls(scale=scale, units=max(60, round(500 * scale)), tasks=tasks,
                   updates=10 * tasks, generator=digest)


def stored_shape() -> dict[str, Any] | None:
    if not (SHAPE_FILE.exists() and DB_FILE.exists()):
        return None
    try:
        stored: dict[str, Any] = json.loads(SHAPE_FILE.read_text())
    except (OSError, ValueError):
        return None
    return stored


# ---------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------

# The demo's departments (dondoc.organization.demo) plus one, read once Django is set up.
EXTRA_DEPARTMENTS = [("PV02", "Phòng Thông tin chuyển đổi số", "Phòng TTCĐS")]
DISTRICTS = [
    ("HC", "Hải Châu", "quận"), ("TK", "Thanh Khê", "quận"), ("ST", "Sơn Trà", "quận"),
    ("NHS", "Ngũ Hành Sơn", "quận"), ("LC", "Liên Chiểu", "quận"), ("CL", "Cẩm Lệ", "quận"),
    ("HV", "Hòa Vang", "huyện"),
]
EXTERNAL = [
    ("BTGTU", "Ban Tuyên giáo Thành ủy", "Ban Tuyên giáo TU"),
    ("BNCTU", "Ban Nội chính Thành ủy", "Ban Nội chính TU"),
    ("UBKTTU", "Ủy ban Kiểm tra Thành ủy", "UBKT Thành ủy"),
    ("STTTT", "Sở Thông tin và Truyền thông", "Sở TT&TT"),
    ("STC", "Sở Tài chính", "Sở Tài chính"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", "Sở KH&ĐT"),
    ("STNMT", "Sở Tài nguyên và Môi trường", "Sở TN&MT"),
    ("SXD", "Sở Xây dựng", "Sở Xây dựng"),
    ("SGTVT", "Sở Giao thông vận tải", "Sở GTVT"),
]
WARD_FIRST = ["Hòa", "An", "Thạch", "Mỹ", "Khuê", "Thanh", "Tân", "Phước", "Bình", "Hải",
              "Nam", "Mân", "Thọ", "Xuân", "Vĩnh", "Chính", "Thuận", "Phú", "Quang", "Minh"]
WARD_SECOND = ["Khánh", "Minh", "Cường", "Thuận", "Xuân", "Phước", "Hiệp", "Trung", "Lợi",
               "Hải", "An", "Thái", "Sơn", "Tiến", "Châu", "Bình", "Thọ", "Mỹ", "Đông", "Tây"]
WARD_SUFFIX = ["", " Bắc", " Nam", " Đông", " Tây", " Trung"]
TEAM_KINDS = ["Đội Tham mưu tổng hợp", "Đội Nghiệp vụ", "Đội Tuần tra, kiểm soát",
              "Đội Điều tra", "Đội Hậu cần", "Đội Kỹ thuật", "Đội Xây dựng lực lượng",
              "Đội Quản lý hành chính"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi",
          "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Minh", "Quốc", "Thanh", "Đức", "Ngọc", "Hữu", "Công", "Thu"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Hương",
         "Khánh", "Lan", "Long", "Mai", "Nam", "Nga", "Phong", "Phúc", "Quân", "Sơn",
         "Tâm", "Thảo", "Thành", "Trang", "Trung", "Tuấn", "Việt", "Vy", "Yến"]

DOCUMENTS = [
    # kind, number, prefix, issuer, issue date, parent index, owner ("BCA" | "CATP"), weight
    ("resolution", "12-NQ/TW", "NQ12", "Bộ Chính trị", dt.date(2022, 3, 16), None, "BCA", 1,
     "Đẩy mạnh xây dựng lực lượng Công an nhân dân thật sự trong sạch, vững mạnh, chính quy, "
     "tinh nhuệ, hiện đại, đáp ứng yêu cầu nhiệm vụ trong tình hình mới"),
    ("plan", "118-KH/ĐUCA", "KH118", "Đảng ủy Công an Trung ương", dt.date(2022, 5, 25), 0,
     "BCA", 2, "Kế hoạch thực hiện Nghị quyết số 12-NQ/TW của Bộ Chính trị"),
    ("programme", "45-CTr/TU", "CTR45", "Ban Thường vụ Thành ủy Đà Nẵng", dt.date(2022, 9, 15),
     1, "CATP", 6, "Chương trình hành động thực hiện Nghị quyết số 12-NQ/TW"),
    ("plan", "201/KH-UBND", "KH201", "Ủy ban nhân dân thành phố Đà Nẵng", dt.date(2022, 10, 3),
     2, "CATP", 8, "Kế hoạch triển khai Nghị quyết 12-NQ/TW trên địa bàn thành phố"),
    ("project", "01/ĐA-CATP", "DA01", "Công an thành phố Đà Nẵng", dt.date(2022, 11, 10), 3,
     "CATP", 20, "Đề án xây dựng Công an thành phố Đà Nẵng trong sạch, vững mạnh, chính quy, "
     "tinh nhuệ, hiện đại"),
    ("component_project", "02/ĐA-CATP", "DA02", "Công an thành phố Đà Nẵng",
     dt.date(2022, 12, 1), 4, "CATP", 14, "Đề án thành phần về tổ chức bộ máy tinh, gọn, mạnh"),
    ("component_project", "03/ĐA-CATP", "DA03", "Công an thành phố Đà Nẵng",
     dt.date(2022, 12, 1), 4, "CATP", 14, "Đề án thành phần về chuyển đổi số và hiện đại hóa"),
    ("resolution", "13-NQ/TU", "NQ13", "Ban Thường vụ Thành ủy Đà Nẵng", dt.date(2023, 5, 9),
     None, "CATP", 10, "Xây dựng Công an phường điển hình, kiểu mẫu về an ninh, trật tự và "
     "văn minh đô thị"),
    ("project", "30/ĐA-BCA", "DA30", "Bộ Công an", dt.date(2023, 11, 7), 0, "CATP", 15,
     "Đề án xây dựng Công an xã, phường trong sạch, vững mạnh, chính quy, tinh nhuệ, hiện đại"),
    ("investment", "15/DA-UBND", "DACAM", "Ủy ban nhân dân thành phố Đà Nẵng",
     dt.date(2022, 8, 20), 3, "CATP", 10,
     "Dự án hệ thống camera giám sát an ninh trật tự có tính năng thông minh"),
]
GROUPS = [
    ("I", "Lãnh đạo của Đảng; quán triệt, tuyên truyền"),
    ("II", "Xây dựng chính trị, tư tưởng, đạo đức, văn hóa"),
    ("III", "Tổ chức bộ máy tinh gọn; Công an xã, phường chính quy"),
    ("IV", "Đội ngũ cán bộ; đào tạo, bồi dưỡng"),
    ("V", "Thể chế, chế độ, chính sách"),
    ("VI", "Hậu cần, cơ sở vật chất, trụ sở, trang bị, phương tiện"),
    ("VII", "Khoa học công nghệ, chuyển đổi số, hiện đại hóa"),
    ("VIII", "Hợp tác quốc tế; phối hợp; phong trào toàn dân bảo vệ an ninh Tổ quốc"),
]
VERBS = ["Triển khai", "Xây dựng", "Tổ chức", "Hoàn thiện", "Rà soát", "Kiện toàn",
         "Tổng kết", "Đánh giá", "Nâng cao hiệu quả", "Đẩy mạnh", "Tăng cường", "Thực hiện",
         "Sắp xếp", "Bồi dưỡng", "Chỉ đạo", "Đôn đốc", "Tham mưu", "Ứng dụng", "Đầu tư",
         "Kiểm tra, giám sát", "Sơ kết", "Quán triệt"]
OBJECTS = ["mô hình Công an phường điển hình, kiểu mẫu", "hệ thống camera giám sát an ninh trật tự",
           "cơ sở dữ liệu quốc gia về dân cư", "trụ sở làm việc Công an xã, phường",
           "phong trào toàn dân bảo vệ an ninh Tổ quốc",
           "công tác phòng cháy, chữa cháy và cứu nạn, cứu hộ", "đề án chuyển đổi số",
           "công tác tuyên truyền Nghị quyết 12-NQ/TW", "đội ngũ cán bộ, chiến sĩ",
           "trang bị phương tiện nghiệp vụ", "quy chế phối hợp với các sở, ban, ngành",
           "công tác bảo đảm trật tự an toàn giao thông", "ứng dụng định danh điện tử VNeID",
           "công tác cải cách hành chính", "chế độ, chính sách đối với cán bộ",
           "kế hoạch đào tạo, bồi dưỡng nghiệp vụ", "công tác quản lý cư trú",
           "hồ sơ nghiệp vụ", "lực lượng Cảnh sát cơ động", "công tác phòng, chống ma túy",
           "công tác bảo đảm an ninh mạng", "công tác thi đua, khen thưởng",
           "tổ chức bộ máy tinh, gọn, mạnh", "quy trình giải quyết thủ tục hành chính",
           "hạ tầng công nghệ thông tin", "công tác kiểm tra điều lệnh Công an nhân dân",
           "văn hóa ứng xử của Công an nhân dân", "công tác xây dựng Đảng trong Công an"]
SCOPES = ["trên địa bàn thành phố", "tại Công an các quận, huyện", "giai đoạn 2022–2025",
          "năm 2024", "theo Nghị quyết 12-NQ/TW", "đến năm 2030", "trong toàn lực lượng",
          "tại các phường, xã", "", "", "theo Kế hoạch 118-KH/ĐUCA", "quý IV", "6 tháng đầu năm",
          "ở các đơn vị trực thuộc"]
PRODUCTS = ["Báo cáo kết quả", "Kế hoạch triển khai", "Quyết định ban hành", "Đề án",
            "Báo cáo sơ kết", "Quy chế phối hợp", "Hệ thống phần mềm", "Tờ trình", ""]
TAGS = ["", "", "", "camera", "chuyển đổi số", "trụ sở", "cán bộ", "tuyên truyền", "PCCC"]
RESULTS = ["Đã tổ chức {n} hội nghị quán triệt đến toàn thể cán bộ, chiến sĩ.",
           "Hoàn thành {p}% khối lượng công việc theo kế hoạch.",
           "Đã lắp đặt {n} camera tại các tuyến đường trọng điểm.",
           "Đã ban hành kế hoạch triển khai và phân công cán bộ phụ trách.",
           "Đã rà soát {n} hồ sơ, cập nhật đầy đủ vào cơ sở dữ liệu.",
           "Đã phối hợp với {n} đơn vị tổ chức kiểm tra thực tế.",
           "Đang hoàn thiện dự thảo báo cáo, xin ý kiến các đơn vị phối hợp.",
           "Đã tập huấn cho {n} lượt cán bộ về quy trình mới."]
DIFFICULTIES = ["Kinh phí chưa được bố trí kịp thời.", "Thiếu nhân lực có chuyên môn.",
                "Mặt bằng xây dựng trụ sở chưa được giải phóng.",
                "Hạ tầng mạng tại một số xã, phường chưa đồng bộ."]
PROPOSALS = ["Đề nghị Phòng Tài chính bố trí kinh phí.",
             "Đề nghị gia hạn thời gian thực hiện.",
             "Đề nghị Ban Giám đốc chỉ đạo các đơn vị phối hợp."]
DIRECTIONS = ["Khẩn trương hoàn thành, báo cáo kết quả trước ngày 30.",
              "Phối hợp chặt chẽ với Phòng Tham mưu, không để chậm tiến độ.",
              "Làm đến đâu dứt điểm đến đó; báo cáo vướng mắc ngay để tháo gỡ."]

# Search phrases the benchmark types (without accents, as users often do); each matches
# a share of the generated titles.
SEARCHES = ["camera giam sat", "don doc", "phong chay", "chuyen doi so", "tru so"]


# ---------------------------------------------------------------------------------------
# The unit tree
# ---------------------------------------------------------------------------------------


@dataclass
class UnitSpec:
    code: str
    name: str
    short: str
    kind: str
    children: list[UnitSpec] = field(default_factory=list)
    pk: int = 0
    path: str = ""


def _base36(number: int, width: int = 4) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits = alphabet[rest] + digits
    return digits.rjust(width, "0")


def _ward_names(count: int, rng: random.Random) -> list[str]:
    names: list[str] = []
    seen: set[str] = {name for _code, name, _level in DISTRICTS}  # no ward named like one
    while len(names) < count:
        name = f"{rng.choice(WARD_FIRST)} {rng.choice(WARD_SECOND)}{rng.choice(WARD_SUFFIX)}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def unit_tree(total: int, rng: random.Random) -> UnitSpec:
    """BCA → CATP → leadership, party committee, departments (with teams), district police
    (with their ward police) and the partner agencies: ``total`` units in all."""
    catp = UnitSpec("CATP", "Công an thành phố Đà Nẵng", "CATP Đà Nẵng", "agency")
    root = UnitSpec("BCA", "Bộ Công an", "Bộ Công an", "agency", [catp])
    catp.children += [
        UnitSpec("BGD", "Ban Giám đốc Công an thành phố", "Ban Giám đốc", "leadership"),
        UnitSpec("DUCA", "Đảng ủy Công an thành phố", "Đảng ủy CATP", "party"),
    ]
    from dondoc.organization.demo import DEPARTMENTS

    departments = [UnitSpec(code, name, short, "department")
                   for code, name, short in [*DEPARTMENTS, *EXTRA_DEPARTMENTS]]
    districts = [UnitSpec(f"CAQ-{code}", f"Công an {level} {name}", f"CA {name}", "district")
                 for code, name, level in DISTRICTS]
    partners = UnitSpec("NGOAI", "Cơ quan, đơn vị phối hợp ngoài ngành", "Đơn vị phối hợp",
                        "group", [UnitSpec(code, name, short, "external")
                                  for code, name, short in EXTERNAL])
    catp.children += departments + districts + [partners]
    core = 2 + 2 + len(departments) + len(districts) + 1 + len(EXTERNAL)
    rest = max(0, total - core)
    teams = rest // 4
    wards = rest - teams
    for index in range(teams):
        dept = departments[index % len(departments)]
        number = len(dept.children) + 1
        label = TEAM_KINDS[(number - 1) % len(TEAM_KINDS)]
        dept.children.append(UnitSpec(f"{dept.code}-D{number}", f"{label} số {number}",
                                      f"Đội {number} {dept.code}", "team"))
    for index, name in enumerate(_ward_names(wards, rng)):
        district = districts[index % len(districts)]
        number = len(district.children) + 1
        level = "xã" if district.code == "CAQ-HV" else "phường"
        district.children.append(UnitSpec(f"{district.code[4:]}-P{number:03d}",
                                          f"Công an {level} {name}", f"CA {name}", "ward"))
    return root


def _walk(node: UnitSpec, path: str, depth: int, out: list[tuple[UnitSpec, int]]) -> None:
    node.path = path
    out.append((node, depth))
    for index, child in enumerate(node.children, start=1):
        _walk(child, path + _base36(index), depth + 1, out)


# ---------------------------------------------------------------------------------------
# Tasks and their history
# ---------------------------------------------------------------------------------------


@dataclass
class TaskPlan:
    """One task with its history, decided in Python before any row is written."""

    pk: int
    document: int
    group: int
    parent: int | None
    code: str
    title: str
    lead: UnitSpec
    coordinators: list[UnitSpec]
    deadline_kind: str
    due: dt.date | None
    assigned_on: dt.date
    priority: int
    product: str
    tags: str
    state: str = "assigned"
    deadline: dt.date | None = None
    progress: int = 0
    completed_on: dt.date | None = None
    accepted_on: dt.date | None = None
    completion_late: bool = False
    pending_since: dt.date | None = None
    pending_late: bool = False
    cancelled_on: dt.date | None = None
    last_progress_on: dt.date | None = None
    updates: int = 0
    report_until: dt.date | None = None
    extension: tuple[Any, ...] | None = None  # (requested, current, proposed, status, decided)
    requests: list[tuple[Any, ...]] = field(default_factory=list)
    suspension: tuple[dt.date, dt.date | None] | None = None


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    if last <= first:
        return first
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _title(rng: random.Random) -> str:
    scope = rng.choice(SCOPES)
    return f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}{' ' + scope if scope else ''}"


def plan_history(task: TaskPlan, rng: random.Random, today: dt.date) -> None:
    """Decide the task's outcome and keep its maintained fields consistent with it."""
    fixed = task.deadline_kind == "fixed"
    task.deadline = task.due
    start = task.assigned_on
    # An extension, decided before anything else happens to the task.
    if fixed and task.due is not None and rng.random() < 0.09:
        requested = _day_between(rng, start + dt.timedelta(days=5), min(task.due, today))
        proposed = task.due + dt.timedelta(days=rng.randint(30, 180))
        roll = rng.random()
        if roll < 0.6 and requested < today:
            decided = _day_between(rng, requested + dt.timedelta(days=1),
                                   min(requested + dt.timedelta(days=10), today))
            task.extension = (requested, task.due, proposed, "approved", decided)
            task.deadline = proposed
            start = decided
        elif roll < 0.85 and requested < today:
            decided = _day_between(rng, requested + dt.timedelta(days=1),
                                   min(requested + dt.timedelta(days=10), today))
            task.extension = (requested, task.due, proposed, "refused", decided)
            start = decided
        else:
            task.extension = (requested, task.due, proposed, "pending", None)
    pending_extension = task.extension is not None and task.extension[3] == "pending"
    roll = rng.random()
    closable = fixed and not pending_extension and (today - start).days > 20
    if roll < 0.012:
        task.cancelled_on = _day_between(rng, start + dt.timedelta(days=1), today)
        task.state = "cancelled"
        task.report_until = task.cancelled_on
    elif closable and roll < 0.6:
        assert task.deadline is not None
        late = rng.random() < 0.25 and task.deadline < today - dt.timedelta(days=3)
        if late:
            submitted = _day_between(rng, task.deadline + dt.timedelta(days=1),
                                     min(task.deadline + dt.timedelta(days=90),
                                         today - dt.timedelta(days=1)))
        else:
            submitted = _day_between(rng, start + dt.timedelta(days=10),
                                     min(task.deadline, today - dt.timedelta(days=1)))
        first = submitted
        if rng.random() < 0.1 and (submitted - start).days > 20:  # returned once before
            first = _day_between(rng, start + dt.timedelta(days=5),
                                 submitted - dt.timedelta(days=10))
            task.requests.append((first, first > task.deadline, "refused",
                                  first + dt.timedelta(days=3)))
        accepted = _day_between(rng, submitted, min(submitted + dt.timedelta(days=10), today))
        task.requests.append((submitted, submitted > task.deadline, "approved", accepted))
        task.state = "completed"
        task.completed_on = submitted
        task.accepted_on = accepted
        task.completion_late = submitted > task.deadline
        task.progress = 100
        task.report_until = submitted
    elif closable and 0.6 <= roll < 0.65:
        assert task.deadline is not None
        submitted = _day_between(rng, max(start + dt.timedelta(days=10),
                                          today - dt.timedelta(days=40)), today)
        late = submitted > task.deadline
        task.requests.append((submitted, late, "pending", None))
        task.state = "submitted"
        task.pending_since = submitted
        task.pending_late = late
        task.report_until = submitted
    elif closable and 0.65 <= roll < 0.67:
        assert task.deadline is not None
        submitted = _day_between(rng, start + dt.timedelta(days=5), today - dt.timedelta(days=5))
        task.requests.append((submitted, submitted > task.deadline, "refused",
                              submitted + dt.timedelta(days=rng.randint(1, 4))))
        task.state = "returned"
        task.report_until = today
    elif not pending_extension and 0.67 <= roll < 0.695:
        began = _day_between(rng, start, today)
        task.suspension = (began, None)
        task.state = "suspended"
        task.report_until = began
    else:
        task.state = "open"  # in_progress or assigned: settled by the updates
        task.report_until = today


def _share_updates(tasks: list[TaskPlan], total: int, rng: random.Random) -> None:
    """Give ``total`` progress updates to the tasks: none for a tenth of the open ones (not
    started), a spread around the mean for the rest, exactly ``total`` in all."""
    receivers = [t for t in tasks if not (t.state == "open" and rng.random() < 0.1)]
    if not receivers:
        return
    mean = total / len(receivers)
    for task in receivers:
        task.updates = max(1, round(rng.triangular(1, 2 * mean - 1, mean)))
    difference = total - sum(task.updates for task in receivers)
    while difference:
        task = rng.choice(receivers)
        if difference > 0:
            task.updates += 1
            difference -= 1
        elif task.updates > 1 and task.updates != 10:
            task.updates -= 1
            difference += 1


def plan_tasks(shape: Shape, units: list[UnitSpec], rng: random.Random,
               today: dt.date) -> list[TaskPlan]:
    by_kind: dict[str, list[UnitSpec]] = {}
    for unit in units:
        by_kind.setdefault(unit.kind, []).append(unit)
    children_of = {unit.pk: unit.children for unit in units}
    lead_pool = (by_kind["department"] * 12 + by_kind.get("district", []) * 20
                 + by_kind.get("ward", []) * 1 + by_kind.get("team", []) * 1
                 + by_kind.get("external", []) * 2)
    coordinator_pool = (by_kind["department"] + by_kind.get("district", [])
                        + by_kind.get("external", []))
    weights = [doc[7] for doc in DOCUMENTS]
    numbers: dict[str, int] = {}
    tasks: list[TaskPlan] = []
    first_day = dt.date(2022, 6, 1)
    for pk in range(1, shape.tasks + 1):
        parent: TaskPlan | None = None
        if tasks and rng.random() < 0.12:
            candidate = tasks[rng.randrange(len(tasks))]
            if candidate.parent is None and children_of.get(candidate.lead.pk):
                parent = candidate
        if parent is not None:
            document, group = parent.document, parent.group
            lead = rng.choice(children_of[parent.lead.pk])
            base = parent.code
            assigned = _day_between(rng, parent.assigned_on, today - dt.timedelta(days=15))
        else:
            document = rng.choices(range(len(DOCUMENTS)), weights)[0]
            group = document * len(GROUPS) + rng.randrange(len(GROUPS))
            lead = rng.choice(lead_pool)
            base = f"{DOCUMENTS[document][2]}-{GROUPS[group % len(GROUPS)][0]}"
            assigned = _day_between(rng, max(first_day, DOCUMENTS[document][4]),
                                    today - dt.timedelta(days=20))
        numbers[base] = numbers.get(base, 0) + 1
        roll = rng.random()
        kind = ("fixed" if roll < 0.86 else "monthly" if roll < 0.91 else "quarterly"
                if roll < 0.94 else "yearly" if roll < 0.96 else "standing")
        due = assigned + dt.timedelta(days=rng.randint(30, 900)) if kind == "fixed" else None
        if parent is not None and due is not None and parent.due is not None:
            due = min(due, max(parent.due, assigned + dt.timedelta(days=15)))
        others = [u for u in rng.sample(coordinator_pool, k=rng.choice((0, 1, 1, 2, 2, 3)))
                  if u.pk != lead.pk]
        task = TaskPlan(
            pk=pk, document=document, group=group, parent=parent.pk if parent else None,
            code=f"{base}.{numbers[base]}", title=_title(rng), lead=lead, coordinators=others,
            deadline_kind=kind, due=due, assigned_on=assigned,
            priority=rng.choices((1, 2, 3, 4), (1, 6, 2, 1))[0],
            product=rng.choice(PRODUCTS), tags=rng.choice(TAGS),
        )
        plan_history(task, rng, today)
        tasks.append(task)
    _share_updates(tasks, shape.updates, rng)
    return tasks


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------


def _batched(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _bulk(model: Any, rows: Iterable[Any]) -> int:
    count = 0
    for batch in _batched(rows):
        model.objects.bulk_create(batch, batch_size=BATCH)
        count += len(batch)
    return count


def _noon(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def write_city(shape: Shape, *, log: Any = print) -> dict[str, int]:
    """Create the city in the (empty, migrated) bench database; return row counts."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from dondoc.core.text import fold
    from dondoc.organization.models import Role, Unit, User
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
    from dondoc.progress.selectors import business_today

    rng = random.Random(SEED)
    today = business_today()
    counts: dict[str, int] = {}
    unusable = make_password(None)  # nobody signs in as these accounts
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")  # a throwaway file: speed over durability

    # Units: computed materialised paths (treebeard's MP scheme, steplen 4, base 36).
    tree = unit_tree(shape.units, rng)
    walked: list[tuple[UnitSpec, int]] = []
    _walk(tree, _base36(1), 1, walked)
    for pk, (spec, _depth) in enumerate(walked, start=1):
        spec.pk = pk
    units = [spec for spec, _depth in walked]
    by_code = {spec.code: spec for spec in units}

    with transaction.atomic():
        counts["units"] = _bulk(Unit, (
            Unit(pk=spec.pk, path=spec.path, depth=depth, numchild=len(spec.children),
                 code=spec.code, name=spec.name, short_name=spec.short, kind=spec.kind,
                 is_scope_root=spec.kind == "agency", order=index, is_active=True,
                 search_text=fold(f"{spec.code} {spec.name} {spec.short}")[:400])
            for index, (spec, depth) in enumerate(walked, start=1)))

        # Users: one officer per unit (authors of its reports), a leader, the staff user.
        users: list[User] = []
        author_of: dict[int, int] = {}
        for spec in units:
            pk = len(users) + 1
            last = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)}"
            first = rng.choice(GIVEN)
            username = f"cb.{spec.code.lower()}"
            users.append(User(pk=pk, username=username, password=unusable, unit_id=spec.pk,
                              role=Role.OFFICER, last_name=last, first_name=first,
                              position="Cán bộ", language="vi",
                              search_text=fold(f"{username} {last} {first}")))
            author_of[spec.pk] = pk
        leader_pk = len(users) + 1
        users.append(User(pk=leader_pk, username="bench.leader", password=unusable,
                          unit_id=by_code["BGD"].pk, role=Role.LEADER, last_name="Nguyễn Văn",
                          first_name="Bình", position="Phó Giám đốc", language="vi",
                          otp_exempt=True, search_text="bench.leader nguyen van binh"))
        staff = User(pk=leader_pk + 1, username=STAFF_USERNAME, password=unusable,
                     unit_id=by_code["PV01"].pk, role=Role.STAFF, last_name="Lê Thị",
                     first_name="Hoa", position="Cán bộ Phòng Tham mưu", language="vi",
                     search_text="bench.staff le thi hoa")
        users.append(staff)
        counts["users"] = _bulk(User, users)

        # Documents and their eight groups each, plus an empty document for the import.
        documents = []
        for pk, (kind, number, prefix, issuer, issued, parent, owner, _w, title) in enumerate(
                DOCUMENTS, start=1):
            documents.append(Document(
                pk=pk, kind=kind, number=number, title=title, issuer=issuer, issue_date=issued,
                parent_id=parent + 1 if parent is not None else None,
                owner_unit_id=by_code[owner].pk, code_prefix=prefix,
                search_text=fold(f"{number} {title} {issuer}")[:800]))
        documents.append(Document(
            pk=len(DOCUMENTS) + 1, kind="plan", number="99/KH-CATP",
            title="Kế hoạch nhập từ phụ lục (benchmark)", issuer="Công an thành phố Đà Nẵng",
            issue_date=today, owner_unit_id=by_code["CATP"].pk,
            code_prefix=IMPORT_DOCUMENT_PREFIX, search_text="99/kh-catp benchmark"))
        counts["documents"] = _bulk(Document, documents)
        counts["groups"] = _bulk(TaskGroup, (
            TaskGroup(pk=doc * len(GROUPS) + index + 1, document_id=doc + 1, number=number,
                      title=title, order=index + 1)
            for doc in range(len(DOCUMENTS)) for index, (number, title) in enumerate(GROUPS)))

        # Tasks and their history.
        started = time.perf_counter()
        plans = plan_tasks(shape, units, rng, today)
        log(f"  planned {len(plans):,} tasks in {time.perf_counter() - started:.1f}s")
        update_rows = _write_updates(plans, rng, author_of, today)
        catp = by_code["CATP"].pk
        agency_of = agencies_along((spec.pk, spec.path, spec.kind == "agency")
                                   for spec, _depth in sorted(walked, key=lambda w: w[0].path))
        counts["tasks"] = _bulk(Task, (
            Task(pk=t.pk, document_id=t.document + 1, group_id=t.group + 1, parent_id=t.parent,
                 code=t.code, title=t.title, lead_unit_id=t.lead.pk, assigning_unit_id=catp,
                 agency_id=agency_of[t.lead.pk],
                 deadline_kind=t.deadline_kind, due_date=t.due, deadline=t.deadline,
                 expected_product=t.product, priority=t.priority, tags=t.tags,
                 state=("in_progress" if t.last_progress_on else "assigned")
                 if t.state == "open" else t.state,
                 progress=t.progress, assigned_on=t.assigned_on, completed_on=t.completed_on,
                 accepted_on=t.accepted_on, completion_late=t.completion_late,
                 pending_since=t.pending_since, pending_late=t.pending_late,
                 cancelled_on=t.cancelled_on, last_progress_on=t.last_progress_on,
                 created_by_id=staff.pk,
                 search_text=fold(f"{t.code} {t.title} {t.product} {t.tags}")[:1200])
            for t in plans))
        through = Task.coordinating_units.through
        counts["coordinations"] = _bulk(through, (
            through(task_id=t.pk, unit_id=u.pk) for t in plans for u in t.coordinators))
        counts["agency_coordinations"] = _bulk(AgencyCoordination, (
            AgencyCoordination(agency_id=agency, task_id=t.pk) for t in plans
            for agency in sorted({agency_of[u.pk] for u in t.coordinators}
                                 - {agency_of[t.lead.pk], None})))
        counts["progress_updates"] = _bulk(ProgressUpdate, update_rows)
        counts["extensions"] = _bulk(DeadlineExtension, (
            DeadlineExtension(task_id=t.pk, requested_by_id=author_of[t.lead.pk],
                              requested_on=e[0], current_due=e[1], proposed_due=e[2],
                              reason="Khối lượng công việc lớn, cần thêm thời gian.",
                              status=e[3], decided_on=e[4],
                              decided_by_id=staff.pk if e[4] else None,
                              decision_note="" if e[3] != "refused" else "Không có căn cứ.")
            for t in plans if (e := t.extension) is not None))
        counts["completion_requests"] = _bulk(CompletionRequest, (
            CompletionRequest(task_id=t.pk, submitted_by_id=author_of[t.lead.pk],
                              submitted_on=r[0], deadline_at_submission=t.deadline, late=r[1],
                              note="Đã hoàn thành, gửi kèm báo cáo kết quả.", status=r[2],
                              decided_on=r[3], decided_by_id=staff.pk if r[3] else None,
                              decision_note="Chưa đạt yêu cầu, đề nghị bổ sung."
                              if r[2] == "refused" else "")
            for t in plans for r in t.requests))
        counts["suspensions"] = _bulk(Suspension, (
            Suspension(task_id=t.pk, start=t.suspension[0], end=t.suspension[1],
                       reason="Chờ chủ trương của cấp trên.", by_id=staff.pk)
            for t in plans if t.suspension is not None))
        events = []
        for t in plans:
            events.append(TaskEvent(task_id=t.pk, kind="assigned", actor_id=staff.pk,
                                    at=_noon(t.assigned_on), summary=f"Giao cho {t.lead.name}"))
            if t.suspension is not None:
                events.append(TaskEvent(task_id=t.pk, kind="state", actor_id=staff.pk,
                                        at=_noon(t.suspension[0]),
                                        summary="Tạm hoãn: Chờ chủ trương của cấp trên."))
            if t.cancelled_on is not None:
                events.append(TaskEvent(task_id=t.pk, kind="state", actor_id=staff.pk,
                                        at=_noon(t.cancelled_on),
                                        summary="Hủy: Không còn phù hợp."))
        counts["task_events"] = _bulk(TaskEvent, events)
        directed = [t for t in plans if rng.random() < 0.03]
        counts["directions"] = _bulk(Direction, (
            Direction(task_id=t.pk, author_id=leader_pk, text=rng.choice(DIRECTIONS))
            for t in directed))
    return counts


def _write_updates(plans: list[TaskPlan], rng: random.Random, author_of: dict[int, int],
                   today: dt.date) -> Iterator[Any]:
    """Progress updates for every task (lazily), setting its progress and last report."""
    from dondoc.progress.models import ProgressUpdate

    rows: list[ProgressUpdate] = []
    for task in plans:
        if not task.updates:
            continue
        until = task.report_until or today
        span = max(0, (until - task.assigned_on).days)
        days = sorted(task.assigned_on + dt.timedelta(days=rng.randint(0, span))
                      for _ in range(task.updates))
        final = 100 if task.state == "completed" else rng.randint(5, 95)
        reporters = [task.lead] * 6 + task.coordinators
        percent = 0
        for index, day in enumerate(days, start=1):
            percent = max(percent, round(final * index / len(days)))
            unit = rng.choice(reporters) if index < len(days) else task.lead
            rows.append(ProgressUpdate(
                task_id=task.pk, unit_id=unit.pk, author_id=author_of[unit.pk], reported_on=day,
                percent=percent,
                results=rng.choice(RESULTS).format(n=rng.randint(2, 40), p=percent),
                difficulties=rng.choice(DIFFICULTIES) if rng.random() < 0.2 else "",
                proposals=rng.choice(PROPOSALS) if rng.random() < 0.1 else ""))
        task.last_progress_on = days[-1]
        if task.state != "completed":
            task.progress = percent
    return iter(rows)


def ensure_city(shape: Shape, *, force: bool = False, log: Any = print) -> bool:
    """Make sure the bench database holds a city of ``shape``; True when it was generated.

    Must run after :func:`configure` and before anything opened the database.
    """
    from django.core.management import call_command
    from django.db import connections

    stored = stored_shape()
    if not force and stored is not None and stored.get("shape") == shape.__dict__:
        log(f"city: reusing {DB_FILE.relative_to(ROOT)} (generated {stored['generated_at']})")
        call_command("migrate", interactive=False, verbosity=0)  # new indexes, if any
        return False
    connections.close_all()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_FILE}{suffix}").unlink(missing_ok=True)
    SHAPE_FILE.unlink(missing_ok=True)
    # A new database starts a new audit chain: its checkpoints go with the old one.
    (DATA_DIR / "audit-checkpoints.jsonl").unlink(missing_ok=True)
    started = time.perf_counter()
    log(f"city: generating {shape.units} units, {shape.tasks:,} tasks, "
        f"{shape.updates:,} updates into {DB_FILE.relative_to(ROOT)} …")
    call_command("migrate", interactive=False, verbosity=0)
    log(f"  migrated in {time.perf_counter() - started:.1f}s")
    counts = write_city(shape, log=log)
    with connections["default"].cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    elapsed = time.perf_counter() - started
    log("  " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
    log(f"city: generated in {elapsed:.1f}s")
    SHAPE_FILE.write_text(json.dumps({
        "shape": shape.__dict__, "counts": counts, "seconds": round(elapsed, 1),
        "generated_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }, indent=2))
    return True


def main() -> None:
    configure()
    ensure_city(Shape.for_scale(scale_from_env()), force="--force" in sys.argv[1:])


if __name__ == "__main__":
    main()
