"""Demo plans: the Resolution 12 document tree of the Da Nang City Police and its tasks.

Loaded by ``dondoc demo`` after the units and the accounts (``DEMO_MODULES``). Every
write goes through :mod:`dondoc.plans.services` with explicit past dates, in one global
chronological order, so the histories are exactly what the status engine reads and the
audit chain records each step.

History up to mid-2026 has fixed dates; the live work (what is open, due soon, overdue
or awaiting confirmation) is dated relative to today (``timezone.localdate()``), so the
dashboards show every status whatever day the demo is loaded. Steps that would fall
after today are left out.

Numbers marked as assumed in ``domain-facts.md`` (the City Party Committee programme,
the City People's Committee plan, the city police project) are fictional and the
summaries say so; people are fictional too.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Max
from django.utils import timezone

from dondoc.organization import scoping
from dondoc.organization.demo import DISTRICTS_DISSOLVED
from dondoc.organization.models import Unit, UnitKind, User
from dondoc.plans import services
from dondoc.plans.models import (
    AccessLevel,
    CompletionRequest,
    DeadlineExtension,
    DeadlineKind,
    Direction,
    Document,
    DocumentKind,
    Priority,
    Task,
    TaskEvent,
    TaskGroup,
)
from dondoc.progress.models import ProgressUpdate

Day = dt.date | int  # a date, or a number of days relative to today
d = dt.date
SEED = 12
TRANSFER_DAY = DISTRICTS_DISSOLVED + dt.timedelta(days=1)
ASSUMED = "Số, ngày văn bản là giả định, dùng cho dữ liệu mẫu."
DISTRICT_CODES = ("CAQ-HC", "CAQ-TK", "CAQ-ST", "CAQ-NHS", "CAQ-LC", "CAQ-CL", "CAH-HV")
# Open tasks of a dissolved district police go to its successor, or to one of its wards.
TRANSFER_TO = {"CAQ-CL": "P-KHUE-TRUNG"}
EXTERNAL_CODES = ("BTGTU", "BNCTU", "UBKTTU", "STTTT", "STC", "SKHDT", "STNMT", "UBND-HC",
                  "UBND-CL")

# Documents ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DocSpec:
    prefix: str
    parent: str | None
    kind: str
    number: str
    title: str
    issuer: str
    issue_date: dt.date
    owner: str
    summary: str
    public: bool = False
    shared: tuple[str, ...] = ()  # codes of units a restricted document is shared with

    @property
    def access_level(self) -> str:
        if self.public:
            return AccessLevel.PUBLIC
        return AccessLevel.RESTRICTED if self.shared else AccessLevel.INTERNAL


DOCUMENTS = [
    DocSpec("NQ12", None, DocumentKind.RESOLUTION, "12-NQ/TW",
            "Về đẩy mạnh xây dựng lực lượng Công an nhân dân thật sự trong sạch, vững mạnh, chính quy, tinh nhuệ, hiện đại, đáp ứng yêu cầu, nhiệm vụ trong tình hình mới",
            "Bộ Chính trị", d(2022, 3, 16), "BCA",
            "Nghị quyết nêu 4 quan điểm chỉ đạo và 7 nhóm nhiệm vụ, giải pháp chủ yếu. Đến năm 2025 lực lượng Công an nhân dân cơ bản tinh, gọn, mạnh; đến năm 2030 chính quy, tinh nhuệ, hiện đại.",
            public=True),
    DocSpec("KH118", "NQ12", DocumentKind.PLAN, "118-KH/ĐUCA",
            "Kế hoạch thực hiện Nghị quyết số 12-NQ/TW ngày 16/3/2022 của Bộ Chính trị",
            "Đảng ủy Công an Trung ương", d(2022, 5, 25), "BCA",
            "Xác định 08 nhóm nhiệm vụ, giải pháp lớn; phân công nhiệm vụ cụ thể cho các đơn vị thuộc Bộ và Công an các tỉnh, thành phố; Bộ Công an xây dựng các đề án thành phần theo từng lực lượng.",
            public=True),
    DocSpec("CTTU", "KH118", DocumentKind.PROGRAMME, "25-CTr/TU",
            "Chương trình hành động thực hiện Nghị quyết số 12-NQ/TW của Bộ Chính trị trên địa bàn thành phố Đà Nẵng",
            "Ban Thường vụ Thành ủy Đà Nẵng", d(2022, 9, 15), "CATP",
            "Xác định trách nhiệm của các cấp ủy, chính quyền, sở, ban, ngành, địa phương trong xây dựng lực lượng Công an thành phố; thành lập Ban Chỉ đạo xây dựng và triển khai Đề án. " + ASSUMED,
            shared=("BTGTU",)),  # restricted: the external viewer theodoi follows it
    DocSpec("KHUB", "CTTU", DocumentKind.PLAN, "186/KH-UBND",
            "Kế hoạch triển khai thực hiện Chương trình hành động của Ban Thường vụ Thành ủy về xây dựng lực lượng Công an thành phố",
            "Ủy ban nhân dân thành phố Đà Nẵng", d(2022, 10, 20), "CATP",
            "Phân công các sở, ban, ngành, UBND các quận, huyện phối hợp với Công an thành phố bảo đảm nguồn lực: kinh phí, quỹ đất, trụ sở, hạ tầng công nghệ thông tin. " + ASSUMED),
    DocSpec("DA01", "KHUB", DocumentKind.PROJECT, "01/ĐA-CATP",
            "Đề án đẩy mạnh xây dựng lực lượng Công an thành phố Đà Nẵng thật sự trong sạch, vững mạnh, chính quy, tinh nhuệ, hiện đại, đáp ứng yêu cầu, nhiệm vụ trong tình hình mới",
            "Công an thành phố Đà Nẵng", d(2022, 12, 20), "CATP",
            "Đề án chung của Công an thành phố, cụ thể hóa 08 nhóm nhiệm vụ, giải pháp của Kế hoạch số 118-KH/ĐUCA, xây dựng trên cơ sở khảo sát thực trạng tổ chức bộ máy, cán bộ, trụ sở, trang thiết bị. " + ASSUMED,
            public=True),
    DocSpec("DA01-3", "DA01", DocumentKind.INVESTMENT, "4125/QĐ-UBND",
            "Dự án Hệ thống camera giám sát an ninh, trật tự gắn với các tính năng thông minh trên địa bàn thành phố",
            "Ủy ban nhân dân thành phố Đà Nẵng", d(2022, 12, 28), "CATP",
            "Dự án đầu tư hệ thống camera giám sát an ninh, trật tự kết nối về trung tâm giám sát của Công an thành phố, triển khai theo giai đoạn và theo quận, huyện. " + ASSUMED,
            public=True),
    DocSpec("DA01-2", "DA01", DocumentKind.COMPONENT_PROJECT, "02/ĐA-CATP",
            "Đề án thành phần xây dựng đội ngũ cán bộ Công an thành phố đáp ứng yêu cầu chính quy, tinh nhuệ, hiện đại",
            "Công an thành phố Đà Nẵng", d(2023, 1, 10), "CATP",
            "Định biên, tuyển chọn, đào tạo, bồi dưỡng, luân chuyển cán bộ; ưu tiên cán bộ cho Công an xã, phường. " + ASSUMED),
    DocSpec("NQ13", "NQ12", DocumentKind.RESOLUTION, "13-NQ/TU",
            "Về xây dựng Công an phường điển hình, kiểu mẫu về an ninh, trật tự và văn minh đô thị",
            "Ban Thường vụ Thành ủy Đà Nẵng", d(2023, 5, 9), "CATP",
            "Xây dựng Công an phường điển hình, kiểu mẫu về an ninh, trật tự và văn minh đô thị, đánh giá theo bộ 20 tiêu chí.",
            public=True),
    DocSpec("DA01-1", "DA01", DocumentKind.COMPONENT_PROJECT, "03/ĐA-CATP",
            "Đề án thành phần xây dựng Công an xã, phường chính quy, điển hình, kiểu mẫu",
            "Công an thành phố Đà Nẵng", d(2023, 6, 20), "CATP",
            "Cụ thể hóa Nghị quyết số 13-NQ/TU: bộ tiêu chí, lựa chọn đơn vị làm điểm, kiểm tra, công nhận theo từng đợt; bảo đảm trụ sở, trang thiết bị cho Công an phường. " + ASSUMED),
    DocSpec("DA30", "NQ12", DocumentKind.PROJECT, "30/ĐA-BCA",
            "Đề án xây dựng Công an xã, phường, thị trấn trong sạch, vững mạnh, chính quy, tinh nhuệ, hiện đại",
            "Bộ Công an", d(2023, 11, 7), "BCA",
            "Xây dựng lực lượng Công an cấp xã trong sạch, vững mạnh, chính quy, tinh nhuệ, hiện đại, làm tốt vai trò nòng cốt bảo đảm an ninh, trật tự ở cơ sở."),
]

GROUPS = [
    ("I", "Tăng cường sự lãnh đạo của Đảng; quán triệt, tuyên truyền"),
    ("II", "Xây dựng chính trị, tư tưởng, đạo đức, văn hóa"),
    ("III", "Tổ chức bộ máy tinh gọn; Công an xã, phường chính quy"),
    ("IV", "Xây dựng đội ngũ cán bộ; đào tạo, bồi dưỡng"),
    ("V", "Hoàn thiện thể chế, chế độ, chính sách"),
    ("VI", "Hậu cần, cơ sở vật chất, trụ sở, trang bị, phương tiện"),
    ("VII", "Khoa học công nghệ, chuyển đổi số, hiện đại hóa"),
    ("VIII", "Hợp tác quốc tế; phối hợp; phong trào toàn dân bảo vệ an ninh Tổ quốc"),
]
GROUPED_DOCUMENTS = ("KH118", "DA01")
# The task group whose wording fits the updates of an ungrouped document.
TOPIC_OF_DOCUMENT = {"DA01-1": "III", "DA01-2": "IV", "DA01-3": "VII", "KHUB": "VI",
                     "CTTU": "I", "NQ13": "III", "DA30": "III"}

# Tasks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ext:
    """A deadline extension: requested, then approved or refused on ``decided``."""

    requested: Day
    proposed: Day
    decided: Day
    approve: bool
    reason: str
    note: str = ""


@dataclass(frozen=True)
class Dir:
    """A leader's direction; ``{han}`` in the text is the date two weeks later."""

    on: Day
    text: str
    ack: Day | None = None


@dataclass(frozen=True)
class Spec:
    """One task and the shape of its life (``plot``).

    Plots: ``done`` (accepted on time), ``late`` (accepted after the deadline), ``open``,
    ``overdue``, ``awaiting`` (completion requested on ``stop``, undecided), ``returned``
    (request of ``stop`` returned, rework pending), ``suspended`` / ``cancelled`` (on
    ``stop``), ``standing``, ``quarterly`` / ``yearly`` (periodic reports), ``missed``
    (quarterly, the last closed quarter not reported).
    """

    key: str
    doc: str
    group: str | None
    title: str
    lead: str
    coord: tuple[str, ...] = ()
    product: str = ""
    plot: str = "done"
    assigned: Day = 0
    due: Day | None = None
    priority: int = Priority.NORMAL
    done_on: Day | None = None
    returned: Day | None = None
    stop: Day | None = None
    exts: tuple[Ext, ...] = ()
    dirs: tuple[Dir, ...] = ()
    parent: str | None = None
    by: str = "CATP"
    public: bool = False
    updates: int | None = None
    description: str = ""
    tags: str = ""
    notes: tuple[str, ...] = ()  # results of the last updates, in order
    progress: int | None = None  # the progress reached by the last update


ALL_DISTRICTS = DISTRICT_CODES
H, U = Priority.HIGH, Priority.URGENT

SPECS: list[Spec] = [
    # Kế hoạch 118: the city police's first steps (2022), before its own project.
    Spec("k-quantriet", "KH118", "I", "Tổ chức hội nghị quán triệt Nghị quyết số 12-NQ/TW của Bộ Chính trị và Kế hoạch số 118-KH/ĐUCA đến cán bộ chủ chốt Công an thành phố",
         "PX03", ("PV01", "DUCA"), "Hội nghị quán triệt; báo cáo kết quả quán triệt", "done",
         d(2022, 6, 1), d(2022, 6, 30), H, done_on=d(2022, 6, 28), public=True,
         description="Tổ chức sau Hội nghị toàn quốc quán triệt Nghị quyết ngày 17/6/2022; kết nối trực tuyến đến Công an các quận, huyện."),
    Spec("k-kehoach", "KH118", "I", "Tham mưu Đảng ủy Công an thành phố ban hành Kế hoạch thực hiện Nghị quyết số 12-NQ/TW và Kế hoạch số 118-KH/ĐUCA",
         "PV01", ("DUCA", "PX03"), "Kế hoạch của Đảng ủy Công an thành phố", "done",
         d(2022, 6, 1), d(2022, 7, 15), H),
    Spec("k-thanhuy", "KH118", "I", "Tham mưu Ban Thường vụ Thành ủy, UBND thành phố ban hành chương trình, kế hoạch thực hiện Nghị quyết số 12-NQ/TW trên địa bàn thành phố",
         "PV01", ("DUCA",), "Dự thảo Chương trình hành động của Thành ủy; dự thảo Kế hoạch của UBND thành phố", "late",
         d(2022, 6, 10), d(2022, 8, 31), U, done_on=d(2022, 9, 12),
         exts=(Ext(d(2022, 8, 25), d(2022, 9, 30), d(2022, 8, 26), False,
                   "Dự thảo Chương trình phải chờ ý kiến của các ban Đảng Thành ủy.",
                   "Không gia hạn; đề nghị chủ động phối hợp Văn phòng Thành ủy để kịp trình Hội nghị Ban Thường vụ."),)),
    Spec("k-bandao", "KH118", "VIII", "Đề xuất Ban Thường vụ Thành ủy thành lập Ban Chỉ đạo nghiên cứu, xây dựng và triển khai Đề án của Công an thành phố",
         "PV01", ("DUCA",), "Tờ trình; Quyết định thành lập Ban Chỉ đạo", "done",
         d(2022, 6, 15), d(2022, 8, 15), H),
    Spec("k-ks-bomay", "KH118", "III", "Khảo sát, rà soát, đánh giá toàn diện thực trạng mô hình tổ chức bộ máy của Công an thành phố và Công an các quận, huyện",
         "PX01", ("PV01", *ALL_DISTRICTS), "Báo cáo đánh giá thực trạng tổ chức bộ máy (số liệu đầu vào của Đề án)", "done",
         d(2022, 6, 20), d(2022, 9, 30), H, public=True, tags="khảo sát"),
    Spec("k-ks-canbo", "KH118", "IV", "Rà soát, đánh giá trình độ, năng lực đội ngũ cán bộ, chiến sĩ; tổng hợp số liệu đầu vào phục vụ xây dựng Đề án",
         "PX01", ("PX03",), "Biểu tổng hợp số liệu cán bộ theo trình độ, độ tuổi, chức danh", "late",
         d(2022, 6, 20), d(2022, 9, 30), H, returned=d(2022, 9, 28), done_on=d(2022, 10, 14), tags="khảo sát"),
    Spec("k-ks-haucan", "KH118", "VI", "Khảo sát, thống kê quỹ đất, trụ sở, trang thiết bị, phương tiện phục vụ công tác của các lực lượng",
         "PH10", ("PH01", "STNMT"), "Báo cáo thực trạng đất đai, trụ sở, phương tiện, trang thiết bị", "late",
         d(2022, 6, 20), d(2022, 9, 30), H, done_on=d(2022, 10, 25), tags="khảo sát, trụ sở",
         dirs=(Dir(d(2022, 10, 10), "Phòng Hậu cần khẩn trương tổng hợp, hoàn thành số liệu khảo sát trước ngày {han}; đây là số liệu đầu vào bắt buộc của Đề án.", d(2022, 10, 11)),)),
    Spec("k-pc08-bomay", "KH118", "III", "Rà soát, đánh giá thực trạng tổ chức bộ máy, biên chế, quân số của Phòng Cảnh sát giao thông và các Đội trực thuộc",
         "PC08", ("PX01",), "Báo cáo thực trạng tổ chức bộ máy của Phòng CSGT", "done",
         d(2022, 6, 20), d(2022, 8, 31), tags="khảo sát"),
    Spec("k-pc08-haucan", "KH118", "VI", "Khảo sát trụ sở, phương tiện, trang thiết bị của Phòng Cảnh sát giao thông; đề xuất nhu cầu đầu tư giai đoạn 2023–2025",
         "PC08", ("PH10",), "Báo cáo khảo sát và danh mục nhu cầu đầu tư", "late",
         d(2022, 6, 20), d(2022, 8, 31), done_on=d(2022, 9, 19), tags="khảo sát, phương tiện"),
    Spec("k-dean", "KH118", "III", "Xây dựng Đề án đẩy mạnh xây dựng lực lượng Công an thành phố Đà Nẵng thật sự trong sạch, vững mạnh, chính quy, tinh nhuệ, hiện đại và các đề án, dự án thành phần",
         "PV01", ("PX01", "PX03", "PH10", "PH01"), "Đề án của Công an thành phố; các đề án, dự án thành phần", "done",
         d(2022, 7, 1), d(2022, 11, 30), U, done_on=d(2022, 12, 16), public=True,
         exts=(Ext(d(2022, 11, 18), d(2022, 12, 25), d(2022, 11, 21), True,
                   "Chờ Bộ Công an cho ý kiến về mô hình tổ chức; cần thêm thời gian tiếp thu ý kiến góp ý của các sở, ngành."),),
         dirs=(Dir(d(2022, 10, 5), "Phòng Tham mưu khẩn trương hoàn thiện dự thảo Đề án, lấy ý kiến các đơn vị, trình Ban Thường vụ Đảng ủy Công an thành phố trong tháng 11/2022.", d(2022, 10, 5)),),
         description="Hoàn thành chậm nhất trong Quý IV/2022 theo chỉ đạo của Ban Giám đốc."),
    Spec("k-lichsu", "KH118", "II", "Hoàn thiện công trình khoa học nghiên cứu lịch sử Công an thành phố Đà Nẵng qua các thời kỳ",
         "PV01", ("PX03",), "Công trình lịch sử Công an thành phố", "late",
         d(2022, 6, 15), d(2023, 8, 19), done_on=d(2023, 10, 20)),
    Spec("k-camera", "KH118", "VII", "Đề xuất Thành ủy, UBND thành phố chủ trương đầu tư Dự án Hệ thống camera giám sát an ninh, trật tự gắn với các tính năng thông minh",
         "PV01", ("PA06", "PC08", "SKHDT"), "Tờ trình đề xuất chủ trương đầu tư", "done",
         d(2022, 6, 1), d(2022, 8, 31), H, tags="camera"),
    Spec("k-tuyentruyen", "KH118", "I", "Phối hợp Ban Tuyên giáo Thành ủy, Sở Thông tin và Truyền thông tuyên truyền sâu rộng Nghị quyết số 12-NQ/TW trên các phương tiện thông tin đại chúng",
         "PX03", ("BTGTU", "STTTT"), "Tin, bài, phóng sự tuyên truyền", "standing",
         d(2022, 6, 20), public=True, tags="tuyên truyền"),
    Spec("k-hc-quantriet", "KH118", "I", "Tổ chức quán triệt Nghị quyết số 12-NQ/TW đến toàn thể cán bộ, chiến sĩ Công an quận Hải Châu",
         "CAQ-HC", (), "Báo cáo kết quả quán triệt", "done", d(2022, 6, 25), d(2022, 7, 31)),
    Spec("k-cl-quantriet", "KH118", "I", "Tổ chức quán triệt Nghị quyết số 12-NQ/TW đến toàn thể cán bộ, chiến sĩ Công an quận Cẩm Lệ",
         "CAQ-CL", (), "Báo cáo kết quả quán triệt", "done", d(2022, 6, 25), d(2022, 7, 31)),
    Spec("k-st-quantriet", "KH118", "I", "Tổ chức quán triệt Nghị quyết số 12-NQ/TW đến toàn thể cán bộ, chiến sĩ Công an quận Sơn Trà",
         "CAQ-ST", (), "Báo cáo kết quả quán triệt", "late", d(2022, 6, 25), d(2022, 7, 31),
         done_on=d(2022, 8, 12)),
    Spec("k-hv-quantriet", "KH118", "I", "Tổ chức quán triệt Nghị quyết số 12-NQ/TW đến toàn thể cán bộ, chiến sĩ Công an huyện Hòa Vang",
         "CAH-HV", (), "Báo cáo kết quả quán triệt", "done", d(2022, 6, 25), d(2022, 7, 31)),
    Spec("k-nhs-khaosat", "KH118", "VI", "Khảo sát trụ sở, trang thiết bị của Công an các phường trên địa bàn quận Ngũ Hành Sơn",
         "CAQ-NHS", ("PH10",), "Biểu tổng hợp khảo sát trụ sở, trang thiết bị", "done",
         d(2022, 6, 25), d(2022, 8, 31), tags="khảo sát, trụ sở"),
    # Đề án 01/ĐA-CATP, group I: leadership, dissemination.
    Spec("d1-tt2023", "DA01", "I", "Xây dựng kế hoạch tuyên truyền thực hiện Đề án năm 2023",
         "PX03", ("BTGTU", "STTTT"), "Kế hoạch tuyên truyền năm 2023", "done",
         d(2023, 1, 5), d(2023, 2, 28), tags="tuyên truyền"),
    Spec("d1-sk1", "DA01", "I", "Tổ chức sơ kết 01 năm thực hiện Nghị quyết số 12-NQ/TW",
         "PV01", ("PX03", "DUCA"), "Hội nghị sơ kết; báo cáo sơ kết 01 năm", "done",
         d(2023, 1, 16), d(2023, 3, 31), H, done_on=d(2023, 3, 24), public=True),
    Spec("d1-sk3", "DA01", "I", "Tổ chức sơ kết 03 năm thực hiện Nghị quyết số 12-NQ/TW; đề xuất điều chỉnh lộ trình giai đoạn 2025–2030",
         "PV01", ("PX03", "DUCA", "PX01"), "Hội nghị sơ kết; báo cáo sơ kết 03 năm", "late",
         d(2024, 12, 20), d(2025, 3, 31), H, done_on=d(2025, 4, 18), public=True,
         dirs=(Dir(d(2025, 3, 20), "Báo cáo sơ kết cần đánh giá rõ tác động của việc tổ chức lại Công an cấp huyện; đề xuất điều chỉnh chỉ tiêu giai đoạn 2025–2030.", d(2025, 3, 21)),)),
    Spec("d1-tk5", "DA01", "I", "Chuẩn bị tổng kết 05 năm thực hiện Nghị quyết số 12-NQ/TW: xây dựng đề cương báo cáo, hệ thống biểu mẫu số liệu",
         "PV01", ("PX03", "DUCA"), "Đề cương báo cáo tổng kết; bộ biểu mẫu số liệu", "open", -45, 75, H),
    Spec("d1-quy", "DA01", "I", "Tổng hợp, báo cáo kết quả thực hiện Nghị quyết số 12-NQ/TW và Đề án hằng quý gửi Đảng ủy, Ban Giám đốc",
         "PV01", (), "Báo cáo quý", "quarterly", d(2023, 1, 10), tags="báo cáo định kỳ"),
    Spec("d1-pc08-quy", "DA01", "I", "Báo cáo kết quả thực hiện Nghị quyết số 12-NQ/TW tại Phòng Cảnh sát giao thông hằng quý",
         "PC08", (), "Báo cáo quý của Phòng CSGT", "quarterly", d(2023, 4, 3), tags="báo cáo định kỳ"),
    Spec("d1-guong", "DA01", "I", "Tuyên truyền gương người tốt, việc tốt, mô hình hay trong thực hiện Nghị quyết số 12-NQ/TW trên Trang thông tin điện tử Công an thành phố",
         "PX03", ("PV05",), "Tin, bài trên Trang thông tin điện tử", "standing", d(2023, 1, 10),
         public=True, tags="tuyên truyền"),
    # Group II: politics, ideology, ethics, culture.
    Spec("d2-giaoduc", "DA01", "II", "Xây dựng, triển khai kế hoạch giáo dục chính trị, tư tưởng, đạo đức, lối sống cho cán bộ, chiến sĩ giai đoạn 2023–2025",
         "PX03", (), "Kế hoạch giáo dục chính trị, tư tưởng", "done", d(2023, 1, 10), d(2023, 3, 15)),
    Spec("d2-vanhoa", "DA01", "II", "Xây dựng và nhân rộng mô hình thực hiện Quy định văn hóa ứng xử của Công an nhân dân tại các đơn vị",
         "PX03", ("PV01",), "Báo cáo kết quả năm; danh sách mô hình", "yearly", d(2023, 2, 1)),
    Spec("d2-kiemtra", "DA01", "II", "Kiểm tra việc chấp hành điều lệnh, kỷ luật, đạo đức, lối sống của cán bộ, chiến sĩ",
         "PX05", ("PX03",), "Thông báo kết quả kiểm tra", "standing", d(2023, 1, 10)),
    Spec("d2-tutuong", "DA01", "II", "Nắm tình hình tư tưởng cán bộ, chiến sĩ trong quá trình sắp xếp tổ chức bộ máy, kết thúc hoạt động Công an cấp huyện",
         "PX03", ("PX01",), "Báo cáo tình hình tư tưởng", "done", d(2025, 1, 10), d(2025, 3, 31), H),
    Spec("d2-sinhhoat", "DA01", "II", "Tổ chức sinh hoạt chuyên đề “Xây dựng lực lượng Công an thành phố thật sự trong sạch, vững mạnh” tại các chi bộ",
         "PX03", ("DUCA",), "Báo cáo kết quả sinh hoạt chuyên đề", "open", -70, 1),
    # Group III: organisation.
    Spec("d3-phongban", "DA01", "III", "Rà soát chức năng, nhiệm vụ; sắp xếp đội, trạm của các phòng nghiệp vụ theo hướng tinh gọn đầu mối",
         "PX01", ("PV01",), "Phương án sắp xếp; quyết định điều chỉnh tổ chức", "done",
         d(2023, 2, 1), d(2023, 6, 30), H),
    Spec("d3-congan-xa", "DA01", "III", "Bố trí đủ Công an chính quy đảm nhiệm các chức danh Công an xã theo quy định",
         "PX01", ("CAH-HV",), "Quyết định điều động, bố trí", "late",
         d(2023, 2, 1), d(2023, 6, 30), done_on=d(2023, 8, 15)),
    Spec("d3-sapxep-phuong", "DA01", "III", "Kiện toàn tổ chức Công an các phường sau sắp xếp đơn vị hành chính cấp xã (có hiệu lực từ 01/01/2025)",
         "PX01", ("PV01", *ALL_DISTRICTS), "Quyết định kiện toàn tổ chức Công an phường", "done",
         d(2024, 10, 15), d(2024, 12, 31), U, done_on=d(2024, 12, 27)),
    Spec("d3-2cap", "DA01", "III", "Xây dựng phương án tổ chức lại khi kết thúc hoạt động Công an cấp huyện; Công an xã, phường trực thuộc Công an thành phố",
         "PX01", ("PV01", "PX03", "PH10"), "Phương án tổ chức lại; dự thảo quyết định", "done",
         d(2024, 12, 5), d(2025, 2, 20), U, done_on=d(2025, 2, 18), public=True,
         dirs=(Dir(d(2025, 1, 8), "Bảo đảm không để gián đoạn công tác bảo đảm an ninh, trật tự và giải quyết thủ tục hành chính cho người dân trong quá trình sắp xếp.", d(2025, 1, 8)),)),
    Spec("d3-hoso", "DA01", "III", "Tiếp nhận hồ sơ, tài liệu nghiệp vụ của Công an các quận, huyện khi kết thúc hoạt động",
         "PV06", ("PH10", *ALL_DISTRICTS), "Biên bản giao nhận hồ sơ, tài liệu", "late",
         d(2025, 1, 20), d(2025, 3, 31), H, done_on=d(2025, 4, 22)),
    Spec("d3-quyche", "DA01", "III", "Hoàn thiện quy chế phối hợp giữa các phòng nghiệp vụ với Công an xã, phường sau khi tổ chức lại Công an cấp huyện",
         "PV01", ("PX01", "PC06"), "Quy chế phối hợp", "open", -130, 30),
    # Group IV: personnel, training.
    Spec("d4-kehoach", "DA01", "IV", "Xây dựng kế hoạch đào tạo, bồi dưỡng cán bộ giai đoạn 2023–2025",
         "PX01", (), "Kế hoạch đào tạo, bồi dưỡng", "done", d(2023, 1, 10), d(2023, 3, 31)),
    Spec("d4-quyhoach", "DA01", "IV", "Rà soát, bổ sung quy hoạch cán bộ lãnh đạo, chỉ huy các cấp nhiệm kỳ 2025–2030",
         "PX01", ("DUCA",), "Quyết định phê duyệt quy hoạch", "late",
         d(2024, 3, 1), d(2024, 9, 30), H, done_on=d(2024, 11, 5),
         exts=(Ext(d(2024, 9, 20), d(2024, 10, 31), d(2024, 9, 23), True,
                   "Chờ hướng dẫn của Bộ Công an về quy hoạch cán bộ nhiệm kỳ 2025–2030."),)),
    Spec("d4-daotao", "DA01", "IV", "Cử cán bộ tham gia đào tạo sau đại học, cao cấp lý luận chính trị theo chỉ tiêu được giao",
         "PX01", ("PX03",), "Quyết định cử cán bộ đi học", "yearly", d(2023, 1, 10)),
    Spec("d4-taphuan", "DA01", "IV", "Tổ chức tập huấn nghiệp vụ cho cán bộ Công an xã, phường năm 2024",
         "PX01", ("PC06", "PV05"), "Lớp tập huấn; báo cáo kết quả", "done", d(2024, 3, 1), d(2024, 8, 31)),
    Spec("d4-bosung", "DA01", "IV", "Điều động, bổ sung cán bộ cho Công an các phường còn thiếu so với định biên sau sắp xếp",
         "PX01", ("PV01",), "Quyết định điều động", "overdue", -160, -8, H,
         dirs=(Dir(-20, "Phòng Tổ chức cán bộ báo cáo cụ thể số lượng còn thiếu ở từng phường, đề xuất phương án bổ sung trước ngày {han}.", -19),)),
    Spec("d4-ngoaingu", "DA01", "IV", "Bồi dưỡng ngoại ngữ, tin học cho cán bộ trẻ đáp ứng yêu cầu hội nhập quốc tế",
         "PX01", ("PA01", "PA08"), "Các lớp bồi dưỡng; danh sách học viên đạt chuẩn", "open", -200, 100),
    # Group V: institutions, policies.
    Spec("d5-chinhsach", "DA01", "V", "Tham mưu UBND thành phố trình HĐND thành phố ban hành chính sách hỗ trợ đối với lực lượng Công an xã, phường",
         "PV01", ("PH01", "STC"), "Tờ trình; dự thảo Nghị quyết của HĐND thành phố", "late",
         d(2023, 2, 15), d(2023, 7, 31), H, returned=d(2023, 9, 25), done_on=d(2023, 10, 20),
         exts=(Ext(d(2023, 7, 25), d(2023, 9, 30), d(2023, 7, 28), True,
                   "Chờ Sở Tài chính thẩm định định mức hỗ trợ."),)),
    Spec("d5-quyche", "DA01", "V", "Sửa đổi, bổ sung Quy chế làm việc của Ban Giám đốc Công an thành phố",
         "PV01", (), "Quy chế làm việc (sửa đổi)", "done", d(2023, 1, 10), d(2023, 4, 30)),
    Spec("d5-baocao", "DA01", "V", "Ban hành quy định về chế độ thông tin, báo cáo kết quả thực hiện Nghị quyết số 12-NQ/TW",
         "PV01", (), "Quy định chế độ thông tin, báo cáo", "done", d(2023, 1, 10), d(2023, 3, 31)),
    Spec("d5-phanmem", "DA01", "V", "Đưa phần mềm theo dõi, đôn đốc thực hiện nhiệm vụ vào sử dụng thống nhất trong toàn Công an thành phố",
         "PV01", ("PA06", "PX05"), "Phần mềm vận hành chính thức; quy chế sử dụng", "open", -120, 3, H,
         tags="chuyển đổi số"),
    Spec("d5-trangbi", "DA01", "V", "Đề xuất HĐND thành phố hỗ trợ kinh phí mua sắm trang thiết bị cho Công an xã, phường",
         "PH01", ("STC", "PH10"), "Tờ trình; Nghị quyết hỗ trợ kinh phí", "late",
         d(2024, 1, 15), d(2024, 6, 30), done_on=d(2024, 7, 20)),
    # Group VI: logistics, headquarters, equipment.
    Spec("d6-truso", "DA01", "VI", "Lập danh mục, đề xuất đầu tư xây dựng trụ sở Công an xã, phường giai đoạn 2023–2025",
         "PH10", ("STNMT", "SKHDT"), "Danh mục đầu tư trụ sở", "done", d(2023, 1, 10), d(2023, 5, 31),
         tags="trụ sở"),
    Spec("d6-oto", "DA01", "VI", "Cấp phát ô tô bán tải, xe mô tô, trang thiết bị cho Công an xã theo tiêu chuẩn, định mức",
         "PH10", ("PH01",), "Biên bản bàn giao phương tiện", "done", d(2023, 3, 1), d(2023, 9, 30),
         tags="phương tiện"),
    Spec("d6-taisan", "DA01", "VI", "Tiếp nhận, quản lý tài sản, trụ sở của Công an các quận, huyện sau khi kết thúc hoạt động",
         "PH10", ("PH01", *ALL_DISTRICTS), "Biên bản tiếp nhận tài sản, trụ sở", "done",
         d(2025, 1, 20), d(2025, 4, 30), H, done_on=d(2025, 4, 25), tags="trụ sở"),
    Spec("d6-hoaminh", "DA01", "VI", "Hoàn thành xây dựng, đưa vào sử dụng trụ sở Công an phường Hòa Minh",
         "PH10", ("P-HOA-MINH", "SKHDT"), "Công trình trụ sở đưa vào sử dụng", "open",
         d(2024, 3, 1), -40, updates=4, tags="trụ sở",
         exts=(Ext(-55, 45, -50, True, "Nhà thầu chậm tiến độ do vướng mặt bằng phần hạ tầng kỹ thuật; đã có văn bản cam kết hoàn thành."),)),
    Spec("d6-xechuachay", "DA01", "VI", "Đầu tư bổ sung xe chữa cháy, phương tiện cứu nạn, cứu hộ cho các Đội Cảnh sát PCCC và CNCH khu vực",
         "PC07", ("PH10", "PH01", "STC"), "Phương tiện được cấp phát", "suspended",
         d(2025, 5, 10), 150, stop=-75, tags="phương tiện"),
    Spec("d6-thaotruong", "DA01", "VI", "Xây dựng thao trường huấn luyện tập trung tại huyện Hòa Vang",
         "PK02", ("PH10", "CAH-HV"), "Thao trường đưa vào sử dụng", "cancelled",
         d(2023, 6, 1), d(2025, 12, 31), stop=d(2025, 8, 15)),
    Spec("d6-maytinh", "DA01", "VI", "Rà soát, trang bị bổ sung máy tính, thiết bị tin học cho Công an xã, phường",
         "PH10", ("PA06",), "Danh mục trang bị; biên bản bàn giao", "open", -90, 60, updates=0),
    # Group VII: science, technology, digital transformation.
    Spec("d7-de06", "DA01", "VII", "Triển khai Đề án 06/CP về phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử",
         "PC06", ("PA06", "STTTT"), "Báo cáo kết quả triển khai", "done", d(2023, 1, 10), d(2023, 12, 31), H,
         tags="chuyển đổi số"),
    Spec("d7-csdl", "DA01", "VII", "Xây dựng cơ sở dữ liệu chuyên ngành phục vụ công tác tham mưu, thống kê",
         "PV01", ("PA06", "PV06"), "Cơ sở dữ liệu vận hành thử nghiệm", "open", -220, 70,
         tags="chuyển đổi số"),
    Spec("d7-sohoa", "DA01", "VII", "Số hóa hồ sơ nghiệp vụ lưu trữ theo kế hoạch hằng năm",
         "PV06", ("PA06",), "Báo cáo khối lượng hồ sơ đã số hóa", "yearly", d(2023, 3, 1),
         tags="chuyển đổi số"),
    Spec("d7-ai", "DA01", "VII", "Nghiên cứu, thử nghiệm ứng dụng trí tuệ nhân tạo trong phân tích dữ liệu phục vụ công tác điều tra",
         "PA05", ("PA06", "PC09"), "Báo cáo kết quả thử nghiệm", "suspended", d(2025, 9, 1), 120, stop=-40),
    Spec("d7-anm", "DA01", "VII", "Bảo đảm an ninh, an toàn hệ thống thông tin, mạng máy tính của Công an thành phố",
         "PA05", ("PA06",), "Báo cáo kiểm tra an ninh mạng", "standing", d(2023, 1, 10)),
    Spec("d7-pc08", "DA01", "VII", "Xây dựng Đề án nâng cao năng lực tuần tra, kiểm soát, xử lý vi phạm trật tự, an toàn giao thông theo hướng hiện đại",
         "PC08", ("PV01", "PH10", "PA06"), "Đề án trình Ban Giám đốc", "overdue", -200, -21, H,
         notes=("Đã xây dựng đề cương Đề án, thành lập tổ biên tập gồm lãnh đạo các Đội.",
                "Đã hoàn thành dự thảo phần đánh giá thực trạng; phần trang bị phương tiện chờ hướng dẫn của Bộ Công an."),
         exts=(Ext(-35, 60, -31, False, "Chờ Bộ Công an ban hành hướng dẫn về trang bị phương tiện kỹ thuật nghiệp vụ mới.",
                   "Nội dung Đề án không phụ thuộc hướng dẫn mới; đề nghị Phòng CSGT hoàn thành đúng thời hạn, phần trang bị cập nhật sau."),),
         dirs=(Dir(-6, "Yêu cầu Phòng CSGT báo cáo giải trình lý do chậm tiến độ, đề xuất biện pháp khắc phục; hoàn thành, trình Ban Giám đốc trước ngày {han}."),)),
    Spec("d7-dvc", "DA01", "VII", "Nâng cao tỷ lệ hồ sơ thủ tục hành chính được giải quyết trực tuyến toàn trình",
         "PC06", ("PA08", "STTTT"), "Báo cáo tỷ lệ hồ sơ trực tuyến", "open", -150, 40, tags="chuyển đổi số"),
    # Group VIII: cooperation, coordination, the mass movement.
    Spec("d8-quyche", "DA01", "VIII", "Ký kết, triển khai quy chế phối hợp với các sở, ban, ngành thành phố trong bảo đảm nguồn lực thực hiện Đề án",
         "PV01", ("STC", "SKHDT", "STNMT"), "Quy chế phối hợp đã ký kết", "done", d(2023, 2, 1), d(2023, 6, 30)),
    Spec("d8-htqt", "DA01", "VIII", "Tranh thủ nguồn lực hợp tác quốc tế trong đào tạo, bồi dưỡng và trang bị phương tiện cho lực lượng Công an thành phố",
         "PA01", ("PX01", "PH10"), "Báo cáo kết quả hợp tác", "late", d(2023, 6, 1), d(2024, 6, 30),
         done_on=d(2024, 8, 9)),
    Spec("d8-phongtrao", "DA01", "VIII", "Sơ kết, khen thưởng phong trào toàn dân bảo vệ an ninh Tổ quốc hằng năm",
         "PV05", ("PX03",), "Báo cáo sơ kết; quyết định khen thưởng", "yearly", d(2023, 1, 10)),
    Spec("d8-camera-dan", "DA01", "VIII", "Đánh giá hiệu quả mô hình “Camera an ninh” do Nhân dân đóng góp xã hội hóa",
         "PV05", ("STTTT",), "Báo cáo đánh giá mô hình", "awaiting", -120, 15, stop=-4),
    Spec("d8-pc08-mohinh", "DA01", "VIII", "Tổng kết mô hình “Tuyến đường kiểu mẫu về trật tự, an toàn giao thông, văn minh đô thị”",
         "PC08", ("PV05", "UBND-HC"), "Báo cáo tổng kết mô hình", "awaiting", -150, 10, stop=-3),
    Spec("d8-tdp", "DA01", "VIII", "Nhân rộng mô hình “Tổ dân phố an toàn về an ninh, trật tự”",
         "PV05", ("UBND-HC", "UBND-CL"), "Báo cáo quý về số mô hình được nhân rộng", "missed", d(2024, 1, 10)),
    Spec("d4-pc08-huanluyen", "DA01", "IV", "Xây dựng kế hoạch huấn luyện điều lệnh, võ thuật, bắn súng cho cán bộ, chiến sĩ Phòng Cảnh sát giao thông năm {next}",
         "PC08", ("PX01",), "Kế hoạch huấn luyện", "returned", -90, 20, stop=-12),
    # Đề án thành phần: Công an xã, phường điển hình, kiểu mẫu.
    Spec("p-tieuchi", "DA01-1", None, "Xây dựng, hướng dẫn bộ tiêu chí Công an phường điển hình, kiểu mẫu về an ninh, trật tự và văn minh đô thị",
         "PV05", ("PV01", "PC06"), "Bộ 20 tiêu chí và hướng dẫn chấm điểm", "done",
         d(2023, 6, 22), d(2023, 7, 31), H, public=True),
    Spec("p-diem", "DA01-1", None, "Lựa chọn mỗi quận, huyện 01 Công an phường, xã làm điểm xây dựng mô hình",
         "PV01", ALL_DISTRICTS, "Quyết định chọn đơn vị làm điểm", "done", d(2023, 6, 22), d(2023, 7, 15)),
    Spec("p-dot1", "DA01-1", None, "Kiểm tra, đánh giá, công nhận Công an phường điển hình, kiểu mẫu đợt 1",
         "PV01", ("PX05", "PV05"), "Quyết định công nhận đợt 1", "late", d(2024, 1, 15), d(2024, 6, 30),
         done_on=d(2024, 7, 26), public=True),
    Spec("p-dot2", "DA01-1", None, "Kiểm tra, đánh giá, công nhận Công an phường điển hình, kiểu mẫu đợt 2",
         "PV01", ("PX05", "PV05"), "Quyết định công nhận đợt 2", "open", -100, 20, H),
    Spec("p-truso", "DA01-1", None, "Bố trí trụ sở làm việc độc lập cho Công an các phường còn mượn trụ sở tạm",
         "PH10", ("STNMT", "UBND-HC", "UBND-CL"), "Danh sách trụ sở được bố trí", "overdue",
         d(2024, 2, 1), -30, H, tags="trụ sở",
         dirs=(Dir(-15, "Phòng Hậu cần phối hợp Sở Tài nguyên và Môi trường, UBND các quận rà soát từng trường hợp, báo cáo Ban Giám đốc để đề xuất UBND thành phố.", -14),)),
    Spec("p-hc-chidao", "DA01-1", None, "Chỉ đạo, hướng dẫn Công an các phường trên địa bàn quận Hải Châu xây dựng mô hình điển hình, kiểu mẫu",
         "CAQ-HC", ("PV05",), "Kế hoạch của Công an quận; báo cáo kết quả", "done", d(2023, 7, 1), d(2024, 6, 30)),
    Spec("p-thach-thang", "DA01-1", None, "Xây dựng Công an phường Thạch Thang điển hình, kiểu mẫu về an ninh, trật tự và văn minh đô thị",
         "P-THACH-THANG", (), "Hồ sơ đề nghị công nhận", "done", d(2023, 7, 10), d(2024, 5, 31),
         by="CAQ-HC", public=True),
    Spec("p-hoa-cuong", "DA01-1", None, "Khắc phục các tiêu chí chưa đạt theo kết quả tự đánh giá của Công an phường Hòa Cường Bắc",
         "P-HOA-CUONG-BAC", (), "Báo cáo khắc phục", "late", d(2023, 8, 1), d(2024, 3, 31),
         by="CAQ-HC", done_on=d(2024, 4, 26)),
    Spec("p-tk", "DA01-1", None, "Rà soát, bố trí lực lượng Công an phường Tân Chính, Thạc Gián sau sắp xếp đơn vị hành chính",
         "CAQ-TK", ("PX01",), "Phương án bố trí lực lượng", "done", d(2024, 10, 20), d(2024, 12, 31)),
    Spec("p-st", "DA01-1", None, "Xây dựng mô hình “Khu du lịch an toàn về an ninh, trật tự” tại bán đảo Sơn Trà",
         "CAQ-ST", ("PA01",), "Mô hình được công nhận", "late", d(2023, 3, 1), d(2023, 12, 31),
         done_on=d(2024, 2, 20)),
    Spec("p-lc", "DA01-1", None, "Hướng dẫn Công an phường Hòa Minh, Hòa Khánh Bắc tự đánh giá theo bộ tiêu chí",
         "CAQ-LC", (), "Kết quả tự đánh giá của các phường", "done", d(2023, 7, 1), d(2023, 9, 30)),
    Spec("p-hv", "DA01-1", None, "Đề xuất bố trí đất xây dựng trụ sở Công an xã Hòa Phước, Hòa Tiến",
         "CAH-HV", ("STNMT",), "Văn bản đề xuất; quyết định giao đất", "late", d(2024, 6, 1), d(2025, 6, 30),
         done_on=d(2025, 9, 15), tags="trụ sở"),
    # Đề án thành phần: cán bộ.
    Spec("c-dinhbien", "DA01-2", None, "Xây dựng phương án định biên, bố trí quân số các đơn vị đến năm 2025",
         "PX01", ("PV01",), "Phương án định biên", "done", d(2023, 1, 15), d(2023, 4, 30), H),
    Spec("c-tuyen", "DA01-2", None, "Tuyển chọn công dân vào Công an nhân dân theo chỉ tiêu hằng năm",
         "PX01", ("PX03",), "Báo cáo kết quả tuyển chọn", "yearly", d(2023, 2, 1)),
    Spec("c-luanchuyen", "DA01-2", None, "Thực hiện luân chuyển, điều động cán bộ lãnh đạo, chỉ huy giữa các đơn vị",
         "PX01", (), "Quyết định luân chuyển", "done", d(2023, 6, 1), d(2023, 12, 31)),
    Spec("c-daotaolai", "DA01-2", None, "Đào tạo lại, bồi dưỡng chuyên sâu cho cán bộ điều động về Công an xã, phường",
         "PX01", ("PC06",), "Các lớp bồi dưỡng; báo cáo kết quả", "done", d(2025, 3, 15), d(2025, 9, 30)),
    Spec("c-canbotre", "DA01-2", None, "Tổ chức hội thi “Cán bộ trẻ tài năng” năm 2025",
         "PX03", ("PX01",), "Hội thi", "cancelled", d(2025, 3, 1), d(2025, 10, 31), stop=d(2025, 6, 20)),
    Spec("c-danhgia", "DA01-2", None, "Đánh giá, xếp loại cán bộ theo kết quả thực hiện nhiệm vụ được theo dõi trên phần mềm",
         "PX01", ("PV01",), "Hướng dẫn đánh giá; kết quả thí điểm", "open", -60, 45),
    # Dự án camera.
    Spec("cam-bcnckt", "DA01-3", None, "Lập Báo cáo nghiên cứu khả thi Dự án Hệ thống camera giám sát an ninh, trật tự",
         "PA06", ("SKHDT", "STC"), "Báo cáo nghiên cứu khả thi", "late", d(2023, 1, 10), d(2023, 5, 31), H,
         done_on=d(2023, 7, 10), tags="camera"),
    Spec("cam-thamdinh", "DA01-3", None, "Thẩm định nguồn vốn và khả năng cân đối vốn của Dự án",
         "SKHDT", ("STC",), "Báo cáo thẩm định", "done", d(2023, 6, 1), d(2023, 8, 31), tags="camera"),
    Spec("cam-von", "DA01-3", None, "Bố trí vốn đầu tư công thực hiện giai đoạn 1 của Dự án",
         "STC", ("SKHDT",), "Quyết định giao vốn", "late", d(2023, 9, 1), d(2023, 12, 31),
         done_on=d(2024, 3, 15), tags="camera"),
    Spec("cam-khaosat", "DA01-3", None, "Khảo sát vị trí lắp đặt camera tại các quận, huyện",
         "PA06", ALL_DISTRICTS, "Danh mục vị trí lắp đặt", "done", d(2023, 6, 1), d(2023, 10, 31),
         public=True, tags="camera"),
    Spec("cam-hc", "DA01-3", None, "Phối hợp bàn giao mặt bằng, vị trí lắp đặt camera giai đoạn 1 trên địa bàn quận Hải Châu",
         "CAQ-HC", ("PA06", "UBND-HC"), "Biên bản bàn giao vị trí", "done", d(2024, 5, 10), d(2025, 6, 30),
         done_on=d(2025, 6, 20), tags="camera"),
    Spec("cam-ttdh", "DA01-3", None, "Xây dựng Trung tâm giám sát, điều hành hệ thống camera tập trung của Công an thành phố",
         "PA06", ("PH10", "STTTT"), "Trung tâm giám sát, điều hành đưa vào vận hành", "open",
         d(2024, 1, 15), d(2025, 6, 30), U, updates=5, tags="camera",
         notes=("Đã lắp đặt hệ thống màn hình, máy chủ tại trung tâm; đang kết nối camera giai đoạn 1.",
                "Đã kết nối camera giai đoạn 1 về trung tâm; đang bổ sung hạng mục kết nối camera của các xã, phường."),
         exts=(Ext(d(2025, 6, 10), d(2025, 12, 31), d(2025, 6, 13), True,
                   "Thiết bị nhập khẩu về chậm; điều chỉnh tiến độ lắp đặt."),
               Ext(d(2025, 12, 10), 60, d(2025, 12, 16), True,
                   "Bổ sung hạng mục kết nối camera của các xã, phường sau hợp nhất."))),
    Spec("cam-gd2", "DA01-3", None, "Triển khai Dự án Hệ thống camera giám sát an ninh, trật tự giai đoạn 2, mở rộng đến các xã, phường",
         "PA06", ("STTTT", "SKHDT", "PC08"), "Hồ sơ dự án giai đoạn 2", "open", -60, 300, H, updates=1,
         tags="camera"),
    Spec("cam-quyche", "DA01-3", None, "Xây dựng Quy chế quản lý, khai thác, chia sẻ dữ liệu hệ thống camera giám sát",
         "PV01", ("PA06", "PC08", "STTTT"), "Dự thảo Quy chế", "awaiting", -150, -25, stop=-6,
         tags="camera"),
    Spec("cam-hatang", "DA01-3", None, "Bảo đảm hạ tầng đường truyền, trung tâm dữ liệu kết nối hệ thống camera",
         "STTTT", ("PA06",), "Hạ tầng đường truyền được nghiệm thu", "overdue", -240, -35, H, tags="camera",
         dirs=(Dir(-10, "Đề nghị Sở Thông tin và Truyền thông báo cáo tiến độ, khó khăn; Phòng Tham mưu tổng hợp báo cáo UBND thành phố.", -8),)),
    Spec("cam-xahoi", "DA01-3", None, "Vận động cơ quan, doanh nghiệp, hộ gia đình kết nối camera vào hệ thống giám sát",
         "PV05", ("STTTT",), "Số camera được kết nối", "standing", d(2024, 3, 1), tags="camera"),
    Spec("cam-pc08", "DA01-3", None, "Tổ chức khai thác hệ thống camera giám sát phục vụ phát hiện, xử lý vi phạm trật tự, an toàn giao thông qua hình ảnh",
         "PC08", ("PA06", "STTTT"), "Quy trình khai thác; báo cáo kết quả xử lý vi phạm", "open", -260, 35, H,
         tags="camera",
         notes=("Đã xử lý vi phạm qua hình ảnh tại các tuyến có camera; đang hoàn thiện quy trình phối hợp với Phòng Kỹ thuật nghiệp vụ.",),
         dirs=(Dir(-90, "Phòng CSGT chủ động phối hợp Phòng Kỹ thuật nghiệp vụ, báo cáo kết quả xử lý vi phạm qua hình ảnh hằng tháng.", -88),)),
    Spec("cam-pc08-d1", "DA01-3", None, "Khảo sát, đề xuất vị trí lắp đặt bổ sung camera giám sát giao thông trên các tuyến thuộc địa bàn Đội CSGT số 1",
         "PC08-D1", (), "Danh mục vị trí đề xuất", "done", -240, -150, parent="cam-pc08", by="PC08",
         tags="camera"),
    Spec("cam-pc08-d2", "DA01-3", None, "Khảo sát, đề xuất vị trí lắp đặt bổ sung camera giám sát giao thông trên các tuyến thuộc địa bàn Đội CSGT số 2",
         "PC08-D2", (), "Danh mục vị trí đề xuất", "late", -240, -150, parent="cam-pc08", by="PC08",
         done_on=-128, tags="camera"),
    Spec("cam-pc08-d1-taphuan", "DA01-3", None, "Tập huấn khai thác phần mềm xử lý vi phạm qua hình ảnh cho cán bộ Đội CSGT số 1",
         "PC08-D1", (), "Lớp tập huấn", "open", -60, 2, parent="cam-pc08", by="PC08", tags="camera"),
    Spec("cam-pc08-d2-tuantra", "DA01-3", None, "Xây dựng phương án tuần tra, kiểm soát kết hợp dữ liệu camera tại các nút giao trọng điểm thuộc địa bàn Đội CSGT số 2",
         "PC08-D2", (), "Phương án tuần tra, kiểm soát", "overdue", -100, -9, parent="cam-pc08", by="PC08",
         tags="camera"),
    # Kế hoạch của UBND thành phố: the city's departments and districts.
    Spec("u-btg", "KHUB", None, "Định hướng công tác tuyên truyền về xây dựng lực lượng Công an thành phố trong sạch, vững mạnh",
         "BTGTU", ("PX03",), "Văn bản định hướng tuyên truyền", "done", d(2022, 11, 1), d(2022, 12, 31)),
    Spec("u-stc2023", "KHUB", None, "Tham mưu bố trí kinh phí thực hiện Kế hoạch năm 2023",
         "STC", ("PH01",), "Quyết định giao dự toán", "late", d(2022, 11, 1), d(2022, 12, 31),
         done_on=d(2023, 2, 10)),
    Spec("u-stc", "KHUB", None, "Tham mưu bố trí kinh phí thực hiện Kế hoạch hằng năm",
         "STC", ("PH01",), "Quyết định giao dự toán", "yearly", d(2023, 6, 1)),
    Spec("u-stnmt", "KHUB", None, "Rà soát, bố trí quỹ đất xây dựng trụ sở Công an xã, phường",
         "STNMT", ("PH10", "UBND-HC", "UBND-CL"), "Danh mục quỹ đất được bố trí", "overdue",
         d(2023, 3, 1), -60, H, tags="trụ sở",
         notes=("Đã rà soát, thống nhất với Công an thành phố danh mục vị trí đất; một số vị trí vướng quy hoạch sau sắp xếp đơn vị hành chính.",),
         exts=(Ext(-75, 120, -70, False, "Chưa hoàn thành rà soát quỹ đất sau sắp xếp đơn vị hành chính.",
                   "Đề nghị Sở hoàn thành đối với các vị trí đã thống nhất; các vị trí mới báo cáo bổ sung sau."),),
         dirs=(Dir(-25, "Đề nghị Sở Tài nguyên và Môi trường khẩn trương hoàn thành, báo cáo UBND thành phố trước ngày {han}."),)),
    Spec("u-ubndhc", "KHUB", None, "Bố trí trụ sở làm việc tạm thời cho Công an các phường chưa có trụ sở",
         "UBND-HC", ("PH10",), "Quyết định bố trí trụ sở", "done", d(2022, 11, 1), d(2023, 3, 31),
         tags="trụ sở"),
    Spec("u-ubndcl", "KHUB", None, "Bàn giao mặt bằng xây dựng trụ sở Công an phường Khuê Trung",
         "UBND-CL", ("PH10", "P-KHUE-TRUNG", "STNMT"), "Biên bản bàn giao mặt bằng", "overdue",
         d(2024, 4, 1), -45, H, tags="trụ sở",
         dirs=(Dir(-12, "Đề nghị UBND quận Cẩm Lệ báo cáo vướng mắc trong bồi thường, giải phóng mặt bằng để Công an thành phố báo cáo UBND thành phố tháo gỡ."),)),
    Spec("u-skhdt", "KHUB", None, "Tham mưu đưa các dự án đầu tư cho lực lượng Công an thành phố vào kế hoạch đầu tư công trung hạn giai đoạn 2026–2030",
         "SKHDT", ("PH10", "STC"), "Danh mục dự án trong kế hoạch trung hạn", "awaiting",
         d(2025, 3, 1), 30, stop=-9),
    # Chương trình hành động của Thành ủy.
    Spec("t-quantriet", "CTTU", None, "Quán triệt, triển khai Chương trình hành động đến các cấp ủy, tổ chức đảng",
         "BTGTU", ("PX03",), "Báo cáo kết quả quán triệt", "done", d(2022, 9, 20), d(2022, 10, 31)),
    Spec("t-doncdoc", "CTTU", None, "Theo dõi, đôn đốc, kiểm tra việc thực hiện Chương trình hành động của các sở, ban, ngành, địa phương",
         "BNCTU", ("UBKTTU", "PV01"), "Báo cáo kết quả kiểm tra năm", "yearly", d(2022, 10, 1)),
    # Nghị quyết 13-NQ/TU: model ward police (Khuê Trung: 19 of 20 criteria met).
    Spec("n-kt-tudanhgia", "NQ13", None, "Tự đánh giá theo bộ 20 tiêu chí, xây dựng kế hoạch khắc phục các tiêu chí chưa đạt của Công an phường Khuê Trung",
         "P-KHUE-TRUNG", (), "Kết quả tự đánh giá; kế hoạch khắc phục", "done", d(2023, 7, 5), d(2023, 8, 31),
         by="CAQ-CL"),
    Spec("n-htd-tudanhgia", "NQ13", None, "Tự đánh giá theo bộ 20 tiêu chí, xây dựng kế hoạch khắc phục các tiêu chí chưa đạt của Công an phường Hòa Thọ Đông",
         "P-HOA-THO-DONG", (), "Kết quả tự đánh giá; kế hoạch khắc phục", "late", d(2023, 7, 5), d(2023, 8, 31),
         by="CAQ-CL", done_on=d(2023, 9, 22)),
    Spec("n-kt-mohinh", "NQ13", None, "Xây dựng mô hình Công an phường điển hình, kiểu mẫu về an ninh, trật tự và văn minh đô thị tại phường Khuê Trung",
         "CAQ-CL", ("PV05", "UBND-CL"), "Mô hình được công nhận", "overdue", d(2023, 6, 15), d(2025, 12, 31), H,
         updates=6, progress=90,
         notes=("Đã rà soát, đối chiếu 20 tiêu chí; phân công từng tiêu chí cho lãnh đạo, cán bộ phụ trách.",
                "Đạt 17/20 tiêu chí; đang khắc phục các tiêu chí về cải cách hành chính, trụ sở và trang thiết bị.",
                "Đạt 19/20 tiêu chí; tiêu chí trụ sở làm việc và trang thiết bị chưa đạt do chưa được bàn giao mặt bằng xây dựng trụ sở.",
                "Duy trì 19/20 tiêu chí; đã có văn bản đề nghị UBND quận Cẩm Lệ đẩy nhanh việc bàn giao mặt bằng.",
                "Đã hoàn thiện các nội dung thuộc trách nhiệm của đơn vị; tiêu chí trụ sở vẫn chưa đạt, chờ bàn giao mặt bằng."),
         exts=(Ext(d(2025, 12, 10), d(2026, 6, 30), d(2025, 12, 15), True,
                   "Đạt 19/20 tiêu chí; tiêu chí trụ sở làm việc và trang thiết bị chưa đạt do chưa được bàn giao mặt bằng xây dựng trụ sở."),
               Ext(d(2026, 6, 15), d(2026, 12, 31), d(2026, 6, 19), False,
                   "Chưa có trụ sở mới; chờ UBND quận bàn giao mặt bằng.",
                   "Không gia hạn. Đề nghị hoàn thiện các nội dung thuộc trách nhiệm của đơn vị; phần trụ sở báo cáo riêng để Công an thành phố đề xuất UBND thành phố.")),
         dirs=(Dir(d(2024, 3, 5), "Công an quận Cẩm Lệ tập trung chỉ đạo, lấy phường Khuê Trung làm điểm của quận.", d(2024, 3, 6)),
               Dir(-20, "Công an phường Khuê Trung báo cáo giải trình lý do chậm, xác định rõ nội dung đã đạt, chưa đạt và thời hạn hoàn thành từng nội dung."))),
    Spec("n-kt-hoso", "NQ13", None, "Hoàn thiện hồ sơ đề nghị công nhận Công an phường Khuê Trung đạt chuẩn điển hình, kiểu mẫu",
         "P-KHUE-TRUNG", ("PV05",), "Hồ sơ đề nghị công nhận", "overdue", -100, -12,
         dirs=(Dir(-30, "Hồ sơ phải thể hiện đầy đủ minh chứng cho từng tiêu chí; gửi Phòng XDPT BVANTQ thẩm định trước.", -29),)),
    Spec("n-kt-tdp", "NQ13", None, "Duy trì hiệu quả mô hình “Tổ dân phố không có tội phạm và tệ nạn xã hội” trên địa bàn phường Khuê Trung",
         "P-KHUE-TRUNG", (), "Báo cáo kết quả duy trì mô hình", "standing", d(2025, 3, 15)),
    # Đề án 30/ĐA-BCA: ward and commune police.
    Spec("b-kehoach", "DA30", None, "Xây dựng Kế hoạch thực hiện Đề án 30/ĐA-BCA trên địa bàn thành phố",
         "PV01", ("PC06", "PX01"), "Kế hoạch của Công an thành phố", "done", d(2023, 11, 20), d(2023, 12, 31), H),
    Spec("b-tthc", "DA30", None, "Hướng dẫn Công an xã, phường thực hiện quy trình tiếp nhận, giải quyết thủ tục hành chính về cư trú, định danh điện tử",
         "PC06", ("PA08",), "Văn bản hướng dẫn", "done", d(2024, 1, 10), d(2024, 4, 30)),
    Spec("b-kt-vneid", "DA30", None, "Hướng dẫn người dân sử dụng dịch vụ công trực tuyến, ứng dụng định danh điện tử VNeID trên địa bàn phường Khuê Trung",
         "P-KHUE-TRUNG", ("PC06",), "Báo cáo kết quả hướng dẫn", "open", -80, 45, tags="chuyển đổi số"),
    Spec("b-kiemtra", "DA30", None, "Kiểm tra việc thực hiện Đề án 30/ĐA-BCA tại Công an xã, phường",
         "PX05", ("PV01", "PC06"), "Thông báo kết quả kiểm tra", "yearly", d(2024, 2, 1)),
    Spec("b-hoaminh", "DA30", None, "Xây dựng Công an phường Hòa Minh chính quy, kiểu mẫu về tác phong, lề lối làm việc",
         "P-HOA-MINH", (), "Báo cáo kết quả", "awaiting", -130, -15, stop=-2),
]

# Texts of the updates ----------------------------------------------------------------

RESULTS_EARLY = [
    "Đã xây dựng kế hoạch triển khai chi tiết, phân công lãnh đạo phụ trách và cán bộ thực hiện.",
    "Đã tổ chức họp triển khai với các đơn vị phối hợp, thống nhất nội dung và lộ trình thực hiện.",
    "Đang thu thập thông tin, số liệu từ các đơn vị liên quan.",
]
RESULTS_MID = [
    "Đã hoàn thành thu thập, tổng hợp số liệu; đang xây dựng dự thảo sản phẩm: {product}.",
    "Đã hoàn thành khoảng {percent}% khối lượng công việc theo kế hoạch.",
    "Đã tổ chức {n} buổi làm việc với các đơn vị phối hợp; các nội dung cơ bản đã thống nhất.",
]
RESULTS_LATE = [
    "Đã hoàn thành dự thảo sản phẩm ({product}), đang lấy ý kiến góp ý của các đơn vị.",
    "Cơ bản hoàn thành các nội dung; đang tiếp thu, chỉnh lý trước khi trình Ban Giám đốc.",
]
RESULTS_PERIODIC = [
    "Đã triển khai đầy đủ các nội dung theo kế hoạch của kỳ; các chỉ tiêu cơ bản đạt yêu cầu.",
    "Đã tổng hợp, gửi báo cáo ({product}) đúng thời hạn.",
    "Các nội dung trong kỳ thực hiện đúng tiến độ; một số chỉ tiêu đạt cao hơn cùng kỳ năm trước.",
    "Đã kiểm tra, đánh giá kết quả tại các đơn vị; kịp thời chấn chỉnh những tồn tại, hạn chế.",
]
RESULTS_COORD = "Đã hoàn thành phần việc được giao phối hợp và gửi kết quả cho đơn vị chủ trì."
DIFFICULTIES = {
    "I": ["Một số đơn vị tổ chức quán triệt còn hình thức, chưa gắn với nhiệm vụ cụ thể.",
          "Thời lượng tuyên truyền trên báo chí, mạng xã hội còn hạn chế."],
    "II": ["Khối lượng công việc lớn, cán bộ vừa làm chuyên môn vừa tham gia các hoạt động phong trào.",
           "Một bộ phận cán bộ còn tâm tư khi sắp xếp, điều động."],
    "III": ["Việc sắp xếp tổ chức bộ máy phải chờ hướng dẫn của Bộ Công an.",
            "Quân số Công an một số phường chưa đủ so với định biên."],
    "IV": ["Biên chế còn thiếu, khó bố trí cán bộ đi đào tạo dài hạn.",
           "Chỉ tiêu đào tạo sau đại học được phân bổ ít so với nhu cầu."],
    "V": ["Thủ tục trình ban hành chính sách qua nhiều bước thẩm định, kéo dài thời gian.",
          "Chưa có hướng dẫn thống nhất về định mức hỗ trợ."],
    "VI": ["Quỹ đất xây dựng trụ sở chưa được bố trí; một số Công an phường còn mượn trụ sở tạm.",
           "Kinh phí mua sắm trang thiết bị chưa được phân bổ kịp thời."],
    "VII": ["Hạ tầng đường truyền tại một số khu vực chưa đáp ứng yêu cầu kết nối.",
            "Thiếu cán bộ có trình độ chuyên sâu về công nghệ thông tin, an ninh mạng."],
    "VIII": ["Sự phối hợp của một số sở, ngành, địa phương chưa thường xuyên.",
             "Nguồn xã hội hóa cho các mô hình tự quản còn hạn chế."],
}
PROPOSALS = {
    "I": ["Đề nghị Ban Tuyên giáo Thành ủy định hướng các cơ quan báo chí tăng thời lượng tuyên truyền."],
    "II": ["Đề nghị Phòng Công tác đảng và công tác chính trị hướng dẫn nội dung sinh hoạt chuyên đề."],
    "III": ["Đề nghị Phòng Tổ chức cán bộ sớm tham mưu bổ sung quân số cho các đơn vị còn thiếu.",
            "Đề nghị Ban Giám đốc báo cáo Bộ Công an hướng dẫn cụ thể về mô hình tổ chức."],
    "IV": ["Đề nghị ưu tiên chỉ tiêu đào tạo cho cán bộ trẻ, cán bộ Công an xã, phường."],
    "V": ["Đề nghị Sở Tài chính sớm có ý kiến thẩm định để trình UBND thành phố."],
    "VI": ["Đề nghị UBND thành phố chỉ đạo Sở Tài nguyên và Môi trường, UBND các quận bố trí quỹ đất.",
           "Đề nghị Phòng Hậu cần ưu tiên cấp phát phương tiện cho các đơn vị cơ sở."],
    "VII": ["Đề nghị Sở Thông tin và Truyền thông hỗ trợ hạ tầng đường truyền, trung tâm dữ liệu.",
            "Đề nghị Phòng Kỹ thuật nghiệp vụ cử cán bộ hỗ trợ kỹ thuật."],
    "VIII": ["Đề nghị UBND thành phố chỉ đạo các sở, ngành thực hiện nghiêm quy chế phối hợp."],
}
RETURN_REASONS = [
    "Sản phẩm chưa đạt yêu cầu: số liệu chưa thống nhất với báo cáo của các đơn vị; đề nghị rà soát, bổ sung.",
    "Chưa có ý kiến thống nhất của các đơn vị phối hợp; đề nghị hoàn thiện hồ sơ.",
    "Báo cáo chưa đánh giá được nguyên nhân của hạn chế; chưa có dự toán kinh phí; đề nghị bổ sung.",
]
ACCEPT_NOTES = ["Sản phẩm đạt yêu cầu.", "Xác nhận hoàn thành.",
                "Đạt yêu cầu; đề nghị đơn vị tiếp tục theo dõi, duy trì kết quả."]
PERIODIC_PLOTS = {"standing", "quarterly", "yearly", "missed"}
RESOLUTION_START, RESOLUTION_END = d(2022, 3, 16), d(2030, 12, 31)


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# The loader --------------------------------------------------------------------------


@dataclass
class _Step:
    day: dt.date
    phase: int  # 0 before the day's ordinary steps (the reorganisation), 1 otherwise
    order: tuple[int, int]
    run: Callable[[], None]


class _Loader:
    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.units = {unit.code: unit for unit in Unit.objects.all()}
        self.users = {user.username: user for user in User.objects.filter(
            username__in=["admin", "lanhdao", "thammuu", "quanly", "canbo", "phuong"])}
        self.documents: dict[str, Document] = {}
        self.groups: dict[tuple[str, str], TaskGroup] = {}
        self.task_ids: dict[str, int] = {}
        self.directions: dict[tuple[str, int], Direction] = {}
        self.requests: dict[str, CompletionRequest] = {}
        self.extensions: dict[str, DeadlineExtension] = {}
        self.steps: list[_Step] = []
        self.event_mark = TaskEvent.objects.aggregate(top=Max("pk"))["top"] or 0
        self.stamp_day: dt.date | None = None
        self.stamp_index = 0

    # Dates and people ----------------------------------------------------------------

    def day(self, value: Day) -> dt.date:
        if isinstance(value, dt.date):
            return value
        return self.today + dt.timedelta(days=value)

    def stamp(self, day: dt.date) -> dt.datetime:
        """A working-hours moment on ``day``, increasing with each step of that day."""
        if day != self.stamp_day:
            self.stamp_day, self.stamp_index = day, 0
        self.stamp_index += 1
        moment = dt.datetime.combine(day, dt.time(7, 30)) + dt.timedelta(
            minutes=min(self.stamp_index, 300) * 2)
        return timezone.make_aware(moment)

    def reporter(self, unit: Unit, salt: int = 0) -> User:
        """Who reports for the lead unit: the PC08 manager and officer take turns."""
        if unit.code == "PC08":
            return self.users[("quanly", "canbo")[salt % 2]]
        if unit.code == "P-KHUE-TRUNG":
            return self.users["phuong"]
        return self.users["admin"]

    def requester(self, unit: Unit) -> User:
        """Who asks for completion or an extension: the reporter, except for the city police
        itself (work taken over from the dissolved districts), where the staff department
        asks and an administrator decides (nobody of the city police may)."""
        if unit.code == "CATP":
            return self.users["thammuu"]
        return self.reporter(unit)

    def decider(self, spec: Spec) -> User:
        if spec.by == "PC08":
            return self.users["quanly"]
        if spec.by in DISTRICT_CODES:
            return self.users["admin"]
        return self.users["thammuu"]

    def request_decider(self, spec: Spec, requested_by_id: int | None) -> User:
        """Who decides a request: the assigning side, unless it made the request or its
        unit leads the task; then the leader (segregation of duties, docs/security.md)."""
        task = self.task(spec.key)
        for user in (self.decider(spec), self.users["lanhdao"], self.users["admin"]):
            if scoping.decision_refusal(user, task, requested_by_id) is None:
                return user
        raise AssertionError(f"nobody may decide the requests of {spec.key}")

    def task(self, key: str) -> Task:
        return Task.objects.select_related("lead_unit").get(pk=self.task_ids[key])

    # Documents -----------------------------------------------------------------------

    def load_documents(self) -> None:
        actor = self.users["thammuu"]
        for spec in DOCUMENTS:
            document = services.document_create(
                actor=actor, kind=spec.kind, number=spec.number, title=spec.title,
                issuer=spec.issuer, issue_date=spec.issue_date, summary=spec.summary,
                parent=self.documents[spec.parent] if spec.parent else None,
                owner_unit=self.units[spec.owner], code_prefix=spec.prefix,
                access_level=spec.access_level,
                shared_with_units=[self.units[code] for code in spec.shared],
            )
            self.documents[spec.prefix] = document
            if spec.prefix in GROUPED_DOCUMENTS:
                for order, (number, title) in enumerate(GROUPS, start=1):
                    self.groups[(spec.prefix, number)] = services.group_create(
                        actor=actor, document=document, number=number, title=title, order=order)

    # Planning each task's life -------------------------------------------------------

    def plan(self, index: int, spec: Spec) -> None:
        rng = random.Random(f"{SEED}-{spec.key}")  # noqa: S311 - varied demo text, not security
        assigned = self.day(spec.assigned)
        due = self.day(spec.due) if spec.due is not None else None
        items: list[tuple[dt.date, int, Callable[[], None]]] = []

        def add(day: dt.date, rank: int, run: Callable[[], None]) -> None:
            items.append((day, rank, run))

        add(assigned, 0, lambda: self.create(spec, assigned, due))
        deadline = due
        for number, ext in enumerate(spec.exts):
            requested, decided = self.day(ext.requested), self.day(ext.decided)
            proposed = self.day(ext.proposed)
            add(requested, 3, self.ext_request_step(spec, number, ext, requested, proposed))
            add(decided, 4, self.ext_decide_step(spec, number, ext, decided))
            if ext.approve:
                deadline = proposed
        for number, direction in enumerate(spec.dirs):
            given = self.day(direction.on)
            add(given, 5, self.direction_step(spec, number, direction, given))
            if direction.ack is not None:
                acked = self.day(direction.ack)
                add(acked, 6, self.ack_step(spec, number, acked))

        plot = spec.plot
        if plot in {"quarterly", "yearly", "missed"}:
            for day, label in self.periodic_dates(rng, assigned, plot):
                add(day, 2, self.update_step(spec, rng, day, None, period=label))
        elif plot == "standing":
            day = assigned + dt.timedelta(days=rng.randint(30, 60))
            while day <= self.today:
                add(day, 2, self.update_step(spec, rng, day, None,
                                             period=f"đến tháng {day.month}/{day.year}"))
                day += dt.timedelta(days=rng.randint(100, 150))
        else:
            assert deadline is not None, spec.key
            self.plan_fixed(spec, rng, assigned, deadline, add)

        items.sort(key=lambda item: (item[0], item[1]))
        for step, (day, _rank, run) in enumerate(items):
            if day > self.today:
                break  # the rest of this life has not happened yet
            self.steps.append(_Step(day, 1, (index, step), run))

    def plan_fixed(self, spec: Spec, rng: random.Random, assigned: dt.date, deadline: dt.date,
                   add: Callable[[dt.date, int, Callable[[], None]], None]) -> None:
        """Updates and the completion requests of a task with a due date."""
        plot = spec.plot
        final: dt.date | None = None
        if plot == "done":
            span = max(3, (deadline - assigned).days)
            final = self.day(spec.done_on) if spec.done_on is not None else deadline - dt.timedelta(
                days=rng.randint(0, min(20, span // 4)))
        elif plot == "late":
            final = self.day(spec.done_on) if spec.done_on is not None else deadline + dt.timedelta(
                days=rng.randint(6, 40))
        elif plot in {"awaiting", "returned"}:
            assert spec.stop is not None, spec.key
            final = self.day(spec.stop)
        if plot in {"suspended", "cancelled"}:
            assert spec.stop is not None, spec.key
            end = self.day(spec.stop)
        elif final is not None:
            end = final
        else:  # still open: the latest report a few days ago
            end = self.today - dt.timedelta(days=rng.randint(1, 12))
        end = max(end, assigned + dt.timedelta(days=2))

        # Progress updates before the end, the last one closest to it.
        work_end = end
        returned_on: dt.date | None = None
        if spec.returned is not None:
            returned_on = self.day(spec.returned)
            work_end = returned_on
        if spec.progress is not None:
            target = spec.progress
        elif plot in {"done", "late", "awaiting", "returned"}:
            target = 90
        elif plot == "overdue":
            target = rng.choice([55, 60, 70, 75, 80])
        else:
            total = max(1, (deadline - assigned).days)
            elapsed = (min(end, deadline) - assigned).days
            target = max(10, min(85, round(100 * elapsed / total / 5) * 5))
        count = spec.updates
        if count is None:
            count = max(1, min(4, (work_end - assigned).days // 75 + rng.randint(0, 1)))
        dates = self.spread(rng, assigned, work_end, count)
        notes = [""] * max(0, len(dates) - len(spec.notes))
        notes += list(spec.notes[-len(dates):]) if dates else []
        for position, (day, note) in enumerate(zip(dates, notes, strict=True), start=1):
            percent = max(5, round(target * position / len(dates) / 5) * 5)
            add(day, 2, self.update_step(spec, rng, day, percent, note=note))
        coordinators = [code for code in spec.coord if code in EXTERNAL_CODES]
        if coordinators and dates and rng.random() < 0.5:
            add(dates[len(dates) // 2], 2, self.coordinator_step(spec, rng.choice(coordinators),
                                                                  dates[len(dates) // 2]))

        if returned_on is not None:
            add(returned_on, 7, self.submit_step(spec, returned_on))
            back = returned_on + dt.timedelta(days=rng.randint(2, 4))
            add(back, 8, self.decide_step(spec, back, accept=False, rng=rng))
            if final is not None and final > back + dt.timedelta(days=2):
                fix = back + dt.timedelta(days=max(1, (final - back).days // 2))
                add(fix, 2, self.update_step(spec, rng, fix, 95, rework=True))
        if plot in {"done", "late"}:
            assert final is not None
            add(final, 7, self.submit_step(spec, final))
            accepted = final + dt.timedelta(days=rng.randint(1, 6))
            add(accepted, 8, self.decide_step(spec, accepted, accept=True, rng=rng))
        elif plot == "awaiting":
            assert final is not None
            add(final, 7, self.submit_step(spec, final))
        elif plot == "returned":
            assert final is not None
            add(final, 7, self.submit_step(spec, final))
            back = final + dt.timedelta(days=3)
            add(back, 8, self.decide_step(spec, back, accept=False, rng=rng))
        elif plot == "suspended":
            assert spec.stop is not None
            add(self.day(spec.stop), 9, self.suspend_step(spec, self.day(spec.stop)))
        elif plot == "cancelled":
            assert spec.stop is not None
            add(self.day(spec.stop), 9, self.cancel_step(spec, self.day(spec.stop)))

    @staticmethod
    def spread(rng: random.Random, start: dt.date, end: dt.date, count: int) -> list[dt.date]:
        """``count`` distinct dates strictly after ``start`` and before ``end``."""
        span = (end - start).days
        if count <= 0 or span < 2:
            return []
        days = set()
        for position in range(1, count + 1):
            centre = span * position / (count + 1)
            offset = round(centre + rng.uniform(-0.3, 0.3) * span / (count + 1))
            days.add(min(span - 1, max(1, offset)))
        return [start + dt.timedelta(days=offset) for offset in sorted(days)]

    def periodic_dates(self, rng: random.Random, assigned: dt.date,
                       plot: str) -> list[tuple[dt.date, str]]:
        """Report dates of a periodic task: mid last month of each quarter or year."""
        result = []
        months = 12 if plot == "yearly" else 3
        year, month = assigned.year, ((assigned.month - 1) // months + 1) * months
        skipped: set[tuple[int, int]] = set()
        if plot == "missed":
            # Leave out the last closed quarter (and the current one): the report is missing.
            current = (self.today.year, ((self.today.month - 1) // 3 + 1) * 3)
            previous = (current[0] - 1, 12) if current[1] == 3 else (current[0], current[1] - 3)
            skipped = {current, previous}
        while (year, month) <= (self.today.year, self.today.month):
            day = dt.date(year, month, rng.randint(5, 20))
            if day > assigned and day <= self.today and (year, month) not in skipped:
                label = f"năm {year}" if months == 12 else f"quý {month // 3}/{year}"
                result.append((day, label))
            month += months
            if month > 12:
                year, month = year + 1, month - 12
        return result

    # Steps ---------------------------------------------------------------------------

    def create(self, spec: Spec, assigned: dt.date, due: dt.date | None) -> None:
        year = (due or assigned).year
        kind = {"quarterly": DeadlineKind.QUARTERLY, "yearly": DeadlineKind.YEARLY,
                "missed": DeadlineKind.QUARTERLY, "standing": DeadlineKind.STANDING}.get(
            spec.plot, DeadlineKind.FIXED)
        by = self.units[spec.by]
        actor = self.users["quanly"] if spec.by == "PC08" else (
            self.users["admin"] if spec.by in DISTRICT_CODES else self.users["thammuu"])
        description = spec.description
        if spec.by in DISTRICT_CODES and not description:
            description = f"Nhiệm vụ do {by.name} giao, cụ thể hóa nhiệm vụ của Công an quận."
        task = services.task_create(
            actor=actor, document=self.documents[spec.doc],
            group=self.groups[(spec.doc, spec.group)] if spec.group else None,
            parent=self.task(spec.parent) if spec.parent else None,
            title=spec.title.format(year=year, next=year + 1),
            lead_unit=self.units[spec.lead], assigning_unit=by,
            coordinating_units=[self.units[code] for code in spec.coord],
            deadline_kind=kind, due_date=due if kind == DeadlineKind.FIXED else None,
            description=description, expected_product=spec.product, priority=spec.priority,
            tags=spec.tags, assigned_on=assigned, is_public=spec.public,
        )
        self.task_ids[spec.key] = task.pk

    def update_step(self, spec: Spec, rng: random.Random, day: dt.date, percent: int | None,
                    *, period: str = "", rework: bool = False,
                    note: str = "") -> Callable[[], None]:
        topic = spec.group or TOPIC_OF_DOCUMENT.get(spec.doc, "I")
        product = _lower_first(spec.product or "sản phẩm")
        if percent is None:  # standing and periodic tasks: the share of the road to 2030
            share = (day - RESOLUTION_START).days / (RESOLUTION_END - RESOLUTION_START).days
            percent = max(5, min(95, round(share * 100)))
        if rework:
            results = "Đã tiếp thu ý kiến của Phòng Tham mưu, bổ sung, hoàn thiện sản phẩm."
        elif spec.plot in PERIODIC_PLOTS:
            results = rng.choice(RESULTS_PERIODIC).format(product=product)
        elif percent <= 25:
            results = rng.choice(RESULTS_EARLY)
        elif percent < 70:
            results = rng.choice(RESULTS_MID).format(product=product, percent=percent,
                                                     n=rng.randint(2, 5))
        else:
            results = rng.choice(RESULTS_LATE).format(product=product)
        if note:
            results = note
        if period:
            results = f"Kết quả {period}: {_lower_first(results)}"
        troubled = spec.plot in {"overdue", "late", "missed"} or rng.random() < (
            0.25 if spec.plot in PERIODIC_PLOTS else 0.45)
        difficulties = rng.choice(DIFFICULTIES[topic]) if troubled else ""
        proposals = rng.choice(PROPOSALS[topic]) if troubled and rng.random() < 0.7 else ""
        value = percent
        salt = rng.randint(0, 1)

        def run() -> None:
            task = self.task(spec.key)
            services.progress_post(
                actor=self.reporter(task.lead_unit, salt), task=task, unit=task.lead_unit,
                percent=value, results=results, difficulties=difficulties,
                proposals=proposals, reported_on=day)
        return run

    def coordinator_step(self, spec: Spec, code: str, day: dt.date) -> Callable[[], None]:
        def run() -> None:
            services.progress_post(actor=self.users["admin"], task=self.task(spec.key),
                                   unit=self.units[code], percent=100, results=RESULTS_COORD,
                                   reported_on=day)
        return run

    def submit_step(self, spec: Spec, day: dt.date) -> Callable[[], None]:
        product = spec.product or "sản phẩm theo yêu cầu"

        def run() -> None:
            task = self.task(spec.key)
            actor = self.requester(task.lead_unit)  # for PC08, its manager
            self.requests[spec.key] = services.completion_request(
                actor=actor, task=task, submitted_on=day,
                note=f"Đã hoàn thành: {product}. Gửi kèm báo cáo kết quả và sản phẩm.")
        return run

    def decide_step(self, spec: Spec, day: dt.date, *, accept: bool,
                    rng: random.Random) -> Callable[[], None]:
        note = rng.choice(ACCEPT_NOTES) if accept else rng.choice(RETURN_REASONS)

        def run() -> None:
            request = self.requests[spec.key]
            services.completion_decide(actor=self.request_decider(spec, request.submitted_by_id),
                                       request=request, accept=accept, note=note,
                                       decided_on=day)
        return run

    def ext_request_step(self, spec: Spec, number: int, ext: Ext, day: dt.date,
                         proposed: dt.date) -> Callable[[], None]:
        def run() -> None:
            task = self.task(spec.key)
            self.extensions[f"{spec.key}-{number}"] = services.extension_request(
                actor=self.requester(task.lead_unit), task=task,
                proposed_due=proposed, reason=ext.reason, requested_on=day)
        return run

    def ext_decide_step(self, spec: Spec, number: int, ext: Ext,
                        day: dt.date) -> Callable[[], None]:
        def run() -> None:
            extension = self.extensions[f"{spec.key}-{number}"]
            services.extension_decide(
                actor=self.request_decider(spec, extension.requested_by_id), extension=extension,
                approve=ext.approve, note=ext.note or ("Đồng ý gia hạn." if ext.approve else ""),
                decided_on=day)
        return run

    def direction_step(self, spec: Spec, number: int, direction: Dir,
                       day: dt.date) -> Callable[[], None]:
        text = direction.text.format(han=_fmt(day + dt.timedelta(days=14)))

        def run() -> None:
            given = services.direction_add(actor=self.users["lanhdao"], task=self.task(spec.key),
                                           text=text)
            Direction.objects.filter(pk=given.pk).update(created_at=self.stamp(day))
            self.directions[(spec.key, number)] = given
        return run

    def ack_step(self, spec: Spec, number: int, day: dt.date) -> Callable[[], None]:
        def run() -> None:
            direction = self.directions[(spec.key, number)]
            task = self.task(spec.key)
            actor = self.reporter(task.lead_unit)
            services.direction_acknowledge(actor=actor, direction=direction)
            Direction.objects.filter(pk=direction.pk).update(acknowledged_at=self.stamp(day))
        return run

    def suspend_step(self, spec: Spec, day: dt.date) -> Callable[[], None]:
        reasons = {
            "d6-xechuachay": "Tạm hoãn chờ bố trí vốn trong kế hoạch đầu tư công trung hạn giai đoạn 2026–2030.",
            "d7-ai": "Tạm hoãn chờ Bộ Công an ban hành hướng dẫn về tiêu chuẩn kỹ thuật, bảo mật dữ liệu.",
        }

        def run() -> None:
            services.task_suspend(actor=self.decider(spec), task=self.task(spec.key),
                                  reason=reasons.get(spec.key, "Tạm hoãn theo chỉ đạo của Ban Giám đốc."),
                                  start=day)
        return run

    def cancel_step(self, spec: Spec, day: dt.date) -> Callable[[], None]:
        reasons = {
            "d6-thaotruong": "Không tiếp tục thực hiện: Bộ Công an điều chỉnh quy hoạch, bố trí thao trường chung của khu vực.",
            "c-canbotre": "Lồng ghép vào hội thi chung của Bộ Công an; không tổ chức riêng cấp thành phố.",
        }

        def run() -> None:
            services.task_cancel(actor=self.decider(spec), task=self.task(spec.key),
                                 reason=reasons.get(spec.key, "Không còn phù hợp."), on=day)
        return run

    def reorganisation_step(self) -> None:
        """1/3/2025: the district police end; their open tasks go to a successor."""
        actor = self.users["thammuu"]
        for code in DISTRICT_CODES:
            district = self.units[code]
            if code in TRANSFER_TO:
                target = self.units[TRANSFER_TO[code]]
            else:
                target = district.successor or self.units["CATP"]
            services.tasks_transfer(actor=actor, from_unit=district, to_unit=target,
                                    on=TRANSFER_DAY)
        Unit.objects.filter(code__in=DISTRICT_CODES).update(is_active=False)
        for code in DISTRICT_CODES:
            self.units[code].is_active = False

    # Running -------------------------------------------------------------------------

    def run(self) -> None:
        self.load_documents()
        for index, spec in enumerate(SPECS):
            self.plan(index, spec)
        if self.today >= TRANSFER_DAY:
            self.steps.append(_Step(TRANSFER_DAY, 0, (0, 0), self.reorganisation_step))
        self.steps.sort(key=lambda step: (step.day, step.phase, step.order))
        for step in self.steps:
            step.run()
            self.backdate_events(step.day)

    def backdate_events(self, day: dt.date) -> None:
        """Date the timeline lines of this step on the day it happened."""
        created = TaskEvent.objects.filter(pk__gt=self.event_mark)
        top = created.aggregate(top=Max("pk"))["top"]
        if top is not None:
            created.update(at=self.stamp(day))
            self.event_mark = top


def load(stdout: Any) -> None:
    """Create the documents and tasks of the demo unless they are already there."""
    if Document.objects.filter(code_prefix="NQ12").exists():
        stdout.write("Plans: demo documents already loaded.")
        return
    today = timezone.localdate()
    # The district police were dissolved on 28/02/2025; to replay their earlier work they
    # are active until the reorganisation step, which dissolves them again.
    districts = Unit.objects.filter(code__in=DISTRICT_CODES, kind=UnitKind.DISTRICT)
    was_inactive = list(districts.filter(is_active=False).values_list("pk", flat=True))
    districts.update(is_active=True)
    try:
        _Loader(today).run()
    finally:
        Unit.objects.filter(pk__in=was_inactive).update(is_active=False)
    stdout.write(
        f"Plans: {Document.objects.count()} documents, {Task.objects.count()} tasks, "
        f"{ProgressUpdate.objects.count()} progress updates.")
