"""Demo data: one inspection by the City Police inspectorate with findings and
recommendations, and one steering-committee meeting with its conclusions, in the
Resolution 12 demo (``dondoc demo``, after the plans).

Dates are relative to today, so the recommendations show every kind of status: one
completed, one overdue, one due soon and one on time. People and numbers are fictional.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone, translation

from dondoc.inspections import services
from dondoc.inspections.models import Conclusion, Inspection
from dondoc.organization.models import Unit, User
from dondoc.plans import services as plans
from dondoc.plans.models import Document

INSPECTION_TITLE = ("Kiểm tra việc thực hiện Nghị quyết 12-NQ/TW và Kế hoạch 118-KH/ĐUCA "
                    "tại một số đơn vị")


def _days(today: dt.date, offset: int) -> dt.date:
    return today + dt.timedelta(days=offset)


def load(stdout: Any) -> None:
    if Inspection.objects.filter(title=INSPECTION_TITLE).exists():
        stdout.write("Inspections: demo inspection already loaded.")
        return
    units = Unit.objects.in_bulk(["PX05", "PC08", "PC06", "P-KHUE-TRUNG", "CATP"],
                                 field_name="code")
    people = User.objects.in_bulk(["thanhtra", "thammuu", "lanhdao", "quanly"],
                                  field_name="username")
    if len(units) < 5 or len(people) < 4:
        stdout.write("Inspections: demo units or accounts missing; skipped.")
        return
    today = timezone.localdate()
    with translation.override("vi"):
        _inspection(today, units, people)
        _meeting(today, units, people)
    stdout.write("Inspections: 1 inspection with its conclusion, 1 steering-committee meeting.")


def _inspection(today: dt.date, units: dict[str, Unit], people: dict[str, User]) -> None:
    inspector, staff, manager = people["thanhtra"], people["thammuu"], people["quanly"]
    pc08, pc06, ward = units["PC08"], units["PC06"], units["P-KHUE-TRUNG"]
    plan = Document.objects.filter(code_prefix="KH118").first()
    inspection = services.inspection_create(
        actor=inspector, owner_unit=units["PX05"], title=INSPECTION_TITLE,
        period_start=_days(today, -75), period_end=_days(today, -71),
        subject_units=[pc08, pc06, ward], scope_documents=[plan] if plan else [],
        content="Kiểm tra tiến độ, kết quả thực hiện các nhiệm vụ được giao theo Kế hoạch "
                "118-KH/ĐUCA; việc báo cáo định kỳ; khó khăn, vướng mắc.",
        team_leader=inspector, team_members=[staff],
        other_members="Trần Văn Nam (Phòng Tổ chức cán bộ)")
    services.inspection_start(actor=inspector, inspection=inspection)
    for unit, text, rating in (
        (pc08, "Hoàn thành lắp đặt 62/80 camera giám sát giao thông theo kế hoạch; việc "
               "cập nhật tiến độ lên hệ thống còn chậm.", "good"),
        (pc06, "Số hoá hồ sơ cư trú đạt 78%; chưa bố trí đủ cán bộ cho tổ số hoá.",
         "satisfactory"),
        (ward, "Chưa xây dựng kế hoạch thực hiện ở cấp phường; báo cáo định kỳ quý còn "
               "thiếu.", "unsatisfactory"),
    ):
        services.finding_add(actor=inspector, inspection=inspection, unit=unit, text=text,
                             rating=rating)
    recommendations = [
        (pc08, "Cập nhật đầy đủ tiến độ lắp đặt camera lên hệ thống dondoc", -40),
        (pc08, "Hoàn thành lắp đặt 18 camera còn lại", -5),
        (pc06, "Bố trí đủ cán bộ cho tổ số hoá hồ sơ cư trú", 2),
        (ward, "Xây dựng và ban hành kế hoạch thực hiện Nghị quyết 12-NQ/TW của Công an "
               "phường", 30),
    ]
    for unit, text, offset in recommendations:
        services.recommendation_add(actor=inspector, inspection=inspection, unit=unit,
                                    text=text, due_date=_days(today, offset))
    services.inspection_conclude(actor=inspector, inspection=inspection, number="25/KL-TTr",
                                 issue_date=_days(today, -65))
    first = inspection.recommendations.select_related("task").order_by("id").first()
    if first is not None and first.task is not None:
        request = plans.completion_request(
            actor=manager, task=first.task, submitted_on=_days(today, -45),
            note="Đã cập nhật đầy đủ tiến độ 80 vị trí camera lên hệ thống.")
        plans.completion_decide(actor=staff, request=request, accept=True,
                                decided_on=_days(today, -43))


def _meeting(today: dt.date, units: dict[str, Unit], people: dict[str, User]) -> None:
    staff = people["thammuu"]
    meeting = services.meeting_create(
        actor=staff, owner_unit=units["CATP"], held_on=_days(today, -30),
        title="Phiên họp Ban Chỉ đạo thực hiện Nghị quyết 12-NQ/TW của Công an thành phố",
        location="Hội trường Công an thành phố", chair=people["lanhdao"],
        attendees=[staff, people["thanhtra"], people["quanly"]],
        other_attendees="Đại diện Ban Tổ chức Thành ủy\nĐại diện Sở Tài chính")
    items = [
        ("Phòng CSGT khẩn trương hoàn thành dự án camera giám sát giao thông.", "PC08", 45),
        ("Phòng CSQLHC hoàn thành số hoá hồ sơ cư trú trước thời hạn kiểm tra lại.", "PC06",
         20),
        ("Phòng Tham mưu tổng hợp, báo cáo Đảng ủy kết quả thực hiện 6 tháng.", None, None),
    ]
    for text, code, offset in items:
        services.conclusion_add(actor=staff, meeting=meeting, text=text,
                                lead_unit=units.get(code) if code else None,
                                due_date=_days(today, offset) if offset else None)
    notice = services.meeting_issue_notice(actor=staff, meeting=meeting, number="145/TB-BCĐ",
                                           issue_date=_days(today, -28))
    for conclusion in Conclusion.objects.filter(meeting=meeting, lead_unit__isnull=False):
        assert conclusion.lead_unit is not None
        services.conclusion_make_task(
            actor=staff, conclusion=conclusion, title=conclusion.text,
            lead_unit=conclusion.lead_unit, due_date=conclusion.due_date,
            assigned_on=notice.issue_date)
