"""A small world of tasks to urge, as of 01/05/2024.

    PC08     KH-1 overdue (due 31/03/2024), KH-2 due soon (05/05/2024), KH-3 later (31/12/2024)
    PC08-D1  KH-4 due soon only (08/05/2024)
    PC06     KH-5 completed on time, KH-6 overdue but suspended
    PX05     KH-7 overdue (due 15/04/2024)
    OTHER    KH-8 overdue, in another agency (never seen by our staff)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from dondoc.plans import services as plan_services
from dondoc.plans.models import Task
from dondoc.plans.tests.factories import make_document, make_task
from dondoc.urging.services import LetterOptions

AS_OF = dt.date(2024, 5, 1)
LETTER_DAY = dt.date(2024, 5, 2)


@dataclass
class World:
    overdue_pc08: Task
    soon_pc08: Task
    later_pc08: Task
    soon_team: Task
    done_pc06: Task
    suspended_pc06: Task
    overdue_px05: Task
    overdue_other: Task


@pytest.fixture
def world(org, people, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    document = make_document(org.catp, code_prefix="KH", actor=people.staff)
    other_document = make_document(org.other, code_prefix="QN", actor=people.other_staff)

    def task(unit, due, title, document=document):
        return make_task(document, unit, actor=people.staff, due_date=due, title=title)

    done = task(org.pc06, dt.date(2024, 4, 20), "Hoàn thiện hồ sơ quản lý cư trú")
    request = plan_services.completion_request(actor=people.outsider, task=done,
                                               note="Đã xong", submitted_on=dt.date(2024, 4, 10))
    plan_services.completion_decide(actor=people.staff, request=request, accept=True,
                                    decided_on=dt.date(2024, 4, 12))
    suspended = task(org.pc06, dt.date(2024, 3, 1), "Xây dựng trụ sở tạm")
    plan_services.task_suspend(actor=people.staff, task=suspended, reason="Chờ vốn",
                               start=dt.date(2024, 2, 1))
    return World(
        overdue_pc08=task(org.pc08, dt.date(2024, 3, 31), "Rà soát tổ chức bộ máy đội CSGT"),
        soon_pc08=task(org.pc08, dt.date(2024, 5, 5), "Báo cáo nhu cầu phương tiện tuần tra"),
        later_pc08=task(org.pc08, dt.date(2024, 12, 31), "Lắp đặt camera giao thông"),
        soon_team=task(org.pc08_d1, dt.date(2024, 5, 8), "Tập huấn nghiệp vụ cho tổ tuần tra"),
        done_pc06=Task.objects.get(pk=done.pk),
        suspended_pc06=suspended,
        overdue_px05=task(org.px05, dt.date(2024, 4, 15), "Kế hoạch thanh tra chuyên đề"),
        overdue_other=make_task(other_document, org.other, actor=people.other_staff,
                                due_date=dt.date(2024, 3, 1), title="Nhiệm vụ tỉnh khác"),
    )


def options(org, **changes) -> LetterOptions:
    values = dict(
        scope_id=org.catp.pk, as_of=AS_OF, due_soon_days=7, mode="per_unit",
        letter_date=LETTER_DAY, symbol="CATP-PV01",
        subject="V/v đôn đốc thực hiện nhiệm vụ quá hạn, sắp đến hạn",
        governing_body="Bộ Công an", issuer_name="Công an thành phố Đà Nẵng",
        place="Đà Nẵng", signer_authority="KT. GIÁM ĐỐC", signer_position="PHÓ GIÁM ĐỐC",
        signer_name="Đại tá Trần Văn Bình", reply_by=dt.date(2024, 5, 10),
        copies_to=["Như trên", "Lưu: VT, PV01"])
    values.update(changes)
    return LetterOptions(**values)
