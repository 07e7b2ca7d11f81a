"""Demo obstacles in the Resolution 12 demo: a few realistic difficulties of the traffic
police, a ward police and the staff department, at every stage (open, escalated with a
leader's direction, resolved, rejected) and of every age bracket. Loaded by ``dondoc demo``
after the plans (``DEMO_MODULES``), through the services, dated relative to today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from dondoc.obstacles import services
from dondoc.obstacles.models import Category, Obstacle
from dondoc.organization.models import Unit, User
from dondoc.plans.models import Document, Task, TaskState
from dondoc.progress.models import ProgressUpdate

OPEN_TASK_STATES = [TaskState.ASSIGNED, TaskState.IN_PROGRESS, TaskState.RETURNED]


def _open_tasks(unit_code: str) -> list[Task]:
    return list(Task.objects.filter(lead_unit__code=unit_code, state__in=OPEN_TASK_STATES)
                .select_related("lead_unit").order_by("code"))


def load(stdout: Any) -> None:
    """Create the demo obstacles unless they are already there."""
    if Obstacle.objects.exists():
        stdout.write("Obstacles: demo obstacles already loaded.")
        return
    today = timezone.localdate()
    users = {user.username: user for user in User.objects.filter(
        username__in=["admin", "lanhdao", "thammuu", "quanly", "canbo", "phuong"])}
    units = {unit.code: unit for unit in Unit.objects.filter(
        code__in=["PV01", "PH01", "PH10", "PX01", "PC08", "P-KHUE-TRUNG", "STC"])}
    staff, leader = users.get("thammuu"), users.get("lanhdao")

    def ago(days: int, task: Task | None = None) -> dt.date:
        day = today - dt.timedelta(days=days)
        return max(day, task.assigned_on) if task is not None else day

    traffic = _open_tasks("PC08")
    ward = _open_tasks("P-KHUE-TRUNG")
    made = 0
    if traffic:
        # A report with difficulties, old enough to show an obstacle open for months.
        reports = ProgressUpdate.objects.filter(task__in=traffic).exclude(
            difficulties="").select_related("task__lead_unit").order_by("reported_on", "id")
        update = (reports.filter(reported_on__lte=today - dt.timedelta(days=95)).last()
                  or reports.last())
        task = update.task if update is not None else traffic[0]
        traffic = [task, *(other for other in traffic if other.pk != task.pk)]
        raised = update.reported_on if update is not None else ago(105, task)
        linked = update if update is not None and update.reported_on <= raised else None
        obstacle = services.obstacle_raise(
            actor=users["quanly"], unit=task.lead_unit, task=task, category=Category.BUDGET,
            description=(linked.difficulties if linked is not None else
                         "Kinh phí mua sắm, lắp đặt camera giám sát giao thông tại các nút giao "
                         "trọng điểm chưa được bố trí trong dự toán năm."),
            proposed_solution=(linked.proposals if linked is not None and linked.proposals else
                               "Đề nghị Sở Tài chính tham mưu UBND thành phố bổ sung kinh phí "
                               "từ nguồn dự phòng ngân sách thành phố."),
            resolver_agency="Sở Tài chính thành phố Đà Nẵng", progress_update=linked,
            raised_on=raised)
        services.obstacle_escalate(actor=staff, obstacle=obstacle,
                                   on=min(raised + dt.timedelta(days=10), today),
                                   note="Vượt thẩm quyền của Phòng Tham mưu; đề nghị Ban Giám "
                                        "đốc làm việc với Sở Tài chính.")
        services.obstacle_direct(actor=leader, obstacle=obstacle,
                                 on=min(raised + dt.timedelta(days=15), today),
                                 text="Giao Phòng Tài chính phối hợp Phòng Tham mưu làm việc "
                                      "với Sở Tài chính, báo cáo kết quả trước ngày 30 của tháng.")
        made += 1
    if len(traffic) > 1:
        task = traffic[1]
        services.obstacle_raise(
            actor=users["canbo"], unit=task.lead_unit, task=task, category=Category.EQUIPMENT,
            description="Máy đo nồng độ cồn, thiết bị ghi hình cầm tay của các tổ tuần tra đã "
                        "hư hỏng, không đủ để triển khai đồng loạt các đợt cao điểm.",
            proposed_solution="Đề nghị Phòng Hậu cần bổ sung 20 máy đo nồng độ cồn và 30 "
                              "thiết bị ghi hình.",
            resolver_unit=units.get("PH10") or units["PV01"], raised_on=ago(45, task))
        made += 1
    if len(traffic) > 2:
        task = traffic[2]
        obstacle = services.obstacle_raise(
            actor=users["quanly"], unit=task.lead_unit, task=task, category=Category.PERSONNEL,
            description="Thiếu cán bộ có trình độ công nghệ thông tin để vận hành hệ thống xử "
                        "lý vi phạm qua hình ảnh.",
            proposed_solution="Đề nghị Phòng Tổ chức cán bộ điều động, bổ sung 03 cán bộ.",
            resolver_unit=units.get("PX01") or units["PV01"], raised_on=ago(130, task))
        services.obstacle_resolve(
            actor=users["admin"], obstacle=obstacle,
            on=min(obstacle.raised_on + dt.timedelta(days=60), today),
            resolution="Phòng Tổ chức cán bộ đã điều động 03 cán bộ về Phòng CSGT theo Quyết "
                       "định điều động cán bộ.")
        made += 1
    if ward:
        task = ward[0]
        obstacle = services.obstacle_raise(
            actor=users["phuong"], unit=task.lead_unit, task=task, category=Category.LAND,
            description="Trụ sở làm việc của Công an phường đang phải mượn tạm nhà văn hóa tổ "
                        "dân phố; chưa được giao đất xây dựng trụ sở.",
            proposed_solution="Đề nghị UBND thành phố chỉ đạo bố trí quỹ đất xây dựng trụ sở "
                              "Công an phường Khuê Trung.",
            resolver_agency="UBND thành phố Đà Nẵng", raised_on=ago(75, task))
        services.obstacle_escalate(actor=staff, obstacle=obstacle,
                                   on=min(obstacle.raised_on + dt.timedelta(days=7), today))
        made += 1
        if len(ward) > 1:
            task = ward[1]
            obstacle = services.obstacle_raise(
                actor=users["phuong"], unit=task.lead_unit, task=task,
                category=Category.COORDINATION,
                description="Một số tổ dân phố chưa phối hợp cung cấp thông tin cư trú.",
                proposed_solution="Đề nghị Phòng Tham mưu có văn bản đôn đốc.",
                resolver_unit=units["PV01"], raised_on=ago(40, task))
            services.obstacle_reject(
                actor=staff, obstacle=obstacle,
                on=min(obstacle.raised_on + dt.timedelta(days=7), today),
                reason="Thuộc thẩm quyền của Công an phường: đề nghị chủ động làm việc với "
                       "UBND phường để chỉ đạo các tổ dân phố phối hợp.")
            made += 1
    document = Document.objects.filter(owner_unit__code="PV01").order_by("issue_date").first() \
        or Document.objects.order_by("issue_date").first()
    if document is not None and staff is not None and staff.unit is not None:
        services.obstacle_raise(
            actor=None, unit=staff.unit, document=document, category=Category.POLICY,
            description="Chưa có hướng dẫn của Bộ Công an về tiêu chí sắp xếp tổ chức bộ máy "
                        "cấp đội sau khi kết thúc hoạt động Công an cấp huyện.",
            proposed_solution="Đề nghị Bộ Công an (Cục Tổ chức cán bộ) sớm ban hành hướng dẫn.",
            resolver_agency="Bộ Công an (Cục Tổ chức cán bộ)", raised_on=ago(20))
        made += 1
    stdout.write(f"Obstacles: {made} demo obstacles.")
