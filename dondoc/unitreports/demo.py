"""Demo unit reports: a quarterly reporting obligation on Resolution 12 (issue 12).

The units report by the 15th of each quarter's last month, on the progress they posted
from the 15th of the quarter's first month before to the 14th of its last month. Two
quarters back are filled in through the services with their past dates: accepted
reports (one late), one returned to the demo officer's unit (PC08, account ``canbo``),
one awaiting the staff department (account ``thammuu``), one never submitted (missing).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from dondoc.organization.models import Unit, User
from dondoc.plans.models import Document
from dondoc.progress.periods import period_of_kind
from dondoc.unitreports import services
from dondoc.unitreports.models import ReportingObligation, UnitReport

TITLE = "Báo cáo quý kết quả thực hiện Nghị quyết 12-NQ/TW"
UNITS = ("PC08", "PC06", "PX01", "PC07", "PA05")
NOTHING_NEW = ("Đơn vị tiếp tục triển khai các nhiệm vụ được giao; không phát sinh nội dung "
               "mới trong kỳ.")
RETURN_REASON = ("Đề nghị bổ sung số liệu cụ thể về tiến độ các nhiệm vụ quá hạn và nguyên "
                 "nhân; gửi kèm bản báo cáo có chữ ký của lãnh đạo đơn vị.")
# (unit, quarters back, what happens, days from the deadline it is submitted)
PLOT = [
    ("PC08", 2, "accept", -3), ("PC06", 2, "accept", 4), ("PX01", 2, "accept", -1),
    ("PA05", 2, "accept", -6),
    ("PC08", 1, "return", -2), ("PC06", 1, "submit", -1), ("PX01", 1, "accept", 0),
    ("PA05", 1, "submit", 2),
    # PC07 never submits: missing in both quarters.
]


def _quarter_back(today: dt.date, back: int) -> dt.date:
    start = period_of_kind("quarter", today).start
    for _step in range(back):
        start = period_of_kind("quarter", start - dt.timedelta(days=1)).start
    return start


def load(stdout: Any) -> None:
    document = Document.objects.filter(code_prefix="NQ12").first()
    if document is None or ReportingObligation.objects.filter(title=TITLE).exists():
        stdout.write("Unit reports: demo obligation already loaded (or no Resolution 12).")
        return
    today = timezone.localdate()
    staff = User.objects.filter(username="thammuu").first()
    officer = User.objects.filter(username="canbo").first()
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=UNITS)}
    first = period_of_kind("quarter", _quarter_back(today, 2))
    last = period_of_kind("quarter", dt.date(today.year + 1, 12, 1))
    obligation = services.obligation_create(
        actor=staff, document=document, owner_unit=document.owner_unit, title=TITLE,
        kind="quarter", units=[units[code] for code in UNITS if code in units],
        with_subunits=False, first_period=first, last_period=last,
        deadline_rule="day_of_last_month", deadline_value=15, window_mode="cutoff",
        cutoff_day=14, on=first.start)
    for code, back, step, offset in PLOT:
        unit = units.get(code)
        if unit is None:
            continue
        period = period_of_kind("quarter", _quarter_back(today, back))
        deadline = obligation.deadline(period)
        day = min(deadline + dt.timedelta(days=offset), today)
        actor = officer if code == "PC08" else None
        report = services.report_start(actor=actor, obligation=obligation, unit=unit,
                                       period_start=period.start, on=day)
        if not report.results.strip():
            services.report_update(actor=actor, report=report,
                                   expected_version=report.version, results=NOTHING_NEW,
                                   difficulties=report.difficulties,
                                   proposals=report.proposals)
        services.report_submit(actor=actor, report=report, on=day)
        decided = min(day + dt.timedelta(days=2), today)
        if step == "accept":
            services.report_accept(actor=staff, report=report, on=decided)
        elif step == "return":
            services.report_return(actor=staff, report=report, reason=RETURN_REASON,
                                   on=decided)
    stdout.write(f"Unit reports: 1 quarterly obligation, "
                 f"{UnitReport.objects.filter(obligation=obligation).count()} reports.")
